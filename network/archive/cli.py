"""``flask archive export NETWORK_ID FILE`` and ``flask archive import FILE``."""
from __future__ import annotations

import os
import tempfile
import time

import click
from flask.cli import with_appcontext

from network.archive.export import write_archive
from network.archive.importer import import_archive
from network.archive.services import ArchiveError
from network.extensions import db
from network.networks.models import Network


@click.command("export")
@click.argument("network_id", type=int)
@click.argument("file", type=click.Path(dir_okay=False, writable=True))
@with_appcontext
def export_command(network_id: int, file: str) -> None:
    """Write network NETWORK_ID, with everything in it, as a ZIP archive to FILE."""
    network = db.session.get(Network, network_id)
    if network is None:
        raise click.ClickException(f"There is no network with id {network_id}.")
    started = time.perf_counter()
    # Written beside FILE and moved into place when complete, so a failed export leaves no half archive.
    folder = os.path.dirname(os.path.abspath(file))
    with tempfile.NamedTemporaryFile(dir=folder, prefix=".archive-", suffix=".zip", delete=False) as target:
        try:
            manifest = write_archive(network, target)
        except BaseException:
            target.close()
            os.unlink(target.name)
            raise
    os.replace(target.name, file)
    counts = manifest["counts"]
    click.echo(f"Exported {network.name!r} to {file} in {time.perf_counter() - started:.1f} s: "
               f"{counts['memberships']} members, {counts['people']} people, {counts['gatherings']} gatherings, "
               f"{counts['registrations']} registrations, {counts['submissions']} submissions, "
               f"{counts['feedback']} feedback, {counts['evaluation_responses']} evaluation responses, "
               f"{sum(1 for path in manifest['files'] if path.startswith('files/'))} files.")


@click.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@with_appcontext
def import_command(file: str) -> None:
    """Import the network archive FILE into this installation, which must have no network yet.

    Everything is written in one transaction: a broken archive leaves the database as it was.
    People who did not exist here get no password; they choose one with "forgot password"."""
    try:
        result = import_archive(file)
        db.session.commit()
    except ArchiveError as error:
        db.session.rollback()
        raise click.ClickException(f"Nothing was imported. {error}") from None
    counts = result.counts
    matched = result.matched
    click.echo(f"Imported {result.network_name!r} as network {result.network_id}: "
               f"{counts['memberships']} members, {counts['people']} people "
               f"({matched.get('people', 0)} already here), {counts['gatherings']} gatherings, "
               f"{counts['registrations']} registrations, {counts['submissions']} submissions, "
               f"{counts['feedback']} feedback, {counts['evaluation_responses']} evaluation responses.")
