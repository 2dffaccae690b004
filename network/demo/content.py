"""Demo facts. Figures and names of places come from the seeds and network/data/;
every sentence is our own, and every person is fictional."""
from __future__ import annotations

from datetime import date

NETWORK = {
    "name": "Lærings- og utviklingsnettverk – helhetlig kommunal boligpolitikk",
    "topic": "Helhetlig kommunal boligpolitikk",
    "description": (
        "Kommuner, fylkeskommuner og Husbanken møttes til fem samlinger over halvannet år for å lære av "
        "hverandre og utvikle boligpolitikken sin. Mellom samlingene jobbet kommunene med egne oppgaver, "
        "og de delte erfaringer med planer, virkemidler og organisering."
    ),
    "framing": (
        "Utgangspunktet er at alle skal ha et godt sted å bo. Nettverket går ikke inn i de boligsosiale "
        "virkemidlene i seg selv, men ser på hvordan det boligsosiale arbeidet henger sammen med resten "
        "av kommunens boligpolitikk: planlegging, eiendom, velferd og samarbeid med utbyggere."
    ),
    "starts_on": date(2019, 4, 10),
    "ends_on": date(2020, 10, 14),
    "ks_contact_name": "Kari Koordinator",
    "ks_contact_email": "koordinator@demo.test",
    "feedback_email": "tilbakemelding@demo.test",
}

# Gathering 1 (10 April 2019, Gardermoen) is in the seeds; the later dates are invented.
GATHERINGS = [
    (1, "Oppstart: bolig for alle", "Hva en helhetlig boligpolitikk er, og hva hver kommune vil få ut av nettverket.", date(2019, 4, 10), "Gardermoen"),
    (2, "Boligpolitiske mål", "Kommunene legger fram og sammenligner målene sine (arbeidsmåte A).", date(2019, 9, 18), "Lillehammer"),
    (3, "Planer og utviklingsområder", "Erfaringer med konkrete planer og boligområder, i grupper etter vekstpress (arbeidsmåte B).", date(2020, 1, 29), "Stavanger"),
    (4, "Kunnskapsgrunnlag og egne utfordringer", "Utviklingsarbeid på utfordringer kommunene selv har valgt (arbeidsmåte C).", date(2020, 5, 27), "Digitalt møte"),
    (5, "Avslutning: strategiske råd", "Oppsummering, råd til kommunene og veien videre.", date(2020, 10, 14), "Gardermoen"),
]

GATHERING_CAPACITY = 80
VENUE_ADDRESSES = {
    "Gardermoen": "Hotellvegen, 2060 Gardermoen",
    "Lillehammer": "Storgata, 2609 Lillehammer",
    "Stavanger": "Olav Vs gate, 4005 Stavanger",
}

CHALLENGES = [
    "Høye boligpriser i knutepunkter og fortettingsområder stenger barnefamilier og folk med vanlige inntekter ute",
    "Lite rotasjon i eneboligmarkedet: nye leiligheter frigjør ikke eneboliger til familier",
    "Boliger for eldre, en sammensatt gruppe med ulike behov",
    "Nok boliger til de ulike gruppene av vanskeligstilte",
    "Dårlige levekår i enkelte områder",
    "Oppsplittet offentlig ansvar for boligpolitikken",
    "Knutepunkts- og fortettingspolitikk som driver prisene opp for barnefamilier",
]

# The 17 municipalities (2020 numbers). Mandal took part through a master's student
# and merged into Lindesnes on 1 January 2020.
MUNICIPALITY_NUMBERS = [
    "3031", "3054", "3049", "1103", "1149", "5444", "1840", "1868", "3443",
    "3403", "3405", "5060", "4218", "4203", "4204", "4205", "3801",
]
# A few teams are short or not yet anchored, so the checks have something to show.
TWO_PERSON_TEAMS = {"4218", "1840", "4205"}
NOT_ANCHORED = {"3054", "4205"}
NOTES = {"4205": "Mandal deltok gjennom en masterstudent. Mandal ble en del av Lindesnes 1. januar 2020."}

COUNTY_AUTHORITIES = ["Viken", "Innlandet", "Agder", "Nordland"]

FIRST_NAMES = [
    "Ingrid", "Ola", "Kari", "Per", "Nora", "Jonas", "Sigrid", "Emil", "Astrid", "Lars", "Marte", "Henrik",
    "Solveig", "Magnus", "Tone", "Eirik", "Ragnhild", "Tor", "Hilde", "Anders",
]
SURNAMES = ["Demosen", "Prøvesen", "Eksempelsen", "Testrud", "Fiktivdal", "Påskudd", "Lånemo", "Tenkeli"]

