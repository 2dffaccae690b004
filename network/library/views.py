"""The experience library: municipalities publish examples of their housing-policy work in
Husbanken's structure; members browse, filter and search them, and public examples are open to
anyone at /examples. Each view loads its objects, checks access in ``access``, then acts."""
from __future__ import annotations

from dataclasses import dataclass

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from network.extensions import db
from network.library import access, services
from network.library.forms import SECTIONS, TEXT_LABELS, ExampleForm, LibraryFilterForm, SendBackForm, SwitchForm
from network.library.models import Example, ExampleReview, ExampleStatus
from network.library.services import LibraryError
from network.networks.forms import EmptyForm
from network.networks.loading import found, load_network, require
from network.networks.models import Network
from network.networks.views import form_status
from network.organisations.models import Organisation

bp = Blueprint("library", __name__)

N = "/networks/<int:network_id>/library"


# --- loading ----------------------------------------------------------------------------


def load_example(network: Network, example_id: int) -> Example:
    return found(services.get_example(network, example_id))


def lock_example(network: Network, example_id: int) -> Example:
    return found(services.lock_example(network, example_id))


def page_number() -> int:
    value = request.args.get("page", "1")
    return int(value) if value.isdigit() and len(value) < 7 else 1


def show_error(form, error: LibraryError) -> None:
    target = getattr(form, error.field, None) if error.field else None
    if target is not None:
        target.errors = [*target.errors, str(error)]
    else:
        form.form_errors.append(str(error))


@dataclass
class PageLinks:
    numbers: list[tuple[int, str]]  # (number, address): the first, the last and those near the current
    previous: str | None
    next: str | None


def page_links(endpoint: str, page: services.Page, args: dict[str, str], **values) -> PageLinks:
    def address(number: int) -> str:
        return url_for(endpoint, **values, **args, page=number)

    numbers = sorted({1, page.pages, *range(max(1, page.number - 2), min(page.pages, page.number + 2) + 1)})
    return PageLinks(
        [(n, address(n)) for n in numbers],
        address(page.number - 1) if page.number > 1 else None,
        address(page.number + 1) if page.number < page.pages else None,
    )


def common_context() -> dict:
    return {"library_access": access, "sections": SECTIONS, "text_labels": TEXT_LABELS, "text_max": services.TEXT_MAX}


# --- the network's library --------------------------------------------------------------


@bp.get(N)
@login_required
def index(network_id: int):
    network = load_network(network_id)
    require(access.can_view_library(current_user, network))
    viewer = services.Viewer(coordinator=access.sees_every_draft(current_user, network),
                             own_organisation_id=access.own_organisation_id(current_user, network))
    filter_form = LibraryFilterForm(request.args, counties=services.counties(), challenges=services.catalogue(network))
    filters = filter_form.filters()
    page = services.library_page(network, viewer, filters, page_number())
    args = filter_form.query_args(filters)
    return render_template(
        "library/index.html", network=network, filter_form=filter_form, filters=filters, page=page,
        pages=page_links("library.index", page, args, network_id=network.id),
        drafts=services.drafts(network, viewer, filters) if page.number == 1 else [],
        viewer=viewer, can_create=access.can_create_example(current_user, network),
        review_count=services.review_count(network) if access.can_review(current_user, network) else None,
        **common_context(),
    )


def _municipalities_for_form(network: Network):
    return services.municipalities() if access.can_choose_municipality(current_user, network) else None


@bp.route(N + "/new", methods=["GET", "POST"])
@login_required
def new(network_id: int):
    network = load_network(network_id)
    require(access.can_create_example(current_user, network))
    municipalities = _municipalities_for_form(network)
    form = ExampleForm(challenges=services.catalogue(network), municipalities=municipalities)
    if form.validate_on_submit():
        example = _save(None, network, form)
        if example is not None:
            flash(_("Eksempelet er lagret som utkast. Publiser det når det er klart."), "success")
            return redirect(url_for("library.show", network_id=network.id, example_id=example.id))
    return render_template("library/edit.html", network=network, form=form, example=None,
                           organisation=current_user.organisation if municipalities is None else None,
                           **common_context()), form_status(form)


