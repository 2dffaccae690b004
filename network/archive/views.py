from __future__ import annotations

from flask import Blueprint

bp = Blueprint("archive", __name__)