# The follow-up KS planned for elected members after the 2019–2020 network: a live network whose
# first gathering is open for registration, so the demo has something to sign up for. Its dates are
# counted from the day the demo is loaded (see FOLLOW_UP_GATHERINGS), so it stays live.
FOLLOW_UP = {
    "name": "Boligpolitikk for folkevalgte",
    "topic": "Folkevalgtopplæring i helhetlig boligpolitikk",
    "description": (
        "En ny runde der folkevalgte og administrasjonen i kommunene går gjennom lysarksettet om helhetlig "
        "boligpolitikk, tilpasser det til egen kommune og deler erfaringer på to samlinger."
    ),
    "framing": "Samme utgangspunkt som nettverket 2019–2020: et godt sted å bo for alle.",
    "ks_contact_name": "Kari Koordinator",
    "ks_contact_email": "koordinator@demo.test",
    "feedback_email": "tilbakemelding@demo.test",
}
FOLLOW_UP_MUNICIPALITIES = ["3403", "3405", "1103", "4203"]
# (number, title, theme, weeks from the day the demo is loaded to the Wednesday it starts on,
#  days, venue, status)
FOLLOW_UP_GATHERINGS = [
    (1, "Oppstart for folkevalgte", "Lysarksettet og de seks strategiske rådene.", 9, 2, "Gardermoen", "open"),
    (2, "Erfaringer fra egen kommune", "Kommunene legger fram hvordan de har brukt lysarkene.", 45, 1, "Hamar", "planned"),
]
# The network runs from a few weeks before its first gathering to a few weeks after its last.
FOLLOW_UP_STARTS_DAYS_BEFORE = 26
FOLLOW_UP_ENDS_DAYS_AFTER = 41
FOLLOW_UP_CAPACITY = 40
# Registration for the open gathering closes this many days before it starts (at noon in Oslo).
FOLLOW_UP_REGISTRATION_CLOSES_DAYS_BEFORE = 3
# Hamar's elected members in the follow-up, so its contact has a team to register in one step:
# (kommunenummer, e-mail prefix, name, job title).
FOLLOW_UP_ELECTED = [
    ("3403", "ordforer", "Sverre Prøvesen", "Ordfører"),
    ("3403", "folkevalgt", "Marit Prøvesen", "Leder av formannskapet"),
]
# An assignment between the follow-up's gatherings, so "Min side" has a due date to show:
# (title, description, method, given after, presented at, days before the presenting gathering).
FOLLOW_UP_ASSIGNMENT = (
    "Lysarkene i eget kommunestyre",
    "Vis lysarksettet for kommunestyret eller formannskapet, og skriv kort hva dere tar med videre.",
    "C", 1, 2, 7,
)

# The programme of the follow-up's first gathering: (day index, time, title, presenter, method, description).
FOLLOW_UP_PROGRAMME = [
    (0, (10, 0), "Velkommen og mål for samlingen", "KS", "plenary", "Hvorfor boligpolitikk hører hjemme hos folkevalgte."),
    (0, (10, 30), "Lysarksettet: helhetlig kommunal boligpolitikk", "KS", "plenary", "Gjennomgang av lysarkene og manuset."),
    (0, (13, 0), "Våre boligpolitiske mål", "Kommunene", "A", "Hver kommune legger fram sine mål i grupper."),
    (1, (9, 0), "Planer og utviklingsområder", "Husbanken", "B", "Erfaringer med konkrete planer, i grupper etter vekstpress."),
    (1, (13, 0), "Neste steg i egen kommune", "Kommunene", "C", "Hva hver kommune tar med hjem."),
]