@bp.route(N + "/<int:example_id>/edit", methods=["GET", "POST"])
@login_required
def edit(network_id: int, example_id: int):
    network = load_network(network_id)
    example = load_example(network, example_id)
    require(access.can_edit_example(current_user, example))
    municipalities = _municipalities_for_form(network)
    form = ExampleForm(challenges=services.catalogue(network), municipalities=municipalities,
                       data=ExampleForm.initial(example, services.size_for(example.organisation)))
    if form.validate_on_submit():
        was = example.review
        if _save(example, network, form) is not None:
            if example.review is ExampleReview.PENDING and was is not ExampleReview.PENDING:
                flash(_("Endringene er lagret. Eksempelet venter på godkjenning fra en koordinator før det blir "
                        "åpent for alle igjen."), "success")
            else:
                flash(_("Endringene er lagret."), "success")
            return redirect(url_for("library.show", network_id=network.id, example_id=example.id))
    return render_template("library/edit.html", network=network, form=form, example=example,
                           organisation=example.organisation, **common_context()), form_status(form)


def _save(example: Example | None, network: Network, form: ExampleForm) -> Example | None:
    """Save, and commit; on a broken rule roll back, put the message on the form and return None."""
    if "organisation_id" in form:
        organisation = db.session.get(Organisation, int(form.organisation_id.data))
        size = form.chosen_size
    elif example is not None:
        organisation, size = example.organisation, example.size  # a municipality keeps its own size
    else:
        organisation, size = current_user.organisation, None
    try:
        saved = services.save_example(
            example, network, organisation=organisation, title=form.title.data,
            responsible_unit=form.responsible_unit.data, texts=form.texts, size=size,
            challenge_ids=form.chosen_challenge_ids, steps=form.chosen_steps, advice=form.chosen_advice,
            by=current_user, approves=access.approves_directly(current_user, network),
        )
    except LibraryError as error:
        db.session.rollback()
        show_error(form, error)
        return None
    db.session.commit()
    return saved


@bp.get(N + "/<int:example_id>")
@login_required
def show(network_id: int, example_id: int):
    network = load_network(network_id)
    example = load_example(network, example_id)
    require(access.can_view_example(current_user, example))
    return render_template(
        "library/show.html", network=network, example=example, public=False,
        steps=services.sorted_steps(example), advice=services.sorted_advice(example), **common_context(),
    )


# --- publishing and moderation ----------------------------------------------------------


def _change(network_id: int, example_id: int, allowed, form, act, message):
    """Load and lock the example, check access, validate the button's form, act, commit, go back."""
    network = load_network(network_id)
    example = lock_example(network, example_id)
    require(allowed(current_user, example))
    if not form.validate_on_submit():
        abort(400)
    try:
        act(example)
    except LibraryError as error:
        db.session.rollback()
        flash(str(error), "warning")
    else:
        db.session.commit()
        flash(message(example), "success")
    return redirect(url_for("library.show", network_id=network_id, example_id=example_id))


def _public_message(example: Example) -> str:
    """What opening an example to all (or publishing one that is to be) has led to."""
    if example.review is ExampleReview.APPROVED:
        return (_("Eksempelet er publisert og åpent for alle.") if example.status is ExampleStatus.PUBLISHED
                else _("Eksempelet blir åpent for alle når det er publisert."))
    if example.review is ExampleReview.PENDING:
        return _("Eksempelet er publisert for medlemmene i nettverket. Det blir åpent for alle når en koordinator "
                 "har godkjent det.")
    return _("Eksempelet blir sendt til godkjenning hos koordinatorene når du publiserer det. Det blir åpent for "
             "alle når det er godkjent.")


@bp.post(N + "/<int:example_id>/publish")
@login_required
def publish(network_id: int, example_id: int):
    return _change(network_id, example_id, access.can_publish_example, EmptyForm(),
                   lambda example: services.publish(example, current_user,
                                                    approve=access.approves_directly(current_user, example.network)),
                   lambda example: _public_message(example) if example.is_public else
                   _("Eksempelet er publisert for medlemmene i nettverket."))


