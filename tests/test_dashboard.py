"""The coordinators' dashboard: every section's numbers, read from the page, on a world small
enough to count by hand; names escaped; and a fixed number of queries whatever the size."""
from __future__ import annotations

import re
from datetime import date, datetime, time, timezone
from html import unescape

import pytest
from sqlalchemy import select

from network.assignments.models import Assignment, AssignmentMethod, Submission, SubmissionStatus
from network.auth.models import Person
from network.evaluations.models import EvaluationInvitation, EvaluationResponse
from network.extensions import db
from network.feedback.models import Feedback, FeedbackStatus, FeedbackTopic
from network.gatherings.models import Gathering, GatheringDay, GatheringStatus, Registration, RegistrationStatus
from network.networks.models import Membership, Network, NetworkRole, RoleKind
from network.organisations.models import Organisation
from tests.factories import world
from tests.html import landmarks, text
from tests.query_counter import count_queries

A, C, N_, W, X = (RegistrationStatus.ATTENDED, RegistrationStatus.CONFIRMED, RegistrationStatus.NO_SHOW,
                  RegistrationStatus.WAITING, RegistrationStatus.CANCELLED)
# Elverum, Østre Toten and Åsnes join Hamar and Lillehammer: Ø before Å is the Norwegian order,
# which Python's own comparison gets wrong.
EXTRA = {"elverum": "3420", "ostre_toten": "3442", "asnes": "3418"}


def _membership(network_id, organisation_id) -> Membership:
    return db.session.scalar(select(Membership).where(
        Membership.network_id == network_id, Membership.organisation_id == organisation_id))


def _register(gathering: Gathering, person_id: int, status: RegistrationStatus, **fields) -> None:
    db.session.add(Registration(gathering=gathering, person_id=person_id, status=status, days=list(gathering.days),
                                **fields))


@pytest.fixture
def board(app, factory):
    """Three gatherings: 1 held (two days), 2 open, 3 closed; the registrations below, in
    "registered / attended" per municipality and gathering:

                    1       2       3
        Hamar       3 / 2   1 / 0   2 / 0     (the executive is not registered for 3)
        Lillehammer 1 / 1   2 / 0   0 / 0
        Elverum     0 / 0   2 / 0   2 / 0
        Østre Toten, Åsnes: nothing.
    The observer (no organisation) attended 1: a cost, but no municipality's row."""
    network, hamar, lillehammer, people = world(factory)
    orgs = {key: factory.municipality(number) for key, number in EXTRA.items()}
    for organisation in orgs.values():
        factory.member(network, organisation)
    lars = factory.member_with_role(network, RoleKind.PARTICIPANT, lillehammer, name="Lars Lillehammer")
    elverum = [factory.member_with_role(network, RoleKind.PARTICIPANT, orgs["elverum"], name=f"Eli Elverum {n}")
               for n in range(2)]
    g1 = factory.gathering(network, 1, date(2019, 4, 10), title="Oppstart", days=2, status=GatheringStatus.HELD)
    g2 = factory.gathering(network, 2, date(2031, 9, 11), title="Planer", status=GatheringStatus.OPEN)
    g3 = factory.gathering(network, 3, date(2031, 11, 20), title="Avslutning", status=GatheringStatus.CLOSED)
    with app.app_context():
        first, second, third = (db.session.get(Gathering, g.id) for g in (g1, g2, g3))
        p = {key: person.id for key, person in people.items()}
        for key, status in (("participant", A), ("contact", N_), ("executive", A), ("other_contact", A), ("observer", A)):
            _register(first, p[key], status)
        for key, status in (("participant", C), ("contact", W), ("other_contact", C)):
            _register(second, p[key], status)
        _register(second, p["executive"], X, cancelled_at=datetime(2031, 9, 1, tzinfo=timezone.utc))
        _register(second, lars.id, C)
        for person in elverum:
            _register(second, person.id, C)
            _register(third, person.id, C)
        _register(third, p["participant"], C)
        _register(third, p["contact"], C)
        hamar_membership = _membership(network.id, hamar.id)
        hamar_membership.executive_name, hamar_membership.anchoring_decided_on = "Rita Rådmann", date(2019, 3, 1)
        elverum_membership = _membership(network.id, orgs["elverum"].id)
        elverum_membership.executive_name, elverum_membership.anchoring_decided_on = "Erik Elverum", date(2019, 3, 2)

        # Assignments: the first with one of each status, the second with nothing yet.
        goals = Assignment(network_id=network.id, title="Boligpolitiske mål", method=AssignmentMethod.A,
                           due_on=date(2019, 9, 1))
        plans = Assignment(network_id=network.id, title="Planer vi lærer av", method=AssignmentMethod.B,
                           due_on=date(2031, 10, 1))
        db.session.add_all([goals, plans])
        db.session.flush()
        submitted = datetime(2019, 8, 30, tzinfo=timezone.utc)
        db.session.add_all([
            Submission(assignment_id=goals.id, membership_id=hamar_membership.id, status=SubmissionStatus.SUBMITTED,
                       submitted_at=submitted, text="Mål"),
            Submission(assignment_id=goals.id, membership_id=elverum_membership.id, status=SubmissionStatus.SUBMITTED,
                       submitted_at=submitted, is_late=True, text="Sent"),
            Submission(assignment_id=goals.id, membership_id=_membership(network.id, lillehammer.id).id,
                       status=SubmissionStatus.DRAFT, text="Utkast"),
        ])

        # Feedback: two new (one of them anonymous), one named read, one anonymous read, one answered;
        # and one new in the other network.
        other_network = db.session.scalar(select(Network.id).where(Network.name == "Et annet nettverk"))
        feedback = [
            (network.id, FeedbackStatus.NEW, False), (network.id, FeedbackStatus.NEW, True),
            (network.id, FeedbackStatus.READ, False), (network.id, FeedbackStatus.READ, True),
            (network.id, FeedbackStatus.ANSWERED, False), (other_network, FeedbackStatus.NEW, False),
        ]
        for network_id, status, anonymous in feedback:
            db.session.add(Feedback(network_id=network_id, topic=FeedbackTopic.NETWORK, works="Bra", status=status,
                                    anonymous=anonymous, sender_id=None if anonymous else p["participant"]))

        # Evaluation of gathering 1: four invited, three answered. A stray answer to the open
        # gathering 2 is left out (only held gatherings are shown).
        for key, answered in (("participant", True), ("executive", True), ("other_contact", True), ("observer", False)):
            db.session.add(EvaluationInvitation(gathering_id=first.id, person_id=p[key], answered=answered))
        for relevance, usefulness, organisation in ((5, 3, 5), (4, 4, 5), (4, 5, 4)):
            db.session.add(EvaluationResponse(gathering_id=first.id, relevance=relevance, usefulness=usefulness,
                                              organisation=organisation))
        db.session.add(EvaluationResponse(gathering_id=second.id, relevance=1, usefulness=1, organisation=1))
        db.session.commit()
    return network, people


