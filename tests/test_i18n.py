"""Every UI string goes through Flask-Babel, so nynorsk and English catalogues can follow."""
import re
from pathlib import Path

from babel.messages.extract import extract_from_dir

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = ROOT / "network" / "templates"


def _messages():
    method_map = [("network/**.py", "python"), ("network/templates/**.html", "jinja2"), ("network/templates/**.txt", "jinja2")]
    return {message for _file, _line, message, _comments, _context in extract_from_dir(
        str(ROOT), method_map=method_map, keywords={"_": None, "_l": None, "gettext": None, "ngettext": (1, 2), "lazy_gettext": None})}


def test_babel_extracts_the_ui_strings():
    messages = _messages()
    flat = {m if isinstance(m, str) else m[0] for m in messages}
    assert len(flat) > 150
    for expected in ("Logg inn", "Feil e-postadresse eller passord.", "Hopp til hovedinnholdet", "Min side",
                     "Forankringen hos kommunedirektøren (rådmannen) er ikke registrert."):
        assert expected in flat


def test_templates_have_no_bare_norwegian_text():
    """Text between tags must come from _(): a rough check for words left outside it."""
    offenders = []
    for path in TEMPLATES.rglob("*.html"):
        source = path.read_text(encoding="utf-8")
        source = re.sub(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", "", source, flags=re.S)
        source = re.sub(r"<script.*?</script>|<style.*?</style>", "", source, flags=re.S)
        for text in re.findall(r">([^<>]+)<", source):
            words = re.findall(r"[A-Za-zÆØÅæøå]{3,}", text)
            if words:
                offenders.append(f"{path.relative_to(ROOT)}: {text.strip()[:60]}")
    assert offenders == []


def test_mail_templates_have_no_bare_text():
    """A plain-text mail template is all text: every word must come from _() (or a value), so a
    mail in nynorsk or English has no bokmål left in it."""
    offenders = []
    for path in TEMPLATES.rglob("*.txt"):
        source = path.read_text(encoding="utf-8")
        source = re.sub(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", "", source, flags=re.S)
        for line in source.splitlines():
            if re.findall(r"[A-Za-zÆØÅæøå]{3,}", line):
                offenders.append(f"{path.relative_to(ROOT)}: {line.strip()[:60]}")
    assert offenders == []
