"""Evaluation results: response rate, distributions, means and free texts on the page; the CSV and
XLSX exports; comparing the gatherings; text rendered safely; queries that do not grow; the demo."""
from __future__ import annotations

import io
import re
from datetime import date

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from network.evaluations import services
from network.evaluations.models import EvaluationInvitation, EvaluationQuestion, EvaluationResponse, QuestionKind
from network.extensions import db
from network.gatherings.models import Gathering, GatheringStatus
from network.networks.models import Network
from tests.evaluation_helpers import VALID, add_question, invite_and_answer, setup
from tests.html import main
from tests.query_counter import count_queries

BEST, IMPROVE = "Hva var det beste med samlingen?", "Hva kan bli bedre?"
RELEVANCE, USEFULNESS, ORGANISATION = ("Hvor relevant var samlingen for deg?", "Hvor nyttig var samlingen for din kommune?",
                                       "Hvor godt var samlingen organisert?")


def _row(relevance, usefulness, organisation, best="", improve="", rating=None, free=""):
    return {"relevance": str(relevance), "usefulness": str(usefulness), "organisation": str(organisation),
            "best": best, "improve": improve, "rating": "" if rating is None else str(rating), "free": free}


ROWS = [
    _row(5, 4, 3, best="Godt innlegg fra Husbanken", rating=5, free="Tomter"),
    _row(4, 2, 5, improve="Lengre pauser"),
    _row(5, 4, 5, best="Gruppene", rating=3, free="Utbyggere"),
]


@pytest.fixture
def r(app, factory):
    """Three answers and one invited who has not answered, with an added rating and text question."""
    s = setup(app, factory)
    rating = add_question(app, s.gathering_id, "Hvor nyttig var gruppearbeidet?")
    free = add_question(app, s.gathering_id, "Hva vil du ta opp neste gang?", QuestionKind.TEXT)
    with app.app_context():
        db.session.get(Gathering, s.gathering_id).status = GatheringStatus.HELD
        db.session.commit()
    rows = [{**{k: v for k, v in row.items() if k not in ("rating", "free")},
             f"question_{rating}": row["rating"], f"question_{free}": row["free"]} for row in ROWS]
    invite_and_answer(app, s.network_id, s.gathering_id, rows, unanswered=1)
    s.question_ids = (rating, free)
    return s


def cells(page: str, table_id: str, attribute: str) -> dict[str, str]:
    table = page.split(f'id="{table_id}"')[1].split("</table>")[0]
    return dict(re.findall(rf'{attribute}="([^"]+)">([^<]*)<', table))


# --- the results page -------------------------------------------------------------------


def test_results_show_the_rate_distributions_means_and_texts(r, login):
    page = main(login(r.people["coordinator"]).get(r.url + "/results"))
    rate = page.split('id="response-rate"')[1].split("</dl>")[0]
    assert "<dd data-invited>4</dd>" in rate and "<dd data-answered>3</dd>" in rate and "<dd data-rate>75\u00a0%</dd>" in rate
    rating, free = r.question_ids
    expected = {
        "relevance": ({"1": "0", "2": "0", "3": "0", "4": "1", "5": "2"}, "Gjennomsnitt 4,7 av 3 svar."),
        "usefulness": ({"1": "0", "2": "1", "3": "0", "4": "2", "5": "0"}, "Gjennomsnitt 3,3 av 3 svar."),
        "organisation": ({"1": "0", "2": "0", "3": "1", "4": "0", "5": "2"}, "Gjennomsnitt 4,3 av 3 svar."),
        f"question_{rating}": ({"1": "0", "2": "0", "3": "1", "4": "0", "5": "1"}, "Gjennomsnitt 4,0 av 2 svar."),
    }
    for key, (counts, mean) in expected.items():
        assert cells(page, f"table-{key}", "data-count") == counts, key
        assert mean in page.split(f'id="rating-{key}"')[1].split("</p>")[0], key
        assert f'id="chart-{key}-title"' in page  # a chart, then its table
    for label, texts in ((BEST, ["Godt innlegg fra Husbanken", "Gruppene"]), (IMPROVE, ["Lengre pauser"]),
                         ("Hva vil du ta opp neste gang?", ["Tomter", "Utbyggere"])):
        section = page.split(f">{label}</h3>")[1].split("</ul>")[0]
        assert re.findall(r"<li>(.*?)</li>", section) == texts  # sorted, not in the order of answering


