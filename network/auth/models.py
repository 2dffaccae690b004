from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from flask_babel import lazy_gettext as _l
from flask_login import UserMixin
from sqlalchemy import Boolean, CheckConstraint, ForeignKey, String, or_
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from network.extensions import db
from network.models_base import LabelledEnum, UTCDateTime, labelled, str_enum, utcnow

if TYPE_CHECKING:
    from network.networks.models import NetworkRole
    from network.organisations.models import Organisation


def normalise_email(email: str) -> str:
    return email.strip().lower()


class ContactPreference(LabelledEnum):
    """How the person would rather be contacted, shown with their details to the network."""

    EMAIL = "email"
    PHONE = "phone"


CONTACT_PREFERENCE_LABELS = labelled(ContactPreference, {
    ContactPreference.EMAIL: _l("E-post"),
    ContactPreference.PHONE: _l("Telefon"),
})


class Person(UserMixin, db.Model):
    """A user account. E-mail is stored lower-case, so uniqueness is case-insensitive."""

    __tablename__ = "person"
    __table_args__ = (CheckConstraint("email = lower(email)", name="email_lower_case"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    email: Mapped[str] = mapped_column(String(254), unique=True)
    job_title: Mapped[str | None] = mapped_column(String(120))
    # E.164 (+4791234567), checked by network/validators.py's PhoneNumber.
    phone: Mapped[str | None] = mapped_column(String(30))
    preferred_contact: Mapped[ContactPreference] = mapped_column(
        str_enum(ContactPreference, "contact_preference"), default=ContactPreference.EMAIL,
        server_default=ContactPreference.EMAIL.value,
    )
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"), index=True)
    password_hash: Mapped[str | None] = mapped_column(String(255))
    # KS staff who may create networks and act as coordinator in all of them.
    is_admin: Mapped[bool] = mapped_column(Boolean, default=False)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # The secret in the URL of the person's private calendar feed; made on first use.
    calendar_token: Mapped[str | None] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # When the person first set a password (answered the invitation). Kept in a network's archive,
    # where the password is not, so an imported team still counts who had joined.
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The language the person chose (nb, nn or en): pages and the mail they get. None until they
    # choose; their browser's languages decide meanwhile, and mail is in bokmål.
    language: Mapped[str | None] = mapped_column(String(8))

    organisation: Mapped[Organisation | None] = relationship(back_populates="people")
    roles: Mapped[list[NetworkRole]] = relationship(
        back_populates="person", cascade="all, delete-orphan"
    )

    # The token of the sign-in this object was loaded for (or signed in with); not a column.
    login_token = None

    @validates("email")
    def _normalise_email(self, _key: str, value: str) -> str:
        return normalise_email(value)

    def get_id(self) -> str:
        """What Flask-Login keeps in the session cookie: the token of a sign-in (``LoginSession``),
        not the person's id, so that signing out or a new password ends it on every copy of the
        cookie. The sign-in views start that sign-in (``sessions.start``) before ``login_user``;
        without one this is empty, and an empty value signs nobody in."""
        return self.login_token or ""

    # UserMixin compares get_id(), the sign-in's token; people are the same by id.
    def __eq__(self, other: object) -> bool:
        if isinstance(other, Person):
            return self is other or (self.id is not None and self.id == other.id)
        return NotImplemented

    def __ne__(self, other: object) -> bool:
        equal = self.__eq__(other)
        return equal if equal is NotImplemented else not equal

    __hash__ = object.__hash__

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive accounts
        return self.active

    @property
    def has_password(self) -> bool:
        return self.password_hash is not None

    @hybrid_property
    def has_accepted(self) -> bool:
        """Has answered an invitation: set a password (or signed in) at some time. Team checks
        count only such people; the others are "invited, not answered yet"."""
        return self.accepted_at is not None or self.password_hash is not None or self.last_login_at is not None

    @has_accepted.inplace.expression
    @classmethod
    def _has_accepted_expression(cls):
        """The same rule in SQL, for counts made in the database (networks.services.team_counts)."""
        return or_(cls.accepted_at.is_not(None), cls.password_hash.is_not(None), cls.last_login_at.is_not(None))

    def __repr__(self) -> str:
        return f"<Person {self.email}>"


class LoginSession(db.Model):
    """One sign-in. The session cookie carries its token; the table keeps only the token's SHA-256,
    so a copy of the database signs nobody in. Signing out deletes the row; a new password deletes
    all of the person's rows."""

    __tablename__ = "login_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)


class PasswordResetRequest(db.Model):
    """"Glemt passord" as asked for: the address only. The request that asks does nothing more, so
    it takes the same time whether or not the address has an account; the lookup, the link and the
    mail come after the response (and from ``flask mail send-pending``), and the row is deleted."""

    __tablename__ = "password_reset_request"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
