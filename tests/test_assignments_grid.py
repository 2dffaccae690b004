"""The coordinators' grid of municipalities × assignments, its CSV, and the query counts of the
list pages."""
from __future__ import annotations

import csv
import io
from datetime import datetime, timezone

from sqlalchemy import select

from network.assignments.models import Assignment, Comment, Submission, SubmissionStatus, Visibility
from network.extensions import db
from network.networks.models import Membership, MembershipStatus, RoleKind
from tests.factories import world
from tests.query_counter import count_queries
from tests.test_assignments import FUTURE, PAST, _grouping, main_of, make_assignment, membership_id, save, setting_for

# Innlandet's Gjøvik, Viken's Nittedal and Agder's Arendal, beside Hamar and Lillehammer.
EXTRA = ("3407", "3031", "4203")


def _comments(app, submission_id: int, author_id: int, n: int) -> None:
    with app.app_context():
        db.session.add_all([Comment(submission_id=submission_id, author_id=author_id, body=f"Kommentar {i}") for i in range(n)])
        db.session.commit()


def _submission_id(app, setting, membership: int, assignment_id: int | None = None) -> int:
    with app.app_context():
        return setting.submission(membership, assignment_id).id


def grid_setting(app, factory):
    """Hamar delivered late with two comments; Lillehammer has a draft; Gjøvik, Nittedal and Arendal
    are members without anything; a second assignment where Gjøvik delivered on time."""
    setting = setting_for(app, factory, dates=PAST)
    extra = {}
    for number in EXTRA:
        organisation = factory.municipality(number)
        factory.member(setting.network, organisation)
        extra[number] = (organisation.id, membership_id(app, setting.network.id, organisation.id))
    save(app, setting, "Hamar sent", deliver=True, now=datetime(2019, 9, 14, tzinfo=timezone.utc))
    save(app, setting, "Lillehammer utkast", person_key="other_contact", membership=setting.lillehammer_membership)
    _comments(app, _submission_id(app, setting, setting.hamar_membership), setting.people["observer"].id, 2)
    second = make_assignment(app, setting.network.id, title="Planer vi lærer av", due=FUTURE[2])
    gjovik = factory.member_with_role(setting.network, RoleKind.CONTACT, factory.municipality("3407"), name="Gunn Gjøvik")
    setting.people["gjovik"] = gjovik
    save(app, setting, "Gjøvik i tide", person_key="gjovik", deliver=True, membership=extra["3407"][1], assignment_id=second)
    return setting, extra, second


def test_grid_shows_each_municipalitys_status_in_words_with_comment_counts(app, factory, login):
    setting, extra, second = grid_setting(app, factory)
    response = login(setting.people["coordinator"]).get(f"{setting.base}/grid")
    assert response.status_code == 200
    body = main_of(response)
    rows = {row.split("</th>", 1)[0].rsplit(">", 2)[-2].split("<")[0]: row
            for row in body.split("<tbody>", 1)[1].split("</tbody>", 1)[0].split("<tr>")[1:]}
    assert set(rows) == {"Hamar", "Lillehammer", "Gjøvik", "Nittedal", "Arendal"}
    assert "Levert for sent" in rows["Hamar"] and "2 kommentarer" in rows["Hamar"]
    assert setting.submission_url() in rows["Hamar"]
    assert "Utkast" in rows["Lillehammer"] and "kommentar" not in rows["Lillehammer"]
    assert rows["Nittedal"].count("Mangler") == 2
    assert "Levert<" in rows["Gjøvik"] or "Levert<span" in rows["Gjøvik"]
    footer = body.split("<tfoot>", 1)[1].split("</tfoot>", 1)[0]
    totals = {line.split("</th>")[0].rsplit(": ", 1)[1]: [cell.split("<")[0] for cell in line.split("<td>")[1:]]
              for line in footer.split("<tr>")[1:]}
    assert totals == {"Levert": ["0", "1"], "Levert for sent": ["1", "0"], "Utkast": ["1", "0"], "Mangler": ["3", "4"]}


def test_grid_leaves_out_withdrawn_members_and_other_organisations(app, factory, login):
    setting, extra, _second = grid_setting(app, factory)
    with app.app_context():
        db.session.get(Membership, extra["4203"][1]).status = MembershipStatus.WITHDRAWN
        db.session.commit()
    body = main_of(login(setting.people["coordinator"]).get(f"{setting.base}/grid"))
    assert "Arendal" not in body and "Nittedal" in body
    assert "KS" not in body.split("<tbody>", 1)[1]


def _order(body: str) -> list[str]:
    names = []
    for row in body.split("<tbody>", 1)[1].split("</tbody>", 1)[0].split("<tr>")[1:]:
        names.append(row.split("</a></th>", 1)[0].rsplit(">", 1)[1])
    return names


def test_grid_sorts_by_municipality_or_county(app, factory, login):
    setting, _extra, _second = grid_setting(app, factory)
    client = login(setting.people["coordinator"])
    assert _order(main_of(client.get(f"{setting.base}/grid"))) == ["Arendal", "Gjøvik", "Hamar", "Lillehammer", "Nittedal"]
    assert _order(main_of(client.get(f"{setting.base}/grid?sort=name&dir=desc"))) == [
        "Nittedal", "Lillehammer", "Hamar", "Gjøvik", "Arendal"]
    by_county = main_of(client.get(f"{setting.base}/grid?sort=county"))
    assert _order(by_county) == ["Arendal", "Gjøvik", "Hamar", "Lillehammer", "Nittedal"]  # Agder, Innlandet ×3, Viken
    assert 'aria-sort="ascending"' in by_county
    assert _order(main_of(client.get(f"{setting.base}/grid?sort=county&dir=desc"))) == [
        "Nittedal", "Lillehammer", "Hamar", "Gjøvik", "Arendal"]
    assert _order(main_of(client.get(f"{setting.base}/grid?sort=bogus"))) == ["Arendal", "Gjøvik", "Hamar", "Lillehammer", "Nittedal"]


