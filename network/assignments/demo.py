"""Demo assignments for the 2019–2020 network: method A between gatherings 1 and 2, with
submissions from a handful of municipalities (one late, one still a draft), and method B between
gatherings 2 and 3 for the groups, when the network has a grouping.

``load_demo(network, coordinator)`` is called by the demo loader. Everything is looked up before it
is made, so a second run adds nothing. Submissions go through ``services``, as if typed.
"""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from sqlalchemy import select

from network.assignments import services
from network.assignments.models import Assignment, AssignmentMethod, Submission, Visibility
from network.auth.models import Person
from network.extensions import db
from network.gatherings.models import Gathering
from network.groups.models import Grouping
from network.networks.models import Membership, Network, NetworkRole, RoleKind
from network.organisations.models import Organisation

GOALS_TITLE = "Våre boligpolitiske mål"
GOALS_DESCRIPTION = """Samle kommunens boligpolitiske mål slik de står i planer og vedtak i dag, og del dem med de andre før samling 2.

### Ta gjerne med
- målene, og hvilken plan eller hvilket vedtak de står i
- hvilke deler av en helhetlig boligpolitikk de dekker: boligbehovet, forankringen i plan og styring, og virkemidler og samarbeid
- hva dere mangler mål for, eller er usikre på

Én til to sider holder. Legg gjerne ved planen som PDF.
"""

PLANS_TITLE = "Et plan- eller boligområde vi lærer av"
PLANS_DESCRIPTION = """Velg én konkret plan eller ett boligområde i kommunen: noe som er i gang, eller nylig ferdig.

Beskriv kort hva dere ville oppnå, hvordan det har gått, og hva dere vil ha råd om fra gruppen. Besvarelsene leses av kommunene i samme gruppe, og brukes i gruppearbeidet på samling 3.
"""

# Kommunenummer → (days before the due date it was delivered, negative when late, or None for a draft; text).
GOALS_SUBMISSIONS = {
    "3403": (9, """### Mål i kommuneplanens samfunnsdel
- Flere skal kunne eie egen bolig, også unge i etableringsfasen.
- Nye boliger bygges i gangavstand fra sentrum og stasjonen.

### Mål i boligsosial handlingsplan
1. Ingen skal bo i midlertidig bolig i mer enn tre måneder.
2. Kommunen skal ha nok tilrettelagte boliger for eldre som vil bo hjemme lenger.

Vi mangler mål for utleiemarkedet. Det vil vi gjerne drøfte på samlingen."""),
    "3405": (6, """Lillehammer har boligpolitiske mål i tre dokumenter, og de trekker ikke alltid i samme retning.

- **Samfunnsdelen (2018):** variert boligtilbud i alle deler av byen.
- **Boligsosial plan (2016):** alle skal ha en trygg og god bolig.
- **Sentrumsplanen:** høy tetthet rundt skysstasjonen.

Vi vil samle målene i én temaplan for bolig."""),
    "1103": (4, """### Hovedmål
Stavanger skal ha et boligtilbud som gir plass til alle livsfaser.

### Delmål
- Flere familieboliger i sentrumsnære områder.
- Kommunen bruker egne tomter aktivt for å få fram rimelige boliger.
- Tett samarbeid med Husbanken om startlån.

Se også [kommunens planer](https://www.stavanger.kommune.no/)."""),
    "3031": (3, """- Befolkningsveksten skal tas i sentrumsområdene rundt stasjonene.
- Eldre skal kunne flytte til en lettstelt bolig i eget nærmiljø.
- Kommunen skal ha oversikt over boligbehovet til vanskeligstilte.

Målene står i samfunnsdelen fra 2019. Vi har ennå ikke satt mål for hvordan vi bruker kommunens egne eiendommer."""),
    "4203": (1, """### Dette har vi vedtatt
1. Boligbyggingen skal følge den vedtatte senterstrukturen.
2. Alle skal ha mulighet til å bo godt og trygt.
3. Kommunen skal være en aktiv eiendomsaktør der markedet ikke løser behovet.

Målene er fordelt på flere planer. Vi ønsker innspill på hvordan de kan følges opp i økonomiplanen."""),
    "1868": (-2, """Øksnes har få skrevne boligpolitiske mål. Det viktigste vi har:

- Vi vil ha flere utleieboliger for tilflyttere og sesongarbeidere.
- Eldre skal kunne bo hjemme så lenge som mulig.

Beklager at dette kom etter fristen."""),
    "1840": (None, """Utkast: vi henter målene fra kommuneplanen og boligsosial plan. Mangler fortsatt innspill fra teknisk etat."""),
}

