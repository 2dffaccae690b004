"""How every API route is made: ``api_get`` authenticates the token, lets the capability's own
access rules decide (flask_login's current_user is the token's owner), parses the query string
into a pydantic model, serialises the pydantic response, adds ETag/304 and Cache-Control, turns
every error into RFC 9457 problem details, and records the route for the OpenAPI document."""
from __future__ import annotations

import hashlib
import re
import time
from dataclasses import dataclass, field
from functools import lru_cache, wraps
from typing import Callable, Generic, TypeVar

from flask import Response, current_app, g, request
from flask_babel import gettext as _
from limits import parse_many
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from werkzeug.exceptions import HTTPException
from werkzeug.http import HTTP_STATUS_CODES

from network.api import bp
from network.api import tokens
from network.extensions import csrf, db, limiter

PROBLEM_MIMETYPE = "application/problem+json"
# Ids are integers in the database; larger ones in a path are simply not found (and never reach SQL).
MAX_ID = 2**31 - 1
CACHE_CONTROL = "private, no-cache"

csrf.exempt(bp)


# --- problem details (RFC 9457) ------------------------------------------------------------


class ProblemDetails(BaseModel):
    """An error, as RFC 9457 describes it."""

    model_config = ConfigDict(title="ProblemDetails", json_schema_extra={"examples": [{
        "type": "about:blank", "title": "Not Found", "status": 404,
        "detail": "Finnes ikke, eller du har ikke tilgang.", "instance": "/api/v1/networks/999"}]})

    type: str = "about:blank"
    title: str
    status: int
    detail: str | None = None
    instance: str | None = None
    invalid_params: list[dict[str, str]] | None = Field(default=None, alias="invalid-params")


DEFAULT_DETAIL = {
    400: lambda: _("Forespørselen er ugyldig."),
    401: lambda: _("Mangler gyldig tilgangsnøkkel. Send «Authorization: Bearer <nøkkel>»."),
    403: lambda: _("Du har ikke tilgang til dette."),
    404: lambda: _("Finnes ikke, eller du har ikke tilgang."),
    405: lambda: _("API-et er skrivebeskyttet: bare GET er tillatt."),
    429: lambda: _("For mange forespørsler. Vent litt og prøv igjen."),
    500: lambda: _("Noe gikk galt hos oss. Prøv igjen senere."),
}


class ApiProblem(HTTPException):
    """An HTTP error with problem details; ``raise problem(404)`` from a view."""

    def __init__(self, status: int, title: str | None = None, detail: str | None = None,
                 invalid_params: list[dict[str, str]] | None = None, headers: dict | None = None):
        super().__init__(description=detail)
        self.code = status
        self.title = title
        self.invalid_params = invalid_params
        self.extra_headers = headers or {}


def problem(status: int, title: str | None = None, detail: str | None = None, **extra) -> ApiProblem:
    return ApiProblem(status, title, detail, **extra)


def problem_response(status: int, title: str | None = None, detail: str | None = None,
                     invalid_params=None, headers: dict | None = None) -> Response:
    # The title stays the HTTP status phrase, in English: for type "about:blank" RFC 9457 (4.2.1)
    # asks for exactly that, and tools may match on it. What a person reads is ``detail`` and the
    # invalid-params' reasons, which go through Babel.
    body = ProblemDetails(
        title=title or HTTP_STATUS_CODES.get(status, "Error"), status=status,
        detail=detail if detail is not None else (DEFAULT_DETAIL[status]() if status in DEFAULT_DETAIL else None),
        instance=request.path, **{"invalid-params": invalid_params})
    response = Response(body.model_dump_json(by_alias=True, exclude_none=True), status=status,
                        mimetype=PROBLEM_MIMETYPE)
    response.headers["Cache-Control"] = "no-store"
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="api"'
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def is_api_request() -> bool:
    return request.path == bp.url_prefix or request.path.startswith(bp.url_prefix + "/")


