from __future__ import annotations

from flask import Blueprint

bp = Blueprint("planning", __name__, url_prefix="/networks")