def test_results_of_a_gathering_without_answers(app, factory, login):
    s = setup(app, factory)
    page = main(login(s.people["observer"]).get(s.url + "/results"))
    assert "Samlingen er ikke merket som gjennomført ennå" in page
    assert "<dd data-rate>–</dd>" in page and "0 svar; resultatene vises fra 3 svar." in page


def test_free_text_is_escaped_on_the_page_and_guarded_in_the_exports(app, factory, login):
    s = setup(app, factory)
    attack = "<script>alert('x')</script> **fet**"
    formula = '=HYPERLINK("http://angrep.test","Klikk")'
    invite_and_answer(app, s.network_id, s.gathering_id, [{**VALID, "best": attack, "improve": formula}, VALID, VALID])
    http = login(s.people["coordinator"])
    body = http.get(s.url + "/results").get_data(as_text=True)
    assert "<script>alert" not in body
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; **fet**" in body
    csv_text = http.get(s.url + "/results.csv").get_data(as_text=True)
    assert "'=HYPERLINK" in csv_text and ";=HYPERLINK" not in csv_text
    sheet = load_workbook(io.BytesIO(http.get(s.url + "/results.xlsx").data))["Svar"]
    cell = sheet.cell(row=2, column=5)
    assert cell.value == formula and cell.data_type == "s"


# --- exports ----------------------------------------------------------------------------


def _response_ids(app, gathering_id):
    with app.app_context():
        return list(db.session.scalars(select(EvaluationResponse.id).where(EvaluationResponse.gathering_id == gathering_id)))


