"""The job kinds of the features (commissions.run, conflicts.scan, exchange.import,
payouts.export) submitted through their pages, run in-process (`sync`, as the suite runs jobs):
each gives what the service called directly gives, keeps its error when it fails, is refused
to the roles it does not name, and is shown only to whoever submitted it."""
from __future__ import annotations

import io
import re

import pytest
from sqlalchemy import func, select

from channel.domain.errors import Forbidden
from channel.domain.periods import Month
from channel.services import commissions, conflicts, imports, jobs, payouts, payouts_export
from channel.services.commissions_run import run_period
from models import db
from models.commissions import LedgerLine
from models.conflicts import ConflictCase, ConflictEvidence
from models.exchange import ImportRun
from models.ops import Job
from models.tree import Seller
from tests.commissions_fixtures import count_lines, plan
from tests.conflicts_fixtures import sell
from tests.payouts_fixtures import post_lines, uid

AGENTS = "编码,名称,层级,上级编码,加入日期\nJ2,任务省代,2,N1,2026-02-01\nJ3,任务省代三,2,N1,2026-02-01\n"


def job_of(response) -> Job:
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    match = re.fullmatch(r"/jobs/(\d+)", response.headers["Location"])
    assert match, response.headers["Location"]
    db.session.expire_all()
    return db.session.get(Job, int(match.group(1)))


def upload(client, text: str, kind: str = "agents"):
    return client.post("/imports", data={"kind": kind, "file": (io.BytesIO(text.encode()), "agents.csv")},
                       content_type="multipart/form-data")


@pytest.fixture
def folders(app, tmp_path):
    app.config["EXPORT_DIR"] = str(tmp_path / "exports")
    app.config["UPLOAD_DIR"] = str(tmp_path / "uploads")
    return tmp_path


# ---------------------------------------------------------------------------- commissions.run

def test_a_commission_run_job_posts_what_the_service_previews_and_a_rerun_posts_nothing(client, auth, world):
    plan(level=4, base_rate_bp=300, override_rates_bp=(200, 100))
    direct = run_period("2026-10", preview=True)
    assert direct.lines_posted > 0 and count_lines() == 0
    auth.login("finance")
    job = job_of(client.post("/commissions/runs", data={"period": "2026-10", "post": "1"}))
    assert (job.kind, job.status, job.params) == ("commissions.run", "done", {"period": "2026-10", "preview": False})
    assert (job.result["lines_posted"], job.result["total_fen"]) == (direct.lines_posted, direct.total_fen)
    assert job.result["changes"] == [list(c) for c in direct.changes]
    assert count_lines() == direct.lines_posted
    assert db.session.scalar(select(func.sum(LedgerLine.amount_fen))) == direct.total_fen
    page = client.get(f"/jobs/{job.id}").get_data(as_text=True)
    assert 'id="run-outcome"' in page and 'href="/commissions/runs"' in page

    again = jobs.rerun(job, world.user_finance)
    assert again.status == "done" and again.result["lines_posted"] == 0 and count_lines() == direct.lines_posted


def test_the_run_form_refuses_a_locked_month_beside_the_period_and_submits_no_job(client, auth, world):
    plan(level=4, base_rate_bp=300)
    commissions.lock_period("2026-10")
    auth.login("finance")
    for button in ("post", "preview"):
        response = client.post("/commissions/runs", data={"period": "2026-10", button: "1"})
        assert response.status_code == 400
        assert re.search(r'id="period"[^>]*>\s*<div class="invalid-feedback[^"]*">[^<]*已锁定',
                         response.get_data(as_text=True)), response.get_data(as_text=True)[-3000:]
    assert db.session.scalar(select(func.count()).select_from(Job)) == 0 and count_lines() == 0


def test_a_commission_run_of_a_locked_month_fails_keeps_the_reason_and_offers_no_rerun(client, auth, world):
    plan(level=4, base_rate_bp=300)
    commissions.lock_period("2026-10")
    job = jobs.submit("commissions.run", {"period": "2026-10"}, world.user_finance)  # as `flask jobs submit`
    assert job.status == "failed" and count_lines() == 0
    auth.login("finance")
    page = client.get(f"/jobs/{job.id}").get_data(as_text=True)
    assert "已锁定" in page and 'id="job-error"' in page
    assert 'id="no-rerun"' in page and "/rerun" not in page  # it could only fail again
    again = client.post(f"/jobs/{job.id}/rerun", follow_redirects=True).get_data(as_text=True)
    assert "已经锁定" in again and "任务已重新提交" not in again
    assert db.session.scalar(select(func.count()).select_from(Job)) == 1


