"""Personal access tokens: made, checked and revoked. Only the SHA-256 of a token is stored."""
from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from flask_babel import gettext as _

from network.api.models import ApiToken
from network.extensions import db
from network.main import clock
from network.models_base import utcnow

PREFIX = "ksn_"
MAX_LIFETIME = timedelta(days=365)
# last_used_at is written at most this often, so a busy token does not write on every request.
LAST_USED_RESOLUTION = timedelta(minutes=1)


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8", "surrogatepass")).hexdigest()


def create(person, name: str, expires_at: datetime, network_id: int | None = None) -> tuple[ApiToken, str]:
    """A new token for ``person``; returns the row and the plaintext, which is never seen again."""
    now = utcnow()
    if expires_at <= now or expires_at > now + MAX_LIFETIME + timedelta(days=1):
        raise ValueError("a token expires within a year")
    secret = PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(person_id=person.id, name=name.strip(), token_hash=hash_secret(secret),
                     network_id=network_id, created_at=now, expires_at=expires_at)
    db.session.add(token)
    db.session.flush()
    return token, secret


def verify(secret: str) -> ApiToken | None:
    """The usable token for ``secret``, with its person, or None (unknown, revoked or expired)."""
    if not secret.startswith(PREFIX) or len(secret) > 200:
        return None
    digest = hash_secret(secret)
    token = db.session.scalar(select(ApiToken).options(joinedload(ApiToken.person))
                              .where(ApiToken.token_hash == digest))
    # The lookup finds the row by its hash; the comparison that decides is constant-time.
    if token is None or not hmac.compare_digest(token.token_hash, digest):
        return None
    if not token.is_usable(utcnow()) or not token.person.active:
        return None
    return token


def touch(token: ApiToken) -> None:
    now = utcnow()
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
        token.last_used_at = now
        db.session.commit()


def tokens_of(person) -> list[ApiToken]:
    return list(db.session.scalars(select(ApiToken).options(joinedload(ApiToken.network))
                                   .where(ApiToken.person_id == person.id)
                                   .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())))


def revoke(token: ApiToken) -> None:
    if token.revoked_at is None:
        token.revoked_at = utcnow()


class TokenError(ValueError):
    """A token that cannot be made as asked; the message is for the person."""


def last_day_allowed() -> date:
    return clock.oslo_today() + MAX_LIFETIME


def expiry_of(last_day: date) -> datetime:
    """A token chosen to work "to and including" a day stops at the end of that day in Oslo."""
    if not clock.oslo_today() <= last_day <= last_day_allowed():
        raise TokenError(_("Velg en dato fra i dag og høyst ett år fram, senest %(day)s.",
                           day=last_day_allowed().strftime("%d.%m.%Y")))
    end = datetime.combine(last_day + timedelta(days=1), time(0), tzinfo=clock.OSLO)
    return end.astimezone(utcnow().tzinfo)


def token_of(person, token_id: int) -> ApiToken | None:
    """One of the person's own tokens; nobody else's."""
    return db.session.scalar(select(ApiToken).where(ApiToken.id == token_id, ApiToken.person_id == person.id))
