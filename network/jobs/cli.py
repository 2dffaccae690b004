"""``flask jobs worker`` and ``flask jobs scheduler``: Celery's worker and beat, with this app.

Options after the command go to Celery (``flask --app wsgi jobs worker --concurrency 4``;
``--help`` shows Celery's own)."""
from __future__ import annotations

import glob
import os
import shelve

import click
from celery.signals import worker_process_init
from flask import Blueprint, current_app

from network.extensions import db
from network.jobs.services import queue_configured

bp = Blueprint("jobs", __name__, cli_group="jobs")

PASS_THROUGH = {"ignore_unknown_options": True, "allow_extra_args": True, "help_option_names": []}


def _require_broker() -> None:
    if not queue_configured():
        raise click.UsageError("No job queue is configured: set REDIS_URL (or CELERY_BROKER_URL), "
                               "e.g. redis://127.0.0.1:6379/0.")


@bp.cli.command("worker", context_settings=PASS_THROUGH)
@click.argument("celery_args", nargs=-1, type=click.UNPROCESSED)
def worker_command(celery_args: tuple[str, ...]) -> None:
    """Run jobs from the queue: mail delivery and the scheduled jobs. Stop it with SIGTERM: it
    finishes the jobs it has started, and leaves the rest in the queue."""
    _require_broker()
    app = current_app._get_current_object()

    @worker_process_init.connect(weak=False)
    def own_connections(**_kwargs) -> None:
        # A forked worker process must not share the parent's database connections.
        with app.app_context():
            db.engine.dispose(close=False)

    celery = app.extensions["celery"]
    celery.worker_main(["worker", "--loglevel", "INFO", *celery_args])


@bp.cli.command("scheduler", context_settings=PASS_THROUGH)
@click.argument("celery_args", nargs=-1, type=click.UNPROCESSED)
def scheduler_command(celery_args: tuple[str, ...]) -> None:
    """Put the scheduled jobs on the queue when they are due (network/jobs/schedule.py). Run one."""
    _require_broker()
    app = current_app._get_current_object()
    os.makedirs(app.instance_path, exist_ok=True)  # where beat remembers when each job last ran
    schedule_file = os.path.join(app.instance_path, "celerybeat-schedule")
    readable_schedule_file(schedule_file)
    app.extensions["celery"].start(["beat", "--loglevel", "INFO", "--schedule", schedule_file, *celery_args])


def readable_schedule_file(path: str) -> None:
    """Beat keeps when each job last ran in a shelve file; one cut short (the scheduler killed while
    writing it) stops beat at start for good. Such a file is removed, so beat starts afresh: at
    worst a job runs again, which every job allows."""
    try:
        with shelve.open(path) as store:
            store.get("entries")
    except Exception as error:  # noqa: BLE001  whatever the dbm module or pickle make of the damage
        current_app.logger.warning("Removing the unreadable beat schedule %s: %r", path, error)
        for part in glob.glob(glob.escape(path) + "*"):
            os.remove(part)
