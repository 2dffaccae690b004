"""Evaluations after each gathering: the invited answer once and anonymously; coordinators add
questions; coordinators and observers read and export the results and compare the gatherings.

Each view loads its objects, checks access in ``network.evaluations.access``, then acts.
"""
from __future__ import annotations

from dataclasses import dataclass

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import format_percent
from flask_babel import gettext as _
from flask_login import current_user, login_required

from network.evaluations import access, export, services
from network.evaluations.forms import MoveForm, QuestionForm, evaluation_form
from network.evaluations.models import STANDARD_RATINGS, EvaluationInvitation, EvaluationQuestion
from network.evaluations.services import AlreadyAnswered, EvaluationError
from network.extensions import db
from network.gatherings.loading import load_gathering
from network.gatherings.models import Gathering, GatheringStatus
from network.main.confirm import ask_first
from network.main.charts import Bar, Series, bar_chart
from network.main.numbers import decimal_text, round_half_up
from network.main.spreadsheets import csv_response
from network.networks.forms import EmptyForm
from network.networks.loading import found, load_network, require

bp = Blueprint("evaluations", __name__)

G = "/networks/<int:network_id>/gatherings/<int:gathering_id>/evaluation"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def attach(form, problems) -> None:
    """Put each problem on its field, or above the form."""
    for name, message in problems:
        target = form._fields.get(name) if name else None
        if target is None:
            form.form_errors.append(message)
        else:
            target.errors = [*target.errors, message]


def status_code(form) -> int:
    return 422 if form.errors else 200


def load_question(gathering: Gathering, question_id: int) -> EvaluationQuestion:
    return found(services.get_question(gathering, question_id))


# --- formatting, for templates and charts -----------------------------------------------


@bp.app_template_global()
def evaluation_results_visible(network) -> bool:
    """For the menu: whether the signed-in person may read the evaluation results."""
    return access.can_view_results(current_user, network)


@bp.app_template_global()
def evaluation_rate(value: float | None) -> str:
    """A response rate: "75 %", or a dash when nobody was invited."""
    return format_percent(round_half_up(value, 2)) if value is not None else "–"


@bp.app_template_global()
def evaluation_mean(value: float | None) -> str:
    """An average on the 1–5 scale with one decimal, rounded half up as in the exports: "4,1"."""
    return decimal_text(value, 1)


# --- template globals for other pages ---------------------------------------------------


@bp.app_template_global()
def my_open_evaluations() -> list[EvaluationInvitation]:
    """For "Min side": the signed-in person's unanswered evaluations. Two queries."""
    if not current_user.is_authenticated:
        return []
    return services.open_invitations(current_user)


@dataclass
class GatheringEvaluation:
    invitation: EvaluationInvitation | None
    can_view_results: bool
    can_manage: bool
    invited: int = 0
    answered: int = 0

    @property
    def response_rate(self) -> float | None:
        return services.rate(self.answered, self.invited)

    @property
    def shown(self) -> bool:
        return self.invitation is not None or self.can_view_results


@bp.app_template_global()
def gathering_evaluation(gathering: Gathering) -> GatheringEvaluation:
    """For the gathering page: the viewer's own invitation, and the counts for those who read results."""
    network = gathering.network
    section = GatheringEvaluation(
        invitation=services.invitation_for(gathering, current_user),
        can_view_results=access.can_view_results(current_user, network),
        can_manage=access.can_manage_questions(current_user, network),
    )
    if section.can_view_results:
        section.invited, section.answered = services.invitation_counts([gathering.id]).get(gathering.id, (0, 0))
    return section


# --- answering --------------------------------------------------------------------------


def _load_invitation(network_id: int, gathering_id: int) -> tuple[Gathering, EvaluationInvitation]:
    gathering = load_gathering(network_id, gathering_id)
    invitation = services.invitation_for(gathering, current_user)
    require(access.can_answer(invitation))
    return gathering, invitation


def _already_answered(gathering: Gathering, status: int = 200):
    return render_template("evaluations/already_answered.html", network=gathering.network, gathering=gathering), status


