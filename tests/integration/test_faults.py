"""Faults: a job process killed with SIGKILL midway leaves nothing partial; after a restart the
job is marked interrupted and a re-run completes. (The full-size version: docs/production.md.)"""
from __future__ import annotations

import csv
import io
import json
import os
import signal
import subprocess
import sys
import textwrap
import time
import uuid
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
import json, sys, time
from sqlalchemy import text
from config import TestConfig
from app import create_app
from channel.services import jobs
from models import db

app = create_app(TestConfig, **json.loads(sys.argv[1]))
with app.app_context():
%(setup)s
    report = jobs.JobContext.progress

    def progress(self, done, total=None, note=""):
        report(self, done, total, note)
%(hook)s

    jobs.JobContext.progress = progress
    job = jobs.submit(%(kind)r, %(params)r, None)
    print("FINISHED", job.status, flush=True)
"""


def counts():
    db.session.expire_all()
    return {m.__tablename__: db.session.scalar(select(func.count()).select_from(m))
            for m in (Seller, SalesOrder, OrderLine, User)}


def child_script(kind: str, params: dict, hook: str, setup: str = "") -> str:
    """A child process's script: it submits job `kind` (run in-process, as `flask jobs submit`
    does) with `hook` run after each of the job's progress reports (`self`, `done`, `total`,
    `note`, `db`, `text` and `time` in scope), after `setup`."""
    return CHILD % {"kind": kind, "params": params, "hook": textwrap.indent(textwrap.dedent(hook), " " * 8),
                    "setup": textwrap.indent(textwrap.dedent(setup), " " * 4)}


def kill_child_at(app, script: str, marker: str, **config) -> list[str]:
    """Run `script` in a child Python process over the app's database (and `config`), SIGKILL it
    at the first line it prints starting with `marker`; return the rest of that line's words."""
    overrides = {"SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"], **config}
    db.session.remove()
    child = subprocess.Popen([sys.executable, "-c", script, json.dumps(overrides)], cwd=ROOT, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True, env={**os.environ, "QUDAO_LOG_JSON": "0"})
    words = None
    deadline = time.monotonic() + 120
    try:
        for line in child.stdout:
            if line.startswith(marker):
                words = line[len(marker):].split()
                os.kill(child.pid, signal.SIGKILL)
                break
            assert time.monotonic() < deadline, f"the child never reached {marker}"
    finally:
        child.kill()
        child.wait(timeout=30)
    assert words is not None, f"the child never reached {marker}: " + child.stderr.read()[-2000:]
    assert child.returncode == -signal.SIGKILL
    return words


def killed_job() -> Job:
    """The one job, left 'running' by the killed child, marked interrupted as after a restart."""
    db.session.expire_all()
    (job,) = db.session.scalars(select(Job)).all()
    assert job.status == "running"  # as the dead process left it
    assert jobs.recover_interrupted() == [job.id]
    assert db.session.get(Job, job.id).status == "interrupted"
    return job


def rerun_done(job: Job) -> Job:
    again = jobs.rerun(db.session.get(Job, job.id), None)
    assert again.status == "done", again.error
    return again


def test_a_demo_load_killed_midway_leaves_nothing_and_runs_again_to_the_end(app):
    # orders are being written inside the one transaction: sellers, prices, customers already are
    kill_child_at(app, child_script("demo.load", PARAMS, """
        print("PROGRESS", note, done, flush=True)
        if note == "order_line":  # wait to be killed, however fast the host
            time.sleep(120)
        """), "PROGRESS order_line")

    assert counts() == {"seller": 0, "sales_order": 0, "order_line": 0, "user": 0}
    again = rerun_done(killed_job())
    after = counts()
    assert after["seller"] > 200 and after["order_line"] == again.result["counts"]["order_line"] >= PARAMS["orders"] * 0.5
    assert after["user"] == again.result["counts"]["user"]


def _children(pid: int) -> list[int]:
    try:
        return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


# `flask jobs worker --burst`, whose work horse (a fork, so it inherits the patch) pauses after
# its first order-line progress report, so the test kills it mid-job however fast the host is
PAUSING_WORKER = """
import sys, time
from channel.services import jobs

report = jobs.JobContext.progress

def progress(self, done, total=None, note=""):
    report(self, done, total, note)
    if note == "order_line":
        time.sleep(120)

jobs.JobContext.progress = progress
from flask.cli import main
sys.argv = ["flask", "--app", "app", "jobs", "worker", "--burst"]
main()
"""


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
    worker = subprocess.Popen([sys.executable, "-c", PAUSING_WORKER], cwd=ROOT,
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
            # the horse pauses at its first order-line report: its one transaction has written rows
            if progress and progress.get("note") == "order_line" and horses:
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


def test_a_commission_run_killed_midway_posts_nothing_and_runs_again_to_the_end(app, world):
    from channel.services.commissions_run import run_period
    from models.commissions import CommissionRun, LedgerLine
    from tests.commissions_fixtures import plan

    plan(level=4, base_rate_bp=300, override_rates_bp=(200, 100))
    preview = run_period("2026-10", preview=True)
    assert preview.lines_posted > 0
    (written,) = kill_child_at(app, child_script("commissions.run", {"period": "2026-10"}, """
        if note == "finishing":  # every month posted, inside the run's one open transaction
            lines = db.session.execute(text("SELECT COUNT(*) FROM ledger_line")).scalar()
            print("POSTED-UNCOMMITTED", lines, flush=True)
            time.sleep(120)
        """), "POSTED-UNCOMMITTED")
    assert int(written) == preview.lines_posted, "the child was not killed at the end of its posting"

    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(LedgerLine)) == 0  # rolled back with the process
    assert db.session.scalar(select(func.count()).select_from(CommissionRun)) == 0
    again = rerun_done(killed_job())
    assert again.result["lines_posted"] == preview.lines_posted
    assert db.session.scalar(select(func.count()).select_from(LedgerLine)) == preview.lines_posted
    assert jobs.rerun(again, None).result["lines_posted"] == 0  # and once more: nothing new to post


