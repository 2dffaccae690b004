"""Issue 17, finding 6: "Glemt passord" took longer for a known address than for an unknown one.
Now the request only records the address, with the same statements either way; the lookup, the
link and the mail come once the response has been sent (and from ``flask mail send-pending``).

Tested by structure, not by timing: the same SQL and the same Python calls for both addresses,
no template rendered and nothing hashed or signed for a link inside the request."""
from __future__ import annotations

import gc
import re
import sys
from contextlib import contextmanager

from flask import template_rendered
from sqlalchemy import event, func, select

from network.auth.models import PasswordResetRequest
from network.extensions import db
from network.outbox.models import OutboxMessage, OutboxStatus

KNOWN = "glemsk@example.test"
UNKNOWN = "ingen@example.test"
SAVEPOINT = re.compile(r"sa_savepoint_\d+")


def _forgot(client, email):
    return client.post("/forgot-password", data={"email": email})


@contextmanager
def _observed(app):
    """The SQL statements, the templates rendered and the Python functions called in the block."""
    seen = {"sql": [], "templates": [], "calls": []}

    def on_sql(_conn, _cursor, statement, *_args):
        seen["sql"].append(SAVEPOINT.sub("sa_savepoint", statement))  # the tests' own savepoints are numbered

    def on_template(_app, template, **_extra):
        seen["templates"].append(template.name)

    def on_call(frame, what, _arg):
        if what == "call":
            code = frame.f_code
            seen["calls"].append((code.co_filename, code.co_name))

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", on_sql)
    template_rendered.connect(on_template, app)
    gc.collect()
    gc.disable()  # a collection (and the callbacks it runs) would land in one request and not the other
    sys.setprofile(on_call)
    try:
        yield seen
    finally:
        sys.setprofile(None)
        gc.enable()
        template_rendered.disconnect(on_template, app)
        event.remove(engine, "before_cursor_execute", on_sql)


def _mail_to(app, email):
    with app.app_context():
        return db.session.scalars(select(OutboxMessage).where(OutboxMessage.recipient == email)).all()


def _waiting(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(PasswordResetRequest))


def test_known_and_unknown_addresses_do_the_same_work_in_the_request(app, factory):
    factory.person(email=KNOWN)
    for email in (KNOWN, UNKNOWN):  # warm every cache first, so both measured requests start alike
        _forgot(app.test_client(), email)
    observed, responses = {}, []  # responses kept, so none is cleaned up while the next is observed
    for email in (KNOWN, UNKNOWN):
        client = app.test_client()  # a new visitor each time: the same (empty) session cookie
        with _observed(app) as seen:
            responses.append(_forgot(client, email))
        assert responses[-1].status_code == 302 and responses[-1].location == "/login"
        observed[email] = seen

    known, unknown = observed[KNOWN], observed[UNKNOWN]
    assert known["sql"] == unknown["sql"]
    assert [s for s in known["sql"] if not s.startswith(("SAVEPOINT", "RELEASE"))] == [
        s for s in known["sql"] if "password_reset_request" in s]  # one insert, nothing else
    assert known["templates"] == unknown["templates"] == []
    assert known["calls"] == unknown["calls"]
    called = {f"{filename}:{name}" for filename, name in known["calls"]}
    for what in ("network/auth/tokens.py:", "network/auth/passwords.py:", "argon2",
                 "network/auth/services.py:find_person_by_email", "network/auth/services.py:queue_password_reset",
                 "network/outbox/services.py:queue_mail", "network/outbox/services.py:send_pending",
                 "flask/templating.py:render_template"):
        assert not [call for call in called if what in call], f"{what} ran inside the request"


def test_the_mail_arrives_for_a_known_address_after_the_response(app, factory, client):
    factory.person(email=KNOWN)
    response = _forgot(client, KNOWN)
    assert _mail_to(app, KNOWN) == []  # nothing yet: the response has not been sent
    response.close()  # the server has sent it
    [mail] = _mail_to(app, KNOWN)
    assert mail.status is OutboxStatus.SENT
    assert re.search(r"http://localhost/reset-password/\S+", mail.body_text)
    assert _waiting(app) == 0


def test_nothing_is_sent_for_an_unknown_address(app, client):
    _forgot(client, UNKNOWN).close()
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 0
    assert _waiting(app) == 0


def test_the_cron_run_handles_requests_the_response_did_not(app, factory, client, runner):
    factory.person(email=KNOWN)
    _forgot(client, KNOWN)  # never closed: the worker died, say
    _forgot(client, UNKNOWN)
    assert _waiting(app) == 2
    result = runner.invoke(args=["mail", "send-pending"])
    assert result.exit_code == 0, result.output
    assert "Sent 1, failed 0." in result.output
    assert len(_mail_to(app, KNOWN)) == 1
    assert _waiting(app) == 0


def test_a_request_is_handled_once(app, factory, client, runner):
    factory.person(email=KNOWN)
    response = _forgot(client, KNOWN)
    response.close()
    runner.invoke(args=["mail", "send-pending"])
    response.close()
    assert len(_mail_to(app, KNOWN)) == 1


def test_an_inactive_account_gets_no_mail(app, factory, client):
    factory.person(email=KNOWN, active=False)
    _forgot(client, KNOWN).close()
    assert _mail_to(app, KNOWN) == []
