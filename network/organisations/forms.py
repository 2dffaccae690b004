from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import StringField
from wtforms.validators import Optional

from network.validators import OrgNumber


class OrgNumberForm(FlaskForm):
    org_number = StringField(
        _l("Organisasjonsnummer"),
        description=_l("9 sifre, som i Enhetsregisteret (Brønnøysundregistrene). Mellomrom går fint. "
                       "La feltet stå tomt for å fjerne nummeret."),
        validators=[Optional(), OrgNumber()],
        render_kw={"inputmode": "numeric", "autocomplete": "off"},
    )


class OrgNumberImportForm(FlaskForm):
    file = FileField(_l("CSV-fil"), description=_l("Kolonnene «kommunenummer» og «organisasjonsnummer», "
                                                   "skilt med semikolon eller komma."))