def error_response(error: Exception) -> Response:
    """Any error under /api/ as problem details (network/main/errors.py sends them here, also for
    a path no route matches and a method the API does not take)."""
    db.session.rollback()
    if isinstance(error, ApiProblem):
        return problem_response(error.code, error.title, error.description, error.invalid_params, error.extra_headers)
    if isinstance(error, HTTPException) and error.code and error.code >= 400:
        headers = {}
        if error.code == 405:
            headers["Allow"] = "GET, HEAD"
        retry_after = getattr(error, "retry_after", None)
        if retry_after:
            headers["Retry-After"] = str(retry_after)
        # Our own messages: werkzeug's descriptions are English and sometimes name internals.
        return problem_response(error.code, headers=headers)
    if current_app.config.get("TESTING") and current_app.config.get("PROPAGATE_EXCEPTIONS"):
        raise error  # as network/main/errors.py: a test sees the real exception
    current_app.logger.exception("Unhandled error in the API")
    return problem_response(500)


# --- pagination -------------------------------------------------------------------------------


class PageQuery(BaseModel):
    """page/size, for every list; subclass it for a list's filters."""

    model_config = ConfigDict(extra="ignore")

    page: int = Field(1, ge=1, le=100_000, description="Sidenummer, fra 1.")
    size: int = Field(50, ge=1, le=200, description="Antall per side (høyst 200).")

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.size


T = TypeVar("T")


class Page(BaseModel, Generic[T]):
    """One page of a list, and how many there are in all."""

    items: list[T]
    page: int
    size: int
    total: int

    @classmethod
    def of(cls, query: PageQuery, total: int, items: list) -> "Page":
        return cls(items=items, page=query.page, size=query.size, total=total)


# --- authentication -------------------------------------------------------------------------


def _bearer() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _space, value = header.partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        return None
    return value.strip()


def authenticate():
    """The token of this request, its owner made flask_login's current_user (for this request
    only: no cookie is read or set). A missing or unusable token is a 401."""
    secret = _bearer()
    token = tokens.verify(secret) if secret else None
    if token is None:
        raise problem(401)
    g.api_token = token
    g._login_user = token.person  # flask_login's current_user for this request
    check_rate_limit(token)
    tokens.touch(token)
    return token


def current_api_token():
    return g.get("api_token")


def current_api_person():
    token = current_api_token()
    return token.person if token is not None else None


def token_network_id() -> int | None:
    """The network the token is limited to, or None; lists of networks filter on it."""
    token = current_api_token()
    return token.network_id if token is not None else None


def check_network(network_id: int) -> None:
    """A token limited to one network may not read another (403)."""
    limited = token_network_id()
    if limited is not None and limited != network_id:
        raise problem(403, detail=_("Tilgangsnøkkelen gjelder et annet nettverk."))


@lru_cache(maxsize=4)
def _rate_limits(spec: str) -> tuple:
    # The configured limit is parsed once, not on every request.
    return tuple(parse_many(spec))


def check_rate_limit(token) -> None:
    """Per token, in the limiter's storage (RATELIMIT_STORAGE_URI: the same store as the login
    limits, so several instances count together)."""
    if not limiter.enabled:
        return
    # Under RATELIMIT_KEY_PREFIX, as flask-limiter keys its own limits: two deployments sharing one
    # Redis must not count each other's token ids together.
    prefix = current_app.config.get("RATELIMIT_KEY_PREFIX") or ""
    key = (prefix, "api", str(token.id)) if prefix else ("api", str(token.id))
    for item in _rate_limits(current_app.config["API_RATE_LIMIT"]):
        if not limiter.limiter.hit(item, *key):
            reset_at, _remaining = limiter.limiter.get_window_stats(item, *key)
            retry = max(1, int(reset_at - time.time()))
            raise problem(429, headers={"Retry-After": str(retry)})


# --- routes -----------------------------------------------------------------------------------


@dataclass
class ApiRoute:
    rule: str
    endpoint: str
    view: Callable
    response: type[BaseModel]
    query: type[BaseModel] | None
    summary: str
    tag: str
    description: str = ""
    path_params: list[tuple[str, str]] = field(default_factory=list)  # (name, converter)
    problems: dict[str, str] = field(default_factory=dict)  # statuses beyond every route's, for the document


ROUTES: list[ApiRoute] = []
_PARAM = re.compile(r"<(?:(\w+):)?(\w+)>")


