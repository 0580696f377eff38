"""Faults: a job process killed with SIGKILL midway leaves nothing partial; after a restart the
job is marked interrupted and a re-run completes. (The full-size version: docs/production.md.)"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
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


def _children(pid: int) -> list[int]:
    try:
        return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


@pytest.mark.parametrize("victim", ["work horse", "whole worker"])
def test_on_rq_a_worker_killed_midway_leaves_nothing_and_the_job_runs_again(app, victim):
    """'work horse': the OOM-killer case, the worker survives and records the death.
    'whole worker': a crash; once the worker's heartbeat key expires the job counts as interrupted."""
    import uuid

    from tests.integration.test_jobs import REDIS_URL

    redis = pytest.importorskip("redis")
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except Exception:  # noqa: BLE001
        from tests.conftest import IN_CI

        if IN_CI:
            raise
        pytest.skip("Redis not reachable")
    app.config["REDIS_URL"] = REDIS_URL
    app.config["JOBS_QUEUE"] = queue_name = f"qudao-fault-{uuid.uuid4().hex[:8]}"
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    job_id = jobs.submit("demo.load", PARAMS, None).id
    db.session.remove()
    env = {**os.environ, "REDIS_URL": REDIS_URL, "QUDAO_JOBS_QUEUE": queue_name, "DATABASE_URL": url,
           "QUDAO_ENV": "development", "QUDAO_LOG_JSON": "0"}
    worker = subprocess.Popen([sys.executable, "-m", "flask", "--app", "app", "jobs", "worker", "--burst"], cwd=ROOT,
                              env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 120
        killed, seen = False, []
        while time.monotonic() < deadline and worker.poll() is None:
            status = db.session.get(Job, job_id).status
            progress = jobs.live_progress(db.session.get(Job, job_id))
            db.session.remove()
            horses = _children(worker.pid)
            if not seen or seen[-1] != (status, bool(progress), bool(horses)):
                seen.append((status, bool(progress), bool(horses)))
            # any progress report means the horse's one transaction has written rows
            if progress and horses:
                for horse in horses:
                    os.kill(horse, signal.SIGKILL)
                if victim == "whole worker":
                    os.kill(worker.pid, signal.SIGKILL)
                killed = True
                break
            time.sleep(0.02)
        assert killed, f"the work horse was never caught mid-job (worker exit {worker.poll()}, seen {seen})"
        worker.wait(timeout=60)  # burst: the worker records the dead horse and stops
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait()
    assert counts() == {"seller": 0, "sales_order": 0, "order_line": 0, "user": 0}
    if victim == "whole worker":
        assert jobs.reconcile(db.session.get(Job, job_id)).status == "running"  # its heartbeat has not expired yet
        from rq import Worker

        dead = jobs._fetch_rq(db.session.get(Job, job_id).queue_id).worker_name
        jobs.redis_connection().delete(Worker.redis_worker_namespace_prefix + dead)  # its key expires now
    assert jobs.reconcile(db.session.get(Job, job_id)).status == "interrupted"

    from rq import SimpleWorker

    again = jobs.rerun(db.session.get(Job, job_id), None)
    SimpleWorker([jobs.queue()], connection=jobs.redis_connection()).work(burst=True)
    db.session.expire_all()
    assert db.session.get(Job, again.id).status == "done"
    assert counts()["order_line"] == db.session.get(Job, again.id).result["counts"]["order_line"]
    jobs.queue().delete(delete_jobs=True)


RUN_CHILD = """
import sys, time
from sqlalchemy import text
from config import TestConfig
from app import create_app
from channel.services import jobs
from models import db

app = create_app(TestConfig, SQLALCHEMY_DATABASE_URI=sys.argv[1])
with app.app_context():
    report = jobs.JobContext.progress

    def progress(self, done, total=None, note=""):
        report(self, done, total, note)
        if note == "finishing":  # every month posted, inside the run's one open transaction
            lines = db.session.execute(text("SELECT COUNT(*) FROM ledger_line")).scalar()
            print("POSTED-UNCOMMITTED", lines, flush=True)
            time.sleep(120)

    jobs.JobContext.progress = progress
    job = jobs.submit("commissions.run", {"period": "2026-10"}, None)
    print("FINISHED", job.status, flush=True)
"""


def test_a_commission_run_killed_midway_posts_nothing_and_runs_again_to_the_end(app, world):
    from channel.services.commissions_run import run_period
    from models.commissions import CommissionRun, LedgerLine
    from tests.commissions_fixtures import plan

    plan(level=4, base_rate_bp=300, override_rates_bp=(200, 100))
    preview = run_period("2026-10", preview=True)
    assert preview.lines_posted > 0
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    db.session.remove()
    child = subprocess.Popen([sys.executable, "-c", RUN_CHILD, url], cwd=ROOT, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True, env={**os.environ, "QUDAO_LOG_JSON": "0"})
    written = None
    try:
        for line in child.stdout:
            if line.startswith("POSTED-UNCOMMITTED"):
                written = int(line.split()[1])
                os.kill(child.pid, signal.SIGKILL)
                break
    finally:
        child.kill()
        child.wait(timeout=30)
    assert written == preview.lines_posted, "the child never reached the end of its posting: " + child.stderr.read()[-2000:]
    assert child.returncode == -signal.SIGKILL

    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(LedgerLine)) == 0  # rolled back with the process
    assert db.session.scalar(select(func.count()).select_from(CommissionRun)) == 0
    (job,) = db.session.scalars(select(Job)).all()
    assert job.status == "running"
    assert jobs.recover_interrupted() == [job.id]
    again = jobs.rerun(db.session.get(Job, job.id), None)
    assert again.status == "done", again.error
    assert again.result["lines_posted"] == preview.lines_posted
    assert db.session.scalar(select(func.count()).select_from(LedgerLine)) == preview.lines_posted
    assert jobs.rerun(again, None).result["lines_posted"] == 0  # and once more: nothing new to post
