"""DDL that SQLAlchemy models cannot express, used by migrations."""
from __future__ import annotations


def append_only(table: str, dialect: str) -> list[str]:
    """Statements making `table` append-only: UPDATE and DELETE raise in the database itself."""
    message = f"{table} is append-only"
    if dialect == "sqlite":
        return [
            f"CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table} BEGIN SELECT RAISE(ABORT, '{message}'); END",
            f"CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table} BEGIN SELECT RAISE(ABORT, '{message}'); END",
        ]
    if dialect == "postgresql":
        return [
            f"""CREATE OR REPLACE FUNCTION {table}_append_only() RETURNS trigger AS $$
                BEGIN RAISE EXCEPTION '{message}'; END; $$ LANGUAGE plpgsql""",
            f"CREATE TRIGGER {table}_no_update BEFORE UPDATE OR DELETE ON {table} FOR EACH ROW EXECUTE FUNCTION {table}_append_only()",
        ]
    raise NotImplementedError(dialect)


def drop_append_only(table: str, dialect: str) -> list[str]:
    if dialect == "sqlite":
        return [f"DROP TRIGGER IF EXISTS {table}_no_update", f"DROP TRIGGER IF EXISTS {table}_no_delete"]
    return [f"DROP TRIGGER IF EXISTS {table}_no_update ON {table}", f"DROP FUNCTION IF EXISTS {table}_append_only()"]


# ledger_line's references: (column, parent table). On PostgreSQL they are checked by the
# statement-level triggers below instead of per-row foreign keys (see `ledger_references`).
LEDGER_REFERENCES = (
    ("run_id", "commission_run"),
    ("payee_id", "seller"),
    ("source_seller_id", "seller"),
    ("order_line_id", "order_line"),
    ("return_line_id", "return_line"),
    ("plan_version_id", "commission_plan"),
    ("reverses_id", "ledger_line"),
)


# also re-created by the ledger's partitioning (channel/ops/partitioning.py)
LEDGER_REFERENCES_TRIGGER = ("CREATE TRIGGER ledger_line_references AFTER INSERT ON ledger_line REFERENCING NEW TABLE "
                             "AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION ledger_line_references()")


def _ledger_fk_name(column: str, parent: str) -> str:
    return f"fk_ledger_line_{column}_{parent}"


def ledger_references(dialect: str) -> list[str]:
    """PostgreSQL: ledger_line's seven references checked once per statement, not once per row.

    A foreign key checks each inserted row on its own (a query and a row lock on the parent per
    non-null reference: five per typical ledger line), which was 70 % of a month's commission
    run (168,093 lines: 17 of 25 s on the bench host). The same rules, set-based:

    - an INSERT into ledger_line whose rows name a missing run, seller, order line, return line,
      plan version or ledger line is refused (SQLSTATE 23503, foreign_key_violation, as a
      foreign key would) by an AFTER ... FOR EACH STATEMENT trigger over the inserted rows;
    - a DELETE from a parent table that removes a row a ledger line names is refused likewise;
    - a parent's id may not change (no code changes one; a foreign key would refuse it too).

    The ledger itself is append-only (`append_only`), so its references never change after the
    insert. On SQLite the foreign keys stay (the run switches their enforcement off for its own
    transaction, whose ids all come from rows it joins: commissions_run._sqlite_run_settings)."""
    if dialect != "postgresql":
        return []
    statements = [f"ALTER TABLE ledger_line DROP CONSTRAINT {_ledger_fk_name(c, p)}" for c, p in LEDGER_REFERENCES]
    checks = "\n".join(f"""
        IF bad IS NULL THEN
            SELECT '{column} ' || r.id INTO bad FROM (SELECT DISTINCT {column} AS id FROM new_rows
                                                      WHERE {column} IS NOT NULL) r
            WHERE NOT EXISTS (SELECT 1 FROM {parent} p WHERE p.id = r.id) LIMIT 1;
        END IF;""" for column, parent in LEDGER_REFERENCES)
    statements.append(f"""CREATE OR REPLACE FUNCTION ledger_line_references() RETURNS trigger AS $$
        DECLARE bad text;
        BEGIN {checks}
            IF bad IS NOT NULL THEN
                RAISE EXCEPTION 'ledger_line references a missing row: %', bad USING ERRCODE = 'foreign_key_violation';
            END IF;
            RETURN NULL;
        END; $$ LANGUAGE plpgsql""")
    statements.append(LEDGER_REFERENCES_TRIGGER)
    statements.append("""CREATE OR REPLACE FUNCTION ledger_parent_id_fixed() RETURNS trigger AS $$
        BEGIN
            RAISE EXCEPTION '%.id may not change (ledger lines name it)', TG_TABLE_NAME USING ERRCODE = 'foreign_key_violation';
        END; $$ LANGUAGE plpgsql""")
    for parent in sorted({p for _, p in LEDGER_REFERENCES} - {"ledger_line"}):
        statements.append(_parent_kept_function(parent, lock=False))
        statements += ledger_parent_triggers(parent)
    return statements


