"""Faults: a job process killed with SIGKILL midway leaves nothing partial; after a restart the
job is marked interrupted and a re-run completes. (The full-size version: docs/production.md.)"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from sqlalchemy import func, select

from channel.services import jobs
from models import db
from models.ops import Job
from models.sales import OrderLine, SalesOrder
from models.tree import Seller
from models.users import User

ROOT = Path(__file__).resolve().parents[2]
PARAMS = {"agents": 200, "orders": 12000, "seed": 5, "until": "2026-10-31"}

CHILD = """
import sys
from config import TestConfig
from app import create_app
from channel.services import jobs

app = create_app(TestConfig, SQLALCHEMY_DATABASE_URI=sys.argv[1])
with app.app_context():
    report = jobs.JobContext.progress

    def progress(self, done, total=None, note=""):
        print("PROGRESS", note, done, flush=True)
        report(self, done, total, note)

    jobs.JobContext.progress = progress
    job = jobs.submit("demo.load", %r, None)
    print("FINISHED", job.status, flush=True)
""" % (PARAMS,)


def counts():
    db.session.expire_all()
    return {m.__tablename__: db.session.scalar(select(func.count()).select_from(m))
            for m in (Seller, SalesOrder, OrderLine, User)}


def test_a_demo_load_killed_midway_leaves_nothing_and_runs_again_to_the_end(app):
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    db.session.remove()
    child = subprocess.Popen([sys.executable, "-c", CHILD, url], cwd=ROOT, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True, env={**os.environ, "QUDAO_LOG_JSON": "0"})
    killed_at = None
    deadline = time.monotonic() + 120
    try:
        for line in child.stdout:
            # orders are being written inside the one transaction: sellers, prices, customers already are
            if line.startswith("PROGRESS order_line"):
                killed_at = line.strip()
                os.kill(child.pid, signal.SIGKILL)
                break
            assert time.monotonic() < deadline, "the child never reached the orders"
    finally:
        child.kill()
        child.wait(timeout=30)
    assert killed_at, "the child finished before it could be killed: " + child.stderr.read()[-2000:]
    assert child.returncode == -signal.SIGKILL

    assert counts() == {"seller": 0, "sales_order": 0, "order_line": 0, "user": 0}
    (job,) = db.session.scalars(select(Job)).all()
    assert job.status == "running"  # as the dead process left it

    assert jobs.recover_interrupted() == [job.id]
    again = jobs.rerun(db.session.get(Job, job.id), None)
    assert again.status == "done", again.error
    after = counts()
    assert after["seller"] > 200 and after["order_line"] == again.result["counts"]["order_line"] >= PARAMS["orders"] * 0.5
    assert after["user"] == again.result["counts"]["user"]
