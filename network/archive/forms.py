"""The forms of the archive import: the upload, and the empty form that confirms it (CSRF only)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired


class ImportUploadForm(FlaskForm):
    archive = FileField(_l("Arkivfil (ZIP)"), validators=[FileRequired(_l("Velg arkivfilen du vil lese inn."))],
                        description=_l("ZIP-filen som ble lastet ned fra arkivsiden til et nettverk."),
                        render_kw={"accept": ".zip,application/zip"})


class ImportConfirmForm(FlaskForm):
    pass