def section(response, section_id: str) -> str:
    """The text of one section of the page, tags removed and white space collapsed."""
    html = response.get_data(as_text=True)
    match = re.search(rf'<section[^>]*\bid="{section_id}"[^>]*>(.*?)</section>', html, re.S)
    assert match, section_id
    return " ".join(text_of(match.group(1)).split())


def text_of(html: str) -> str:
    return unescape(re.sub(r"<[^>]+>", " ", html))


def table_rows(response, table_id: str) -> dict[str, list[str]]:
    """Row heading → the cells' text, for the body and foot of a table."""
    html = response.get_data(as_text=True)
    table = re.search(rf'<table[^>]*\bid="{table_id}"[^>]*>(.*?)</table>', html, re.S).group(1)
    rows = {}
    for row in re.findall(r"<tr>(.*?)</tr>", table.split("</thead>", 1)[-1], re.S):
        cells = [" ".join(text_of(cell).split()) for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)]
        rows[cells[0]] = cells[1:]
    return rows


def get(login, network, people, role="coordinator"):
    response = login(people[role]).get(f"/networks/{network.id}/dashboard")
    assert response.status_code == 200
    return response


def test_participation_is_registered_and_attended_per_municipality_and_gathering(login, board):
    network, people = board
    response = get(login, network, people)
    rows = table_rows(response, "participation-table")
    assert list(rows) == ["Elverum", "Hamar", "Lillehammer", "Østre Toten", "Åsnes", "Sum"]
    assert rows["Hamar"] == ["3 / 2", "1 / 0", "2 / 0", "6 / 2"]
    assert rows["Lillehammer"] == ["1 / 1", "2 / 0", "0 / 0", "3 / 1"]
    assert rows["Elverum"] == ["0 / 0", "2 / 0", "2 / 0", "4 / 0"]
    assert rows["Åsnes"] == ["0 / 0", "0 / 0", "0 / 0", "0 / 0"]
    # The observer's attendance belongs to no municipality; the waiting list and cancellations have no seat.
    assert rows["Sum"] == ["4 / 3", "5 / 0", "4 / 0", "13 / 3"]
    summary = section(response, "participation")
    assert "5 kommuner og 3 samlinger. Til sammen 13 påmeldinger, og 3 er registrert som møtt." in summary
    # The chart's bars say the same: registered per gathering.
    chart = re.search(r'<figure class="chart" aria-labelledby="participation-chart-title".*?</figure>',
                      response.get_data(as_text=True), re.S).group(0)
    assert [" ".join(text_of(v).split()) for v in re.findall(r'<span class="chart__value">(.*?)</span>', chart)] \
        == ["4", "5", "4"]
    assert 'href="#participation-table"' in chart