def test_a_done_run_of_a_month_locked_since_is_not_offered_again(client, auth, world):
    plan(level=4, base_rate_bp=300)
    job = jobs.submit("commissions.run", {"period": "2026-10"}, world.user_finance)
    assert job.status == "done" and jobs.rerun_refusal(job) is None
    commissions.lock_period("2026-10")
    assert jobs.rerun_refusal(job) and jobs.rerun_refusal(Job(kind="commissions.run", params={"period": "2026-13"})) is None


def test_only_the_runners_may_submit_a_commission_run(client, auth, world):
    auth.login("agent_gd")
    assert client.post("/commissions/runs", data={"period": "2026-10", "post": "1"}).status_code == 403
    with pytest.raises(Forbidden):
        jobs.submit("commissions.run", {"period": "2026-10"}, world.user_agent_gd)
    assert db.session.scalar(select(func.count()).select_from(Job)) == 0


def test_a_job_is_shown_only_to_whoever_submitted_it_and_the_administrators(client, auth, world):
    plan(level=4, base_rate_bp=300)
    auth.login("finance")
    job = job_of(client.post("/commissions/runs", data={"period": "2026-10", "preview": "1"}))
    auth.logout()
    auth.login("finance2")  # the same role, not the same user
    assert client.get(f"/jobs/{job.id}").status_code == 404
    assert client.get(f"/jobs/{job.id}/status").status_code == 404
    assert client.post(f"/jobs/{job.id}/rerun").status_code == 404
    auth.logout()
    auth.login("admin")
    assert client.get(f"/jobs/{job.id}").status_code == 200


# ----------------------------------------------------------------------------- conflicts.scan

def test_a_scan_job_finds_what_the_service_finds_and_a_second_scan_duplicates_no_case(client, auth, world):
    sell(world, world.SZ, 440104)
    direct = conflicts.scan_period(Month.parse("2026-10"), commit=False)
    db.session.rollback()  # what the service would find, left unsaved
    assert direct.cases_opened > 0 and db.session.scalar(select(func.count()).select_from(ConflictCase)) == 0
    auth.login("manager")
    job = job_of(client.post("/conflicts/scan", data={"period": "2026-10"}))
    assert job.status == "done"
    assert job.result == {"period": "2026-10", "hits": direct.hits, "cases_opened": direct.cases_opened,
                          "evidence_added": direct.evidence_added}
    cases = db.session.scalar(select(func.count()).select_from(ConflictCase))
    evidence = db.session.scalar(select(func.count()).select_from(ConflictEvidence))
    assert cases == direct.cases_opened
    again = jobs.rerun(job, world.user_manager)
    assert (again.status, again.result["cases_opened"], again.result["evidence_added"]) == ("done", 0, 0)
    assert db.session.scalar(select(func.count()).select_from(ConflictCase)) == cases
    assert db.session.scalar(select(func.count()).select_from(ConflictEvidence)) == evidence


def test_only_case_rulers_may_submit_a_scan(client, auth, world):
    auth.login("finance")
    assert client.post("/conflicts/scan", data={"period": "2026-10"}).status_code == 403
    with pytest.raises(Forbidden):
        jobs.submit("conflicts.scan", {"period": "2026-10"}, world.user_finance)


def test_a_scan_job_with_a_bad_period_fails_and_says_why(app, world):
    job = jobs.submit("conflicts.scan", {"period": "2026-13"}, world.user_manager)
    assert job.status == "failed" and "YYYY-MM" in jobs.error_message(job)


# ---------------------------------------------------------------------------- exchange.import

def test_an_import_job_stores_what_the_service_stores(client, auth, world, folders, tmp_path):
    auth.login("manager")
    job = job_of(upload(client, AGENTS))
    assert job.status == "done" and job.params["kind"] == "agents" and job.params["filename"] == "agents.csv"
    run = db.session.get(ImportRun, job.result["run_id"])
    assert (run.status, run.inserted, run.skipped, run.created_by_id) == ("done", 2, 0, world.user_manager.id)
    assert job.result == {"run_id": run.id, "kind": "agents", "status": "done", "total_rows": 2, "inserted": 2,
                          "skipped": 0, "error_count": 0}
    assert set(db.session.scalars(select(Seller.code).where(Seller.code.in_(("J2", "J3"))))) == {"J2", "J3"}
    # the service on the same file: the natural keys find both rows stored, as the job left them
    path = tmp_path / "same.csv"
    path.write_text(AGENTS, encoding="utf-8")
    direct = imports.import_file("agents", str(path))
    assert (direct.status, direct.inserted, direct.skipped) == ("done", 0, 2)


