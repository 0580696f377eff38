"""The health check, JSON logs, and the job pages."""
from __future__ import annotations

import json
import logging

from sqlalchemy import select

from config import TestConfig
from models import db
from models.ops import Job
from tests.ops_fixtures import add_job


def test_the_health_check_answers_without_login_when_the_database_is_up(client):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.get_json() == {"status": "ok", "database": "ok"}


def test_the_health_check_answers_503_when_the_database_is_down(tmp_path):
    from app import create_app

    broken = create_app(TestConfig, SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path}/no/such/dir/db.sqlite3")
    response = broken.test_client().get("/healthz")
    assert response.status_code == 503 and response.get_json()["database"] == "unreachable"


def test_logs_are_json_lines_with_the_request_on_stdout(tmp_path, capsys):
    from app import create_app

    app = create_app(TestConfig, SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path}/no/such/dir/db.sqlite3", LOG_JSON=True)
    app.test_client().get("/healthz")
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.startswith("{")]
    (entry,) = [e for e in lines if "health check" in e["message"]]
    assert entry["level"] == "ERROR" and entry["path"] == "/healthz" and entry["method"] == "GET"
    from channel.ops.logs import JsonFormatter

    root = logging.getLogger()
    for handler in [h for h in root.handlers if isinstance(h.formatter, JsonFormatter)]:
        root.removeHandler(handler)


def test_an_export_job_runs_and_its_file_downloads(client, auth, world, app, tmp_path):
    app.config["EXPORT_DIR"] = str(tmp_path)
    auth.login("agent_zj")
    response = client.post("/jobs/export-orders", data={"channel": "agent"})
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "任务已完成" in page and 'id="download"' in page
    job = db.session.scalar(select(Job))
    download = client.get(f"/jobs/{job.id}/download")
    assert download.status_code == 200 and download.mimetype == "text/csv"
    body = download.get_data().decode("utf-8-sig")
    assert "SO-HZ-1" in body and "SO-NS-1" not in body
    assert client.get(f"/jobs/{job.id}/status").get_json()["status"] == "done"


def test_someone_elses_job_is_not_found_but_the_administrator_sees_it(client, auth, world):
    job = add_job(world.user_agent_gd)
    auth.login("agent_zj")
    for path in (f"/jobs/{job.id}", f"/jobs/{job.id}/status", f"/jobs/{job.id}/download"):
        assert client.get(path).status_code == 404
    assert client.post(f"/jobs/{job.id}/rerun").status_code == 404
    assert f"/jobs/{job.id}" not in client.get("/jobs").get_data(as_text=True)
    auth.logout()
    auth.login("admin")
    assert client.get(f"/jobs/{job.id}").status_code == 200
    assert f"/jobs/{job.id}" in client.get("/jobs").get_data(as_text=True)


def test_a_running_job_page_polls_through_a_static_script(client, auth, world):
    job = add_job(world.user_manager, status="running")
    auth.login("manager")
    page = client.get(f"/jobs/{job.id}").get_data(as_text=True)
    assert f'data-status-url="/jobs/{job.id}/status"' in page and 'data-finished="0"' in page
    assert "/static/js/jobs.js" in page and "<script>" not in page
    status = client.get(f"/jobs/{job.id}/status").get_json()
    assert status["finished"] is False and status["status"] == "running"


def test_rerun_submits_a_new_job_with_the_same_params(client, auth, world, app, tmp_path):
    app.config["EXPORT_DIR"] = str(tmp_path)
    job = add_job(world.user_manager, status="failed")
    auth.login("manager")
    response = client.post(f"/jobs/{job.id}/rerun")
    assert response.status_code == 302
    again = db.session.scalar(select(Job).where(Job.rerun_of_id == job.id))
    assert again.status == "done" and response.headers["Location"].endswith(f"/jobs/{again.id}")
