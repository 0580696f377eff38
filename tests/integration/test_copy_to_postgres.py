"""`flask copy-to-postgres URL`: a SQLite database copied into a new PostgreSQL one, with counts
and money totals checked, sequences reset, and a non-empty target refused."""
from __future__ import annotations

import uuid
from datetime import date

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
from sqlalchemy import create_engine, text

from models import db
from models.commissions import CommissionRun, LedgerLine
from tests.conftest import IN_CI, POSTGRES_URL, _postgres_reachable


@pytest.fixture
def target_url():
    reason = _postgres_reachable()
    if reason:
        if IN_CI:
            pytest.fail(f"PostgreSQL is required under CI=true: {reason}")
        pytest.skip(f"PostgreSQL not reachable: {reason}")
    name = f"qudao_copy_{uuid.uuid4().hex[:8]}"
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    yield POSTGRES_URL.rsplit("/", 1)[0] + f"/{name}"
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def fill_more(world):
    from channel.services import security

    run = CommissionRun(period="2026-10", status="posted", lines_posted=2, total_fen=12345)
    db.session.add(run)
    db.session.flush()
    db.session.add_all([LedgerLine(run_id=run.id, period="2026-10", payee_id=world.NS.id, rule="base", amount_fen=12000),
                        LedgerLine(run_id=run.id, period="2026-10", payee_id=world.GD.id, rule="override", amount_fen=345)])
    db.session.commit()
    security.set_role(world.user_admin.id, "finance2", "channel_manager")


def test_a_sqlite_database_copies_whole_into_postgresql(app, world, target_url):
    fill_more(world)
    result = app.test_cli_runner().invoke(args=["copy-to-postgres", target_url])
    assert result.exit_code == 0, result.output
    assert "every count and money total matches" in result.output

    engine = create_engine(target_url)
    with engine.connect() as pg:
        assert pg.execute(text("select count(*) from seller")).scalar() == 14
        assert pg.execute(text("select sum(total_fen) from sales_order")).scalar() == 1740000
        assert pg.execute(text("select sum(amount_fen) from ledger_line")).scalar() == 12345
        assert pg.execute(text("select detail from audit_event where action = 'user.role_change'")).scalar()["after"]["role"] == "channel_manager"
        assert pg.execute(text("select order_date from sales_order where order_no = 'SO-NS-1'")).scalar() == date(2026, 10, 5)
        # sequences continue after the copied ids
        last = db.session.scalar(text("select max(id) from audit_event"))
        new_id = pg.execute(text("insert into audit_event (at, action, object_type) values (now(), 'x', 'y') returning id")).scalar()
        assert new_id == last + 1
        pg.rollback()
        # the append-only triggers came with the migration
        with pytest.raises(Exception, match="append-only"):
            pg.execute(text("delete from ledger_line"))
    engine.dispose()


def test_a_target_with_data_is_refused_and_left_as_it_was(app, world, target_url):
    runner = app.test_cli_runner()
    assert runner.invoke(args=["copy-to-postgres", target_url]).exit_code == 0
    again = runner.invoke(args=["copy-to-postgres", target_url])
    assert again.exit_code == 1 and "不是空的" in again.output
    engine = create_engine(target_url)
    with engine.connect() as pg:
        assert pg.execute(text("select count(*) from sales_order")).scalar() == 5
    engine.dispose()


def test_only_a_postgresql_target_is_accepted(app, world):
    result = app.test_cli_runner().invoke(args=["copy-to-postgres", "sqlite:///elsewhere.sqlite3"])
    assert result.exit_code == 1 and "PostgreSQL" in result.output
