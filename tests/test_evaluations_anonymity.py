"""Anonymity by inspection: every table is read before and after a person answers, and the only
changes are the new response and its answers, and ``answered`` flipping on that person's
invitation. Nothing new or changed holds a time, the person's id, e-mail or name."""
from __future__ import annotations

from datetime import date, datetime, time

from sqlalchemy import Date, DateTime, Time, select

from network.auth.models import Person
from network.evaluations.models import QuestionKind
from network.extensions import db
from tests.evaluation_helpers import VALID, add_question, hold, setup


def snapshot(app) -> dict[str, dict[tuple, dict]]:
    """Every row of every table, by primary key (or by the whole row where there is none)."""
    tables = {}
    with app.app_context():
        for table in db.metadata.sorted_tables:
            key_columns = list(table.primary_key.columns) or list(table.columns)
            rows = db.session.execute(select(table)).mappings().all()
            tables[table.name] = {tuple(row[c.name] for c in key_columns): dict(row) for row in rows}
    return tables


def changes(before, after):
    """(table, key, column names that are new or changed, the row now) for every new or changed row,
    and the keys of removed rows."""
    changed, removed = [], []
    for name, rows in after.items():
        old_rows = before.get(name, {})
        for key, row in rows.items():
            old = old_rows.get(key)
            columns = set(row) if old is None else {column for column, value in row.items() if old.get(column) != value}
            if columns:
                changed.append((name, key, columns, row, old is None))
        removed += [(name, key) for key in old_rows if key not in rows]
    return changed, removed


def is_time(column, value) -> bool:
    return isinstance(column.type, (Date, DateTime, Time)) or isinstance(value, (date, datetime, time))


def test_answering_leaves_no_trace_of_who_answered(app, factory, login):
    s = setup(app, factory)
    rating = add_question(app, s.gathering_id, "Hvor nyttig var gruppearbeidet?")
    free = add_question(app, s.gathering_id, "Hva vil du ta opp neste gang?", QuestionKind.TEXT)
    hold(login(s.people["coordinator"]), s)
    person = s.people["participant"]
    http = login(person)
    assert http.get(s.url).status_code == 200  # opening the form writes nothing either

    before = snapshot(app)
    response = http.post(s.url, data={**VALID, "best": "Gruppearbeidet", f"question_{rating}": "4",
                                      f"question_{free}": "Tomtepolitikk"})
    assert response.status_code == 302
    after = snapshot(app)

    changed, removed = changes(before, after)
    assert removed == []
    new = {name: [row for table, _key, _columns, row, is_new in changed if table == name and is_new]
           for name in ("evaluation_response", "evaluation_answer")}
    assert len(new["evaluation_response"]) == 1 and len(new["evaluation_answer"]) == 2
    updated = [(table, columns, row) for table, _key, columns, row, is_new in changed if not is_new]
    assert [(table, columns) for table, columns, _row in updated] == [("evaluation_invitation", {"answered"})]
    invitation = updated[0][2]
    assert (invitation["person_id"], invitation["gathering_id"], invitation["answered"]) == (person.id, s.gathering_id, True)
    assert {table for table, *_rest in changed} == {"evaluation_response", "evaluation_answer", "evaluation_invitation"}

    with app.app_context():
        stored = db.session.get(Person, person.id)
        traces = {stored.email.lower(), stored.name.lower()}
    tables = {table.name: table for table in db.metadata.sorted_tables}
    for name, _key, columns, row, is_new in changed:
        table = tables[name]
        for column_name in columns:
            column, value = table.columns[column_name], row[column_name]
            assert not is_time(column, value), f"{name}.{column_name} holds a time"
            if name == "evaluation_invitation":
                continue  # the invitation names the person by design; only its flag changed
            assert not any(fk.column.table.name == "person" for fk in column.foreign_keys), f"{name}.{column_name}"
            if isinstance(value, str):
                assert not any(trace in value.lower() for trace in traces), f"{name}.{column_name} = {value!r}"
            if isinstance(value, int) and not isinstance(value, bool) and not column.foreign_keys \
                    and column.type.__class__.__name__ != "SmallInteger":  # ratings are 1–5
                assert value != person.id, f"{name}.{column_name} holds the person's id"
    # The response's table has no column that could hold a person or a time at all.
    for name in ("evaluation_response", "evaluation_answer"):
        for column in tables[name].columns:
            assert not is_time(column, None)
            assert not any(fk.column.table.name in ("person", "evaluation_invitation") for fk in column.foreign_keys)
    response_row = new["evaluation_response"][0]
    assert len(response_row["id"]) == 32 and response_row["id"] != str(person.id)


def test_a_refused_answer_writes_nothing(app, factory, login):
    s = setup(app, factory)
    hold(login(s.people["coordinator"]), s)
    http = login(s.people["participant"])
    before = snapshot(app)
    assert http.post(s.url, data={**VALID, "relevance": "9"}).status_code == 422
    assert changes(before, snapshot(app)) == ([], [])
