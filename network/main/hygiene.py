"""Input hygiene for every request: what reaches a form or a query must be text the database and
the outputs (mail headers, .ics, HTML) can hold. Registered by the application factory."""
from __future__ import annotations

from flask import Flask


def register(app: Flask) -> None:
    """Hook the app's input hygiene in; see the module docstring."""
