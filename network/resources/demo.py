"""Demo content for the shared resources: KS's slide set with scripts, Hamar's version of it, the reports
Husbanken lists, and the competence environments the network named. The text is written for the demo;
titles, publishers, years and authors of the publications are facts from the seed pages.

``load_demo(network, coordinator)`` looks for what is already there, so a second run adds nothing.
The caller commits.
"""
from __future__ import annotations

import textwrap

from sqlalchemy import select

from network.auth.models import Person
from network.extensions import db
from network.networks.models import Membership, MembershipStatus, Network, NetworkRole, RoleKind
from network.organisations.models import Organisation
from network.resources import services
from network.resources.models import CompetenceEnvironment, Report, ReportKind, SlideSet
from network.resources.services import Upload

KS_SET_TITLE = "Helhetlig kommunal boligpolitikk"
KS_SET_DESCRIPTION = (
    "KS' lysarksett om helhetlig kommunal boligpolitikk, laget for plansamlinger, undervisning og "
    "politiske utvalg. Hvert lysark har et forslag til manus.\n\n"
    "Bruk hele settet eller bare de delene som passer, og legg gjerne til eksempler fra egen kommune og region. "
    "Har dere laget en versjon som fungerer bedre, så del den her."
)
KS_SLIDES = [
    ("Helhetlig kommunal boligpolitikk",
     "Velkommen. Vi skal se på hvorfor boligpolitikk er en kommunal oppgave, hva en helhetlig boligpolitikk "
     "består av, og hvilke grep kommunen kan ta.\n\nUtgangspunktet er *bolig for alle*: alle innbyggere skal "
     "kunne bo trygt og godt, også de som ikke klarer seg alene på boligmarkedet."),
    ("Element 1: Definer boligbehovet og kommunens utfordringer",
     "Begynn med kunnskap. Hvem bor i kommunen, hvordan endrer befolkningen seg, og hvilke boliger mangler?\n\n"
     "Se på hele befolkningen: barnefamilier, unge i etableringsfasen, eldre og de som er vanskeligstilte "
     "på boligmarkedet."),
    ("Element 2: Forankre mål og tiltak i plan- og styringssystemet",
     "Mål som bare står i et notat, blir sjelden fulgt opp. Boligpolitikken hører hjemme i planstrategien, "
     "i kommuneplanens samfunnsdel og arealdel og i økonomiplanen – der den får penger og oppfølging."),
    ("Element 3: Velg virkemidler, organisering og samarbeid som passer",
     "Det finnes ingen standardoppskrift. Velg virkemidlene som svarer på utfordringene hos dere, og gjør "
     "det klart hvem som gjør hva, både internt og sammen med utbyggere, Husbanken og nabokommuner."),
    ("Råd 1: Bygg kunnskap og velg politisk retning",
     "Et felles kunnskapsgrunnlag gjør det lettere å bli enige om retningen. Sett av tid tidlig i "
     "kommunestyreperioden til å drøfte hva kommunen vil med boligpolitikken – også om svaret blir at dere "
     "vil gjøre lite."),
    ("Råd 2: Bruk styringssystemet og plan- og bygningsloven",
     "Planloven gir kommunen flere verktøy enn mange tar i bruk, for eksempel rekkefølgekrav, "
     "utbyggingsavtaler og bestemmelser om boligtyper og størrelser.\n\nVis gjerne et eksempel fra egen kommune her."),
    ("Råd 3: Avklar ansvar og organisering i administrasjonen",
     "Boligspørsmål går på tvers av plan, eiendom, helse og velferd. Noen må ha ansvar for å holde trådene "
     "samlet, ellers faller oppgavene mellom stolene."),
    ("Råd 4: Vær en strategisk eiendomsaktør",
     "Når kommunen eier tomter og bygg, kan den påvirke hva som bygges, hvor og for hvem. Tenk langsiktig "
     "om kjøp, salg og bruk av egen eiendom."),
    ("Råd 5: Skap retning og tillit gjennom samarbeid og dialog",
     "Utbyggere, boligbyggelag, frivillige og innbyggere trengs for å nå målene. Faste møteplasser og "
     "forutsigbare signaler fra kommunen bygger tillit over tid."),
    ("Råd 6: Sørg for gode boliger og bomiljøer",
     "Det holder ikke å bygge mange boliger; de skal også være gode å bo i. Kommunen kan stille krav til "
     "uteområder, variasjon og universell utforming.\n\n**Til drøfting:** Hvilke av de seks rådene følger vi "
     "allerede, og hvilket bør vi ta tak i først?"),
]