@bp.post(N + "/<int:example_id>/unpublish")
@login_required
def unpublish(network_id: int, example_id: int):
    return _change(network_id, example_id, access.can_publish_example, EmptyForm(),
                   lambda example: services.unpublish(example, current_user),
                   lambda example: _("Eksempelet er trukket tilbake og er et utkast igjen."))


@bp.post(N + "/<int:example_id>/public")
@login_required
def set_public(network_id: int, example_id: int):
    form = SwitchForm()
    return _change(network_id, example_id, access.can_set_public, form,
                   lambda example: services.set_public(example, form.on, current_user,
                                                       approve=access.approves_directly(current_user, example.network)),
                   lambda example: _public_message(example) if example.is_public else
                   _("Eksempelet er bare for medlemmene i nettverket."))


@bp.post(N + "/<int:example_id>/featured")
@login_required
def set_featured(network_id: int, example_id: int):
    form = SwitchForm()
    return _change(network_id, example_id, access.can_moderate, form,
                   lambda example: services.set_featured(example, form.on),
                   lambda example: _("Eksempelet er fremhevet.") if example.is_featured else
                   _("Eksempelet er ikke lenger fremhevet."))


@bp.post(N + "/<int:example_id>/hidden")
@login_required
def set_hidden(network_id: int, example_id: int):
    form = SwitchForm()
    return _change(network_id, example_id, access.can_moderate, form,
                   lambda example: services.set_hidden(example, form.on),
                   lambda example: _("Eksempelet er skjult for andre enn kommunen og koordinatorene.")
                   if example.is_hidden else _("Eksempelet er synlig igjen."))


# --- review of examples open to all -----------------------------------------------------


@bp.get(N + "/review")
@login_required
def review(network_id: int):
    network = load_network(network_id)
    require(access.can_review(current_user, network))
    return render_template("library/review.html", network=network, examples=services.review_queue(network),
                           **common_context())


@bp.post(N + "/<int:example_id>/approve")
@login_required
def approve(network_id: int, example_id: int):
    network = load_network(network_id)
    example = lock_example(network, example_id)
    require(access.can_moderate(current_user, example))
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        services.approve(example, current_user)
    except LibraryError as error:
        db.session.rollback()
        flash(str(error), "warning")
    else:
        db.session.commit()
        flash(_("«%(title)s» er godkjent og er nå åpent for alle.", title=example.title), "success")
    return redirect(url_for("library.review", network_id=network.id))


@bp.route(N + "/<int:example_id>/send-back", methods=["GET", "POST"])
@login_required
def send_back(network_id: int, example_id: int):
    network = load_network(network_id)
    example = (lock_example if request.method == "POST" else load_example)(network, example_id)
    require(access.can_moderate(current_user, example))
    if example.review is not ExampleReview.PENDING:
        flash(_("Eksempelet venter ikke på godkjenning."), "warning")
        return redirect(url_for("library.show", network_id=network.id, example_id=example.id))
    form = SendBackForm()
    if form.validate_on_submit():
        try:
            services.send_back(example, current_user, form.comment.data)
        except LibraryError as error:
            db.session.rollback()
            show_error(form, error)
        else:
            db.session.commit()
            flash(_("«%(title)s» er sendt tilbake til kommunen med kommentaren din.", title=example.title), "success")
            return redirect(url_for("library.review", network_id=network.id))
    return render_template("library/send_back.html", network=network, example=example, form=form,
                           **common_context()), form_status(form)


# --- the public library -----------------------------------------------------------------


@bp.get("/examples")
def public_index():
    filter_form = LibraryFilterForm(request.args, counties=services.counties())
    filters = filter_form.filters()
    page = services.public_page(filters, page_number())
    return render_template(
        "library/public_index.html", filter_form=filter_form, filters=filters, page=page,
        pages=page_links("library.public_index", page, filter_form.query_args(filters)), **common_context(),
    )


@bp.get("/examples/<int:example_id>")
def public_show(example_id: int):
    example = services.get_public_example(example_id)
    if example is None:
        abort(404)
    return render_template(
        "library/show.html", network=None, example=example, public=True,
        steps=services.sorted_steps(example), advice=services.sorted_advice(example), **common_context(),
    )

