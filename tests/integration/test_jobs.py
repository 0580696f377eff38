"""Background jobs: in-process and on RQ with a real Redis, results and errors kept, re-runs."""
from __future__ import annotations

import csv
import os
import uuid

import pytest
from sqlalchemy import func, select

from channel.domain.errors import DomainError, Forbidden
from channel.services import jobs
from channel.services.jobs import job_kind
from models import db
from models.ops import AuditEvent, Job
from models.tree import Seller

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


@pytest.fixture
def exports(app, tmp_path):
    app.config["EXPORT_DIR"] = str(tmp_path / "exports")
    return tmp_path / "exports"


@job_kind("test.fails", label="test", roles=("admin",))
def _fails(job):
    db.session.add(AuditEvent(action="test.half-made", object_type="x"))
    db.session.flush()
    job.progress(1, 2, "half")
    raise DomainError("没有这种任务：%(kind)s。", kind="boom")


def read_csv(path):
    with open(path, encoding="utf-8-sig") as f:
        return list(csv.DictReader(f))


def test_an_export_runs_in_process_and_keeps_its_result(app, world, exports):
    job = jobs.submit("orders.export", {}, world.user_manager)
    assert (job.status, job.backend, job.attempts) == ("done", "inline", 1)
    assert job.result == {"rows": 5, "file": f"job-{job.id}-orders.csv"}
    rows = read_csv(exports / job.result["file"])
    assert sorted(r["order_no"] for r in rows) == ["SO-HZ-1", "SO-NS-1", "SO-REP1-1", "SO-REP3-1", "SO-TH-1"]
    assert sum(int(r["total_fen"]) for r in rows) == 600000 + 280000 + 290000 + 300000 + 270000


def test_an_export_holds_only_what_its_user_may_see(app, world, exports):
    job = jobs.submit("orders.export", {"date_from": "2026-10-06"}, world.user_agent_gd)
    assert sorted(r["order_no"] for r in read_csv(exports / job.result["file"])) == ["SO-TH-1"]


def test_a_failing_job_keeps_its_error_and_leaves_nothing_behind(app, world):
    job = jobs.submit("test.fails", {}, world.user_admin)
    assert job.status == "failed" and "boom" in jobs.error_message(job)
    assert db.session.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "test.half-made")) == 0
    assert jobs._LIVE == {}


@job_kind("test.crashes", label="test", roles=("admin",))
def _crashes(job):
    raise RuntimeError("SELECT secret internals")


def test_an_unexpected_error_is_kept_for_the_log_but_users_see_no_internals(app, world):
    job = jobs.submit("test.crashes", {}, world.user_admin)
    assert job.status == "failed" and "secret internals" in job.error
    assert "secret internals" not in jobs.error_message(job)


def test_a_role_outside_the_kind_is_refused_and_no_job_recorded(app, world):
    with pytest.raises(Forbidden):
        jobs.submit("demo.load", {}, world.user_manager)
    with pytest.raises(DomainError):
        jobs.submit("no.such.kind", {}, world.user_admin)
    assert db.session.scalar(select(func.count()).select_from(Job)) == 0


def test_a_finished_job_can_be_run_again_as_a_new_job(app, world, exports):
    first = jobs.submit("orders.export", {}, world.user_manager)
    again = jobs.rerun(first, world.user_manager)
    assert again.id != first.id and again.rerun_of_id == first.id and again.status == "done"


def test_a_job_left_running_by_a_dead_process_is_marked_interrupted(app, world):
    job = Job(kind="orders.export", params={}, status="running", backend="inline", created_by_id=world.user_manager.id, attempts=1)
    db.session.add(job)
    db.session.commit()
    assert jobs.recover_interrupted() == [job.id]
    assert db.session.get(Job, job.id).status == "interrupted"


def test_the_demo_loader_job_loads_into_an_empty_database_and_refuses_a_second_time(app, world):
    # the world is not empty: the loader refuses, the job fails with the reason, nothing changes
    before = db.session.scalar(select(func.count()).select_from(Seller))
    job = jobs.submit("demo.load", {"agents": 30, "orders": 200}, world.user_admin)
    assert job.status == "failed" and "演示数据只装入空数据库" in jobs.error_message(job)
    assert db.session.scalar(select(func.count()).select_from(Seller)) == before


@pytest.fixture
def rq_app(app):
    redis = pytest.importorskip("redis")
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except Exception as error:  # noqa: BLE001
        from tests.conftest import IN_CI

        if IN_CI:
            pytest.fail(f"Redis is required under CI=true at {REDIS_URL}: {error}")
        pytest.skip(f"Redis not reachable at {REDIS_URL}")
    app.config["REDIS_URL"] = REDIS_URL
    app.config["JOBS_QUEUE"] = f"qudao-test-{uuid.uuid4().hex[:8]}"
    yield app
    q = jobs.queue()
    q.delete(delete_jobs=True)


