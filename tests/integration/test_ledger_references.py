"""The ledger's references are enforced by the database on both backends: foreign keys on
SQLite, statement-level triggers on PostgreSQL (models/ddl.py, `ledger_references`). Each test
tries the forbidden write and expects the database itself to refuse it."""
from datetime import date, datetime

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError, OperationalError

from models import db
from models.commissions import CommissionPlan, CommissionRun
from tests.world import build_world

MISSING = 987_654_321

INSERT = text("""
    INSERT INTO ledger_line (run_id, period, payee_id, rule, amount_fen, order_line_id, created_at, source_period,
                             source_seller_id, return_line_id, plan_version_id, reverses_id)
    VALUES (:run_id, '2026-10', :payee_id, 'base', 100, :order_line_id, :now, '2026-10',
            :source_seller_id, :return_line_id, :plan_version_id, :reverses_id)""")


@pytest.fixture()
def refs(app):
    """A world with one posted ledger line naming a run, a seller, an order line and a plan."""
    w = build_world()
    run, spare_run = (CommissionRun(period=p, status="posted", lines_posted=0, total_fen=0) for p in ("2026-10", "2026-09"))
    plan = CommissionPlan(name="p", channel="agent", valid_from=date(2026, 1, 1), base_rate_bp=300)
    db.session.add_all([run, spare_run, plan])
    db.session.flush()
    run_id, spare_run_id, plan_id = run.id, spare_run.id, plan.id
    order_line_id = db.session.execute(text("SELECT MIN(id) FROM order_line WHERE seller_id = :s"),
                                       {"s": w.NS.id}).scalar_one()
    good = dict(run_id=run_id, payee_id=w.NS.id, order_line_id=order_line_id, now=datetime(2026, 11, 1),
                source_seller_id=w.NS.id, return_line_id=None, plan_version_id=plan_id, reverses_id=None)
    db.session.execute(INSERT, good)
    db.session.commit()
    return dict(good=good, spare_run_id=spare_run_id, seller_id=w.NS.id)


@pytest.mark.parametrize("column", ["run_id", "payee_id", "source_seller_id", "order_line_id", "return_line_id",
                                    "plan_version_id", "reverses_id"])
def test_a_ledger_line_naming_a_missing_row_is_refused(refs, column):
    with pytest.raises(IntegrityError):
        db.session.execute(INSERT, {**refs["good"], column: MISSING})
        db.session.flush()
    db.session.rollback()
    assert db.session.execute(text("SELECT COUNT(*) FROM ledger_line")).scalar_one() == 1


def test_one_bad_row_refuses_the_whole_multi_row_insert(refs):
    """Set-based check: the statement is refused as a whole, the good rows with it."""
    with pytest.raises(IntegrityError):
        db.session.execute(text("""
            INSERT INTO ledger_line (run_id, period, payee_id, rule, amount_fen, created_at)
            SELECT :run, '2026-10', p, 'base', 1, :now FROM (SELECT :good AS p UNION ALL SELECT :bad) x"""),
            {"run": refs["good"]["run_id"], "now": datetime(2026, 11, 1), "good": refs["seller_id"], "bad": MISSING})
        db.session.flush()
    db.session.rollback()
    assert db.session.execute(text("SELECT COUNT(*) FROM ledger_line")).scalar_one() == 1


def test_valid_lines_and_a_reversal_of_a_posted_line_are_accepted(refs):
    first = db.session.execute(text("SELECT MIN(id) FROM ledger_line")).scalar_one()
    db.session.execute(INSERT, {**refs["good"], "reverses_id": first})
    db.session.execute(INSERT, refs["good"])
    db.session.commit()
    assert db.session.execute(text("SELECT COUNT(*) FROM ledger_line")).scalar_one() == 3


@pytest.mark.parametrize("table,key", [("seller", "payee_id"), ("order_line", "order_line_id"),
                                       ("commission_plan", "plan_version_id"), ("commission_run", "run_id")])
