"""Count the SQL statements a block runs, for the "fixed number of queries" tests."""
from __future__ import annotations

from contextlib import contextmanager

from sqlalchemy import event

from network.extensions import db


@contextmanager
def count_queries(app):
    """``with count_queries(app) as statements:`` collects every statement sent to the database."""
    statements: list[str] = []

    def record(_conn, _cursor, statement, *_args):
        statements.append(statement)

    with app.app_context():
        # In tests the session is bound to the module's connection, which may come from another
        # app's engine than this one's: listen where the statements really go.
        engine = db.session.get_bind().engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)
