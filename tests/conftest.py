"""Fixtures shared by the suite.

Database tests take the `app` fixture, which is parametrised over the backends: SQLite always,
PostgreSQL when a server is reachable (TEST_POSTGRES_URL, default the local `test` database).
Without PostgreSQL the PostgreSQL half is skipped and the run says so; under CI=true an
unreachable PostgreSQL is an error, so nothing is silently skipped.

The schema always comes from the migrations: each backend is migrated once per session (SQLite
into a template file copied for every test; PostgreSQL into a private database whose tables,
but not the territory reference data, are emptied before every test).
"""
from __future__ import annotations

import contextvars
import os
import shutil
import uuid
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from flask.testing import FlaskClient

from config import TestConfig

POSTGRES_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
KEEP_TABLES = {"territory", "alembic_version"}
_skipped_postgres: list[str] = []


def _migrate(url: str) -> None:
    from flask_migrate import upgrade

    from app import create_app

    app = create_app(TestConfig, SQLALCHEMY_DATABASE_URI=url)
    with app.app_context():
        upgrade()
        from models import db

        db.session.remove()
        db.engine.dispose()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("db") / "template.sqlite3"
    _migrate(f"sqlite:///{path}")
    return path


def _postgres_reachable() -> str | None:
    """None when reachable, else the reason."""
    try:
        engine = create_engine(POSTGRES_URL, connect_args={"connect_timeout": 3})
        with engine.connect() as connection:
            connection.execute(text("select 1"))
        engine.dispose()
        return None
    except Exception as exc:  # noqa: BLE001 - any failure means "not reachable"
        return f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"


@pytest.fixture(scope="session")
def postgres_url():
    reason = _postgres_reachable()
    if reason:
        if IN_CI:
            pytest.fail(f"PostgreSQL is required under CI=true but is not reachable at {POSTGRES_URL}: {reason}")
        _skipped_postgres.append(reason)
        pytest.skip(f"PostgreSQL not reachable at {POSTGRES_URL} ({reason})")
    name = f"qudao_test_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = POSTGRES_URL.rsplit("/", 1)[0] + f"/{name}"
    _migrate(url)
    yield url
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _truncate_postgres(app) -> None:
    from models import db

    with app.app_context():
        # A connection a previous test leaked (say, a streamed response never closed, idle in
        # its transaction) would block TRUNCATE forever: end it, and never wait long on a lock.
        db.session.execute(text(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"))
        db.session.execute(text("SET lock_timeout = '20s'"))
        names = [t.name for t in db.metadata.sorted_tables if t.name not in KEEP_TABLES]
        extra = db.session.execute(text(
            "select tablename from pg_tables where schemaname = 'public'"
        )).scalars().all()
        names = sorted(set(names) | (set(extra) - KEEP_TABLES))
        if names:
            db.session.execute(text("TRUNCATE " + ", ".join(f'"{n}"' for n in names) + " RESTART IDENTITY CASCADE"))
            db.session.commit()


class IsolatedClient(FlaskClient):
    """Runs each request in a fresh context, as a real server would: the test's own app
    context (kept pushed for db access) must not leak `g` (logged-in user, locale) or its
    database session into requests."""

    def open(self, *args, **kwargs):
        context = contextvars.Context()
        response = context.run(super().open, *args, **kwargs)
        # a streamed body (and its close) must run in the request's own context too
        close, iterate = response.close, response.iter_encoded
        response.close = lambda: context.run(close)
        response.iter_encoded = lambda: context.run(lambda: list(iterate()))
        return response


@pytest.fixture(params=["sqlite", "postgresql"])
def app(request, tmp_path):
    """A migrated, empty (but for territories) database on each backend, and an app over it."""
    from app import create_app

    if request.param == "sqlite":
        template = request.getfixturevalue("sqlite_template")
        path = tmp_path / "test.sqlite3"
        shutil.copyfile(template, path)
        application = create_app(TestConfig, SQLALCHEMY_DATABASE_URI=f"sqlite:///{path}")
    else:
        url = request.getfixturevalue("postgres_url")
        application = create_app(TestConfig, SQLALCHEMY_DATABASE_URI=url)
        _truncate_postgres(application)
    application.config["BACKEND"] = request.param
    application.test_client_class = IsolatedClient
    from channel.services import reports

    reports.clear_cache()  # ids restart with every case on PostgreSQL: cached figures keyed by them must go
    with application.app_context():
        yield application
        from models import db

        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


class Auth:
    """Log in as a user of the test world (password 'secret-pass')."""

    def __init__(self, client):
        self.client = client

    def login(self, username: str, password: str = "secret-pass"):
        response = self.client.post("/login", data={"username": username, "password": password})
        assert response.status_code == 302, f"login as {username} failed: {response.status_code}"
        return response

    def logout(self):
        return self.client.post("/logout")


@pytest.fixture
def auth(client):
    return Auth(client)


@pytest.fixture
def world(app):
    """A small hand-made company; see tests/world.py for who is who."""
    from tests.world import build_world

    return build_world()


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    if _skipped_postgres:
        terminalreporter.write_sep(
            "!", f"PostgreSQL was not reachable ({_skipped_postgres[0]}): every PostgreSQL test was SKIPPED; "
            "only SQLite was tested", yellow=True,
        )
