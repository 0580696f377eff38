"""The schema comes from the migrations, and the models agree with them on both backends."""
import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import func, select, text

from models import db
from models.territory import Territory


def test_models_match_the_migrated_schema(app):
    from models.ddl import include_object

    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"include_object": include_object(connection.dialect.name)})
        diff = compare_metadata(context, db.metadata)
    assert diff == []


def test_the_first_migration_loads_chinas_divisions(app):
    assert db.session.scalar(select(func.count()).select_from(Territory).where(Territory.level == 1)) == 34
    assert db.session.get(Territory, 440305).name == "南山区"


def test_the_ledger_and_audit_log_are_append_only_in_the_database(app):
    from models.commissions import CommissionRun, LedgerLine
    from models.ops import AuditEvent
    from tests.world import build_world

    w = build_world()
    run = CommissionRun(period="2026-10", status="posted", lines_posted=1, total_fen=100)
    db.session.add(run)
    db.session.flush()
    db.session.add(LedgerLine(run_id=run.id, period="2026-10", payee_id=w.NS.id, rule="base", amount_fen=100))
    db.session.add(AuditEvent(action="test", object_type="x"))
    db.session.commit()
    for statement in ("UPDATE ledger_line SET amount_fen = 1", "DELETE FROM ledger_line",
                      "UPDATE audit_event SET action = 'x'", "DELETE FROM audit_event"):
        with pytest.raises(Exception, match="append-only"):
            db.session.execute(text(statement))
        db.session.rollback()



def _migrate(direction: str, revision: str) -> None:
    """Upgrade or downgrade the test's database to `revision`, outside the test's session.
    (Alembic's command, not Flask-Migrate's, which turns a failing migration into SystemExit.)"""
    from alembic import command
    from flask import current_app

    db.session.remove()
    getattr(command, direction)(current_app.extensions["migrate"].migrate.get_config(), revision)
    db.session.remove()


def _revision() -> str:
    with db.engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def _indexes(table: str) -> set[str]:
    from sqlalchemy import inspect

    return {index["name"] for index in inspect(db.engine).get_indexes(table)}


def _columns(table: str) -> set[str]:
    from sqlalchemy import inspect

    return {column["name"] for column in inspect(db.engine).get_columns(table)}


def test_0010_adds_the_invoice_index_to_a_database_with_payouts_and_downgrades(app, world):
    """From 0009 with payout rows: a cancelled batch's invoice is released at its cancellation,
    so the same payee's live row may keep the number; down again drops index and column; and
    rows already sharing a live number stop the upgrade with a message naming them."""
    from channel.services import payouts
    from models.payouts import PayoutBatch, PayoutRow
    from tests.payouts_fixtures import post_lines, uid

    fin = uid(world, "finance")
    post_lines("2026-10", [(world.GD, 50000), (world.SZ, 40000)])
    first = payouts.create_batch("2026-10", fin)
    gd_first = db.session.scalar(select(PayoutRow.id).where(PayoutRow.batch_id == first.id, PayoutRow.payee_id == world.GD.id))
    payouts.record_invoice(gd_first, fin, "INV-1")
    payouts.cancel(first.id, fin, "重做")
    second = payouts.create_batch("2026-10", fin)
    gd_second, sz_second = (db.session.scalar(select(PayoutRow.id).where(PayoutRow.batch_id == second.id,
                                                                          PayoutRow.payee_id == seller.id))
                            for seller in (world.GD, world.SZ))
    payouts.record_invoice(gd_second, fin, "INV-1")
    first_id, cancelled_at = first.id, db.session.get(PayoutBatch, first.id).cancelled_at

    _migrate("downgrade", "0009")
    try:
        assert _revision() == "0009"
        assert "invoice_released_at" not in _columns("payout_row") and "uq_payout_row_invoice_no" not in _indexes("payout_row")
        _migrate("upgrade", "0010")
        assert "uq_payout_row_invoice_no" in _indexes("payout_row")
        released = dict(db.session.execute(text("SELECT id, invoice_released_at FROM payout_row")).all())
        assert released[gd_first] is not None and released[gd_second] is None and released[sz_second] is None
        assert str(released[gd_first])[:19] == str(cancelled_at)[:19]  # released when its batch was cancelled
        assert db.session.scalar(text("SELECT COUNT(*) FROM payout_row WHERE batch_id = :b"), {"b": first_id}) == 2

        _migrate("downgrade", "0009")
        db.session.execute(text("UPDATE payout_row SET invoice_no = 'INV-1' WHERE id = :id"), {"id": sz_second})
        db.session.commit()
        with pytest.raises(RuntimeError, match=r"'INV-1' on 2 rows"):
            _migrate("upgrade", "0010")
        assert _revision() == "0009" and "invoice_released_at" not in _columns("payout_row")
        db.session.execute(text("UPDATE payout_row SET invoice_no = 'INV-2' WHERE id = :id"), {"id": sz_second})
        db.session.commit()
    finally:
        db.session.rollback()
        _migrate("upgrade", "head")
    assert "uq_payout_row_invoice_no" in _indexes("payout_row")


def test_0011_ends_the_grants_still_held_by_sellers_deactivated_before_the_rule(app, world):
    """Sellers made inactive the old way (no grant ended): their grants in force end on the
    deactivation day (today when unknown), a grant starting after it is deleted, each change is
    audited; active sellers' grants and grants already ended are untouched."""
    from datetime import date, datetime
    from zoneinfo import ZoneInfo

    from models.ops import AuditEvent
    from models.tree import TerritoryGrant

    def grants_of(seller_id):
        return db.session.execute(select(TerritoryGrant.territory_id, TerritoryGrant.valid_from, TerritoryGrant.valid_to)
                                  .where(TerritoryGrant.seller_id == seller_id).order_by(TerritoryGrant.id)).all()

    world.HZ.active, world.HZ.deactivated_on = False, date(2026, 6, 1)  # as deactivation did before the rule
    world.TH.active, world.TH.deactivated_on = False, None  # deactivated, day unknown
    db.session.add_all([
        TerritoryGrant(seller_id=world.HZ.id, territory_id=330102, exclusive=True, valid_from=date(2026, 7, 1)),
        TerritoryGrant(seller_id=world.HZ.id, territory_id=330106, exclusive=False, valid_from=date(2025, 2, 1),
                       valid_to=date(2025, 3, 1)),
    ])
    db.session.commit()
    hz, th, others = world.HZ.id, world.TH.id, (world.GD.id, world.SZ.id, world.NS.id)
    before = {s: grants_of(s) for s in others}
    audited = db.session.scalar(select(func.count()).select_from(AuditEvent))

    _migrate("downgrade", "0010")
    _migrate("upgrade", "0011")

    today = datetime.now(ZoneInfo("Asia/Shanghai")).date()
    assert grants_of(hz) == [(330100, date(2025, 1, 1), date(2026, 6, 1)),  # ended on its day
                                   (330106, date(2025, 2, 1), date(2025, 3, 1))]  # already ended: kept
    assert grants_of(th) == [(440106, date(2025, 1, 1), today)]
    assert {s: grants_of(s) for s in others} == before
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.id > audited).order_by(AuditEvent.id)).all()
    assert [(e.action, e.object_id, e.detail["removed"], e.detail["migration"]) for e in events] == [
        ("territory.end", str(hz), False, "0011"), ("territory.end", str(th), False, "0011"),
        ("territory.end", str(hz), True, "0011")]
    _migrate("downgrade", "0010")  # changes nothing
    assert grants_of(th) == [(440106, date(2025, 1, 1), today)]
    _migrate("upgrade", "head")
