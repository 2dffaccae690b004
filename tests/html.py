"""Reading rendered pages in HTTP tests: text, the main region, error summaries, fields' errors and values."""
from __future__ import annotations

import re
from html import unescape


def text(response) -> str:
    return unescape(response.get_data(as_text=True))


def main(response) -> str:
    return text(response).split("<main")[1].split("</main>")[0]


def error_summary(response) -> str:
    match = re.search(r'<div class="ds-error-summary".*?</ul>', response.get_data(as_text=True), re.S)
    return unescape(match.group(0)) if match else ""


def field_error(response, field_id: str) -> str | None:
    match = re.search(rf'<div class="ds-validation-message" data-field="validation" id="{field_id}-error">(.*?)</div>',
                      response.get_data(as_text=True), re.S)
    return unescape(match.group(1)).strip() if match else None


def input_value(response, field_id: str) -> str | None:
    """The value of an input, or the text of a textarea, with that id."""
    html = response.get_data(as_text=True)
    tag = re.search(rf'<input[^>]*\bid="{field_id}"[^>]*>', html)
    if tag is None:
        textarea = re.search(rf'<textarea[^>]*\bid="{field_id}"[^>]*>(.*?)</textarea>', html, re.S)
        return unescape(textarea.group(1)).strip() if textarea else None
    value = re.search(r'\bvalue="([^"]*)"', tag.group(0))
    return unescape(value.group(1)) if value else None
