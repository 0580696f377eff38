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
        pg.rollback()
        # the ledger's references are still checked in the database, on the partitioned table
        with pytest.raises(Exception, match="references a missing row"):
            pg.execute(text("insert into ledger_line (run_id, period, payee_id, rule, amount_fen, created_at) "
                            "values (1, '2026-10', 987654321, 'base', 5, now())"))
        pg.rollback()
        with pytest.raises(Exception, match="named by ledger lines"):
            pg.execute(text("delete from commission_run"))
        pg.rollback()
    with engine.begin() as pg:
        # every index of the model is rebuilt, and nothing points at the old table any more
        indexes = set(pg.execute(text("select indexname from pg_indexes where tablename = 'ledger_line'")).scalars())
        assert indexes == {"pk_ledger_line", "ix_ledger_statement", "ix_ledger_period", "ix_ledger_run",
                           "ix_ledger_order_line", "ix_ledger_source_period", "ix_ledger_reverses"}
        pg.exec_driver_sql("DROP TABLE ledger_line_flat")
    engine.dispose()


def _applied(cli_output: str) -> list[str]:
    """The statements of a partition-* command's output, as psql -f would run them."""
    return [s for s in (part.strip() for part in cli_output.split(";\n")) if s]


def test_order_lines_partition_by_month_and_the_app_works_on_them(scratch_url):
    from datetime import date

    from sqlalchemy import func, select

    from app import create_app
    from channel.domain.errors import DomainError
    from channel.services.commissions_run import run_period
    from channel.services.demo import load_demo
    from channel.services.orders import LineInput, record_order, record_return
    from config import TestConfig
    from models import db
    from models.commissions import LedgerLine
    from models.sales import OrderLine, SalesOrder

    app = create_app(TestConfig, SQLALCHEMY_DATABASE_URI=scratch_url)
    with app.app_context():
        load_demo(agents=40, orders=600, seed=5, until=date(2026, 10, 31))
        preview = run_period("2026-10", preview=True)
        db.session.remove()
        db.engine.dispose()

    result = app.test_cli_runner().invoke(args=["partition-orders", "--months-ahead", "2"])
    assert result.exit_code == 0, result.output
    statements = _applied(result.output)
    assert "CREATE TABLE order_line (LIKE order_line_flat INCLUDING DEFAULTS INCLUDING CONSTRAINTS) " \
           "PARTITION BY RANGE (order_date)" in statements
    engine = create_engine(scratch_url)
    with engine.connect() as pg:
        before = dict(pg.execute(text("select 'order_line_' || to_char(order_date, 'YYYY_MM'), count(*) "
                                      "from order_line group by 1")).all())
        count, money = pg.execute(text("select count(*), sum(amount_fen) from order_line")).one()
        last_id = pg.execute(text("select max(id) from order_line")).scalar()
    assert len(before) >= 10 and count == 600

    # the check raises when a row went missing, and the whole transaction rolls back
    check = next(i for i, s in enumerate(statements) if s.startswith("DO $$"))
    with engine.connect() as pg:
        for statement in statements[:check]:
            pg.exec_driver_sql(statement)
        pg.exec_driver_sql("DELETE FROM order_line WHERE id = (SELECT min(id) FROM order_line)")
        with pytest.raises(Exception, match="order_line partitioning: counts or money differ"):
            pg.exec_driver_sql(statements[check])
        pg.rollback()
        assert pg.execute(text("select relkind from pg_class where relname = 'order_line'")).scalar() == "r"

    with engine.begin() as pg:
        for statement in statements:
            pg.exec_driver_sql(statement)
    with engine.begin() as pg:
        assert pg.execute(text("select relkind from pg_class where relname = 'order_line'")).scalar() == "p"
        parts = dict(pg.execute(text("select tableoid::regclass::text, count(*) from order_line group by 1")).all())
        assert parts == before
        assert pg.execute(text("select count(*), sum(amount_fen) from order_line")).one() == (count, money)
        # nothing points at the old table any more: it can be dropped without CASCADE
        pg.exec_driver_sql("DROP TABLE order_line_flat")
        indexes = set(pg.execute(text("select indexname from pg_indexes where tablename = 'order_line'")).scalars())
        assert {"pk_order_line", "uq_order_line_no", "ix_line_date_seller", "ix_line_seller_date",
                "ix_line_kind_date_cover"} <= indexes
    engine.dispose()

    with app.app_context():
        # a commission run reads and references the partitioned lines: same result as before
        outcome = run_period("2026-10")
        assert (outcome.lines_posted, outcome.total_fen) == (preview.lines_posted, preview.total_fen) != (0, 0)
        assert db.session.scalar(select(func.count()).select_from(LedgerLine).join(
            OrderLine, OrderLine.id == LedgerLine.order_line_id)) > 0
        # an order line the ledger names still cannot be deleted from the partitioned table
        named = db.session.scalar(select(func.min(LedgerLine.order_line_id)))
        with pytest.raises(Exception, match="named by ledger lines"):
            db.session.execute(text("delete from order_line where id = :i"), {"i": named})
        db.session.rollback()
        # new orders get fresh ids and land in their month's partition, or the default one
        order = db.session.scalars(select(SalesOrder).order_by(SalesOrder.id.desc()).limit(1)).one()
        line = order.lines[0]
        order_id, order_no = order.id, order.order_no
        november = record_order(order_no="P-2026-11", kind=order.kind, seller_id=order.seller_id,
                                customer_id=order.customer_id, order_date=date(2026, 11, 3),
                                ship_to_district_id=order.ship_to_district_id,
                                lines=[LineInput(product_id=line.product_id, qty=2, unit_price_fen=1_500)])
        later = record_order(order_no="P-2027-03", kind=order.kind, seller_id=order.seller_id,
                             customer_id=order.customer_id, order_date=date(2027, 3, 1),
                             ship_to_district_id=order.ship_to_district_id,
                             lines=[LineInput(product_id=line.product_id, qty=1, unit_price_fen=900)])
        where = {o.order_no: db.session.execute(text(
            "select id, tableoid::regclass::text from order_line where order_id = :o"), {"o": o.id}).one()
            for o in (november, later)}
        assert where["P-2026-11"] == (last_id + 1, "order_line_2026_11")
        assert where["P-2027-03"] == (last_id + 2, "order_line_default")
        # the foreign key from returns is gone; the service still refuses a line that does not exist
        record_return(return_no="PR-1", order_line_id=last_id + 1, qty=1, return_date=date(2026, 11, 5))
        with pytest.raises(DomainError):
            record_return(return_no="PR-2", order_line_id=last_id + 99, qty=1, return_date=date(2026, 11, 5))
        db.session.rollback()

    client = app.test_client()
    assert client.post("/login", data={"username": "manager", "password": "qudao-demo"}).status_code == 302
    listing = client.get("/orders")
    assert listing.status_code == 200 and "P-2027-03" in listing.get_data(as_text=True)
    detail = client.get(f"/orders/{order_id}")
    assert detail.status_code == 200 and order_no in detail.get_data(as_text=True)
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def test_partition_extend_adds_the_coming_months_once_and_refuses_months_already_in_the_default(scratch_url):
    from app import create_app
    from channel.ops.partitioning import ledger_partition_sql
    from config import TestConfig
    from models import db
    from models.commissions import CommissionRun, LedgerLine
    from tests.world import build_world

    app = create_app(TestConfig, SQLALCHEMY_DATABASE_URI=scratch_url)
    cli = app.test_cli_runner()
    assert cli.invoke(args=["partition-extend"]).exit_code == 1  # nothing partitioned yet
    engine = create_engine(scratch_url)
    with engine.begin() as pg:
        for statement in ledger_partition_sql(["2026-10"], months_ahead=1):
            pg.exec_driver_sql(statement)

    def months():
        with engine.connect() as pg:
            return sorted(pg.execute(text(
                "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
                "JOIN pg_class p ON p.oid = i.inhparent WHERE p.relname = 'ledger_line'")).scalars())

    assert months() == ["ledger_line_2026_10", "ledger_line_2026_11", "ledger_line_default"]
    printed = cli.invoke(args=["partition-extend", "--through", "2027-01"])
    assert printed.exit_code == 0
    assert printed.output.splitlines() == [
        "CREATE TABLE ledger_line_2026_12 PARTITION OF ledger_line FOR VALUES FROM ('2026-12') TO ('2027-01');",
        "CREATE TABLE ledger_line_2027_01 PARTITION OF ledger_line FOR VALUES FROM ('2027-01') TO ('2027-02');"]
    assert len(months()) == 3  # printing creates nothing
    applied = cli.invoke(args=["partition-extend", "--through", "2027-01", "--apply"])
    assert applied.exit_code == 0 and "2 partitions created, through 2027-01" in applied.output
    assert months()[-3:] == ["ledger_line_2026_12", "ledger_line_2027_01", "ledger_line_default"]
    assert "0 partitions created" in cli.invoke(args=["partition-extend", "--through", "2027-01", "--apply"]).output

    # a line of a month without its partition lands in the default one; that month then cannot
    # be added in place: the command says so and creates none of the months asked
    with app.app_context():
        w = build_world()
        run = CommissionRun(period="2027-04", status="posted")
        db.session.add(run)
        db.session.flush()
        db.session.add(LedgerLine(run_id=run.id, period="2027-04", payee_id=w.NS.id, rule="base", amount_fen=5))
        db.session.commit()
        db.session.remove()
        db.engine.dispose()
    refused = cli.invoke(args=["partition-extend", "--through", "2027-05", "--apply"])
    assert refused.exit_code == 1 and "default partition" in refused.output and "nothing was created" in refused.output
    assert "ledger_line_2027_02" not in months()
    assert cli.invoke(args=["partition-extend", "--through", "May"]).exit_code == 1
    engine.dispose()