ADAPTING_MUNICIPALITY = "3403"  # Hamar
ADAPTED_TITLE = "Helhetlig boligpolitikk i Hamar"
ADAPTED_DESCRIPTION = (
    "Hamars kortversjon for formannskapet og planutvalget. Vi har beholdt de tre elementene og lagt inn "
    "spørsmål til utvalget til slutt."
)
ADAPTED_SLIDES = [
    ("Boligpolitikk i Hamar – hvorfor nå?",
     "Fortell kort hvorfor saken er på dagsordenen, og hva utvalget skal ta stilling til i dag."),
    ("Hva vet vi om boligbehovet hos oss?",
     "Vis tallene fra kunnskapsgrunnlaget til kommuneplanen. Pek på behovet for mindre boliger nær sentrum "
     "og for boliger som passer for eldre."),
    ("Hvor i planene står boligpolitikken?",
     "Gå gjennom hvor boligmålene står i samfunnsdelen, og hva som mangler i handlingsdelen og økonomiplanen."),
    ("Spørsmål til utvalget",
     "Hvilke av KS' seks råd vil vi prioritere de neste fire årene? Skriv ned svarene og ta dem med inn i "
     "arbeidet med planstrategien."),
]

# The publications in Husbanken's list (seed 001), and KS's own study from 2018 (seed 000):
# (title, publisher, year, authors).
REPORTS = [
    ("Kommunen som aktiv boligpolitisk aktør", "Asplan Viak", 2018, ""),
    ("Nomader på lavterskel? Boligløsninger for personer med rusproblemer og psykiske lidelser", "Norce", 2021,
     "Rita Sørly, Annette Fresvik, Svein Ingve Nødland og Helge Lea Tvedt"),
    ("Mobilitet blant eldre på boligmarkedet – holdninger, drivere og barrierer", "NOVA", 2020,
     "Sørvoll (red.), Gulbrandsen, Nordvik, Ekne Ruud, Sandlie, Skogheim og Vestby"),
    ("Kommunal planlegging som redskap for å redusere sosiale helseforskjeller: Oppsummering av erfaringer "
     "fra tidligere forskning og workshop med nøkkelaktører", "", 2019, "Hege Hofstad"),
    ("Kommunenes planlegging og tiltak for en aldrende befolkning", "By- og regionforskningsinstituttet NIBR, NOVA",
     2017, "Marit K. Helgesen og Katharina Herlofson"),
    ("Folkehelse og sosial bærekraft: En sammenligning og diskusjon av begrepsinnhold, målsettinger og praktiske "
     "tilnærminger", "By- og regionforskingsinstituttet (NIBR)", 2017, "Hege Hofstad og Heidi Bergsli"),
    ("Samfunnsvirkninger av boligpolitikk: Boligsatsinger og samfunnsutvikling i ti norske distriktskommuner", "NOVA",
     2017, "Jardar Sørvoll og Gøril Kvamme Løset"),
    ("Eldres boligsituasjon: Boligmarked og boligpolitikk i lys av samfunnets aldring", "", 2016,
     "Jardar Sørvoll, Hans Christian Sandlie, Viggo Nordvik og Lars Gulbrandsen"),
    ("Helhetlig boligplanlegging – hvilke elementer inngår?", "NIBR", 2015,
     "Rolf Barlindhaug, Marit Ekne Ruud og Ragnhild Skogheim"),
    ("Folkehelseperspektiv i boligpolitikken?", "Norsk institutt for by- og regionforskning (NIBR)", 2015,
     "Lars Chr. Monkerud, Marit K. Helgesen, Arne Holm og Camilla Lied"),
    ("Planer for et aldrende samfunn? Bolig og tjenester for eldre i kommunene",
     "Norsk institutt for forskning om oppvekst, velferd og aldring (NOVA)", 2014,
     "Jardar Sørvoll, Christine Martens og Svein Olav Daatland"),
    ("Kommunenes tilrettelegging for boligbygging", "Norsk institutt for by- og regionforskning (NIBR)", 2014,
     "Rolf Barlindhaug, Arne Holm, Berit Nordahl"),
]

