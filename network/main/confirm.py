"""Ask before a destructive or irreversible action, in a way that needs no JavaScript.

A view that removes, cancels, delivers for good, or sends mail it can't take back calls
``ask_first(...)`` once it has loaded its objects, checked access and read the form. Posted without
``confirmed=1``, nothing has happened yet and the answer is a confirmation page (200) that says
what will happen and to whom. Its "Ja, …" button posts the same fields again with ``confirmed=1``;
"Avbryt" goes back. The buttons in the templates keep posting to the same addresses, so the flow
is: click, read the confirmation page, confirm.

    page = ask_first(title=_("Slette grupperingen?"), message=…, button=_("Ja, slett grupperingen"),
                     back=url_for(…), below={"grouping": grouping})
    if page is not None:
        return page
"""
from __future__ import annotations

from dataclasses import dataclass

from flask import render_template, request
from flask_babel import gettext as _

from network.auth.services import is_safe_next

CONFIRM_FIELD = "confirmed"
# Never copied into the confirmation form: the page brings a fresh token and its own "confirmed".
_NOT_CARRIED = frozenset({"csrf_token", CONFIRM_FIELD})


@dataclass(frozen=True)
class Confirmation:
    title: str                    # the question, as the page's heading
    message: str                  # what will happen, and to whom
    button: str                   # "Ja, …"
    back: str                     # where "Avbryt" goes
    afterwards: str               # whether, and how, it can be undone
    action: str                   # the address the form posts to (the one just posted to)
    hidden: tuple[tuple[str, str], ...]
    warning: str | None = None    # an extra warning, shown as an alert (losing one's own access)
    details: tuple[str, ...] = ()  # further consequences, one per line


def confirmed() -> bool:
    return request.method == "POST" and request.form.get(CONFIRM_FIELD) == "1"


def ask_first(*, title: str, message: str, button: str, back: str | None = None, afterwards: str | None = None,
              warning: str | None = None, details: tuple[str, ...] | list[str] = (), fields: dict | None = None,
              below: dict | None = None):
    """None when the request carries the confirmation; otherwise the confirmation page (200).

    ``afterwards`` says how the action can be undone; without it the page says it can't be.
    ``fields`` replaces posted values in the confirmation form (a version that has moved on).
    ``below`` names the objects the page lies below in the breadcrumb trail, by the names the trail
    looks for (``gathering=``, ``grouping=``, ``membership=``…; network/main/navigation.py PARENTS), so
    the trail ends at the object acted on, then the question."""
    if confirmed():
        return None
    replaced = dict(fields or {})
    hidden = [(name, value) for name, values in request.form.lists()
              if name not in _NOT_CARRIED and name not in replaced for value in values]
    hidden += [(name, str(value)) for name, value in replaced.items()]
    query = request.query_string.decode("latin-1")
    confirmation = Confirmation(
        title=title, message=message, button=button, back=_back(back),
        afterwards=afterwards if afterwards is not None else _("Dette kan ikke angres."),
        action=request.path + (f"?{query}" if query else ""), hidden=tuple(hidden),
        warning=warning, details=tuple(details),
    )
    return render_template("main/confirm.html", **(below or {}), confirmation=confirmation), 200


def _back(back: str | None) -> str:
    """The page the button was on: the view's own choice, else the referring page on this site."""
    if back:
        return back
    referrer = request.referrer or ""
    host = request.host_url
    if referrer.startswith(host) and is_safe_next("/" + referrer[len(host):]):
        return "/" + referrer[len(host):]
    return "/"