def test_participation_exports_as_csv_with_the_same_numbers(login, board):
    network, people = board
    assert "/dashboard/participation.csv" in get(login, network, people).get_data(as_text=True)
    response = login(people["coordinator"]).get(f"/networks/{network.id}/dashboard/participation.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    lines = response.get_data(as_text=True).lstrip("\ufeff").splitlines()
    assert lines[0] == ("Kommune;Fylke;Samling 1 påmeldt;Samling 1 møtt;Samling 2 påmeldt;Samling 2 møtt;"
                        "Samling 3 påmeldt;Samling 3 møtt;Påmeldt i alt;Møtt i alt")
    rows = {line.split(";")[0]: line.split(";")[2:] for line in lines[1:]}
    assert list(rows) == ["Elverum", "Hamar", "Lillehammer", "Østre Toten", "Åsnes"]
    assert rows["Hamar"] == ["3", "2", "1", "0", "2", "0", "6", "2"]
    assert rows["Lillehammer"] == ["1", "1", "2", "0", "0", "0", "3", "1"]


def test_a_cancelled_gathering_is_left_out_of_participation_on_the_page_and_in_the_csv(app, login, board):
    """Its registrations stay (they were told by mail), but they would read as "registered, not attended"."""
    network, people = board
    with app.app_context():
        db.session.scalar(select(Gathering).where(Gathering.network_id == network.id, Gathering.number == 2)) \
            .status = GatheringStatus.CANCELLED
        db.session.commit()
    response = get(login, network, people)
    rows = table_rows(response, "participation-table")
    assert rows["Hamar"] == ["3 / 2", "2 / 0", "5 / 2"]
    assert rows["Sum"] == ["4 / 3", "4 / 0", "8 / 3"]
    assert "5 kommuner og 2 samlinger. Til sammen 8 påmeldinger, og 3 er registrert som møtt." \
        in section(response, "participation")
    csv = login(people["coordinator"]).get(f"/networks/{network.id}/dashboard/participation.csv")
    header = csv.get_data(as_text=True).lstrip("\ufeff").splitlines()[0]
    assert "Samling 2" not in header and "Samling 3 påmeldt" in header
    with app.app_context():
        db.session.scalar(select(Gathering).where(Gathering.network_id == network.id, Gathering.number == 3)) \
            .status = GatheringStatus.CANCELLED
        db.session.commit()
    assert "5 kommuner og 1 samling. Til sammen 4 påmeldinger, og 3 er registrert som møtt." \
        in section(get(login, network, people), "participation")


def followup_groups(html: str, list_id: str) -> list[tuple[str, str]]:
    """(summary, names) for each group in one of the follow-up lists."""
    block = re.search(rf'<ul class="followup-groups" id="{list_id}"[^>]*>(.*?)</ul>\s*(?:<h3|</div>)', html, re.S).group(1)
    return [(" ".join(text_of(summary).split()), " ".join(text_of(names).split()))
            for summary, names in re.findall(r"<summary>(.*?)</summary>(.*?)</details>", block, re.S)]


def test_attention_lists_what_must_be_followed_up_per_gathering_with_counts_first(login, board):
    network, people = board
    response = get(login, network, people)
    attention = section(response, "attention")
    # Hamar (1 at gathering 2, executive not at 3), Lillehammer, Østre Toten and Åsnes.
    assert "4 kommuner har noe som må følges opp." in attention
    assert "3 tilbakemeldinger venter." in attention
    html = response.get_data(as_text=True)
    must = followup_groups(html, "followup-must")
    # Gathering 1 is held (nothing left to fix); 2 is open and 3 closed: both announced, both checked.
    assert must == [
        ("3 kommuner har færre enn 2 påmeldte til samling 2.",
         "Hamar : Bare 1 deltaker er påmeldt. Østre Toten : Ingen deltakere er påmeldt. "
         "Åsnes : Ingen deltakere er påmeldt."),
        ("3 kommuner har færre enn 2 påmeldte til samling 3.",
         "Lillehammer : Ingen deltakere er påmeldt. Østre Toten : Ingen deltakere er påmeldt. "
         "Åsnes : Ingen deltakere er påmeldt."),
        # Rita attended the first gathering but is not registered for the last (closed) one.
        ("1 kommune har ikke meldt kommunedirektøren på samling 3, den siste samlingen.",
         "Hamar : Kommunedirektøren er ikke påmeldt."),
        ("3 kommuner mangler forankring hos kommunedirektøren.", "Lillehammer Østre Toten Åsnes"),
    ]
    assert "Bare 0" not in html
    # Short lists start open; the unanchored lead to the anchoring form.
    assert html.count('<details class="followup-details" open>') == 4
    hamar_id = re.search(r'href="/networks/%d/municipalities/(\d+)">Hamar<' % network.id, html).group(1)
    assert f'href="/networks/{network.id}/municipalities/{hamar_id}/anchoring"' not in html  # Hamar is anchored
    # A third participant is nice to have: listed apart, closed.
    nice = re.search(r'<details class="followup-details" id="followup-nice">(.*?)</details>', html, re.S).group(1)
    nice_text = " ".join(text_of(nice).split())
    assert nice_text.startswith("2 kommuner har 2 påmeldte til samling 2, ikke 3. "
                                "2 kommuner har 2 påmeldte til samling 3, ikke 3.")
    assert "Elverum : 2 deltakere er påmeldt. (samling 2)" in nice_text
    assert html.index('id="followup-must-heading"') < html.index('id="followup-nice-heading"')


def test_a_planned_gathering_is_not_checked_and_an_empty_list_says_so(app, login, factory):
    network, hamar, lillehammer, people = world(factory)
    factory.gathering(network, 1, date(2031, 4, 10), status=GatheringStatus.PLANNED)
    with app.app_context():
        for membership in db.session.scalars(select(Membership).where(Membership.network_id == network.id)):
            membership.executive_name, membership.anchoring_decided_on = "Rådmann", date(2019, 3, 1)
        db.session.commit()
    response = get(login, network, people)
    attention = section(response, "attention")
    assert "0 kommuner har noe som må følges opp." in attention
    assert "Ingen kommuner trenger oppfølging nå." in attention
    assert 'id="followup"' not in response.get_data(as_text=True)


def test_costs_per_municipality_and_in_total(login, board):
    network, people = board
    response = get(login, network, people)
    rows = table_rows(response, "costs-table")
    # 900 kr per day: Hamar 3 × 2 days + 1 + 2; Lillehammer 1 × 2 days + 2; Elverum 2 + 2; the observer 2 days.
    assert rows["Hamar"] == ["8 100 kr"]
    assert rows["Lillehammer"] == ["3 600 kr"]
    assert rows["Elverum"] == ["3 600 kr"]
    assert rows["Åsnes"] == ["0 kr"]
    assert rows["Uten organisasjon"] == ["1 800 kr"]
    assert rows["Sum"] == ["17 100 kr"]
    assert "Fakturagrunnlaget er 17 100 kr til sammen, fordelt på 4 organisasjoner." in section(response, "costs")
    assert f'href="/networks/{network.id}/costs"' in response.get_data(as_text=True)


def test_assignment_status_counts_with_links_to_the_grid(login, board):
    network, people = board
    response = get(login, network, people)
    rows = table_rows(response, "assignments-table")
    # Levert, levert for sent, utkast, mangler: of the five member municipalities.
    assert rows["Boligpolitiske mål"] == ["01.09.2019", "1", "1", "1", "2"]
    assert rows["Planer vi lærer av"] == ["01.10.2031", "0", "0", "0", "5"]
    assert "2 oppgaver. Til sammen mangler 7 besvarelser, og 1 er utkast." in section(response, "assignments")
    html = response.get_data(as_text=True)
    assert f'href="/networks/{network.id}/assignments/grid"' in html
    with_ids = re.findall(rf'href="/networks/{network.id}/assignments/(\d+)"', html)
    assert len(with_ids) == 2
    chart = re.search(r'aria-labelledby="assignments-chart-title".*?</figure>', html, re.S).group(0)
    assert re.findall(r'<span class="chart__value">(.*?)</span>', chart) == ["2/5", "0/5"]


def test_feedback_waiting_counts_new_and_named_read(login, board):
    network, people = board
    response = get(login, network, people)
    feedback = section(response, "feedback")
    assert "Nye, ikke lest 2" in feedback
    assert "Lest, venter på svar 1" in feedback
    assert "Til innboksen for tilbakemeldinger" in feedback


def test_evaluation_scores_per_held_gathering(login, board):
    network, people = board
    response = get(login, network, people)
    rows = table_rows(response, "evaluations-table")
    # (5 + 4 + 4) / 3, (3 + 4 + 5) / 3, (5 + 5 + 4) / 3; the open gathering's answer is left out.
    assert rows == {"Samling 1: Oppstart 1": ["3 / 4", "75 %", "4,3", "4,0", "4,7"]}
    assert "1 gjennomført samling." in section(response, "evaluations")
    html = response.get_data(as_text=True)
    for key in ("relevance", "usefulness", "organisation"):
        assert f'aria-labelledby="evaluation-chart-{key}-title"' in html
    assert html.count('href="#evaluations-table"') == 3


def test_every_section_is_a_labelled_landmark_with_a_heading(login, board):
    network, people = board
    html = get(login, network, people).get_data(as_text=True)
    for key in ("attention", "participation", "assignments", "feedback", "evaluations", "costs"):
        assert re.search(rf'<section aria-labelledby="{key}-heading"[^>]*>\s*<h2[^>]*id="{key}-heading"', html), key
    # The wide tables scroll inside their own focusable region, named by the table's caption, so
    # that no two regions on the page share a name.
    for table in ("participation-table", "costs-table", "assignments-table", "evaluations-table"):
        assert re.search(rf'<div class="table-scroll[^"]*" tabindex="0" role="region" aria-labelledby="{table}-caption">\s*'
                         rf'<table[^>]*id="{table}">\s*<caption id="{table}-caption">', html), table
    regions = [name for role, name in landmarks(html) if role == "region"]
    assert len(regions) == 10 and len(set(regions)) == len(regions), regions


def test_an_empty_network_shows_each_section(login, factory):
    network, _hamar, _lillehammer, people = world(factory)
    response = get(login, network, people, role="admin")
    body = text(response)
    assert "Nettverket har ingen oppgaver ennå." in body
    assert "Ingen samlinger er gjennomført ennå" in body
    assert "Fakturagrunnlaget er 0 kr til sammen, fordelt på 0 organisasjoner." in section(response, "costs")


def test_names_from_users_are_escaped(app, login, factory):
    network, hamar, _lillehammer, people = world(factory)
    factory.gathering(network, 1, date(2031, 4, 10), title="<script>alert('g')</script>", status=GatheringStatus.HELD)
    with app.app_context():
        db.session.get(Organisation, hamar.id).name = "<script>alert('m')</script>Hamar"
        db.session.add(Assignment(network_id=network.id, title="<script>alert('a')</script>", method=AssignmentMethod.C,
                                  due_on=date(2031, 1, 1)))
        db.session.commit()
    html = get(login, network, people).get_data(as_text=True)
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(&#39;m&#39;)&lt;/script&gt;Hamar" in html
    assert "&lt;script&gt;alert(&#39;a&#39;)&lt;/script&gt;" in html
    assert "&lt;script&gt;alert(&#39;g&#39;)&lt;/script&gt;" in html


# --- a fixed number of queries ----------------------------------------------------------

SMALL = ("3403", "3405")
LARGE = SMALL + ("3407", "3411", "3412", "3413", "3414", "3415", "3420", "3418", "3442", "3001", "3002", "1103")


def populate(app, network_id: int, kommunenummer: tuple[str, ...], gatherings: int, people_each: int,
             assignments: int, feedback: int, responses: int) -> None:
    """Members, their people (an executive among them), gatherings from held to planned with
    registrations of every status, submissions of every status, feedback and evaluations."""
    statuses = [A, N_, C, W, X]
    with app.app_context():
        network = db.session.get(Network, network_id)
        organisations = db.session.scalars(select(Organisation).where(Organisation.kommunenummer.in_(kommunenummer))).all()
        memberships = []
        people = []
        for i, organisation in enumerate(organisations):
            membership = Membership(network=network, organisation=organisation, joined_on=date(2019, 4, 10),
                                    executive_name="Rådmann" if i % 2 else None,
                                    anchoring_decided_on=date(2019, 3, 1) if i % 2 else None)
            memberships.append(membership)
            for n in range(people_each):
                person = Person(name=f"{organisation.name} {n}", email=f"p{network_id}-{organisation.kommunenummer}-{n}@q.test",
                                organisation=organisation)
                role = RoleKind.EXECUTIVE if n == 0 else RoleKind.PARTICIPANT
                db.session.add(NetworkRole(network=network, person=person, role=role))
                people.append(person)
        db.session.add_all(memberships)
        meetings = []
        for number in range(1, gatherings + 1):
            status = [GatheringStatus.HELD, GatheringStatus.OPEN, GatheringStatus.CLOSED, GatheringStatus.PLANNED][
                min(number - 1, 3)] if number < gatherings else GatheringStatus.PLANNED
            meeting = Gathering(network=network, number=number, title=f"Samling {number}", status=status,
                                days=[GatheringDay(day=date(2019 + number, 4, 10), starts_at=time(10), ends_at=time(16))])
            meetings.append(meeting)
            for i, person in enumerate(people):
                status = statuses[(i + number) % len(statuses)]
                db.session.add(Registration(gathering=meeting, person=person, status=status, days=list(meeting.days),
                                            late_cancellation=status is X and i % 2 == 0))
        db.session.add_all(meetings)
        db.session.flush()
        for n in range(assignments):
            assignment = Assignment(network=network, title=f"Oppgave {n}", method=AssignmentMethod.A,
                                    due_on=date(2020, 1, 1 + n))
            db.session.add(assignment)
            for i, membership in enumerate(memberships[: len(memberships) - 1]):
                status = SubmissionStatus.DRAFT if i % 3 == 0 else SubmissionStatus.SUBMITTED
                db.session.add(Submission(assignment=assignment, membership=membership, status=status, is_late=i % 3 == 2,
                                          submitted_at=None if status is SubmissionStatus.DRAFT
                                          else datetime(2019, 12, 1, tzinfo=timezone.utc)))
        for n in range(feedback):
            db.session.add(Feedback(network=network, topic=FeedbackTopic.OTHER, works="Bra", anonymous=n % 2 == 0,
                                    status=list(FeedbackStatus)[n % 4],
                                    sender_id=None if n % 2 == 0 else people[n % len(people)].id))
        held = meetings[0]
        for i, person in enumerate(people):
            db.session.add(EvaluationInvitation(gathering=held, person=person, answered=i < responses))
        for n in range(responses):
            db.session.add(EvaluationResponse(gathering=held, relevance=1 + n % 5, usefulness=2, organisation=3))
        db.session.commit()


def dashboard_queries(app, factory, login, **size) -> tuple[int, str]:
    network = factory.network()
    coordinator = factory.member_with_role(network, RoleKind.COORDINATOR, name="Kristin Koordinator")
    populate(app, network.id, **size)
    client = login(coordinator)
    with count_queries(app) as statements:
        response = client.get(f"/networks/{network.id}/dashboard")
    assert response.status_code == 200
    # The test's own SAVEPOINT and ROLLBACK TO SAVEPOINT (and SQLite's BEGIN) are not the page's.
    return len([s for s in statements if s.lstrip().upper().startswith("SELECT")]), text(response)


def test_the_dashboard_loads_in_10_queries_whatever_the_size_of_the_network(app, factory, login):
    """2 municipalities with 1 person each, 2 gatherings, 1 assignment, 1 feedback and 1 answer,
    against 14 municipalities with 3 people each, 5 gatherings, 4 assignments, 20 feedback and
    30 answers: at most 10 queries each. 2 for any network page (the signed-in person; the network
    with their roles in it) and 8 for the dashboard: members, gatherings with their days, seats and
    attendance, the executives with their seats at the first and last gathering, cost totals,
    assignments with their submissions counted, evaluation counts and sums, and one query for new
    feedback, unanswered feedback and examples waiting for review."""
    small, small_page = dashboard_queries(app, factory, login, kommunenummer=SMALL, gatherings=2, people_each=1,
                                          assignments=1, feedback=1, responses=1)
    large, large_page = dashboard_queries(app, factory, login, kommunenummer=LARGE, gatherings=5, people_each=3,
                                          assignments=4, feedback=20, responses=30)
    assert "14 kommuner og 5 samlinger" in large_page and "2 kommuner og 2 samlinger" in small_page
    assert small <= 10 and large <= 10, (small, large)
