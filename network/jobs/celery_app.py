"""The Celery app, made from the Flask app's config, whose tasks each run in an app context
(Flask's "Background Tasks with Celery")."""
from __future__ import annotations

from celery import Celery, Task
from flask import Flask

from network.jobs.schedule import SCHEDULE, TIMEZONE


def settings(config) -> dict:
    """Celery's settings from the Flask config."""
    return {
        "broker_url": config.get("CELERY_BROKER_URL"),
        # Every key in Redis starts with the prefix: installations (and test runs) can share a server.
        "broker_transport_options": {
            "global_keyprefix": config.get("JOBS_KEY_PREFIX", "network:"),
            "socket_connect_timeout": 5, "socket_timeout": 10,
        },
        "broker_connection_retry_on_startup": True,
        # A request that can't reach Redis gives up in about a second and sends the mail itself
        # (network/jobs/services.py) instead of hanging.
        "task_publish_retry_policy": {"max_retries": 2, "interval_start": 0, "interval_step": 0.2,
                                      "interval_max": 0.5},
        "task_default_queue": "network",
        "task_serializer": "json",
        "accept_content": ["json"],
        # Nobody waits for a job's return value: the database holds every outcome.
        "task_ignore_result": True,
        "result_backend": None,
        # Acked as a job starts (not late): the outbox rows are the truth, and the sweep sends any
        # message whose job was lost. Late acks would only add the chance of sending twice.
        "task_acks_late": False,
        # One message reserved per worker process: a long job never holds others back.
        "worker_prefetch_multiplier": 1,
        # A default limit for every job (the tasks set their own); a job past it is killed and
        # its process replaced. No soft limit: its exception could land inside a send and be
        # taken for a broken message.
        "task_time_limit": 30 * 60,
        "timezone": TIMEZONE,
        "enable_utc": True,
        "beat_schedule": SCHEDULE,
        "worker_hijack_root_logger": False,
    }


def init_app(app: Flask) -> Celery:
    """The app's Celery (``app.extensions["celery"]``). Nothing connects to Redis until it's used,
    and without a broker nothing ever does: mail then goes out after each request, as before."""

    class FlaskTask(Task):
        def __call__(self, *args, **kwargs):
            with app.app_context():
                return self.run(*args, **kwargs)

    celery = Celery(app.import_name, task_cls=FlaskTask)
    celery.conf.update(settings(app.config))
    from network.jobs import tasks  # noqa: F401  (registers the shared tasks with every Celery app)

    app.extensions["celery"] = celery
    return celery
