"""Anonymous feedback's place among named feedback says nothing about when it came.

Named items' mails and rows give their exact times; anonymous items have only a date. If the
inbox listed a day's items in the order they were stored (SQLite's order without ORDER BY), an
anonymous item between two named ones would be dated to the minutes between their mails. Every
list is therefore ordered by what it sorts on, then by the date, then by the random id, which
carries no time, for named and anonymous alike.

The other lists of feedback: the archive writes feedback.json by random id and csv/feedback.csv
by its values (tests/test_anonymity_exports.py compares them before and after anonymous feedback);
"Min side" lists only the person's own named feedback; the dashboard gives only counts."""
from __future__ import annotations

import re
from datetime import date

import pytest

from network.extensions import db
from network.feedback.models import Feedback, FeedbackTopic
from tests.factories import world

DAY = date(2019, 9, 20)
# Stored in this order: named, anonymous, named. Their ids, which the lists must follow, are in another.
STORED = (("c" * 32, "participant", "Navngitt, lagret først"), ("a" * 32, None, "Anonym, lagret i midten"),
          ("b" * 32, "contact", "Navngitt, lagret sist"))


@pytest.fixture
def s(app, factory):
    network, _hamar, _lillehammer, people = world(factory)
    with app.app_context():
        for feedback_id, sender, text in STORED:
            feedback = Feedback(id=feedback_id, network_id=network.id, topic=FeedbackTopic.OTHER, works=text,
                                anonymous=sender is None, received_on=DAY)
            if sender is not None:
                person = people[sender]
                feedback.sender_id, feedback.sender_name, feedback.sender_email = person.id, person.name, person.email
            db.session.add(feedback)
            db.session.flush()  # one INSERT at a time, in this order
        db.session.commit()
    return network, people


def _order(body: str) -> list[str]:
    found = {text: body.index(text) for _id, _sender, text in STORED}
    return [feedback_id for feedback_id, _sender, text in sorted(STORED, key=lambda item: found[item[2]])]


A, B, C = "a" * 32, "b" * 32, "c" * 32


@pytest.mark.parametrize("query, expected", [
    ("", [C, B, A]),                              # newest day first, then by id
    ("?sort=received&dir=asc", [A, B, C]),
    ("?sort=topic", [A, B, C]),
    ("?sort=topic&dir=desc", [C, B, A]),
    ("?sort=status", [A, B, C]),
    ("?sort=status&dir=desc", [C, B, A]),
    ("?sort=sender", [C, B, A]),                  # Dag Deltaker, Kari Kontakt, then the anonymous
    ("?sort=sender&dir=desc", [B, C, A]),
])
def test_the_inbox_and_its_csv_order_a_day_by_id_not_by_arrival(s, login, query, expected):
    network, people = s
    http = login(people["coordinator"])
    page = http.get(f"/networks/{network.id}/feedback{query}").get_data(as_text=True)
    csv_text = http.get(f"/networks/{network.id}/feedback.csv{query}").get_data(as_text=True)
    assert _order(page) == expected
    assert _order(csv_text) == expected
    assert not re.search(r"\b\d{1,2}[:.]\d{2}\b", csv_text)  # dates only, no time of day