# The competence environments the invitation named (seed 002): (name, offer, web address or None
# where we are not sure of it).
ENVIRONMENTS = [
    ("Senter for boligmarkedsforskning",
     "Et nytt forskningsmiljø som studerer hvordan boligmarkedet virker, blant annet priser og tilgangen på boliger.",
     None),
    ("Distriktssenteret",
     "Kompetansesenter for distriktsutvikling. Deler kunnskap og eksempler på boligtiltak og stedsutvikling i "
     "mindre kommuner.", "https://distriktssenteret.no/"),
    ("Bylivsenteret",
     "Kunnskap og verktøy for levende byer og tettsteder, for eksempel analyser av sentrum og råd om byliv.", None),
    ("Direktoratet for byggkvalitet (DiBK)",
     "Veileder om byggereglene, universell utforming og kvaliteten på det som bygges.", "https://dibk.no/"),
    ("Norges miljø- og biovitenskapelige universitet (NMBU)",
     "Forskning og utdanning i by- og regionplanlegging og eiendomsfag.", "https://www.nmbu.no/"),
    ("Velferdsforskningsinstituttet NOVA",
     "Forskning om boforhold, boligsosialt arbeid og eldres boligsituasjon. En del av OsloMet.",
     "https://www.oslomet.no/om/nova"),
    ("Institutt for samfunnsforskning",
     "Samfunnsforskning som blant annet belyser velferd, levekår og boligpolitikk.",
     "https://www.samfunnsforskning.no/"),
    ("OsloMet – storbyuniversitetet",
     "Forskning og utdanning om bolig, by- og regionutvikling og velferd, blant annet i NIBR.",
     "https://www.oslomet.no/"),
    ("Norske Boligbyggelags Landsforbund (NBBL)",
     "Boligbyggelagenes organisasjon, med erfaring fra å bygge og forvalte boliger i samarbeid med kommuner.",
     "https://www.nbbl.no/"),
    ("Tidsskrift for boligforskning",
     "Norsk fagtidsskrift med fagfellevurderte artikler om bolig og boligpolitikk.", None),
    ("Entreprenørforeningen – Bygg og Anlegg (EBA)",
     "Bransjeorganisasjon for entreprenørene. Kan gi utbyggernes blikk på planprosesser og samarbeid med kommunen.",
     "https://www.eba.no/"),
    ("FORKOMMUNE-prosjektene i Alna og Bergen",
     "Prosjekter i Forskningsrådets program for forskningsbasert innovasjon i kommunesektoren, i bydel Alna i "
     "Oslo og i Bergen, med erfaringer som er nyttige for arbeidet med boliger og nærmiljø.", None),
]


# --- a small PDF, written by hand -------------------------------------------------------


def _pdf_string(text: str) -> bytes:
    data = text.encode("cp1252", errors="replace")
    return b"(" + data.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)") + b")"


