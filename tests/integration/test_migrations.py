"""The schema comes from the migrations, and the models agree with them on both backends."""
import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import func, select, text

from models import db
from models.territory import Territory


def test_models_match_the_migrated_schema(app):
    with db.engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), db.metadata)
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
