"""What the job pages say to people: each job's parameters, translated progress notes and
codes, and the stored error for administrators only (QA review of the jobs UI)."""
from __future__ import annotations

import re

from channel.services import jobs
from channel.services.jobs import job_kind
from models import db
from models.commissions import CommissionRun
from models.ops import JOB_FAILED, JOB_RUNNING, Job
from tests.commissions_fixtures import plan

CODES = ("override", "base", "tier", "bonus", "clawback", "adjustment", "forfeit", "protection_fee", "penalty")


@job_kind("test.labels_crash", label="test", roles=("admin", "channel_manager"))
def _crashes(job):
    raise RuntimeError("boom in the database")


def table_cells(page: str, table_id: str) -> list[str]:
    body = page.split(f'id="{table_id}"', 1)[1].split("</table>", 1)[0]
    return [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<td[^>]*>(.*?)</td>", body, re.S)]


def test_the_job_list_and_page_show_the_period_and_whether_it_was_a_preview(client, auth, world):
    plan(level=4, base_rate_bp=300)
    auth.login("finance")
    client.post("/commissions/runs", data={"period": "2026-10", "preview": "1"})
    client.post("/commissions/runs", data={"period": "2026-09", "post": "1"})
    page = client.get("/jobs").get_data(as_text=True)
    cells = table_cells(page, "job-table")
    assert "计算佣金 期间 2026-10 · 预览" in cells and "计算佣金 期间 2026-09 · 记账" in cells
    assert "{" not in "".join(cells)  # never the raw params
    job = db.session.query(Job).filter_by(kind="commissions.run").order_by(Job.id).first()
    page = client.get(f"/jobs/{job.id}").get_data(as_text=True)
    assert re.search(r'id="job-summary">期间 2026-10 · 预览<', page)
    assert "· inline" not in page and "本进程" in page


def test_a_failed_job_shows_its_error_to_an_administrator_but_not_to_its_submitter(client, auth, world):
    job = jobs.submit("test.labels_crash", {}, world.user_manager)
    assert job.status == JOB_FAILED
    auth.login("admin")
    page = client.get(f"/jobs/{job.id}").get_data(as_text=True)
    assert 'id="job-error-details"' in page and "RuntimeError: boom in the database" in page
    auth.logout()
    auth.login("manager")
    page = client.get(f"/jobs/{job.id}").get_data(as_text=True)
    assert 'id="job-error"' in page and 'id="job-error-details"' not in page and "boom" not in page


def test_the_error_fold_never_shows_a_stack_trace(client, auth, world):
    stored = ('Traceback (most recent call last):\n  File "/srv/qudao/channel/x.py", line 3, in f\n    g()\n'
              'ValueError: bad value\n')
    job = Job(kind="test.labels_crash", params={}, status=JOB_FAILED, backend="rq", error=stored, attempts=1)
    db.session.add(job)
    db.session.commit()
    auth.login("admin")
    page = client.get(f"/jobs/{job.id}").get_data(as_text=True)
    assert "ValueError: bad value" in page and "Traceback" not in page and "x.py" not in page


def test_a_running_jobs_progress_note_is_translated_on_the_page_and_in_its_status(client, auth, world):
    job = Job(kind="commissions.run", params={"period": "2026-07", "preview": True}, status=JOB_RUNNING,
              backend="inline", created_by_id=world.user_finance.id, attempts=1)
    db.session.add(job)
    db.session.commit()
    auth.login("finance")
    try:
        jobs._LIVE[job.id] = {"done": 0, "total": 3, "note": "2026-07: computing"}
        page = client.get(f"/jobs/{job.id}").get_data(as_text=True)
        assert "2026-07：计算中 0 / 3" in page and "computing" not in page
        jobs._LIVE[job.id] = {"done": 1, "total": 3, "note": "2026-07: posting"}
        status = client.get(f"/jobs/{job.id}/status").get_json()
        assert status["progress"]["note"] == "2026-07：记账中" and status["progress"]["step"] == "2026-07: posting"
        jobs._LIVE[job.id] = {"done": 2, "total": 3, "note": "finishing"}
        assert client.get(f"/jobs/{job.id}/status").get_json()["progress"]["note"] == "收尾"
        jobs._LIVE[job.id] = {"done": 5, "total": 6, "note": "cross_territory/price_violation"}
        assert client.get(f"/jobs/{job.id}/status").get_json()["progress"]["note"] == "串货（跨区销售） / 乱价"
        jobs._LIVE[job.id] = {"done": 5, "total": 6, "note": "rows"}
        assert client.get(f"/jobs/{job.id}/status").get_json()["progress"]["note"] == "行"
    finally:
        jobs._LIVE.pop(job.id, None)


def test_the_runs_page_translates_the_status_of_each_run(client, auth, world):
    for period, status in (("2026-08", "posted"), ("2026-09", "failed"), ("2026-10", "running")):
        db.session.add(CommissionRun(period=period, status=status, lines_posted=0, total_fen=0))
    db.session.commit()
    auth.login("finance")
    cells = table_cells(client.get("/commissions/runs").get_data(as_text=True), "run-table")
    assert {"已记账", "失败", "运行中"} <= set(cells)
    assert not {"posted", "failed", "running"} & set(cells)


def test_a_commission_run_jobs_result_table_shows_translated_rule_labels(client, auth, world):
    plan(level=4, base_rate_bp=300, override_rates_bp=(200, 100))
    auth.login("finance")
    response = client.post("/commissions/runs", data={"period": "2026-10", "preview": "1"})
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    body = page.split('id="run-outcome"', 1)[1].split("</table>", 1)[0]
    rules = [re.sub(r"<[^>]+>", "", row[1]).strip() for row in
             (re.findall(r"<td[^>]*>(.*?)</td>", tr, re.S) for tr in re.findall(r"<tr>(.*?)</tr>", body, re.S)) if row]
    assert "个人提成" in rules and "上级提成" in rules
    assert not set(CODES) & set(rules)


def test_the_job_details_show_chinese_as_it_is(client, auth, world):
    plan(level=4, base_rate_bp=300)
    auth.login("finance")
    response = client.post("/commissions/runs", data={"period": "2026-10", "preview": "1"})
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    details = page.split('id="job-result">', 1)[1].split("</pre>", 1)[0]
    assert "\\u" not in details and re.search(r"[\u4e00-\u9fff]", details)


def test_a_plan_page_names_the_orders_counted_as_the_form_does(client, auth, world):
    record = plan(level=4, base_rate_bp=300, order_kind="sell_out")
    auth.login("finance")
    page = client.get(f"/commissions/plans/{record.id}").get_data(as_text=True)
    assert "销售出库" in page and "sell_out" not in page
