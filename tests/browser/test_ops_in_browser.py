"""In Chromium: the pages break no Content-Security-Policy rule, and a job page follows its
job by polling until it finishes."""
import re

from playwright.sync_api import expect
from sqlalchemy import select

from models import db, utcnow
from models.ops import Job
from models.users import User
from tests.browser.conftest import login


def test_the_main_pages_raise_no_csp_violation(page, live_server):
    problems = []
    page.on("response", lambda r: problems.append(f"{r.status} {r.url}") if r.status >= 400 else None)

    def console(message):
        if message.type == "error" and not message.location.get("url", "").endswith("/favicon.ico"):
            problems.append(f"{message.text} at {message.location.get('url')}")

    page.on("console", console)
    login(page, "manager")
    for path in ("/", "/pyramid", "/pyramid?channel=direct", "/customers", "/orders", "/jobs", "/account"):
        page.goto(path)
        page.wait_for_load_state("load")
    page.goto("/pyramid")
    page.locator(".tree button.toggle").first.click()  # the tree's script still runs under the CSP
    page.locator(".tree > ul > li > ul > li").first.wait_for()
    assert problems == [], "\n".join(problems)


def test_a_job_page_shows_progress_then_the_result_without_a_reload_by_hand(page, live_server):
    app = live_server["app"]
    with app.app_context():
        admin = db.session.scalar(select(User).where(User.username == "admin"))
        job = Job(kind="orders.export", params={}, status="running", backend="inline", created_by_id=admin.id,
                  attempts=1, started_at=utcnow())
        db.session.add(job)
        db.session.commit()
        job_id = job.id
    from channel.services import jobs

    jobs._LIVE[job_id] = {"done": 40, "total": 100, "note": "orders"}
    login(page, "admin")
    page.goto(f"/jobs/{job_id}")
    bar = page.locator(".job-bar")
    expect(bar).to_have_attribute("style", re.compile(r"width: 40%"))
    jobs._LIVE[job_id] = {"done": 75, "total": 100, "note": "orders"}
    expect(bar).to_have_attribute("style", re.compile(r"width: 75%"))
    expect(page.locator(".job-note")).to_contain_text("75 / 100")
    with app.app_context():
        job = db.session.get(Job, job_id)
        job.status, job.result, job.finished_at = "done", {"rows": 7, "file": "none.csv"}, utcnow()
        db.session.commit()
    jobs._LIVE.pop(job_id, None)
    page.wait_for_selector("text=任务已完成")
    assert page.locator(".job-status").get_attribute("data-status") == "done"
