import click
from flask import Blueprint

from network.demo.services import load_demo
from network.extensions import db

bp = Blueprint("demo", __name__, cli_group=None)


@bp.cli.command("demo")
def demo_command() -> None:
    """Load the 2019–2020 housing-policy network with demo accounts. Safe to run twice."""
    network, created = load_demo()
    db.session.commit()
    click.echo(f"Demo network {network.name!r} is ready ({created} new accounts).")
