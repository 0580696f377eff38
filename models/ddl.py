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
