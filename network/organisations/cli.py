import click
from flask import Blueprint

from network.extensions import db
from network.organisations.services import import_national_list

bp = Blueprint("organisations", __name__, cli_group="organisations")


@bp.cli.command("import")
def import_command() -> None:
    """Import every Norwegian county and municipality (2020 structure). Safe to run twice."""
    result = import_national_list()
    db.session.commit()
    click.echo(
        f"Counties created: {result.counties_created}; organisations created: "
        f"{result.organisations_created}, updated: {result.organisations_updated}."
    )