PLANS_SUBMISSIONS = {
    "3403": (5, """### Et nytt boligområde nær stasjonen
Vi omregulerer et tidligere industriområde til om lag 400 boliger.

- **Mål:** blandet boligsammensetning, med noen kommunale utleieboliger.
- **Erfaring så langt:** utbyggerne vil helst bygge små leiligheter.
- **Vi vil ha råd om:** hvordan kommunen kan kreve større boliger uten å stoppe prosjektet."""),
    "1103": (2, """### Temaplan for bolig
Vi er i fasen med kartlegging. Vi har samlet tall om befolkningen, boligmassen og prisene.

Vi vil gjerne høre hvordan de andre har involvert politikerne tidlig."""),
}


def _at(due, days_before: int) -> datetime:
    """Mid-morning on a day relative to the due date, in UTC."""
    return datetime.combine(due - timedelta(days=days_before), datetime.min.time(), tzinfo=timezone.utc) + timedelta(hours=9)


def _author(network: Network, organisation_id: int) -> Person | None:
    return db.session.scalar(
        select(Person).join(NetworkRole, NetworkRole.person_id == Person.id)
        .where(NetworkRole.network_id == network.id, NetworkRole.role == RoleKind.CONTACT,
               Person.organisation_id == organisation_id)
        .order_by(Person.id).limit(1))


def _assignment(network: Network, title: str, **fields) -> tuple[Assignment, bool]:
    existing = db.session.scalar(select(Assignment).where(Assignment.network_id == network.id, Assignment.title == title))
    if existing is not None:
        return existing, False
    assignment = Assignment(network=network, title=title, **fields)
    db.session.add(assignment)
    db.session.flush()
    return assignment, True


def _submissions(network: Network, assignment: Assignment, rows: dict) -> int:
    memberships = dict(db.session.execute(
        select(Organisation.kommunenummer, Membership).join(Membership.organisation)
        .where(Membership.network_id == network.id, Organisation.kommunenummer.in_(rows))).all())
    made = 0
    for number, (days_before, text) in rows.items():
        membership = memberships.get(number)
        if membership is None or db.session.scalar(select(Submission.id).where(
                Submission.assignment_id == assignment.id, Submission.membership_id == membership.id)) is not None:
            continue
        author = _author(network, membership.organisation_id)
        written = _at(assignment.due_on, (days_before if days_before is not None else 0) + 3)
        saved = services.save_submission(assignment, membership, text=text, expected_version=None, by=author, now=written)
        if days_before is not None:
            services.save_submission(assignment, membership, text=text, expected_version=saved.version, by=author,
                                     now=_at(assignment.due_on, days_before), deliver=True)
        made += 1
    return made


def _grouping_for(network: Network, gathering: Gathering | None) -> Grouping | None:
    """The groups of the gathering where method B is presented, else one for the whole network, else any."""
    groupings = db.session.scalars(select(Grouping).where(Grouping.network_id == network.id).order_by(Grouping.id)).all()
    for wanted in ((lambda g: gathering is not None and g.gathering_id == gathering.id), (lambda g: g.gathering_id is None),
                   (lambda g: True)):
        found = next((g for g in groupings if wanted(g)), None)
        if found is not None:
            return found
    return None


def load_demo(network: Network, coordinator: Person | None) -> int:
    """Add the demo assignments to ``network`` (the 2019–2020 network). Returns how many submissions were made."""
    gatherings = {g.number: g for g in db.session.scalars(select(Gathering).where(Gathering.network_id == network.id))}
    made = 0
    if 1 in gatherings and 2 in gatherings and gatherings[2].starts_on:
        goals, _created = _assignment(
            network, GOALS_TITLE, description=GOALS_DESCRIPTION, method=AssignmentMethod.A,
            given_after=gatherings[1], presented_at=gatherings[2],
            due_on=gatherings[2].starts_on - timedelta(days=7), visibility=Visibility.NETWORK,
            created_by_id=getattr(coordinator, "id", None))
        made += _submissions(network, goals, GOALS_SUBMISSIONS)
    grouping = _grouping_for(network, gatherings.get(3))
    if grouping is not None and 2 in gatherings and 3 in gatherings and gatherings[3].starts_on:
        plans, _created = _assignment(
            network, PLANS_TITLE, description=PLANS_DESCRIPTION, method=AssignmentMethod.B,
            given_after=gatherings[2], presented_at=gatherings[3],
            due_on=gatherings[3].starts_on - timedelta(days=7), visibility=Visibility.GROUP, grouping=grouping,
            created_by_id=getattr(coordinator, "id", None))
        made += _submissions(network, plans, PLANS_SUBMISSIONS)
    db.session.flush()
    return made