# Which of the seven challenges (by number) each municipality marked, with priority and a line
# about the local situation. Invented for the demo, in the spirit of what growth and decline bring.
MUNICIPALITY_CHALLENGES = {
    "3031": [(1, "high", "Prisene rundt stasjonene har steget raskt, og unge familier flytter videre."),
             (7, "medium", "Fortettingen langs jernbanen gir små leiligheter, få familieboliger.")],
    "3049": [(1, "high", "Nye boligfelt selges til priser få førstegangskjøpere klarer."),
             (2, "medium", "Eldre blir boende i store eneboliger fordi det mangler gode alternativer i nærmiljøet.")],
    "1103": [(5, "high", "Noen bydeler har en opphopning av kommunale boliger og svake levekår."),
             (4, "high", "Ventelisten til kommunal bolig er lang, særlig for store familier."),
             (6, "medium", "Boligarbeidet er spredt på mange etater uten en felles plan.")],
    "1149": [(3, "medium", "Mange eldre bor spredt, langt fra tjenestene."),
             (2, "low", "Få mindre boliger i sentrum gjør det vanskelig å flytte.")],
    "5444": [(4, "high", "Det er vanskelig å skaffe boliger til personer som trenger oppfølging."),
             (3, "medium", "Eldre boliger er lite tilpasset, og det bygges lite nytt.")],
    "1840": [(3, "high", "Befolkningen blir eldre, og mange boliger er ikke tilrettelagt."),
             (6, "medium", "Små fagmiljøer gjør det krevende å se bolig, helse og plan i sammenheng.")],
    "1868": [(3, "high", "Flere eldre ønsker lettstelte boliger nær sentrum enn det finnes."),
             (4, "medium", "Det finnes nesten ikke et utleiemarked for dem som trenger det.")],
    "3443": [(2, "medium", "Eneboliger blir sjelden ledige, og nye leiligheter kjøpes av eldre fra andre kommuner."),
             (3, "medium", "Behovet for omsorgsboliger vil øke de neste ti årene.")],
    "3403": [(1, "high", "Sentrumsnære boliger har blitt dyre etter flere store utbygginger."),
             (4, "medium", "Kommunen trenger flere boliger for personer med rus- og psykiske lidelser."),
             (6, "low", "Ansvaret for boligtildeling og oppfølging ligger i ulike enheter.")],
    "3405": [(7, "high", "Knutepunktsutviklingen løfter prisene, og familier søker til nabokommunene."),
             (4, "medium", "For få kommunale utleieboliger i riktig størrelse.")],
    "5060": [(4, "medium", "Tilflyttende arbeidstakere og vanskeligstilte konkurrerer om de samme få utleieboligene.")],
    "4203": [(5, "high", "Levekårsutfordringene er samlet i noen få boområder."),
             (4, "high", "Mange barnefamilier bor trangt og ustabilt.")],
    "4204": [(1, "high", "Prisveksten i sentrum er høy etter sammenslåingen."),
             (5, "medium", "Enkelte områder har svak levekårsutvikling over tid.")],
    "3801": [(2, "medium", "Lite rotasjon i eneboligene i de eldre boligfeltene."),
             (3, "medium", "Flere eldre trenger tilrettelagte boliger i sentrum.")],
}

# A challenge a municipality added itself: (kommunenummer, title, description, priority).
OWN_CHALLENGES = [
    ("5444", "Boliger til tilflyttende arbeidskraft",
     "Når gruvedrift og næring henter folk utenfra, mangler det utleieboliger av god kvalitet.", "high"),
]

# Planning-status profiles for the demo, on Husbanken's six steps: (status, year) per step,
# then KS's six pieces of advice as self-assessed scores 1–4.
PLANNING_PROFILES = {
    "3031": ([("adopted", 2020), ("adopted", 2019), ("adopted", 2019), ("in_progress", None), ("adopted", 2018), ("adopted", 2019)], [3, 3, 2, 2, 3, 3]),
    "3049": ([("adopted", 2020), ("adopted", 2018), ("in_progress", None), ("not_started", None), ("adopted", 2019), ("adopted", 2019)], [2, 3, 2, 3, 2, 3]),
    "1103": ([("adopted", 2020), ("adopted", 2019), ("adopted", 2019), ("adopted", 2018), ("adopted", 2019), ("adopted", 2019)], [4, 4, 3, 3, 3, 3]),
    "1149": ([("adopted", 2020), ("in_progress", None), ("adopted", 2015), ("not_started", None), ("adopted", 2018), ("adopted", 2019)], [2, 2, 2, 2, 3, 2]),
    "5444": ([("adopted", 2020), ("adopted", 2016), ("in_progress", None), ("in_progress", None), ("adopted", 2017), ("adopted", 2019)], [2, 2, 1, 2, 2, 2]),
    "1840": ([("adopted", 2020), ("in_progress", None), ("adopted", 2013), ("not_started", None), ("adopted", 2016), ("adopted", 2019)], [2, 1, 2, 1, 3, 2]),
    "1868": ([("adopted", 2020), ("adopted", 2017), ("adopted", 2017), ("not_started", None), ("adopted", 2018), ("adopted", 2019)], [1, 2, 2, 1, 2, 2]),
    "3443": ([("adopted", 2020), ("adopted", 2019), ("in_progress", None), ("in_progress", None), ("adopted", 2018), ("adopted", 2019)], [3, 2, 2, 2, 3, 3]),
    "3403": ([("adopted", 2020), ("adopted", 2018), ("adopted", 2018), ("adopted", 2016), ("adopted", 2019), ("adopted", 2019)], [3, 3, 3, 2, 3, 3]),
    "3405": ([("adopted", 2020), ("adopted", 2018), ("in_progress", None), ("adopted", 2017), ("adopted", 2019), ("adopted", 2019)], [3, 3, 2, 3, 3, 2]),
    "4203": ([("adopted", 2020), ("adopted", 2019), ("adopted", 2019), ("in_progress", None), ("adopted", 2018), ("adopted", 2019)], [3, 3, 3, 2, 2, 3]),
    "4204": ([("in_progress", None), ("in_progress", None), ("in_progress", None), ("not_started", None), ("adopted", 2019), ("adopted", 2019)], [2, 2, 2, 3, 2, 2]),
}

# Table groups for gathering 3, suggested by growth class.
TABLE_GROUPS_NAME = "Bordgrupper på samling 3"
TABLE_GROUP_SIZE = 4