def test_a_rejected_import_job_keeps_the_report_downloadable_and_stores_nothing(client, auth, world, folders):
    auth.login("manager")
    job = job_of(upload(client, AGENTS.replace("J3,任务省代三,2,N1", "J3,任务省代三,2,NOPE")))
    assert job.status == "done" and job.result["status"] == "rejected" and job.result["error_count"] == 1
    assert db.session.scalar(select(func.count()).select_from(Seller).where(Seller.code.in_(("J2", "J3")))) == 0
    report = client.get(f"/imports/{job.result['run_id']}/report.csv")
    assert report.status_code == 200 and "NOPE" in report.data.decode("utf-8-sig")
    assert f'href="/imports/{job.result["run_id"]}/report.csv"' in client.get(f"/jobs/{job.id}").get_data(as_text=True)


def test_an_import_job_whose_upload_is_gone_fails_and_says_so(app, world, folders):
    job = jobs.submit("exchange.import", {"upload": "0" * 32 + ".csv", "kind": "agents"}, world.user_manager)
    assert job.status == "failed" and "请重新上传" in jobs.error_message(job)
    bad = jobs.submit("exchange.import", {"upload": "../../etc/passwd", "kind": "agents"}, world.user_manager)
    assert bad.status == "failed" and db.session.scalar(select(func.count()).select_from(ImportRun)) == 0


def test_only_importers_may_submit_an_import(client, auth, world, folders):
    auth.login("agent_gd")
    assert upload(client, AGENTS).status_code == 403
    with pytest.raises(Forbidden):
        jobs.submit("exchange.import", {"upload": "x", "kind": "agents"}, world.user_agent_gd)


# ----------------------------------------------------------------------------- payouts.export

@pytest.fixture
def approved_batch(world):
    post_lines("2026-10", [(world.GD, 50000), (world.SZ, 40000), (world.REP1, 30000)])
    batch = payouts.create_batch("2026-10", uid(world, "finance"))
    for row in payouts.batch_rows(batch.id, status="awaiting_invoice"):
        payouts.record_invoice(row.id, uid(world, "finance"), f"INV{row.id:06d}")
    payouts.submit(batch.id, uid(world, "finance"))
    payouts.approve(batch.id, uid(world, "finance2"))
    return batch.id


def test_an_export_job_writes_the_file_the_service_streams_and_exports_the_batch(client, auth, world, folders,
                                                                                approved_batch):
    auth.login("finance")
    job = job_of(client.post(f"/payouts/batches/{approved_batch}/export", data={"file": "bank", "fmt": "csv"}))
    assert job.status == "done" and job.result["rows"] == 2
    assert payouts.get_batch(approved_batch).status == "exported"
    download = client.get(f"/payouts/jobs/{job.id}/download")
    direct = b"".join(payouts_export.csv_chunks(approved_batch, "bank"))
    assert download.status_code == 200 and download.data == direct
    assert f"payout-2026-10-batch{approved_batch}-bank.csv" in download.headers["Content-Disposition"]
    assert not list((folders / "exports").glob("*.part"))
    auth.logout()
    auth.login("finance2")  # another finance user: not their job
    assert client.get(f"/payouts/jobs/{job.id}/download").status_code == 404
    auth.logout()
    auth.login("manager")
    assert client.get(f"/payouts/jobs/{job.id}/download").status_code == 403


def test_an_export_job_of_a_draft_batch_fails_leaving_the_batch_and_no_file(app, world, folders):
    post_lines("2026-10", [(world.GD, 50000)])
    batch = payouts.create_batch("2026-10", uid(world, "finance"))
    job = jobs.submit("payouts.export", {"batch_id": batch.id, "file": "bank", "fmt": "xlsx"}, world.user_finance)
    assert job.status == "failed" and jobs.error_message(job)
    assert payouts.get_batch(batch.id).status == "draft"
    assert not (folders / "exports").exists() or not list((folders / "exports").iterdir())


def test_only_finance_may_submit_an_export(client, auth, world, approved_batch):
    auth.login("manager")
    assert client.post(f"/payouts/batches/{approved_batch}/export", data={"file": "bank", "fmt": "csv"}).status_code == 403
    with pytest.raises(Forbidden):
        jobs.submit("payouts.export", {"batch_id": approved_batch, "file": "bank", "fmt": "csv"}, world.user_manager)


def test_the_jobs_command_submits_a_commission_run_and_reads_a_text_preview_flag(app, world):
    plan(level=4, base_rate_bp=300)
    runner = app.test_cli_runner()
    result = runner.invoke(args=["jobs", "submit", "commissions.run", "-p", "period=2026-10", "-p", "preview=1",
                                 "--user", "finance"])
    assert result.exit_code == 0 and '"preview": true' in result.output and count_lines() == 0
    result = runner.invoke(args=["jobs", "submit", "commissions.run", "-p", "period=2026-10", "-p", "preview=false",
                                 "--user", "finance"])
    assert result.exit_code == 0, result.output
    assert count_lines() > 0  # "false" posted the run
    refused = runner.invoke(args=["jobs", "submit", "commissions.run", "-p", "period=2026-10", "--user", "agent_gd"])
    assert refused.exit_code != 0
