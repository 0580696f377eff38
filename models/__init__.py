"""The database: one `db` for the whole app, one module per aggregate.

Money columns are integer fen (`*_fen`); timestamps are naive UTC (`utcnow`); dates are
calendar dates in Asia/Shanghai as the business sees them.
"""
from __future__ import annotations

from datetime import date, datetime, timezone

from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import MetaData, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base)


def utcnow() -> datetime:
    """Naive UTC now; the only clock models use (as a callable default)."""
    return datetime.now(timezone.utc).replace(tzinfo=None)


def sql_day(value) -> date | None:
    """A DATE read without its column type (text(), or an SQL expression such as a grouped
    local day): a date on PostgreSQL, its ISO text on SQLite. The one reading of both."""
    return value if value is None or isinstance(value, date) else date.fromisoformat(value)


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, connection_record):  # pragma: no cover - trivial
    """Foreign keys on, WAL and a busy timeout for every SQLite connection."""
    module = type(dbapi_connection).__module__
    if not module.startswith("sqlite3"):
        return
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


@event.listens_for(Engine, "checkout")
def _sqlite_foreign_keys_on(dbapi_connection, connection_record, connection_proxy):  # pragma: no cover
    """Foreign keys on again for every use of a pooled SQLite connection: a commission run turns
    them off for its own transaction only (channel/services/commissions_run.py)."""
    if type(dbapi_connection).__module__.startswith("sqlite3") and not dbapi_connection.in_transaction:
        dbapi_connection.execute("PRAGMA foreign_keys=ON")


# Import every aggregate so that metadata (and Alembic) sees all tables.
from models.territory import Territory  # noqa: E402,F401
from models.tree import Seller, SellerClosure, SellerMove, TerritoryGrant  # noqa: E402,F401
from models.catalog import Product, ProductPrice  # noqa: E402,F401
from models.sales import Customer, OrderLine, ReturnLine, SalesOrder  # noqa: E402,F401
from models.users import User  # noqa: E402,F401
from models import commissions, conflicts, payouts, exchange, selling, ops  # noqa: E402,F401
from models.commissions import CommissionRun, LedgerHold, LedgerLine, PeriodLock  # noqa: E402,F401
from models.ops import AuditEvent, Job, LoginAttempt  # noqa: E402,F401
from models.selling import Certification  # noqa: E402,F401
