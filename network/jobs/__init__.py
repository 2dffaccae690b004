"""The job queue (Celery on Redis): mail delivery and the scheduled jobs, out of the request and off cron."""
