"""The translation catalogues (network/translations), read with Babel's own PO reader: what
scripts/i18n and the tests ask of them.

Bokmål is the source language, so its catalogue gives each message as its own translation
(``fill_source``); nynorsk and English are translated by people, following GLOSSARY.md.
"""
from __future__ import annotations

import re
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po

DIRECTORY = Path(__file__).resolve().parent.parent / "translations"
SOURCE = "nb"
TRANSLATED = ("nn", "en")
# %(name)s, %(count)d, %s and {name}: what Python's and Jinja's formatting fill in.
PLACEHOLDER = re.compile(r"%\([a-zA-Z_][a-zA-Z0-9_]*\)[sdifr]|%[sdif]|\{[a-zA-Z_][a-zA-Z0-9_]*\}")


def catalogue_path(language: str) -> Path:
    return DIRECTORY / language / "LC_MESSAGES" / "messages.po"


def read(path: Path) -> Catalog:
    with path.open("rb") as file:
        return read_po(file)


def write(catalogue: Catalog, path: Path) -> None:
    with path.open("wb") as file:
        write_po(file, catalogue, width=100)


def placeholders(text: str) -> list[str]:
    return sorted(PLACEHOLDER.findall(text))


def forms(message) -> tuple[list[str], list[str]]:
    """(the msgid's forms, the translation's forms) of a message, plural or not."""
    ids = list(message.id) if isinstance(message.id, (list, tuple)) else [message.id]
    strings = list(message.string) if isinstance(message.string, (list, tuple)) else [message.string]
    return ids, strings


def fill_source(path: Path) -> int:
    """Give every message of the bokmål catalogue its own text as translation; returns how many changed."""
    catalogue = read(path)
    changed = 0
    for message in catalogue:
        if not message.id:
            continue
        ids, strings = forms(message)
        if any(not s for s in strings) or message.fuzzy:
            message.string = tuple(ids) if isinstance(message.id, (list, tuple)) else message.id
            message.flags.discard("fuzzy")
            changed += 1
    write(catalogue, path)
    return changed


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "fill-source":
        fill_source(Path(sys.argv[2]))
    else:
        sys.exit("usage: python -m network.main.catalogues fill-source PATH")