def test_an_import_killed_while_writing_stores_nothing_and_runs_again_from_the_kept_upload(app, world, tmp_path):
    from models.exchange import ImportRun
    from tests.exchange_fixtures import write_csv
    from tests.integration.test_imports import ORDER_HEADER, order_rows

    world.cust_ns.code = "C-NS"
    db.session.commit()
    uploads = tmp_path / "uploads"
    uploads.mkdir()
    name = uuid.uuid4().hex + ".csv"  # as `store_upload` names it
    write_csv(uploads / name, [ORDER_HEADER] + order_rows(12))  # 4 orders of 3 lines
    before = counts()
    # the lines go in chunks of 5; the write phase's last report comes once every line is in,
    # before the run is recorded and the one commit
    (orders, lines) = kill_child_at(app, child_script("exchange.import", {"upload": name, "kind": "orders"}, """
        if note == "write" and done == total:
            print("WRITTEN-UNCOMMITTED", db.session.execute(text("SELECT COUNT(*) FROM sales_order")).scalar(),
                  db.session.execute(text("SELECT COUNT(*) FROM order_line")).scalar(), flush=True)
            time.sleep(120)
        """, setup="""
        from channel.services import imports
        imports.CHUNK = 5
        """), "WRITTEN-UNCOMMITTED", UPLOAD_DIR=str(uploads))
    assert (int(orders), int(lines)) == (before["sales_order"] + 4, before["order_line"] + 12)

    assert counts() == before  # not one order or line of the file: rolled back with the process
    assert db.session.scalar(select(func.count()).select_from(ImportRun)) == 0
    assert (uploads / name).exists()  # kept for the re-run
    app.config["UPLOAD_DIR"] = str(uploads)
    again = rerun_done(killed_job())
    assert (again.result["status"], again.result["inserted"], again.result["skipped"]) == ("done", 12, 0)
    assert counts() == {**before, "sales_order": before["sales_order"] + 4, "order_line": before["order_line"] + 12}
    assert db.session.scalar(select(func.count()).select_from(ImportRun)) == 1
    assert not (uploads / name).exists()  # the upload has served: removed once the run is recorded
    # so a second re-run cannot import the file twice: it is refused, saying the file is gone
    from channel.domain.errors import Conflict

    with pytest.raises(Conflict, match="请重新上传"):
        jobs.rerun(again, None)
    assert counts()["order_line"] == before["order_line"] + 12
    assert db.session.scalar(select(func.count()).select_from(ImportRun)) == 1


def test_a_payout_export_killed_while_writing_leaves_the_batch_approved_and_no_file(app, world, tmp_path):
    from channel.domain.payouts import reference
    from channel.services import payouts, payouts_export
    from models.payouts import PayoutEvent, PayoutRow
    from tests.integration.test_payouts import approved
    from tests.payouts_fixtures import post_lines

    post_lines("2026-10", [(world.GD, 50000), (world.SZ, 40000), (world.REP1, 30000)])  # 2 bank rows, 1 payroll
    batch_id = approved(world).id
    exports = tmp_path / "exports"
    # one row per chunk: killed once the first row has gone to the file, before the second
    params = {"batch_id": batch_id, "file": "bank", "fmt": "csv"}
    (written, status) = kill_child_at(app, child_script("payouts.export", params, """
        if note == "rows" and 0 < done < total:
            print("WRITING", done, db.session.execute(text("SELECT status FROM payout_batch")).scalar(), flush=True)
            time.sleep(120)
        """, setup="""
        from channel.services import payouts_export
        payouts_export.CHUNK_ROWS = 1
        """), "WRITING", EXPORT_DIR=str(exports))
    assert (written, status) == ("1", "approved")

    db.session.expire_all()
    assert payouts.get_batch(batch_id).status == "approved"  # the move to exported comes after the file
    assert db.session.scalar(select(func.count()).select_from(PayoutEvent).where(PayoutEvent.action == "export")) == 0
    # the file is written under a temporary name and renamed only after the commit: the final
    # name never shows a partial file; the recovery after a restart removes the dead job's .part
    app.config["EXPORT_DIR"] = str(exports)
    (pending,) = db.session.scalars(select(Job)).all()
    assert sorted(p.name for p in exports.iterdir()) == [f"job-{pending.id}-payout.part"]
    job = killed_job()
    assert list(exports.iterdir()) == []

    again = rerun_done(job)
    assert payouts.get_batch(batch_id).status == "exported"
    assert {p.name for p in exports.iterdir()} == {again.result["file"]}
    data = (exports / again.result["file"]).read_bytes()
    assert data == b"".join(payouts_export.csv_chunks(batch_id, "bank"))
    header, *rows = csv.reader(io.StringIO(data.decode("utf-8-sig")))
    payable = db.session.scalars(select(PayoutRow.id).where(
        PayoutRow.batch_id == batch_id, PayoutRow.status == "payable", PayoutRow.payee_type != "employee")).all()
    assert header == payouts_export.HEADERS and len(payable) == again.result["rows"] == 2
    assert sorted(row[8] for row in rows) == sorted(reference(batch_id, row_id) for row_id in payable)
