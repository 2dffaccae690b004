"""The read-only JSON API under /api/v1, for reporting tools. Authenticated by personal access
tokens (Authorization: Bearer), so it takes no cookies and needs no CSRF token; GET only."""
from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api/v1")

from network.api import docs, framework, resources  # noqa: E402,F401  (routes register on bp)
