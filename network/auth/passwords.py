"""Password hashing with argon2id.

The parameters come from the app's ``PASSWORD_HASH_PROFILE``: one of argon2-cffi's named profiles.
Every configuration uses RFC 9106's low-memory profile (3 passes over 64 MiB) except the test
configuration, which uses the cheapest one so the suite is not slowed by a hash meant to be slow;
tests/test_config.py fails if production ever gets anything weaker. A hash made with other
parameters is rehashed at the next sign-in (``needs_rehash``).
"""
from __future__ import annotations

from functools import cache

from argon2 import PasswordHasher, profiles
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app, has_app_context

STRONG_PROFILE = "RFC_9106_LOW_MEMORY"


@cache
def _hasher_for(profile: str) -> PasswordHasher:
    return PasswordHasher.from_parameters(getattr(profiles, profile))


@cache
def _dummy_hash(profile: str) -> str:
    # Verified against when the e-mail is unknown, so both failures take the same time.
    return _hasher_for(profile).hash("not-a-real-password")


def _profile() -> str:
    return current_app.config.get("PASSWORD_HASH_PROFILE", STRONG_PROFILE) if has_app_context() else STRONG_PROFILE


def hash_password(password: str) -> str:
    return _hasher_for(_profile()).hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    profile = _profile()
    try:
        return _hasher_for(profile).verify(password_hash or _dummy_hash(profile), password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher_for(_profile()).check_needs_rehash(password_hash)
