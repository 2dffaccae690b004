"""The three catalogues (network/translations) are complete, current and keep their placeholders.

A message added to the code without a translation fails here until ``scripts/i18n`` has taken it
into the catalogues and a person has translated it into nynorsk and English.
"""
from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir

from network.main.catalogues import SOURCE, TRANSLATED, catalogue_path, forms, placeholders, read

ROOT = Path(__file__).resolve().parent.parent
LANGUAGES = (SOURCE, *TRANSLATED)
METHODS = [("network/**.py", "python"), ("network/templates/**.html", "jinja2"),
           ("network/templates/**.txt", "jinja2")]


def _key(message_id) -> str:
    return message_id[0] if isinstance(message_id, (list, tuple)) else message_id


@pytest.fixture(scope="module")
def in_code() -> set[str]:
    """Every message the code and the templates mark for translation, as ``scripts/i18n`` extracts them."""
    keywords = {**DEFAULT_KEYWORDS, "_l": None, "lazy_gettext": None}
    return {_key(message) for _file, _line, message, _comments, _context
            in extract_from_dir(str(ROOT), method_map=METHODS, keywords=keywords) if message}


@pytest.fixture(scope="module")
def catalogues() -> dict:
    return {language: read(catalogue_path(language)) for language in LANGUAGES}


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_catalogue_holds_every_message_of_the_code_and_no_other(in_code, catalogues, language):
    held = {_key(message.id) for message in catalogues[language] if message.id}
    missing, stale = sorted(in_code - held), sorted(held - in_code)
    assert not missing, f"{language}: {len(missing)} messages not in the catalogue (run scripts/i18n): {missing[:10]}"
    assert not stale, f"{language}: {len(stale)} messages no longer in the code (run scripts/i18n): {stale[:10]}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_message_is_translated_and_none_is_fuzzy(catalogues, language):
    untranslated = [_key(m.id) for m in catalogues[language] if m.id and not all(forms(m)[1])]
    fuzzy = [_key(m.id) for m in catalogues[language] if m.id and m.fuzzy]
    assert not untranslated, f"{language}: {len(untranslated)} untranslated, such as {untranslated[:10]}"
    assert not fuzzy, f"{language}: {len(fuzzy)} fuzzy, such as {fuzzy[:10]}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_translation_keeps_the_placeholders_of_its_message(catalogues, language):
    """%(name)s and its kind, in every form of a plural: a missing or renamed one is a KeyError
    at runtime, or a number shown in the wrong place. (A plural's singular may leave out the
    number, "Én kommentar".)"""
    broken = []
    for message in catalogues[language]:
        if not message.id:
            continue
        ids, strings = forms(message)
        for index, text in enumerate(strings):
            if not text:
                continue  # untranslated: the test above reports it
            source = ids[min(index, len(ids) - 1)]
            wanted, found = placeholders(source), placeholders(text)
            if found != wanted and not (len(ids) > 1 and index == 0 and set(found) <= set(wanted)):
                broken.append(f"{source!r} → {text!r}")
    assert not broken, f"{language}: {broken[:10]}"


def test_bokmal_is_its_own_translation(catalogues):
    """The source language's catalogue gives each message unchanged (scripts/i18n fills it)."""
    different = [m.id for m in catalogues[SOURCE] if m.id and forms(m)[0] != forms(m)[1]]
    assert different == []


@pytest.mark.parametrize(("language", "share"), [("nn", 0.35), ("en", 0.05)])
def test_a_translated_catalogue_is_really_in_its_own_language(catalogues, language, share):
    """Most of a translated catalogue differs from the bokmål. Nynorsk shares many words with it
    («Samling», «Lagre», «Kommune»); English only names and placeholders."""
    messages = [m for m in catalogues[language] if m.id]
    same = [m for m in messages if forms(m)[0] == forms(m)[1]]
    assert len(same) < share * len(messages), f"{language}: {len(same)} of {len(messages)} equal to the bokmål"


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_catalogue_compiles_and_is_found_at_run_time(app, language):
    from flask_babel import force_locale, gettext

    from network.main.language import babel_locale

    catalogue = read(catalogue_path(language))
    message = next(m for m in catalogue if m.id == "Logg inn")
    with app.test_request_context(), force_locale(babel_locale(language)):
        assert gettext("Logg inn") == message.string
