"""The ledger's monthly partitioning procedure, applied to a scratch PostgreSQL database."""
from __future__ import annotations

import uuid

import pytest
from sqlalchemy import create_engine, text

from tests.conftest import IN_CI, POSTGRES_URL, _postgres_reachable, _migrate


@pytest.fixture
def scratch_url():
    reason = _postgres_reachable()
    if reason:
        if IN_CI:
            pytest.fail(f"PostgreSQL is required under CI=true: {reason}")
        pytest.skip(f"PostgreSQL not reachable: {reason}")
    name = f"qudao_part_{uuid.uuid4().hex[:8]}"
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = POSTGRES_URL.rsplit("/", 1)[0] + f"/{name}"
    _migrate(url)
    yield url
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def test_the_ledger_partitions_by_month_keeping_rows_money_and_append_only(scratch_url):
    from app import create_app
    from channel.ops.partitioning import ledger_partition_sql
    from config import TestConfig
    from models import db
    from models.commissions import CommissionRun, LedgerLine
    from tests.world import build_world

    app = create_app(TestConfig, SQLALCHEMY_DATABASE_URI=scratch_url)
    with app.app_context():
        w = build_world()
        run = CommissionRun(period="2026-09", status="posted")
        db.session.add(run)
        db.session.flush()
        for period, amount in (("2026-09", 100), ("2026-09", 250), ("2026-10", 4000), ("2026-11", 7)):
            db.session.add(LedgerLine(run_id=run.id, period=period, payee_id=w.NS.id, rule="base", amount_fen=amount))
        db.session.commit()
        last_id = db.session.scalar(text("select max(id) from ledger_line"))
        db.session.remove()
        db.engine.dispose()

    result = app.test_cli_runner().invoke(args=["partition-ledger", "--months-ahead", "2"])
    assert result.exit_code == 0 and "PARTITION BY RANGE (period)" in result.output
    engine = create_engine(scratch_url)
    with engine.begin() as pg:
        for statement in ledger_partition_sql(["2026-09", "2026-10", "2026-11"], months_ahead=2):
            pg.exec_driver_sql(statement)
    with engine.connect() as pg:
        parts = dict(pg.execute(text("select tableoid::regclass::text, count(*) from ledger_line group by 1")).all())
        assert parts == {"ledger_line_2026_09": 2, "ledger_line_2026_10": 1, "ledger_line_2026_11": 1}
        assert pg.execute(text("select sum(amount_fen) from ledger_line")).scalar() == 4357
        new_id = pg.execute(text("insert into ledger_line (run_id, period, payee_id, rule, amount_fen, created_at) "
                                 "values (1, '2027-01', 1, 'base', 5, now()) returning id")).scalar()
        assert new_id == last_id + 1
        assert pg.execute(text("select tableoid::regclass::text from ledger_line where id = :i"), {"i": new_id}).scalar() == "ledger_line_2027_01"
        pg.commit()
        with pytest.raises(Exception, match="append-only"):
            pg.execute(text("update ledger_line set amount_fen = 0"))
    engine.dispose()
