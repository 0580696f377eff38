"""Monthly partitioning of the ledger on PostgreSQL: the SQL of the procedure in
docs/production.md, generated for the periods present, printed by
`flask --app app partition-ledger` for an operator to review and run in a maintenance window
(psql -v ON_ERROR_STOP=1 -1 -f ...). Not part of the default migrations."""
from __future__ import annotations

from channel.domain.periods import Month, month_range


def ledger_partition_sql(periods: list[str], months_ahead: int = 12) -> list[str]:
    """Statements turning `ledger_line` into a table partitioned by RANGE (period), one partition
    per month from the first of `periods` to `months_ahead` months after the last, plus a default
    partition; the data copied, counts and money checked (the last statement raises when they
    differ, so the surrounding transaction rolls back)."""
    present = sorted({Month.parse(p) for p in periods}) or [Month.parse("2026-01")]
    last = present[-1]
    for _ in range(months_ahead):
        last = last.next()
    statements = [
        "ALTER TABLE ledger_line RENAME TO ledger_line_flat",
        "ALTER TABLE ledger_line_flat RENAME CONSTRAINT pk_ledger_line TO pk_ledger_line_flat",
        *(f"ALTER INDEX {name} RENAME TO {name}_flat" for name in
          ("ix_ledger_payee_period", "ix_ledger_period", "ix_ledger_run", "ix_ledger_order_line")),
        "CREATE TABLE ledger_line (LIKE ledger_line_flat INCLUDING DEFAULTS INCLUDING CONSTRAINTS) PARTITION BY RANGE (period)",
        "ALTER TABLE ledger_line ADD CONSTRAINT pk_ledger_line PRIMARY KEY (id, period)",
    ]
    for month in month_range(present[0], last):
        statements.append(f"CREATE TABLE ledger_line_{month.year:04d}_{month.month:02d} PARTITION OF ledger_line "
                          f"FOR VALUES FROM ('{month}') TO ('{month.next()}')")
    statements += [
        "CREATE TABLE ledger_line_default PARTITION OF ledger_line DEFAULT",
        "INSERT INTO ledger_line SELECT * FROM ledger_line_flat",
        "ALTER SEQUENCE ledger_line_id_seq OWNED BY ledger_line.id",
        "CREATE INDEX ix_ledger_payee_period ON ledger_line (payee_id, period)",
        "CREATE INDEX ix_ledger_period ON ledger_line (period)",
        "CREATE INDEX ix_ledger_run ON ledger_line (run_id)",
        "CREATE INDEX ix_ledger_order_line ON ledger_line (order_line_id)",
        "ALTER TABLE ledger_line ADD CONSTRAINT fk_ledger_line_run_id_commission_run FOREIGN KEY (run_id) REFERENCES commission_run (id)",
        "ALTER TABLE ledger_line ADD CONSTRAINT fk_ledger_line_payee_id_seller FOREIGN KEY (payee_id) REFERENCES seller (id)",
        "ALTER TABLE ledger_line ADD CONSTRAINT fk_ledger_line_order_line_id_order_line FOREIGN KEY (order_line_id) REFERENCES order_line (id)",
        # holds name a line by id alone, which is no longer unique by itself: the service checks it
        "ALTER TABLE ledger_hold DROP CONSTRAINT IF EXISTS fk_ledger_hold_ledger_line_id_ledger_line",
        "CREATE TRIGGER ledger_line_no_update BEFORE UPDATE OR DELETE ON ledger_line "
        "FOR EACH ROW EXECUTE FUNCTION ledger_line_append_only()",
        """DO $$ BEGIN
             IF (SELECT count(*) FROM ledger_line) <> (SELECT count(*) FROM ledger_line_flat)
                OR (SELECT coalesce(sum(amount_fen), 0) FROM ledger_line) <> (SELECT coalesce(sum(amount_fen), 0) FROM ledger_line_flat)
             THEN RAISE EXCEPTION 'ledger partitioning: counts or money differ'; END IF; END $$""",
    ]
    return statements