def test_grid_csv_has_the_same_statuses_and_counts(app, factory, login):
    setting, _extra, _second = grid_setting(app, factory)
    response = login(setting.people["coordinator"]).get(f"{setting.base}/grid.csv?sort=county")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"] == f"attachment; filename=oppgaver-nettverk-{setting.network.id}.csv"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff")), delimiter=";"))
    assert rows[0] == ["Kommune", "Kommunenummer", "Fylke", "Våre boligpolitiske mål: status",
                       "Våre boligpolitiske mål: kommentarer", "Planer vi lærer av: status", "Planer vi lærer av: kommentarer"]
    by_name = {row[0]: row for row in rows[1:]}
    assert [row[0] for row in rows[1:]] == ["Arendal", "Gjøvik", "Hamar", "Lillehammer", "Nittedal"]
    assert by_name["Hamar"] == ["Hamar", "3403", "Innlandet", "Levert for sent", "2", "Mangler", "0"]
    assert by_name["Lillehammer"][3:5] == ["Utkast", "0"]
    assert by_name["Gjøvik"][5:7] == ["Levert", "0"]


def test_grid_loads_in_a_fixed_number_of_queries(app, factory, login):
    setting, _extra, second = grid_setting(app, factory)
    client = login(setting.people["coordinator"])

    def queries(url) -> int:
        with count_queries(app) as statements:
            assert client.get(url).status_code == 200
        return len(statements)

    few = {url: queries(url) for url in (f"{setting.base}/grid", f"{setting.base}/grid.csv")}
    # Many more members, assignments, submissions and comments.
    for number in ("3411", "3412", "3413", "3414", "3415", "3001", "3002", "1103", "1149", "5444"):
        organisation = factory.municipality(number)
        factory.member(setting.network, organisation)
    extra_assignments = [make_assignment(app, setting.network.id, title=f"Oppgave {n}", due=FUTURE[2]) for n in range(4)]
    with app.app_context():
        memberships = db.session.scalars(select(Membership).where(Membership.network_id == setting.network.id)).all()
        for assignment_id in extra_assignments:
            for membership in memberships:
                db.session.add(Submission(assignment_id=assignment_id, membership_id=membership.id, text="x"))
        db.session.flush()
        for submission in db.session.scalars(select(Submission)).all():
            db.session.add_all([Comment(submission_id=submission.id, body="hei") for _ in range(3)])
        db.session.commit()
    for url, count in few.items():
        assert queries(url) == count, url


def test_the_assignment_list_loads_in_a_fixed_number_of_queries(app, factory, login):
    setting, _extra, _second = grid_setting(app, factory)
    clients = {key: login(setting.people[key]) for key in ("coordinator", "participant", "observer")}

    def queries(key) -> int:
        with count_queries(app) as statements:
            assert clients[key].get(setting.base).status_code == 200
        return len(statements)

    few = {key: queries(key) for key in clients}
    for number in ("3411", "3412", "3413", "3414", "3415", "3001"):
        factory.member(setting.network, factory.municipality(number))
    for n in range(5):
        make_assignment(app, setting.network.id, title=f"Oppgave {n}", due=FUTURE[2], given_id=setting.given_id,
                        presented_id=setting.presented_id)
    assert {key: queries(key) for key in clients} == few


def test_the_assignment_and_gathering_pages_do_not_grow_with_the_submissions(app, factory, login):
    """Group visibility is the expensive case: the viewer's group is looked up once per page."""
    setting, extra, _second = grid_setting(app, factory)
    members = [setting.hamar_membership, setting.lillehammer_membership] + [m for _org, m in extra.values()]
    grouping = _grouping(app, setting.network.id, [members])
    with app.app_context():
        assignment = db.session.get(Assignment, setting.assignment_id)
        assignment.visibility, assignment.grouping_id = Visibility.GROUP, grouping
        db.session.commit()
    client = login(setting.people["other_contact"])
    urls = (f"{setting.base}/{setting.assignment_id}", f"/networks/{setting.network.id}/gatherings/{setting.presented_id}")

    def queries(url) -> int:
        with count_queries(app) as statements:
            assert client.get(url).status_code == 200
        return len(statements)

    few = {url: queries(url) for url in urls}
    with app.app_context():
        for _org, membership in extra.values():
            db.session.add(Submission(assignment_id=setting.assignment_id, membership_id=membership, text="x",
                                      status=SubmissionStatus.SUBMITTED,
                                      submitted_at=datetime(2019, 9, 1, tzinfo=timezone.utc)))
        db.session.commit()
    body = main_of(client.get(urls[0]))
    assert "Nittedal" in body and "Arendal" in body
    assert {url: queries(url) for url in urls} == few


def test_empty_network_pages(app, factory, login):
    network, _hamar, _lillehammer, people = world(factory)
    client = login(people["coordinator"])
    assert "Det er ingen oppgaver i nettverket ennå." in main_of(client.get(f"/networks/{network.id}/assignments"))
    assert "Det er ingen oppgaver i nettverket ennå." in main_of(client.get(f"/networks/{network.id}/assignments/grid"))
    rows = client.get(f"/networks/{network.id}/assignments/grid.csv").get_data(as_text=True).strip().splitlines()
    assert len(rows) == 3  # the header and the two member municipalities
