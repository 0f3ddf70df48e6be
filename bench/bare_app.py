"""The yardstick for the app's own /baseline: a bare Flask app doing the same work (one query counting the cases,
one small template) without the app's middleware, sessions, Babel and security layers. `bench/run.py` serves it
under gunicorn beside the app, on the same database."""

import os

from flask import Flask, render_template_string
from sqlalchemy import create_engine, text

URL = os.environ["DATABASE_URL"]
engine = create_engine(URL.replace("postgresql://", "postgresql+psycopg://", 1))
app = Flask(__name__)
PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Baseline</title></head>
<body><h1>Baseline</h1><p>{{ count }} cases.</p></body></html>"""


@app.get("/baseline")
def baseline():
    with engine.connect() as connection:
        count = connection.execute(text("SELECT count(*) FROM cases")).scalar_one()
    return render_template_string(PAGE, count=count)
