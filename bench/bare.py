"""A bare Flask app with one route, the yardstick for bench/national.py: served by the same gunicorn
settings as the app, its requests per second are what the machine manages with no work at all.

    .venv/bin/gunicorn -c gunicorn.conf.py --chdir bench bare:app
"""
from flask import Flask

app = Flask(__name__)


@app.get("/")
def hello():
    return "hello"
