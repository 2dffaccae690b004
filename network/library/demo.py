"""Demo examples for the 2019–2020 network's experience library.

The facts (places, plan names, years, who took part, shares and numbers) come from Husbanken's
collection of examples (seeds 001 and 004); every sentence is written afresh for the demo.
``load_demo(network, coordinator)`` is idempotent: an example already there (same municipality
and title) is left alone. The examples open to all show each state of the review: approved by
the coordinator, waiting (Hamar's, asked for by its contact), and sent back with a comment
(Sør-Varanger's).
"""
from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import select

from network.auth.models import Person
from network.extensions import db
from network.library import services
from network.library.models import Example, ExampleReview
from network.networks.models import Network
from network.organisations.services import municipality_by_number
from network.planning.models import PlanningStep as Step
from network.planning.models import StrategicAdvice as Advice

# ``challenges`` are positions in the network's catalogue (network/demo/content.py CHALLENGES):
# 1 high prices, 2 little turnover, 3 older people, 4 disadvantaged groups, 5 living conditions,
# 6 fragmented responsibility, 7 hub policy and prices.
EXAMPLES = [
    {
        "kommunenummer": "5401",
        "title": "Tromsøs første boligpolitiske handlingsplan (2015–2018)",
        "responsible_unit": "Stab for politisk og administrativ ledelse",
        "summary": (
            "Tromsø samlet boligpolitikken i én plan for første gang. Handlingsplanen «Nok og riktige boliger, "
            "på rett sted» tok over etter den boligsosiale handlingsplanen for 2009–2014, og den ser det "
            "ordinære boligmarkedet, de boligsosiale oppgavene og byutviklingen under ett.\n\n"
            "Grunntanken er at boliger til vanskeligstilte i størst mulig grad skal bygges som en del av den "
            "vanlige boligbyggingen, og at ny vekst helst skal komme ved å fortette og fylle ut bydelene og "
            "bydelssentrene som allerede finnes."
        ),
        "result": (
            "- Administrasjon, politikere, boligbransjen og Husbanken fikk et felles bilde av mål og strategier.\n"
            "- Pågående og planlagte boligprosjekter ble samlet og knyttet til en overordnet plan.\n"
            "- En ny plantype, *boligprogram*, gjør planen konkret for hver brukergruppe.\n"
            "- Tiltakene ble prioritert og koblet til økonomiplanen og kommuneplanens arealdel.\n"
            "- Forankringen i egen administrasjon ble ikke like god som ønsket."
        ),
        "background": (
            "Før planarbeidet var det boligsosiale arbeidet spredt på mange enheter og drevet fram prosjekt for "
            "prosjekt, med lite samordning. Økonomiplanen fanget bare opp enkeltprosjekter. Det ordinære "
            "boligmarkedet hadde i praksis vært overlatt til markedet i flere tiår, og det var svak kobling "
            "mellom det kommunen la til grunn, planla og faktisk gjennomførte."
        ),
        "goals": (
            "Byrådet vedtok prosjektplanen 27. februar 2014. Arbeidet skulle gi et oppdatert kunnskapsgrunnlag, "
            "avklare hvilke virkemidler kommunen og private har, gi innspill til kommuneplanen og ende i en "
            "handlingsplan med langsiktige mål, valgte verktøy og en fireårig fordeling av ansvar og penger.\n\n"
            "De fire hovedmålene handler om nok boliger til befolkningsveksten, nok egnede boliger til "
            "vanskeligstilte, boligbygging som trekker byen i den retningen kommunen vil, og en organisering "
            "som gjør at boligpolitikken faktisk blir gjennomført."
        ),
        "who_did_what": (
            "Arbeidet gikk i fire faser gjennom 2014: forarbeid (februar), utredning (juni), strategisk fase "
            "(oktober) og planforslag (desember). Hver fase endte i en politisk sak. Et år er kort tid for en "
            "slik plan, og datoene gled noe, men fasene ble holdt."
        ),
        "relevant_law": (
            "Plan- og bygningsloven med forskrifter, lov om kommunale helse- og omsorgstjenester, Husbankens "
            "regelverk og kommunens egne planer."
        ),
        "user_participation": (
            "De som skal bruke planen, var med på å lage den, og tjenestemottakere og beboere ble hørt da "
            "prinsippene ble avklart. Medvirkning i enkeltprosjekter hører hjemme i boligprogrammene. Det første "
            "programmet, for personer med utviklingshemming, fikk kommunestyrets tilslutning samme dag som "
            "handlingsplanen, 29. april 2015. Det bygger på en modell med små boligklynger som et mellomledd "
            "mellom bofellesskap og helt egen bolig."
        ),
        "financing": (
            "Kompetansemidler fra Husbanken dekket halvparten av kommunens utgifter til planarbeidet. En "
            "ressursgruppe fra boligbransjen stilte på egen regning, og Næringsforeninga fasiliterte den mot et "
            "lite honorar."
        ),
        "success_factors": (
            "- Boligbransjen bidro gjennom ressursgruppa.\n"
            "- Politikerne prioriterte tiltakene, også i økonomiplanen.\n"
            "- En forutsigbar prosess med tydelige faser."
        ),
        "difficulties": (
            "- Fagmiljøer som var vant til å styre selv, var skeptiske til nye roller.\n"
            "- Den tverrfaglige ledelsesforankringen i administrasjonen var for svak.\n"
            "- Kortsiktige tiltak fikk ofte forrang foran langsiktig planarbeid."
        ),
        "tips": (
            "- Sørg for forankring både politisk og i ledelsen på tvers av fagområdene.\n"
            "- Sett opp en framdriftsplan for selve planarbeidet, og hold deg til den selv om det drar ut.\n"
            "- Ta med boligbransjen, frivillige, beboere og pårørende som ressurser."
        ),
        "reports_and_links": (
            "Planen er gitt ut både kort og i full lengde; kommunestyret vedtok den 29.04.15 (sak 70/15). Se også boligprogrammet for personer med utviklingshemming (mars 2015) og "
            "prosjektplanen (byrådssak 57/14)."
        ),
        "continuation": (
            "Planen har ligget til grunn for flere tiltak. I 2021 startet kommunen arbeidet med en ny boligplan, "
            "så dette eksempelet oppdateres ikke, men framgangsmåten er fortsatt nyttig for andre."
        ),
        "challenges": [4, 6], "steps": [Step.HOUSING_PLAN, Step.LAND_USE_PART, Step.ECONOMIC_PLAN],
        "advice": [Advice.KNOWLEDGE_AND_DIRECTION, Advice.GOVERNANCE_AND_PLANNING, Advice.COOPERATION_AND_DIALOGUE],
        "public": True, "featured": True, "published": datetime(2019, 5, 6, 9, 0, tzinfo=timezone.utc),
    },
    {
        "kommunenummer": "3411",
        "title": "Flere utleieboliger gjennom tilvisningsavtaler i Ringsaker",
        "responsible_unit": "Boligkontoret",
        "summary": (
            "Ringsaker trengte flere utleieboliger og valgte å samarbeide med private utbyggere i stedet for å "
            "bygge alt selv. Utbyggerne får grunnlån fra Husbanken, og kommunen får til gjengjeld rett til å "
            "tildele 40 prosent av leilighetene i hvert prosjekt."
        ),
        "result": (
            "Seks private aktører svarte på kommunens henvendelse, og alle har inngått én eller flere avtaler. "
            "Nye utleieboliger er reist i Moelv og Brumunddal, og kommunen disponerer langt flere boliger enn "
            "den eier selv."
        ),
        "background": (
            "Kommunen har rundt 34 000 innbyggere og var med i Husbankens boligsosiale utviklingsprogram fra "
            "2011. En grundig gjennomgang av boligbehovet viste at det manglet mange kommunalt disponerte "
            "boliger. Samtidig ønsket kommunen å styrke sentrumsområdene, blant annet ved å pusse opp "
            "bygninger som allerede står der."
        ),
        "goals": (
            "Flere utleieboliger i gode bomiljøer nær sentrum, og et boligmarked med både eie- og leieboliger."
        ),
        "who_did_what": (
            "I 2015 annonserte kommunen i lokalavisa at den ønsket samarbeid med private utbyggere. Utbyggerne "
            "bygger og leier ut, mens kommunen henviser boligsøkere til 40 prosent av boenhetene. Leietakerne "
            "spenner vidt, fra ungdom i etableringsfasen til voksne som vil bo sentralt. De som "
            "trenger tett boligsosial oppfølging, bor i boliger kommunen eier selv."
        ),
        "relevant_law": "Husbankens regelverk for grunnlån og tilvisningsavtaler.",
        "financing": "Utbyggerne finansierer prosjektene med grunnlån fra Husbanken.",
        "success_factors": (
            "- Et klart politisk og administrativt ønske om å handle, bygd opp gjennom utviklingsprogrammet.\n"
            "- En åpen invitasjon som gjorde det enkelt for lokale aktører å melde seg."
        ),
        "difficulties": "Avtalene må følges opp over tid, slik at tildelingsretten faktisk blir brukt.",
        "tips": (
            "Se tilvisningsavtaler som et tillegg til boligene kommunen eier, ikke en erstatning for dem. Kartlegg "
            "behovet først, så vet dere hva dere ber utbyggerne om."
        ),
        "reports_and_links": "Husbanken har laget en film der nøkkelpersoner i Ringsaker forteller om prosjektet.",
        "continuation": "Kommunen fortsetter å bruke avtalene aktivt når nye prosjekter planlegges.",
        "challenges": [4], "steps": [Step.HOUSING_PLAN, Step.ZONING_PLAN],
        "advice": [Advice.PROPERTY_ACTOR, Advice.COOPERATION_AND_DIALOGUE],
        "public": True, "featured": False, "published": datetime(2019, 9, 20, 8, 30, tzinfo=timezone.utc),
    },
    {
        "kommunenummer": "3407",
        "title": "Leie før eie i Gjøvik",
        "responsible_unit": "Boligtjenesten",
        "summary": (
            "Barnefamilier uten egenkapital får leie en bolig i fem år. En del av husleien settes av som "
            "sparing, og når perioden er over, kan familien kjøpe boligen til en pris som er avtalt på forhånd."
        ),
        "result": "Familier som ellers ikke ville fått lån, får en vei inn i eiemarkedet.",
        "background": (
            "Mange familier med vanlige inntekter klarer husleien, men har ikke spart nok til å kjøpe. Uten hjelp "
            "blir de værende i leiemarkedet, ofte i boliger som passer dårlig for barn."
        ),
        "goals": "Familier med barn skal kunne gå fra å leie til å eie, selv uten oppsparte midler.",
        "who_did_what": (
            "Tilbudet er utviklet og drives av tre parter sammen: Gjøvik Boligstiftelse eier og leier ut "
            "boligene, kommunen står for tildelingen, og NAV Gjøvik følger opp økonomien til familiene."
        ),
        "financing": "Sparedelen i husleien bygger egenkapital; kjøpet kan finansieres med startlån.",
        "success_factors": "Et tett samarbeid mellom stiftelsen, kommunen og NAV.",
        "difficulties": "Prisen må settes slik at kjøpet blir realistisk for familien etter fem år.",
        "tips": "Avklar tidlig hvem som eier boligene, og hvordan kjøpsretten skal sikres i kontrakten.",
        "challenges": [1, 4], "steps": [Step.HOUSING_PLAN],
        "advice": [Advice.PROPERTY_ACTOR, Advice.COOPERATION_AND_DIALOGUE],
        "public": True, "featured": False, "published": datetime(2020, 1, 31, 10, 0, tzinfo=timezone.utc),
    },
    {
        "kommunenummer": "5444",
        "title": "Boligpolitisk plan for Sør-Varanger 2020–2030",
        "responsible_unit": "Plan og utvikling",
        "summary": (
            "Sør-Varanger vedtok en temaplan for boligpolitikken som skal gjelde i ti år. Planen er bygd opp "
            "rundt tre målområder: boligutvikling generelt, det boligsosiale arbeidet, og hvordan kommunen "
            "organiserer og forvalter boligområdet."
        ),
        "result": "Hvert målområde har egne strategier og en liste med tiltak som kan rulleres.",
        "background": (
            "Kommunen ville samle det som lå spredt i ulike planer, og se boligbehovet i sammenheng med "
            "befolkningsutviklingen."
        ),
        "goals": "En helhetlig boligpolitikk der mål og tiltak henger sammen på tvers av sektorene.",
        "who_did_what": "Arbeidet ble ledet fra planavdelingen, med deltakere fra helse, eiendom og NAV.",
        "success_factors": "Erfaringer fra læringsnettverket ga ideer til hvordan planen kunne struktureres.",
        "difficulties": "Det tok tid å bli enige om hvem som eier de ulike tiltakene.",
        "tips": "Del planen i noen få målområder, og gi hvert av dem både strategi og tiltak.",
        "continuation": "Handlingsdelen skal rulleres sammen med økonomiplanen.",
        "challenges": [3, 6], "steps": [Step.HOUSING_PLAN, Step.ECONOMIC_PLAN],
        "advice": [Advice.GOVERNANCE_AND_PLANNING, Advice.RESPONSIBILITY_AND_ORGANISATION],
        "public": True, "featured": False, "published": datetime(2020, 6, 15, 9, 0, tzinfo=timezone.utc),
        # The municipality asked to open it to all; a coordinator sent it back.
        "review": "returned", "requested_by": "kontakt.sor-varanger@demo.test",
        "requested": datetime(2020, 6, 16, 8, 0, tzinfo=timezone.utc),
        "reviewed": datetime(2020, 6, 18, 13, 30, tzinfo=timezone.utc),
        "review_comment": (
            "Takk, dette er nyttig for andre! Før eksempelet blir åpent for alle: skriv under «Resultat» hva "
            "planen har ført til så langt, og legg inn en lenke til den vedtatte planen under «Rapporter og lenker»."
        ),
    },
    {
        "kommunenummer": "1804",
        "title": "Bodøs helhetlige boligpolitiske handlingsplan 2014–2017",
        "responsible_unit": "Plan- og samfunnsseksjonen",
        "summary": (
            "Bodø ville styre boligutviklingen tydeligere. Bystyret vedtok en helhetlig handlingsplan 13. "
            "februar 2014, og kommunen opprettet samtidig to nye stillinger: en boligkoordinator og en "
            "boligsosial rådgiver."
        ),
        "result": "Boligpolitikken fikk en fast plass i plan- og samfunnsseksjonen, med folk som eier den.",
        "background": "Kommunen opplevde at boligutviklingen i stor grad skjedde uten en samlet kommunal retning.",
        "goals": "Å legge bedre til rette for en god og variert boligutvikling i hele kommunen.",
        "who_did_what": (
            "Plan- og samfunnsseksjonen ledet arbeidet. De to nye stillingene skulle holde trådene mellom "
            "planlegging, utbyggere og det boligsosiale arbeidet."
        ),
        "success_factors": "Planen ble fulgt opp med stillinger, ikke bare med tiltak på papiret.",
        "difficulties": "Det er krevende å holde oversikt når ansvaret berører mange enheter.",
        "tips": "Når planen er vedtatt: gi noen et tydelig ansvar for å følge den opp.",
        "challenges": [6], "steps": [Step.HOUSING_PLAN],
        "advice": [Advice.RESPONSIBILITY_AND_ORGANISATION, Advice.GOVERNANCE_AND_PLANNING],
        "public": False, "featured": False, "published": datetime(2019, 11, 4, 12, 0, tzinfo=timezone.utc),
    },
    {
        "kommunenummer": "4212",
        "title": "Sentrumsutvikling og boliger gav vekst i Vegårshei",
        "responsible_unit": "Rådmannens stab",
        "summary": (
            "Den lille kommunen i Agder satset på å utvikle sentrum og håpet på 100 nye innbyggere innen 2018. "
            "Allerede i 2016 hadde nærmere 200 nye innbyggere flyttet til, og de fleste bosatte seg mindre enn "
            "500 meter fra sentrum."
        ),
        "result": "Nye boliger nær sentrum trakk til seg langt flere innbyggere enn målet.",
        "background": "Vegårshei hadde lite variasjon i boligtilbudet og få boliger i sentrum.",
        "goals": "100 flere innbyggere innen 2018.",
        "who_did_what": "Kommunen deltok i et stedsutviklingsprosjekt og brukte selve boligbyggingen som virkemiddel.",
        "success_factors": "Boligene kom der folk ville bo: i gangavstand til butikk, skole og tjenester.",
        "difficulties": "Å få i gang bygging i et lite marked krever at kommunen selv tar initiativ.",
        "tips": "Også små kommuner kan påvirke boligmarkedet når de tar en aktiv rolle.",
        "challenges": [2], "steps": [Step.COMMUNITY_PART, Step.ZONING_PLAN],
        "advice": [Advice.PROPERTY_ACTOR, Advice.HOUSING_QUALITY],
        "public": False, "featured": False, "published": datetime(2020, 9, 2, 11, 0, tzinfo=timezone.utc),
    },
    {
        # Written for the demo (no seed behind it): Hamar's contact has asked to open it to all.
        "kommunenummer": "3403",
        "title": "Felles boligmøte for eldre i Hamar",
        "responsible_unit": "Enhet for plan og utvikling",
        "summary": (
            "Kommunen inviterte eldre innbyggere, utbyggere og hjemmetjenesten til et felles møte om hvordan "
            "folk vil bo når de blir eldre. Svarene ble brukt i arbeidet med boligplanen."
        ),
        "result": "Boligplanen fikk et eget avsnitt om lettstelte boliger nær sentrum, med tiltak for hvert år.",
        "background": (
            "Mange eldre bor i eneboliger som er tunge å holde ved like, mens nye leiligheter i sentrum ofte "
            "blir kjøpt av yngre. Kommunen visste for lite om hva de eldre selv ønsket."
        ),
        "goals": "Å få et bedre grunnlag for boligplanen, og å gjøre utbyggerne kjent med behovene.",
        "who_did_what": "Planenheten holdt møtet sammen med eldrerådet; hjemmetjenesten delte det de ser i hjemmene.",
        "user_participation": "Eldrerådet var med fra start og inviterte selv til møtet.",
        "success_factors": "At eldrerådet sto som vert, gjorde at mange kom og sa det de mente.",
        "difficulties": "Det var vanskelig å nå dem som ikke er med i foreninger.",
        "tips": "Inviter utbyggerne til samme møte som innbyggerne, så hører de behovene direkte.",
        "challenges": [3], "steps": [Step.COMMUNITY_PART, Step.ECONOMIC_PLAN],
        "advice": [Advice.KNOWLEDGE_AND_DIRECTION, Advice.COOPERATION_AND_DIALOGUE],
        "public": True, "featured": False, "published": datetime(2020, 10, 5, 10, 0, tzinfo=timezone.utc),
        "review": "pending", "requested_by": "kontakt.hamar@demo.test",
        "requested": datetime(2020, 10, 5, 10, 0, tzinfo=timezone.utc),
    },
]


