"""Monthly partitioning on PostgreSQL of the two big tables, the ledger (`ledger_line` by
`period`) and the order lines (`order_line` by `order_date`): the SQL of the procedure in
docs/production.md, generated for the months present, printed by `flask --app app
partition-ledger` / `partition-orders` for an operator to review and run in a maintenance window
(psql -v ON_ERROR_STOP=1 -1 -f ...). Not part of the default migrations.

One generator serves both tables. It reads the table's indexes, unique constraints and foreign
keys from the models (tests/integration/test_migrations.py keeps them equal to the migrated
schema), so an index or key added later is carried over without editing this file. On a
partitioned table every primary key and unique constraint must include the partition key, hence:

- the primary key becomes (id, key) and each unique constraint gets the key appended;
- foreign keys *into* the table (from other tables, or from itself) cannot name a row by id
  alone any more, so they are dropped; the columns and their indexes stay, and the services
  that write them check the row exists (they read it first) - see docs/production.md;
- foreign keys *out of* the table are re-created on the partitioned parent; the ledger's are
  statement-level triggers on PostgreSQL (models/ddl.py, `ledger_references`), re-created as such.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Callable

from sqlalchemy import Integer, PrimaryKeyConstraint, Table, UniqueConstraint
from sqlalchemy.dialects import postgresql
from sqlalchemy.schema import AddConstraint, CreateIndex

from channel.domain.periods import Month, month_range
from models.ddl import LEDGER_REFERENCES_TRIGGER, ledger_parent_triggers

_PG = postgresql.dialect()


@dataclass(frozen=True)
class PartitionPlan:
    """What differs between the partitioned tables."""

    table: str
    key: str  # the partition column
    bound: Callable[[Month], str]  # SQL literal of a month's lower bound in the key's type
    money: str  # the column whose total must be equal before and after
    triggers: tuple[str, ...] = field(default=())  # re-created on the new parent
    # outgoing foreign keys re-created on the new parent (the ledger's are triggers on PostgreSQL,
    # models/ddl.py `ledger_references`, re-created with `triggers`)
    outgoing_keys: bool = True


LEDGER = PartitionPlan(
    table="ledger_line", key="period", bound=lambda m: f"'{m}'", money="amount_fen",
    triggers=("CREATE TRIGGER ledger_line_no_update BEFORE UPDATE OR DELETE ON ledger_line "
              "FOR EACH ROW EXECUTE FUNCTION ledger_line_append_only()", LEDGER_REFERENCES_TRIGGER),
    outgoing_keys=False,
)
ORDER_LINES = PartitionPlan(table="order_line", key="order_date", bound=lambda m: f"'{m.start.isoformat()}'",
                            money="amount_fen", triggers=tuple(ledger_parent_triggers("order_line")))


def _table(name: str) -> Table:
    from models import db

    return db.metadata.tables[name]


def incoming_foreign_keys(table: Table) -> list[tuple[str, str]]:
    """(referencing table, constraint name) of every foreign key pointing at `table`, its own included."""
    found = []
    for other in table.metadata.tables.values():
        for fk in other.foreign_key_constraints:
            if fk.referred_table is table:
                found.append((other.name, str(fk.name)))
    return sorted(found)


def partition_sql(plan: PartitionPlan, months: list[Month], months_ahead: int = 12,
                  partitioned: frozenset[str] = frozenset()) -> list[str]:
    """Statements turning `plan.table` into a table partitioned by RANGE (`plan.key`), one
    partition per month from the first of `months` to `months_ahead` months after the last, plus
    a default partition; the rows copied, indexes and outgoing foreign keys re-created, incoming
    foreign keys dropped, and counts and money checked (that statement raises when they differ,
    so the surrounding transaction rolls back). The old table stays as `<table>_flat`.
    `partitioned`: tables already partitioned, which outgoing foreign keys can no longer name."""
    table = _table(plan.table)
    name, key, flat = table.name, plan.key, f"{table.name}_flat"
    present = sorted(set(months)) or [Month(2026, 1)]
    last = present[-1]
    for _ in range(months_ahead):
        last = last.next()
    pk = table.primary_key
    uniques = sorted((c for c in table.constraints if isinstance(c, UniqueConstraint)
                      and not isinstance(c, PrimaryKeyConstraint)), key=lambda c: str(c.name))
    indexes = sorted(table.indexes, key=lambda i: str(i.name))
    outgoing = sorted((fk for fk in table.foreign_key_constraints
                       if plan.outgoing_keys and fk.referred_table is not table
                       and fk.referred_table.name not in partitioned),
                      key=lambda fk: str(fk.name))
    incoming = incoming_foreign_keys(table)

    statements = [f"ALTER TABLE {name} RENAME TO {flat}"]
    # constraint-backed and plain indexes live in the schema's namespace: free their names
    statements += [f"ALTER TABLE {flat} RENAME CONSTRAINT {c.name} TO {c.name}_flat" for c in (pk, *uniques)]
    statements += [f"ALTER INDEX {i.name} RENAME TO {i.name}_flat" for i in indexes]
    # after the rename these point at the flat table; they cannot point at the partitioned one
    statements += [f"ALTER TABLE {flat if t == name else t} DROP CONSTRAINT IF EXISTS {c}" for t, c in incoming]
    statements += [
        f"CREATE TABLE {name} (LIKE {flat} INCLUDING DEFAULTS INCLUDING CONSTRAINTS) PARTITION BY RANGE ({key})",
    ]
    for month in month_range(present[0], last):
        statements.append(f"CREATE TABLE {name}_{month.year:04d}_{month.month:02d} PARTITION OF {name} "
                          f"FOR VALUES FROM ({plan.bound(month)}) TO ({plan.bound(month.next())})")
    statements += [
        f"CREATE TABLE {name}_default PARTITION OF {name} DEFAULT",
        f"INSERT INTO {name} SELECT * FROM {flat}",
    ]
    statements += [f"ALTER SEQUENCE {name}_{c.name}_seq OWNED BY {name}.{c.name}"
                   for c in pk.columns if c.autoincrement is not False and isinstance(c.type, Integer)]
    # keys and indexes built after the copy (one sort each rather than row-by-row maintenance)
    statements.append(f"ALTER TABLE {name} ADD CONSTRAINT {pk.name} PRIMARY KEY ({_with_key(pk.columns, key)})")
    statements += [f"ALTER TABLE {name} ADD CONSTRAINT {c.name} UNIQUE ({_with_key(c.columns, key)})" for c in uniques]
    statements += [str(CreateIndex(i).compile(dialect=_PG)) for i in indexes]
    statements += [str(AddConstraint(fk).compile(dialect=_PG)) for fk in outgoing]
    statements += list(plan.triggers)
    money = plan.money
    statements += [
        f"""DO $$ BEGIN
             IF (SELECT count(*) FROM {name}) <> (SELECT count(*) FROM {flat})
                OR (SELECT coalesce(sum({money}), 0) FROM {name}) <> (SELECT coalesce(sum({money}), 0) FROM {flat})
             THEN RAISE EXCEPTION '{name} partitioning: counts or money differ'; END IF; END $$""",
        f"ANALYZE {name}",
    ]
    return statements


def _with_key(columns, key: str) -> str:
    names = [c.name for c in columns]
    return ", ".join(names if key in names else [*names, key])


def ledger_partition_sql(periods: list[str], months_ahead: int = 12,
                         partitioned: frozenset[str] = frozenset()) -> list[str]:
    """The ledger by `period` ('YYYY-MM'), for the periods present."""
    return partition_sql(LEDGER, [Month.parse(p) for p in periods], months_ahead, partitioned)


def orders_partition_sql(first: date | None, last: date | None, months_ahead: int = 12,
                         partitioned: frozenset[str] = frozenset()) -> list[str]:
    """The order lines by `order_date`, for every month from the first line's to the last's."""
    months = month_range(Month.of(first), Month.of(last)) if first and last else []
    return partition_sql(ORDER_LINES, months, months_ahead, partitioned)


PLANS = {LEDGER.table: LEDGER, ORDER_LINES.table: ORDER_LINES}


def partition_months(names: list[str], table: str) -> list[Month]:
    """The months of `table`'s monthly partitions among partition names ('<table>_YYYY_MM')."""
    months = []
    for name in names:
        suffix = name[len(table) + 1:] if name.startswith(table + "_") else ""
        year, _sep, month = suffix.partition("_")
        if year.isdigit() and month.isdigit() and len(year) == 4 and len(month) == 2:
            months.append(Month(int(year), int(month)))
    return sorted(months)


def extend_sql(plan: PartitionPlan, existing: list[Month], through: Month) -> list[str]:
    """Statements adding `plan.table`'s monthly partitions after the last of `existing` up to
    and including `through` (none when they exist already). A month whose rows already sit in
    the default partition makes PostgreSQL refuse its CREATE (the caller reports it)."""
    if not existing:
        return []
    month, statements = existing[-1].next(), []
    while month <= through:
        statements.append(f"CREATE TABLE {plan.table}_{month.year:04d}_{month.month:02d} PARTITION OF {plan.table} "
                          f"FOR VALUES FROM ({plan.bound(month)}) TO ({plan.bound(month.next())})")
        month = month.next()
    return statements