def test_csv_has_one_row_per_response_sorted_by_answers_and_no_ids(app, r, login):
    response = login(r.people["observer"]).get(r.url + "/results.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "evaluering-samling-2" in response.headers["Content-Disposition"]
    lines = response.get_data(as_text=True).lstrip("\ufeff").splitlines()
    assert lines == [
        f"{RELEVANCE};{USEFULNESS};{ORGANISATION};{BEST};{IMPROVE};Hvor nyttig var gruppearbeidet?;Hva vil du ta opp neste gang?",
        "4;2;5;;Lengre pauser;;",
        "5;4;3;Godt innlegg fra Husbanken;;5;Tomter",
        "5;4;5;Gruppene;;3;Utbyggere",
    ]
    for response_id in _response_ids(app, r.gathering_id):
        assert response_id not in response.get_data(as_text=True)


def test_xlsx_has_the_answers_and_a_summary(app, r, login):
    response = login(r.people["coordinator"]).get(r.url + "/results.xlsx")
    assert response.status_code == 200
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    workbook = load_workbook(io.BytesIO(response.data))
    assert workbook.sheetnames == ["Svar", "Sammendrag"]
    answers = [list(row) for row in workbook["Svar"].iter_rows(values_only=True)]
    assert answers == [
        [RELEVANCE, USEFULNESS, ORGANISATION, BEST, IMPROVE, "Hvor nyttig var gruppearbeidet?", "Hva vil du ta opp neste gang?"],
        [4, 2, 5, None, "Lengre pauser", None, None],
        [5, 4, 3, "Godt innlegg fra Husbanken", None, 5, "Tomter"],
        [5, 4, 5, "Gruppene", None, 3, "Utbyggere"],
    ]
    summary = [list(row) for row in workbook["Sammendrag"].iter_rows(values_only=True)]
    assert summary[1][:2] == ["Invitert", 4] and summary[2][:2] == ["Svart", 3] and summary[3][:2] == ["Svarprosent", 0.75]
    by_question = {row[0]: tuple(row[1:9]) for row in summary[6:]}
    assert by_question[RELEVANCE] == (3, 4.7, 0, 0, 0, 1, 2)  # one decimal, half up, as on the page
    assert by_question["Hvor nyttig var gruppearbeidet?"] == (2, 4, 0, 0, 1, 0, 1)
    ids = _response_ids(app, r.gathering_id)
    for sheet in workbook:
        for row in sheet.iter_rows(values_only=True):
            assert not set(ids) & {str(value) for value in row}


# --- comparing the gatherings -----------------------------------------------------------


def test_scores_by_gathering_gives_the_held_gatherings_in_order(app, r, factory):
    with app.app_context():
        network = db.session.get(Network, r.network_id)
    later = factory.gathering(network, 3, date(2020, 1, 29), title="Planer", status=GatheringStatus.HELD)
    factory.gathering(network, 4, date(2020, 4, 1), title="Ikke holdt", status=GatheringStatus.OPEN)
    invite_and_answer(app, r.network_id, later.id, [_row(3, 3, 4), _row(2, 4, 4), _row(1, 2, 4)])
    with app.app_context():
        scores = services.scores_by_gathering(db.session.get(Network, r.network_id))
        assert [(s.gathering.number, s.invited, s.answered, s.responses) for s in scores] == [(2, 4, 3, 3), (3, 3, 3, 3)]
        assert scores[0].response_rate == 0.75 and scores[1].response_rate == 1
        assert scores[0].averages == pytest.approx({"relevance": 14 / 3, "usefulness": 10 / 3, "organisation": 13 / 3})
        assert scores[1].averages == {"relevance": 2.0, "usefulness": 3.0, "organisation": 4.0}
        assert not any(score.withheld for score in scores)


def test_the_comparison_page_and_csv(app, r, factory, login):
    with app.app_context():
        network = db.session.get(Network, r.network_id)
    quiet = factory.gathering(network, 3, date(2020, 1, 29), title="Planer", status=GatheringStatus.HELD)
    http = login(r.people["observer"])
    page = main(http.get(f"/networks/{r.network_id}/evaluations"))
    for key in ("relevance", "usefulness", "organisation"):
        assert f'id="compare-chart-{key}-title"' in page
    row = page.split(f'id="gathering-{r.gathering_id}"')[1].split("</tr>")[0]
    assert f'href="{r.url}/results"' in row
    assert "<td class=\"amount\" data-invited>4</td>" in row and "<td class=\"amount\" data-rate>75\u00a0%</td>" in row
    assert re.findall(r'data-average="\w+">([^<]*)<', row) == ["4,7", "3,3", "4,3"]
    empty = page.split(f'id="gathering-{quiet.id}"')[1].split("</tr>")[0]
    assert re.findall(r'data-average="\w+">([^<]*)<', empty) == ["–", "–", "–"]

    lines = http.get(f"/networks/{r.network_id}/evaluations.csv").get_data(as_text=True).lstrip("\ufeff").splitlines()
    assert lines[0] == (f"Samling;Tittel;Dato;Invitert;Svart;Svarprosent;Gjennomsnitt: {RELEVANCE};"
                        f"Gjennomsnitt: {USEFULNESS};Gjennomsnitt: {ORGANISATION};Merknad")
    assert lines[1:] == ["2;Boligpolitiske mål 2;2019-09-18;4;3;75;4,7;3,3;4,3;", "3;Planer 3;2020-01-29;0;0;;;;;"]


def test_a_network_without_held_gatherings_has_nothing_to_compare(app, factory, login):
    s = setup(app, factory)
    assert "Ingen samlinger er gjennomført ennå" in main(login(s.people["coordinator"]).get(s.network_url + "/evaluations"))


# --- queries ----------------------------------------------------------------------------


def _queries(app, http, url) -> int:
    with count_queries(app) as statements:
        assert http.get(url).status_code == 200
    return len(statements)


def test_results_and_comparison_load_in_a_fixed_number_of_queries(app, r, factory, login):
    http = login(r.people["coordinator"])
    results_url, compare_url = r.url + "/results", f"/networks/{r.network_id}/evaluations"
    few = (_queries(app, http, results_url), _queries(app, http, compare_url))
    rating, free = r.question_ids
    invite_and_answer(app, r.network_id, r.gathering_id,
                      [{**VALID, f"question_{rating}": str(n % 5 + 1), f"question_{free}": f"Tekst {n}"} for n in range(12)])
    with app.app_context():
        network = db.session.get(Network, r.network_id)
    for number in (3, 4, 5):
        later = factory.gathering(network, number, date(2020, number, 1), status=GatheringStatus.HELD)
        invite_and_answer(app, r.network_id, later.id, [VALID, VALID], unanswered=2)
    assert (_queries(app, http, results_url), _queries(app, http, compare_url)) == few


# --- the demo ---------------------------------------------------------------------------


def test_demo_evaluations_are_believable_and_loaded_once(app, runner):
    from network.auth.models import Person
    from network.demo.content import NETWORK
    from network.evaluations.demo import STILL_OPEN, load_demo

    assert runner.invoke(args=["demo"]).exit_code == 0
    with app.app_context():
        network = db.session.scalar(select(Network).where(Network.name == NETWORK["name"]))
        load_demo(network, None)
        db.session.commit()
        assert load_demo(network, None) == 0
        scores = services.scores_by_gathering(network)
        assert [score.gathering.number for score in scores] == [1, 2, 3, 4, 5]
        for score in scores:
            assert score.invited > 20 and 0.5 < score.response_rate < 0.95
            assert score.responses == score.answered
            assert all(3.0 < mean < 4.8 for mean in score.averages.values())
        questions = db.session.scalars(select(EvaluationQuestion).join(EvaluationQuestion.gathering)
                                       .where(Gathering.network_id == network.id)).all()
        assert {q.gathering.number for q in questions} == {3} and {q.kind for q in questions} == set(QuestionKind)
        waiting = db.session.scalar(select(Person).where(Person.email == STILL_OPEN))
        assert [i.gathering.number for i in services.open_invitations(waiting)] == [5]
        assert db.session.scalar(select(func.count()).select_from(EvaluationResponse).where(
            EvaluationResponse.best != "")) > 10
        assert db.session.scalar(select(func.count()).select_from(EvaluationInvitation).join(EvaluationInvitation.gathering)
                                 .where(Gathering.network_id == network.id)) == sum(s.invited for s in scores)


# --- small groups -------------------------------------------------------------------------

SMALL = [_row(1, 2, 1, best="Bare min egen mening", improve="Alt var for langt"),
         _row(2, 1, 2, best="Min andre mening")]


def test_results_of_fewer_answers_than_the_minimum_are_shown_nowhere(app, factory, login):
    """Two answers of three invited: every output gives the counts and says results are shown from three
    answers; none gives a distribution, an average or a free text. The third answer shows them all."""
    s = setup(app, factory)
    with app.app_context():
        db.session.get(Gathering, s.gathering_id).status = GatheringStatus.HELD
        db.session.commit()
    invite_and_answer(app, s.network_id, s.gathering_id, SMALL, unanswered=1)
    http = login(s.people["coordinator"])
    secret = ("Bare min egen mening", "Alt var for langt", "Min andre mening")
    message = "2 svar; resultatene vises fra 3 svar."

    page = main(http.get(s.url + "/results"))
    assert message in page and "<dd data-invited>3</dd>" in page and "<dd data-answered>2</dd>" in page
    assert 'id="table-relevance"' not in page and "Gjennomsnitt" not in page
    csv_text = http.get(s.url + "/results.csv").get_data(as_text=True).lstrip("\ufeff")
    assert csv_text.splitlines() == ["Merknad", f'"{message}"']
    workbook = load_workbook(io.BytesIO(http.get(s.url + "/results.xlsx").data))
    values = [value for sheet in workbook for row in sheet.iter_rows(values_only=True) for value in row if value is not None]
    assert message in values and ["Invitert", 3] == [v for v in values if v in ("Invitert", 3)][:2]
    assert not any(value in secret or value in (1.0, 1.5, 2.0) for value in values if not isinstance(value, int))

    compare = main(http.get(f"/networks/{s.network_id}/evaluations"))
    row = compare.split(f'id="gathering-{s.gathering_id}"')[1].split("</tr>")[0]
    assert message in row and "data-average" not in row and "<td class=\"amount\" data-answered>2</td>" in row
    lines = http.get(f"/networks/{s.network_id}/evaluations.csv").get_data(as_text=True).lstrip("\ufeff").splitlines()
    assert lines[1] == f'2;Boligpolitiske mål 2;2019-09-18;3;2;67;;;;"{message}"'
    board = main(http.get(f"/networks/{s.network_id}/dashboard"))
    dashboard_row = board.split('id="evaluations-table"')[1].split("</table>")[0]
    assert message in dashboard_row and "2 / 3" in dashboard_row
    for body in (page, csv_text, compare, "\n".join(lines), board):
        assert not any(text in body for text in secret)
    with app.app_context():
        scores = services.scores_by_gathering(db.session.get(Network, s.network_id))
        assert scores[0].withheld and scores[0].averages == {"relevance": None, "usefulness": None, "organisation": None}

    invite_and_answer(app, s.network_id, s.gathering_id, [_row(3, 3, 3, best="Tredje svar")])
    page = main(http.get(s.url + "/results"))
    assert "resultatene vises fra" not in page and all(text in page for text in secret)
    assert "Gjennomsnitt 2,0 av 3 svar." in page
    assert len(http.get(s.url + "/results.csv").get_data(as_text=True).splitlines()) == 4


@pytest.mark.parametrize("app_config", [{"EVALUATION_MIN_ANSWERS": 5}])
def test_the_minimum_is_a_setting(r, login, app_config):
    page = main(login(r.people["coordinator"]).get(r.url + "/results"))
    assert "3 svar; resultatene vises fra 5 svar." in page and "Godt innlegg fra Husbanken" not in page
