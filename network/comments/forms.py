from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, RadioField, TextAreaField
from wtforms.validators import AnyOf, DataRequired, InputRequired, Length

from network.assignments.models import NotificationMode
from network.comments.services import BODY_MAX


def clean_text(value):
    """Browsers send line breaks as CRLF; count them as one character, as the person sees them."""
    return value.replace("\r\n", "\n").strip() if isinstance(value, str) else value


class CommentForm(FlaskForm):
    body = TextAreaField(
        _l("Kommentar"),
        description=_l("Du kan bruke Markdown: **fet**, *kursiv*, lister og lenker. Høyst %(max)s tegn.", max=BODY_MAX),
        filters=[clean_text],
        render_kw={"rows": 8},
        validators=[
            DataRequired(_l("Skriv en kommentar.")),
            Length(max=BODY_MAX, message=_l("Kommentaren kan være høyst %(max)s tegn.", max=BODY_MAX)),
        ],
    )
    # Set when answering a comment; the service checks that it belongs to the same submission.
    parent_id = HiddenField()

    @property
    def parent(self) -> int | None:
        """The comment answered; 0 (no such comment) for anything but an id, so the service says so."""
        value = (self.parent_id.data or "").strip()
        if not value:
            return None
        return int(value) if value.isdigit() and len(value) <= 10 else 0


MODE_MESSAGE = _l("Velg hvordan du vil få e-post om nye kommentarer.")


class NotificationForm(FlaskForm):
    comment_mode = RadioField(
        _l("Hvordan vil du få vite om nye kommentarer?"),
        choices=[(mode.value, mode.label) for mode in NotificationMode],
        validators=[InputRequired(MODE_MESSAGE), AnyOf([mode.value for mode in NotificationMode], message=MODE_MESSAGE)],
        validate_choice=False,  # AnyOf gives the Norwegian message
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The labels are lazy; pick them up in the request's language.
        self.comment_mode.choices = [(mode.value, mode.label) for mode in NotificationMode]
