from pathlib import Path

import click

from network.extensions import db
from network.organisations.services import import_national_list, import_org_numbers
from network.organisations.views import bp  # the blueprint carries both the pages and the commands


@bp.cli.command("import")
def import_command() -> None:
    """Import every Norwegian county and municipality (2020 structure), with their organisation
    numbers. Safe to run twice."""
    result = import_national_list()
    db.session.commit()
    click.echo(
        f"Counties created: {result.counties_created}; organisations created: "
        f"{result.organisations_created}, updated: {result.organisations_updated}."
    )


@bp.cli.command("import-org-numbers")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def import_org_numbers_command(file: Path) -> None:
    """Set organisation numbers from a CSV with the columns kommunenummer (or fylkesnummer) and
    organisasjonsnummer: all of them, or none if any row is wrong."""
    result = import_org_numbers(file.read_bytes())
    if result.errors:
        db.session.rollback()
        for line, message in result.errors:
            click.echo(f"Line {line}: {message}" if line else message, err=True)
        raise SystemExit(1)
    db.session.commit()
    click.echo(f"Organisation numbers updated: {result.updated}; unchanged: {len(result.rows) - result.updated}.")
