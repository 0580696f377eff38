"""Concurrent writers on SQLite (WAL + busy timeout): users wait a moment, never see
"database is locked"."""
from __future__ import annotations

import sqlite3
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.ops_fixtures import sqlite_app


@pytest.fixture
def app(sqlite_template, tmp_path):
    """SQLite only (not the suite's two backends): SQLite is what this is about."""
    application = sqlite_app(sqlite_template, tmp_path)
    with application.app_context():
        yield application
        from models import db

        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def world(app):
    from tests.world import build_world

    return build_world()
from sqlalchemy import func, select

from models import db
from models.ops import Job, LoginAttempt

USERS = ["admin", "manager", "finance", "finance2", "agent_gd", "agent_zj", "agent_sz", "rep1"]


def test_eight_users_writing_at_once_all_succeed_while_a_long_writer_holds_the_lock(app, world, tmp_path):
    app.config["EXPORT_DIR"] = str(tmp_path / "exports")
    path = app.config["SQLALCHEMY_DATABASE_URI"].replace("sqlite:///", "")
    db.session.remove()
    failures: list[str] = []
    held = threading.Event()

    def long_writer():
        # a big write transaction (an import, a commission run) holding the write lock for a while
        connection = sqlite3.connect(path, timeout=10, isolation_level=None)
        connection.execute("BEGIN IMMEDIATE")
        connection.execute("INSERT INTO login_attempt (at, username, address, succeeded) VALUES ('2026-01-01', 'bulk', NULL, 1)")
        held.set()
        time.sleep(1.5)
        connection.execute("COMMIT")
        connection.close()

    def session_of(username: str):
        client = app.test_client()
        for round_ in range(3):
            response = client.post("/login", data={"username": username, "password": "secret-pass"})
            if response.status_code != 302:
                failures.append(f"{username} login: {response.status_code}")
            response = client.post("/jobs/export-orders", data={})
            if response.status_code != 302:
                failures.append(f"{username} export: {response.status_code}")
            for page in ("/orders", "/jobs"):
                response = client.get(page)
                if response.status_code != 200 or "database is locked" in response.get_data(as_text=True):
                    failures.append(f"{username} {page}: {response.status_code}")
            client.post("/logout")

    writer = threading.Thread(target=long_writer)
    writer.start()
    held.wait(5)
    with ThreadPoolExecutor(max_workers=len(USERS)) as pool:
        list(pool.map(session_of, USERS))
    writer.join()
    assert failures == []
    assert db.session.scalar(select(func.count()).select_from(LoginAttempt)) == len(USERS) * 3 + 1
    assert db.session.scalar(select(func.count()).select_from(Job).where(Job.status == "done")) == len(USERS) * 3