@bp.route(G, methods=["GET", "POST"])
@login_required
def answer(network_id: int, gathering_id: int):
    gathering, invitation = _load_invitation(network_id, gathering_id)
    if invitation.answered:
        return _already_answered(gathering, 409 if request.method == "POST" else 200)
    questions = services.questions_for(gathering)
    form = evaluation_form(questions)
    if request.method == "POST":
        form.validate()  # the CSRF token; the rules are in services
        try:
            answers = services.read_answers(questions, request.form)
        except EvaluationError as error:
            attach(form, error.problems)
        else:
            if not form.errors:
                try:
                    services.submit(invitation, questions, answers)
                except AlreadyAnswered:
                    db.session.rollback()
                    return _already_answered(gathering, 409)
                db.session.commit()
                return redirect(url_for("evaluations.thanks", network_id=network_id, gathering_id=gathering_id))
    return render_template("evaluations/answer.html", network=gathering.network, gathering=gathering, form=form,
                           questions=questions), status_code(form)


@bp.get(G + "/thanks")
@login_required
def thanks(network_id: int, gathering_id: int):
    gathering, invitation = _load_invitation(network_id, gathering_id)
    if not invitation.answered:
        return redirect(url_for("evaluations.answer", network_id=network_id, gathering_id=gathering_id))
    return render_template("evaluations/thanks.html", network=gathering.network, gathering=gathering)


# --- the coordinators' questions --------------------------------------------------------


def _questions_page(gathering: Gathering, form: QuestionForm):
    return render_template(
        "evaluations/questions.html", network=gathering.network, gathering=gathering, form=form,
        questions=services.questions_for(gathering), response_count=services.response_count(gathering),
        action_form=EmptyForm(),
    ), status_code(form)


@bp.route(G + "/questions", methods=["GET", "POST"])
@login_required
def questions(network_id: int, gathering_id: int):
    gathering = load_gathering(network_id, gathering_id)
    require(access.can_manage_questions(current_user, gathering.network))
    form = QuestionForm()
    if request.method == "GET":
        form.kind.data = "rating"
    elif form.validate():  # the CSRF token; the rules are in services
        try:
            question = services.add_question(gathering, form.text.data, form.kind.data)
        except EvaluationError as error:
            db.session.rollback()
            attach(form, error.problems)
        else:
            db.session.commit()
            flash(_("Spørsmålet «%(text)s» er lagt til.", text=question.text), "success")
            return redirect(url_for("evaluations.questions", network_id=network_id, gathering_id=gathering_id))
    return _questions_page(gathering, form)


@bp.route(G + "/questions/<int:question_id>/edit", methods=["GET", "POST"])
@login_required
def edit_question(network_id: int, gathering_id: int, question_id: int):
    gathering = load_gathering(network_id, gathering_id)
    require(access.can_manage_questions(current_user, gathering.network))
    question = load_question(gathering, question_id)
    form = QuestionForm()
    if request.method == "GET":
        form.text.data, form.kind.data = question.text, question.kind.value
    elif form.validate():
        try:
            services.update_question(question, form.text.data, form.kind.data)
        except EvaluationError as error:
            db.session.rollback()
            attach(form, error.problems)
        else:
            db.session.commit()
            flash(_("Spørsmålet er lagret."), "success")
            return redirect(url_for("evaluations.questions", network_id=network_id, gathering_id=gathering_id))
    return render_template("evaluations/edit_question.html", network=gathering.network, gathering=gathering,
                           question=question, form=form), status_code(form)


