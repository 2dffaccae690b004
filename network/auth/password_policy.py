"""What a new password must be (OWASP ASVS 4.0, section 2.1), checked offline.

- At least 12 characters (2.1.1); any characters, spaces too; no rules about digits or capitals (2.1.9).
- Not one of the 30,000 most common passwords (2.1.7). The list ships with the ``zxcvbn`` package
  (zxcvbn-python, MIT licence, from Dropbox's zxcvbn): ``zxcvbn.frequency_lists``' ``passwords``,
  ranked from leaked password lists. Nothing is sent anywhere.
- Not the person's e-mail address or name, nor containing them.
- Not too easy to guess: zxcvbn's score at least ``MIN_SCORE`` (of 0–4). Score 0 and 1 mean fewer
  than a million guesses: "aaaaaaaaaaaa", "123456789012", "password1234".

The form shows a hint (2.1.8); after a weak attempt it adds zxcvbn's advice, in Norwegian.
"""
from __future__ import annotations

import re
from functools import cache

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

MIN_LENGTH = 12
MAX_LENGTH = 200
MIN_SCORE = 2
ZXCVBN_MAX_LENGTH = 72  # zxcvbn refuses longer input; the first 72 characters decide anyway
MIN_NAME_PART = 4  # shorter parts of a name ("Ola", "Li") occur inside too many other words

# zxcvbn's advice is English; these are our own translations of each of its sentences.
ADVICE = {
    "Use a few words, avoid common phrases.": _l("Bruk noen ord, men unngå kjente uttrykk."),
    "No need for symbols, digits, or uppercase letters.": _l("Du trenger ikke spesialtegn, tall eller store bokstaver."),
    "Add another word or two. Uncommon words are better.": _l("Legg til et ord eller to. Uvanlige ord er best."),
    "Straight rows of keys are easy to guess.": _l("Taster som står på rad, er lette å gjette."),
    "Short keyboard patterns are easy to guess.": _l("Korte mønstre på tastaturet er lette å gjette."),
    "Use a longer keyboard pattern with more turns.": _l("Unngå mønstre på tastaturet."),
    'Repeats like "aaa" are easy to guess.': _l("Gjentakelser som «aaa» er lette å gjette."),
    'Repeats like "abcabcabc" are only slightly harder to guess than "abc".':
        _l("Gjentakelser som «abcabcabc» er bare litt vanskeligere å gjette enn «abc»."),
    "Avoid repeated words and characters.": _l("Unngå å gjenta ord og tegn."),
    'Sequences like "abc" or "6543" are easy to guess.': _l("Rekker som «abc» eller «6543» er lette å gjette."),
    "Avoid sequences.": _l("Unngå rekker."),
    "Recent years are easy to guess.": _l("Årstall fra de siste årene er lette å gjette."),
    "Avoid recent years.": _l("Unngå nyere årstall."),
    "Avoid years that are associated with you.": _l("Unngå årstall som har med deg å gjøre."),
    "Dates are often easy to guess.": _l("Datoer er ofte lette å gjette."),
    "Avoid dates and years that are associated with you.": _l("Unngå datoer og årstall som har med deg å gjøre."),
    "This is a top-10 common password.": _l("Dette er blant de 10 mest brukte passordene."),
    "This is a top-100 common password.": _l("Dette er blant de 100 mest brukte passordene."),
    "This is a very common password.": _l("Dette er et svært vanlig passord."),
    "This is similar to a commonly used password.": _l("Dette ligner på et mye brukt passord."),
    "A word by itself is easy to guess.": _l("Et ord alene er lett å gjette."),
    "Names and surnames by themselves are easy to guess.": _l("Navn og etternavn alene er lette å gjette."),
    "Common names and surnames are easy to guess.": _l("Vanlige navn og etternavn er lette å gjette."),
    "Capitalization doesn't help very much.": _l("Stor forbokstav hjelper lite."),
    "All-uppercase is almost as easy to guess as all-lowercase.":
        _l("Bare store bokstaver er nesten like lett å gjette som bare små."),
    "Reversed words aren't much harder to guess.": _l("Ord skrevet baklengs er ikke mye vanskeligere å gjette."),
    "Predictable substitutions like '@' instead of 'a' don't help very much.":
        _l("Forutsigbare bytter, som «@» i stedet for «a», hjelper lite."),
}


HINT = _l("Minst %(n)s tegn. Bruk gjerne flere ord som ikke hører sammen, eller en setning bare du kjenner. "
          "Du trenger ikke tall, store bokstaver eller spesialtegn.", n=MIN_LENGTH)


@cache
def _common_passwords() -> frozenset[str]:
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    return frozenset(FREQUENCY_LISTS["passwords"])


def _personal_parts(email: str | None, name: str | None) -> set[str]:
    parts = set()
    if email:
        email = email.strip().lower()
        parts |= {email, email.partition("@")[0]}
    if name:
        name = name.strip().lower()
        parts |= {name, re.sub(r"\s+", "", name)}
        parts |= {word for word in re.split(r"[\s\-.']+", name)}
    return {part for part in parts if len(part) >= MIN_NAME_PART}


def _advice(feedback: dict) -> list[str]:
    sentences = [feedback.get("warning") or "", *feedback.get("suggestions", [])]
    return [str(ADVICE[sentence]) for sentence in sentences if sentence in ADVICE]


def problem(password: str, *, email: str | None = None, name: str | None = None) -> str | None:
    """Why the password can't be used, in Norwegian, or None if it can. Length is the form's check."""
    if len(password) < MIN_LENGTH:
        return None
    folded = password.lower()
    compact = re.sub(r"\s+", "", folded)
    if folded in _common_passwords() or compact in _common_passwords():
        return _("Dette passordet er blant de mest brukte, og blir gjettet først. Velg et annet.")
    if any(part in folded or part in compact for part in _personal_parts(email, name)):
        return _("Passordet kan ikke inneholde navnet ditt eller e-postadressen din.")
    from zxcvbn import zxcvbn

    result = zxcvbn(password[:ZXCVBN_MAX_LENGTH], user_inputs=[part for part in (email, name) if part])
    if result["score"] < MIN_SCORE:
        return " ".join([_("Passordet er for lett å gjette."), *_advice(result["feedback"])])
    return None
