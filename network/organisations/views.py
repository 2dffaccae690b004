"""Organisation numbers, for the invoice basis: one organisation's number typed by a coordinator,
and many imported at once from a CSV of kommunenummer → organisasjonsnummer.
Each view loads its objects, checks access, then acts."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from network.extensions import db
from network.networks import access
from network.networks.loading import load_network, require
from network.organisations import services
from network.organisations.forms import OrgNumberForm, OrgNumberImportForm
from network.organisations.models import Organisation
from network.validators import normalise_org_number

bp = Blueprint("organisations", __name__, cli_group="organisations")


@bp.route("/networks/<int:network_id>/organisations/<int:organisation_id>/org-number", methods=["GET", "POST"])
@login_required
def edit_org_number(network_id: int, organisation_id: int):
    network = load_network(network_id)
    require(access.can_manage_members(current_user, network))
    organisation = db.session.get(Organisation, organisation_id)
    if organisation is None or not services.is_in_network(network.id, organisation.id):
        abort(404)
    form = OrgNumberForm(data={"org_number": organisation.org_number or ""})
    if form.validate_on_submit():
        services.set_org_number(organisation, normalise_org_number(form.org_number.data))
        db.session.commit()
        if organisation.org_number:
            flash(_("Organisasjonsnummeret til %(name)s er lagret.", name=organisation.name), "success")
        else:
            flash(_("Organisasjonsnummeret til %(name)s er fjernet.", name=organisation.name), "success")
        return redirect(url_for("costs.overview", network_id=network.id))
    return render_template("organisations/org_number.html", network=network, organisation=organisation,
                           form=form), 422 if form.errors else 200


@bp.route("/networks/<int:network_id>/org-numbers/import", methods=["GET", "POST"])
@login_required
def import_org_numbers(network_id: int):
    network = load_network(network_id)
    require(access.can_manage_members(current_user, network))
    form = OrgNumberImportForm()
    errors: list[tuple[int | None, str]] = []
    if form.validate_on_submit():  # the CSRF token; the file is checked here and in the service
        upload = request.files.get(form.file.name)
        if upload is None or not upload.filename:
            form.file.errors = [_("Velg en CSV-fil å laste opp.")]
        else:
            data = upload.stream.read(services.ORG_NUMBER_IMPORT_MAX_BYTES + 1)
            result = services.import_org_numbers(data)
            if not result.errors:
                db.session.commit()
                flash(_("%(updated)d organisasjonsnumre er oppdatert; %(same)d var allerede riktige.",
                        updated=result.updated, same=len(result.rows) - result.updated), "success")
                return redirect(url_for("costs.overview", network_id=network.id))
            db.session.rollback()
            errors = result.errors
            form.file.errors = [_("Filen har feil; se listen øverst.")]
    status = 422 if errors or form.file.errors else 200
    return render_template("organisations/import_org_numbers.html", network=network, form=form, errors=errors,
                           max_kb=services.ORG_NUMBER_IMPORT_MAX_BYTES // 1000, sample=services.SAMPLE_CSV), status