def _review(example: Example, item: dict, coordinator) -> None:
    """Open to all as the item says: approved by the coordinator (the default for public ones), or
    asked for by the municipality's contact and waiting, or sent back with a comment."""
    state = item.get("review", "approved" if item["public"] else None)
    if state is None or not item["public"]:
        services.set_public(example, False)
        return
    if state == "approved":
        services.set_public(example, True, coordinator, approve=True)
        example.reviewed_at = item["published"]
        return
    requester = db.session.scalar(select(Person).where(Person.email == item["requested_by"]))
    services.set_public(example, True, requester)
    example.review_requested_at = item["requested"]
    if state == "returned":  # as services.send_back, without mailing the demo's contact
        example.review, example.review_comment = ExampleReview.RETURNED, item["review_comment"]
        example.reviewed_by_id, example.reviewed_at = coordinator.id, item["reviewed"]


def load_demo(network: Network, coordinator) -> int:
    """Add the demo examples to ``network`` (the 2019–2020 network); returns how many were added."""
    catalogue = services.catalogue(network)
    existing = {(organisation_id, title) for organisation_id, title in db.session.execute(
        select(Example.organisation_id, Example.title).where(Example.network_id == network.id))}
    added = 0
    for item in EXAMPLES:
        organisation = municipality_by_number(item["kommunenummer"])
        if organisation is None or (organisation.id, item["title"]) in existing:
            continue
        example = services.save_example(
            None, network, organisation=organisation, title=item["title"],
            responsible_unit=item.get("responsible_unit", ""),
            texts={name: item[name] for name in services.TEXT_FIELDS if name in item},
            challenge_ids=[catalogue[n - 1].id for n in item["challenges"] if n <= len(catalogue)],
            steps=item["steps"], advice=item["advice"], by=coordinator,
        )
        services.publish(example, coordinator)
        _review(example, item, coordinator)
        services.set_featured(example, item["featured"])
        # Last: a flush on the way (finding the requester) would otherwise stamp today's time.
        example.published_at = example.updated_at = item["published"]
        added += 1
    db.session.flush()
    return added