def _parent_kept_function(parent: str, lock: bool) -> str:
    columns = [c for c, p in LEDGER_REFERENCES if p == parent]
    used = " OR ".join(f"EXISTS (SELECT 1 FROM ledger_line l WHERE l.{c} = o.id)" for c in columns)
    # see `ledger_parent_locks`; plpgsql takes a new snapshot per statement under READ COMMITTED,
    # so the check after the lock sees every ledger line committed while the delete waited
    locked = "LOCK TABLE ledger_line IN SHARE MODE;" if lock else ""
    return f"""CREATE OR REPLACE FUNCTION {parent}_ledger_kept() RETURNS trigger AS $$
            DECLARE bad bigint;
            BEGIN
                {locked}
                SELECT o.id INTO bad FROM old_rows o WHERE {used} LIMIT 1;
                IF bad IS NOT NULL THEN
                    RAISE EXCEPTION '{parent} % is named by ledger lines', bad USING ERRCODE = 'foreign_key_violation';
                END IF;
                RETURN NULL;
            END; $$ LANGUAGE plpgsql"""


def ledger_parent_locks(dialect: str, lock: bool = True) -> list[str]:
    """PostgreSQL: a parent's DELETE waits for the ledger's writers before it checks (migration
    0014; `lock=False` gives 0013's functions back).

    Without it two transactions could each pass their own check and together leave a ledger line
    naming a deleted row: one inserts a line naming order line 7 and has not committed, another
    deletes order line 7 and, not seeing the uncommitted line, commits; or the delete comes first,
    uncommitted, and the insert still sees order line 7. A foreign key prevents both with a row lock
    per reference. Here the delete trigger takes a SHARE lock on ledger_line, which waits for every
    transaction that has inserted ledger lines and blocks new inserts until the delete commits; the
    insert trigger, running after that, sees the row gone and refuses. Reads are not blocked, nor are
    other deletes; the parents are deleted rarely (no screen deletes a seller, an order line, a
    return, a plan version or a run that a ledger line names)."""
    if dialect != "postgresql":
        return []
    return [_parent_kept_function(parent, lock) for parent in sorted({p for _, p in LEDGER_REFERENCES} - {"ledger_line"})]


def ledger_parent_triggers(parent: str) -> list[str]:
    """The triggers keeping `parent`'s rows that ledger lines name (also re-created when
    order_line is partitioned: channel/ops/partitioning.py)."""
    return [f"CREATE TRIGGER {parent}_ledger_kept AFTER DELETE ON {parent} REFERENCING OLD TABLE AS old_rows "
            f"FOR EACH STATEMENT EXECUTE FUNCTION {parent}_ledger_kept()",
            f"CREATE TRIGGER {parent}_id_fixed BEFORE UPDATE OF id ON {parent} FOR EACH ROW "
            f"WHEN (OLD.id IS DISTINCT FROM NEW.id) EXECUTE FUNCTION ledger_parent_id_fixed()"]


def drop_ledger_references(dialect: str) -> list[str]:
    """The foreign keys back in place of `ledger_references`' triggers."""
    if dialect != "postgresql":
        return []
    statements = ["DROP TRIGGER IF EXISTS ledger_line_references ON ledger_line",
                  "DROP FUNCTION IF EXISTS ledger_line_references()"]
    for parent in sorted({p for _, p in LEDGER_REFERENCES} - {"ledger_line"}):
        statements += [f"DROP TRIGGER IF EXISTS {parent}_ledger_kept ON {parent}",
                       f"DROP TRIGGER IF EXISTS {parent}_id_fixed ON {parent}",
                       f"DROP FUNCTION IF EXISTS {parent}_ledger_kept()"]
    statements.append("DROP FUNCTION IF EXISTS ledger_parent_id_fixed()")
    statements += [f"ALTER TABLE ledger_line ADD CONSTRAINT {_ledger_fk_name(c, p)} FOREIGN KEY ({c}) REFERENCES {p} (id)"
                   for c, p in LEDGER_REFERENCES]
    return statements


def include_object(dialect: str):
    """For alembic's model/schema comparison: on PostgreSQL, ledger_line's foreign keys are
    the triggers of `ledger_references`, so the models' ForeignKey declarations are not looked
    for there."""
    def include(obj, name, type_, reflected, compare_to) -> bool:
        return not (dialect == "postgresql" and type_ == "foreign_key_constraint"
                    and getattr(getattr(obj, "table", None), "name", None) == "ledger_line")
    return include