def test_on_rq_a_job_is_queued_then_run_by_a_worker_with_its_progress_in_redis(rq_app, world, exports):
    from rq import SimpleWorker

    job = jobs.submit("orders.export", {}, world.user_manager)
    assert (job.status, job.backend) == ("queued", "rq") and job.queue_id
    assert jobs.queue().count == 1
    worker = SimpleWorker([jobs.queue()], connection=jobs.redis_connection())
    assert worker.work(burst=True)
    db.session.expire_all()
    job = db.session.get(Job, job.id)
    assert job.status == "done" and job.result["rows"] == 5
    assert len(read_csv(exports / job.result["file"])) == 5


def test_on_rq_a_failure_is_recorded_and_the_worker_goes_on(rq_app, world, exports):
    from rq import SimpleWorker

    bad = jobs.submit("test.fails", {}, world.user_admin)
    good = jobs.submit("orders.export", {}, world.user_manager)
    SimpleWorker([jobs.queue()], connection=jobs.redis_connection()).work(burst=True)
    db.session.expire_all()
    assert db.session.get(Job, bad.id).status == "failed"
    assert db.session.get(Job, good.id).status == "done"


def test_on_rq_a_job_whose_rq_job_vanished_is_marked_interrupted(rq_app, world):
    job = jobs.submit("orders.export", {}, world.user_manager)
    jobs.queue().delete(delete_jobs=True)  # as if Redis lost it, or its work horse died and was cleaned up
    assert jobs.reconcile(db.session.get(Job, job.id)).status == "interrupted"


def test_without_redis_the_default_runs_the_job_in_a_thread_and_returns_at_once(app, world, exports):
    import time

    app.config["JOBS_INLINE"] = "thread"
    job = jobs.submit("orders.export", {}, world.user_manager)
    assert job.backend == "inline"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        db.session.expire_all()
        if db.session.get(Job, job.id).status == "done":
            break
        time.sleep(0.1)
    finished = db.session.get(Job, job.id)
    assert finished.status == "done" and finished.result["rows"] == 5


def test_with_redis_down_the_job_fails_visibly_instead_of_waiting_forever(app, world):
    app.config["REDIS_URL"] = "redis://127.0.0.1:1/0"  # nothing listens there
    with pytest.raises(jobs.QueueUnavailable):
        jobs.submit("orders.export", {}, world.user_manager)
    (job,) = db.session.scalars(select(Job)).all()
    assert job.status == "failed" and job.backend == "rq"


def test_on_rq_a_commission_run_is_run_by_a_worker_and_posts_what_the_service_previews(rq_app, world):
    from rq import SimpleWorker

    from channel.services.commissions_run import run_period
    from models.commissions import LedgerLine
    from tests.commissions_fixtures import plan

    plan(level=4, base_rate_bp=300, override_rates_bp=(200, 100))
    preview = run_period("2026-10", preview=True)
    job = jobs.submit("commissions.run", {"period": "2026-10"}, world.user_finance)
    assert (job.status, job.backend) == ("queued", "rq")
    assert db.session.scalar(select(func.count()).select_from(LedgerLine)) == 0  # nothing until a worker runs it
    assert SimpleWorker([jobs.queue()], connection=jobs.redis_connection()).work(burst=True)
    db.session.expire_all()
    job = db.session.get(Job, job.id)
    assert job.status == "done" and job.result["run_id"] is not None
    assert (job.result["lines_posted"], job.result["total_fen"]) == (preview.lines_posted, preview.total_fen)
    assert db.session.scalar(select(func.count()).select_from(LedgerLine)) == preview.lines_posted
    from rq.job import Job as RQJob

    # the last progress report the worker left in Redis: every step of the run done
    progress = RQJob.fetch(job.queue_id, connection=jobs.redis_connection()).meta["progress"]
    assert progress["done"] == progress["total"] > 0


@pytest.mark.parametrize("batch_id", ["²", "abc", 2**63, -1, 0, True, None])
def test_a_payout_export_job_with_a_batch_id_no_row_can_have_fails_with_its_reason(app, world, batch_id):
    job = jobs.submit("payouts.export", {"batch_id": batch_id, "file": "bank", "fmt": "csv"}, world.user_admin)
    assert job.status == "failed" and "任务参数无效" in jobs.error_message(job)