def slides_pdf(set_title: str, titles: list[str]) -> bytes:
    """A valid PDF with one landscape A4 page per slide, showing its title. Helvetica with the
    WinAnsi encoding covers æ, ø and å, so no font needs embedding."""
    count = len(titles)
    page_ids = [4 + 2 * index for index in range(count)]
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [" + b" ".join(b"%d 0 R" % page for page in page_ids) + b"] /Count %d >>" % count,
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
    ]
    for index, title in enumerate(titles):
        lines = textwrap.wrap(title, 40) or [""]
        text = b" T* ".join(_pdf_string(line) + b" Tj" for line in lines)
        footer = _pdf_string(f"{set_title} – {index + 1}/{count}")
        content = (b"BT /F1 30 Tf 36 TL 60 400 Td " + text + b" ET\n"
                   b"BT /F1 12 Tf 60 40 Td " + footer + b" Tj ET")
        objects.append(b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 842 595] "
                       b"/Resources << /Font << /F1 3 0 R >> >> /Contents %d 0 R >>" % (page_ids[index] + 1))
        objects.append(b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream")
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def _slides_text(slides: list[tuple[str, str]]) -> str:
    return services.format_slides([services.SlideText(title, script) for title, script in slides])


def _pdf_upload(filename: str, set_title: str, slides: list[tuple[str, str]]) -> Upload:
    return Upload(filename, slides_pdf(set_title, [title for title, _script in slides]))


# --- loading ----------------------------------------------------------------------------


def _adapting_membership(network: Network) -> Membership | None:
    """Hamar when it is an active member, otherwise none: the demo shows one municipality's version."""
    return db.session.scalar(
        select(Membership).join(Membership.organisation)
        .where(Membership.network_id == network.id, Membership.status == MembershipStatus.ACTIVE,
               Organisation.kommunenummer == ADAPTING_MUNICIPALITY)
    )


def _team_person(network: Network, organisation_id: int) -> Person | None:
    return db.session.scalar(
        select(Person).join(NetworkRole, NetworkRole.person_id == Person.id)
        .where(NetworkRole.network_id == network.id, Person.organisation_id == organisation_id,
               NetworkRole.role.in_([RoleKind.CONTACT, RoleKind.PARTICIPANT, RoleKind.EXECUTIVE]))
        .order_by(NetworkRole.role, Person.id).limit(1)
    )


def _slide_sets(network: Network, coordinator: Person) -> int:
    created = 0
    ks_set = db.session.scalar(select(SlideSet).where(
        SlideSet.network_id == network.id, SlideSet.organisation_id.is_(None), SlideSet.title == KS_SET_TITLE))
    if ks_set is None:
        ks_set = services.create_slide_set(
            network, title=KS_SET_TITLE, description=KS_SET_DESCRIPTION, slides_text=_slides_text(KS_SLIDES),
            upload=_pdf_upload("Helhetlig kommunal boligpolitikk.pdf", KS_SET_TITLE, KS_SLIDES),
            created_by_id=coordinator.id,
        )
        created += 1
    membership = _adapting_membership(network)
    if membership is None:
        return created
    exists = db.session.scalar(select(SlideSet.id).where(
        SlideSet.based_on_id == ks_set.id, SlideSet.organisation_id == membership.organisation_id))
    if exists is None:
        author = _team_person(network, membership.organisation_id) or coordinator
        services.create_slide_set(
            network, title=ADAPTED_TITLE, description=ADAPTED_DESCRIPTION, slides_text=_slides_text(ADAPTED_SLIDES),
            upload=_pdf_upload("Boligpolitikk Hamar.pdf", ADAPTED_TITLE, ADAPTED_SLIDES),
            created_by_id=author.id, organisation_id=membership.organisation_id, based_on=ks_set,
        )
        created += 1
    return created


def _reports(network: Network) -> int:
    known = set(db.session.scalars(select(Report.title).where(Report.network_id == network.id)))
    created = 0
    for title, publisher, year, authors in REPORTS:
        if title not in known:
            services.save_report(None, network, title=title, publisher=publisher, year=year, authors=authors,
                                 kind=ReportKind.REPORT)
            created += 1
    return created


def _environments(network: Network) -> int:
    known = {name.casefold() for name in db.session.scalars(
        select(CompetenceEnvironment.name).where(CompetenceEnvironment.network_id == network.id))}
    created = 0
    for name, offer, url in ENVIRONMENTS:
        if name.casefold() not in known:
            services.save_environment(None, network, name=name, offer=offer, url=url)
            created += 1
    return created


def load_demo(network: Network, coordinator: Person) -> dict[str, int]:
    """Add the demo resources to ``network``; returns how many of each were new."""
    return {
        "slide_sets": _slide_sets(network, coordinator),
        "reports": _reports(network),
        "environments": _environments(network),
    }