def _etag(body: bytes) -> str:
    return '"' + hashlib.sha256(body).hexdigest()[:32] + '"'


def _not_modified(etag: str) -> bool:
    header = request.headers.get("If-None-Match")
    if not header:
        return False
    if header.strip() == "*":
        return True
    candidates = {item.strip().removeprefix("W/") for item in header.split(",")}
    return etag in candidates


def json_response(model: BaseModel) -> Response:
    body = model.model_dump_json(by_alias=True).encode()
    etag = _etag(body)
    if _not_modified(etag):
        response = Response(status=304)
    else:
        response = Response(body, mimetype="application/json")
    response.headers["ETag"] = etag
    response.headers["Cache-Control"] = CACHE_CONTROL
    response.headers["Vary"] = "Authorization"
    return response


def _one_of(context: dict) -> str:
    # pydantic lists the allowed values as "'a', 'b' or 'c'" (our own enums' names); its English "or"
    # becomes a comma, so the list reads the same in every language the reason is given in.
    return context.get("expected", "").replace("' or '", "', '")


# Why a query parameter was refused, in the user's language (pydantic's own messages are English).
# By pydantic's error type; a type not listed here gets the general reason.
REASONS: dict[str, Callable[[dict], str]] = {
    "int_parsing": lambda context: _("Må være et heltall."),
    "int_from_float": lambda context: _("Må være et heltall."),
    "greater_than_equal": lambda context: _("Må være minst %(limit)s.", limit=context["ge"]),
    "less_than_equal": lambda context: _("Kan være høyst %(limit)s.", limit=context["le"]),
    "enum": lambda context: _("Må være en av disse: %(values)s.", values=_one_of(context)),
    "literal_error": lambda context: _("Må være en av disse: %(values)s.", values=_one_of(context)),
    "string_pattern_mismatch": lambda context: _("Har feil form; se forklaringen i dokumentasjonen."),
}


def invalid_params(error: ValidationError) -> list[dict[str, str]]:
    def reason(item) -> str:
        explain = REASONS.get(item["type"])
        return explain(item.get("ctx") or {}) if explain else _("Ugyldig verdi.")

    return [{"name": ".".join(str(part) for part in item["loc"]) or "query", "reason": reason(item)}
            for item in error.errors(include_url=False, include_input=False)]


def wrap(view: Callable, response: type[BaseModel], query: type[BaseModel] | None,
         int_params: tuple[str, ...] = ()) -> Callable:
    """The view with authentication, network scope, query parsing and serialisation around it."""

    @wraps(view)
    def api_view(**kwargs):
        authenticate()
        for name in int_params:
            if not 1 <= kwargs[name] <= MAX_ID:
                raise problem(404)
        if "network_id" in kwargs:
            check_network(kwargs["network_id"])
        if query is not None:
            try:
                kwargs["query"] = query.model_validate(request.args.to_dict())
            except ValidationError as error:
                raise problem(400, detail=_("Ugyldige parametere i spørringen."),
                              invalid_params=invalid_params(error)) from None
        result = view(**kwargs)
        if not isinstance(result, response):
            result = response.model_validate(result, from_attributes=True)
        return json_response(result)

    return api_view


def api_get(rule: str, *, response: type[BaseModel], query: type[BaseModel] | None = None,
            summary: str, tag: str, description: str = "", problems: dict[str, str] | None = None) -> Callable:
    """Register a read-only route on the API blueprint (see the module's docstring). ``problems``:
    error statuses only this route answers ({"503": "why"}), so the document lists them."""

    def decorator(view: Callable) -> Callable:
        params = [(name, converter or "string") for converter, name in _PARAM.findall(rule)]
        wrapped = wrap(view, response, query, tuple(name for name, converter in params if converter == "int"))
        bp.add_url_rule(rule, endpoint=view.__name__, view_func=wrapped, methods=["GET"])
        ROUTES.append(ApiRoute(rule, f"{bp.name}.{view.__name__}", view, response, query, summary, tag,
                               description or (view.__doc__ or "").strip(), params, dict(problems or {})))
        return view

    return decorator


@bp.errorhandler(Exception)
def _api_error(error):
    return error_response(error)