def test_a_row_the_ledger_names_cannot_be_deleted(refs, table, key):
    with pytest.raises(IntegrityError):
        db.session.execute(text(f"DELETE FROM {table} WHERE id = :id"), {"id": refs["good"][key]})
        db.session.flush()
    db.session.rollback()
    assert db.session.execute(text(f"SELECT COUNT(*) FROM {table} WHERE id = :id"),
                              {"id": refs["good"][key]}).scalar_one() == 1


def test_a_row_the_ledger_does_not_name_can_still_be_deleted(refs):
    db.session.execute(text("DELETE FROM commission_run WHERE id = :id"), {"id": refs["spare_run_id"]})
    db.session.commit()
    assert db.session.execute(text("SELECT COUNT(*) FROM commission_run")).scalar_one() == 1


def test_the_id_of_a_row_the_ledger_names_cannot_change(refs):
    with pytest.raises(IntegrityError):
        db.session.execute(text("UPDATE commission_run SET id = :new WHERE id = :id"),
                           {"id": refs["good"]["run_id"], "new": MISSING})
        db.session.flush()
    db.session.rollback()


# SQLite runs one writer at a time and its foreign keys stay: these races are PostgreSQL's
postgres_only = pytest.mark.parametrize("app", ["postgresql"], indirect=True)


def _two_connections():
    first, second = db.engine.connect(), db.engine.connect()
    for connection in (first, second):
        connection.execute(text("SET lock_timeout = '1s'"))
    return first, second


@postgres_only
def test_a_parent_delete_waits_for_an_uncommitted_ledger_line_then_is_refused(app, refs):
    """Insert first: the delete cannot slip past a ledger line it does not yet see."""
    writer, deleter = _two_connections()
    try:
        writer.execute(INSERT, {**refs["good"], "run_id": refs["spare_run_id"]})  # not committed
        with pytest.raises(OperationalError, match="lock timeout"):
            deleter.execute(text("DELETE FROM commission_run WHERE id = :id"), {"id": refs["spare_run_id"]})
        deleter.rollback()
        writer.commit()
        with pytest.raises(IntegrityError):
            deleter.execute(text("DELETE FROM commission_run WHERE id = :id"), {"id": refs["spare_run_id"]})
        deleter.rollback()
    finally:
        writer.close(), deleter.close()
    assert db.session.execute(text("SELECT COUNT(*) FROM ledger_line l JOIN commission_run r ON r.id = l.run_id "
                                   "WHERE r.id = :id"), {"id": refs["spare_run_id"]}).scalar_one() == 1


@postgres_only
def test_a_ledger_line_waits_for_an_uncommitted_parent_delete_then_is_refused(app, refs):
    """Delete first: the insert cannot pass its check on a row already deleted but not committed."""
    writer, deleter = _two_connections()
    try:
        deleter.execute(text("DELETE FROM commission_run WHERE id = :id"), {"id": refs["spare_run_id"]})
        with pytest.raises(OperationalError, match="lock timeout"):
            writer.execute(INSERT, {**refs["good"], "run_id": refs["spare_run_id"]})
        writer.rollback()
        deleter.commit()
        with pytest.raises(IntegrityError):
            writer.execute(INSERT, {**refs["good"], "run_id": refs["spare_run_id"]})
        writer.rollback()
    finally:
        writer.close(), deleter.close()
    assert db.session.execute(text("SELECT COUNT(*) FROM ledger_line WHERE run_id = :id"),
                              {"id": refs["spare_run_id"]}).scalar_one() == 0


@postgres_only
def test_reads_and_other_ledger_writers_are_not_blocked_by_a_ledger_writer(app, refs):
    """The lock is taken by deletes only: two runs' inserts and every reader go on side by side."""
    first, second = _two_connections()
    try:
        first.execute(INSERT, refs["good"])
        second.execute(INSERT, {**refs["good"], "run_id": refs["spare_run_id"]})
        assert second.execute(text("SELECT COUNT(*) FROM ledger_line")).scalar_one() == 2  # its own + the posted one
        first.commit(), second.commit()
    finally:
        first.close(), second.close()
    assert db.session.execute(text("SELECT COUNT(*) FROM ledger_line")).scalar_one() == 3