@bp.post(G + "/questions/<int:question_id>/delete")
@login_required
def delete_question(network_id: int, gathering_id: int, question_id: int):
    gathering = load_gathering(network_id, gathering_id)
    require(access.can_manage_questions(current_user, gathering.network))
    question = load_question(gathering, question_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    if not services.response_count(gathering):  # with answers, deleting is refused below
        page = ask_first(
            below={"gathering": gathering}, title=_("Slette spørsmålet?"),
            message=_("Slett spørsmålet «%(text)s» fra evalueringen av «%(title)s».", text=question.text,
                      title=gathering.title),
            button=_("Ja, slett spørsmålet"),
            back=url_for("evaluations.questions", network_id=network_id, gathering_id=gathering_id))
        if page is not None:
            return page
    text = question.text
    try:
        services.delete_question(question)
    except EvaluationError as error:
        db.session.rollback()
        flash(str(error), "danger")
    else:
        db.session.commit()
        flash(_("Spørsmålet «%(text)s» er slettet.", text=text), "success")
    return redirect(url_for("evaluations.questions", network_id=network_id, gathering_id=gathering_id))


@bp.post(G + "/questions/<int:question_id>/move")
@login_required
def move_question(network_id: int, gathering_id: int, question_id: int):
    gathering = load_gathering(network_id, gathering_id)
    require(access.can_manage_questions(current_user, gathering.network))
    question = load_question(gathering, question_id)
    form = MoveForm()
    if not form.validate_on_submit():
        abort(400)
    up = form.direction.data == "up"
    if services.move_question(question, -1 if up else 1):
        flash(_("Spørsmålet er flyttet %(where)s.", where=_("opp") if up else _("ned")), "success")
    else:
        flash(_("Spørsmålet står allerede %(where)s.", where=_("øverst") if up else _("nederst")), "info")
    db.session.commit()
    return redirect(url_for("evaluations.questions", network_id=network_id, gathering_id=gathering_id,
                            _anchor=f"question-{question.id}"))


# --- results ----------------------------------------------------------------------------


def _distribution_chart(summary: services.RatingSummary):
    series = [Series("count", _("Antall svar"))]
    bars = [Bar(str(rating), {"count": count}) for rating, count in summary.counts.items()]
    return bar_chart(series, bars, max_value=max(summary.counts.values()) or 1)


def _load_results(network_id: int, gathering_id: int) -> Gathering:
    gathering = load_gathering(network_id, gathering_id)
    require(access.can_view_results(current_user, gathering.network))
    return gathering


@bp.get(G + "/results")
@login_required
def results(network_id: int, gathering_id: int):
    gathering = _load_results(network_id, gathering_id)
    found_results = services.results(gathering)
    return render_template(
        "evaluations/results.html", network=gathering.network, gathering=gathering, results=found_results,
        charts={summary.key: _distribution_chart(summary) for summary in found_results.ratings},
        ratings=services.RATINGS, held=gathering.status is GatheringStatus.HELD,
        can_manage=access.can_manage_questions(current_user, gathering.network),
    )


def _filename(gathering: Gathering, extension: str) -> str:
    return f"evaluering-samling-{gathering.number}-nettverk-{gathering.network_id}.{extension}"


@bp.get(G + "/results.csv")
@login_required
def results_csv(network_id: int, gathering_id: int):
    gathering = _load_results(network_id, gathering_id)
    header, rows = export.response_table(services.results(gathering))
    return csv_response(_filename(gathering, "csv"), header, rows)


@bp.get(G + "/results.xlsx")
@login_required
def results_xlsx(network_id: int, gathering_id: int):
    gathering = _load_results(network_id, gathering_id)
    return Response(export.results_xlsx(services.results(gathering)), mimetype=XLSX, headers={
        "Content-Disposition": f"attachment; filename={_filename(gathering, 'xlsx')}",
        "Cache-Control": "no-store",
    })


# --- comparing the gatherings -----------------------------------------------------------


def _comparison_charts(scores: list[services.GatheringScores]):
    """One chart per standard rating, with a bar per held gathering, on the 1–5 scale."""
    charts = []
    for key, label in STANDARD_RATINGS:
        bars = [Bar(_("Samling %(n)s: %(title)s", n=score.gathering.number, title=score.gathering.title),
                    {"average": score.averages[key] or 0}, total_label=evaluation_mean(score.averages[key]))
                for score in scores]
        charts.append((key, str(label), bar_chart([Series("average", _("Gjennomsnitt"))], bars, max_value=5)))
    return charts


@bp.get("/networks/<int:network_id>/evaluations")
@login_required
def compare(network_id: int):
    network = load_network(network_id)
    require(access.can_view_results(current_user, network))
    scores = services.scores_by_gathering(network)
    return render_template("evaluations/compare.html", network=network, scores=scores,
                           charts=_comparison_charts(scores), ratings=STANDARD_RATINGS)


@bp.get("/networks/<int:network_id>/evaluations.csv")
@login_required
def compare_csv(network_id: int):
    network = load_network(network_id)
    require(access.can_view_results(current_user, network))
    header, rows = export.comparison_table(services.scores_by_gathering(network))
    return csv_response(f"evalueringer-nettverk-{network.id}.csv", header, rows)
