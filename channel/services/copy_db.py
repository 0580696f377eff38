"""Copy this (SQLite) database into a new PostgreSQL database and prove the copy whole.

Steps: migrate the target to the same revision; refuse unless its tables are empty (the
territory reference data the first migration loads is compared, not copied); COPY every table
in dependency order in ONE target transaction; reset the id sequences; compare row counts and
the sum of every money column (`*_fen`) table by table; commit only when all match. A failure
at any step leaves the target as migrated and empty, so the command can simply run again.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from sqlalchemy import JSON, create_engine, func, select, text

from channel.domain.errors import DomainError, N_
from models import db

REFERENCE_TABLES = {"territory"}  # loaded by the first migration on both sides


@dataclass
class TableCheck:
    table: str
    source_rows: int
    target_rows: int
    money: dict  # column -> (source sum, target sum)

    @property
    def ok(self) -> bool:
        return self.source_rows == self.target_rows and all(a == b for a, b in self.money.values())


def _migrate(url: str) -> None:
    from flask_migrate import upgrade

    from app import create_app
    from config import Config

    target_app = create_app(Config, SQLALCHEMY_DATABASE_URI=url, LOG_JSON=False)
    with target_app.app_context():
        upgrade()
        db.session.remove()
        db.engine.dispose()


def _has_serial_id(table) -> bool:
    column = table.c.get("id")
    if column is None or not column.primary_key:
        return False
    try:
        return column.type.python_type is int
    except NotImplementedError:
        return False


def _checks(connection, tables) -> dict[str, tuple[int, dict]]:
    out = {}
    for table in tables:
        money_cols = [c for c in table.columns if c.name.endswith("_fen")]
        row = connection.execute(select(func.count(), *(func.coalesce(func.sum(c), 0) for c in money_cols))
                                 .select_from(table)).one()
        out[table.name] = (int(row[0]), {c.name: int(v) for c, v in zip(money_cols, row[1:])})
    return out


def copy_to_postgres(target_url: str, *, progress: Callable[[str, int], None] | None = None) -> list[TableCheck]:
    """Copy the app's database into the PostgreSQL database at `target_url` (which must exist,
    empty or migrated-but-empty). Returns one check per table; raises DomainError (nothing
    committed) when the target is not empty or a count or a money total differs."""
    from psycopg.types.json import Json

    if not target_url.startswith("postgresql"):
        raise DomainError(N_("目标必须是 PostgreSQL 数据库地址（postgresql+psycopg://...）。"), field="url")
    _migrate(target_url)
    tables = [t for t in db.metadata.sorted_tables]
    source = db.session.connection()
    engine = create_engine(target_url)
    try:
        with engine.connect() as target:
            for table in tables:
                if table.name in REFERENCE_TABLES:
                    continue
                if target.execute(select(func.count()).select_from(table)).scalar():
                    raise DomainError(N_("目标数据库的表 %(table)s 不是空的；请用一个新建的数据库。"), table=table.name)
            raw = target.connection.driver_connection
            with raw.cursor() as cursor:
                try:  # FKs are not re-checked row by row (the source enforced them); needs superuser
                    cursor.execute("SET LOCAL session_replication_role = replica")
                except Exception:  # noqa: BLE001 - fall back to dependency order alone
                    raw.rollback()
                for table in tables:
                    if table.name in REFERENCE_TABLES:
                        continue
                    columns = [c.name for c in table.columns]
                    json_at = [i for i, c in enumerate(table.columns) if isinstance(c.type, JSON)]
                    query = select(*table.columns).order_by(*table.primary_key.columns).execution_options(yield_per=5000)
                    copied = 0
                    names = ", ".join(f'"{c}"' for c in columns)
                    with cursor.copy(f'COPY "{table.name}" ({names}) FROM STDIN') as copy:
                        for batch in source.execute(query).partitions():
                            for row in batch:
                                if json_at:
                                    row = list(row)
                                    for i in json_at:
                                        row[i] = None if row[i] is None else Json(row[i])
                                copy.write_row(row)
                            copied += len(batch)
                            if progress:
                                progress(table.name, copied)
                    if _has_serial_id(table):
                        cursor.execute(
                            f"SELECT setval(pg_get_serial_sequence('\"{table.name}\"', 'id'), "
                            f"COALESCE((SELECT MAX(id) FROM \"{table.name}\"), 0) + 1, false)")
            source_sums = _checks(source, tables)
            target_sums = _checks(target, tables)
            checks = [TableCheck(t.name, source_sums[t.name][0], target_sums[t.name][0],
                                 {k: (v, target_sums[t.name][1].get(k)) for k, v in source_sums[t.name][1].items()})
                      for t in tables]
            bad = [c.table for c in checks if not c.ok]
            if bad:
                raw.rollback()
                raise DomainError(N_("复制后的数据不一致：%(tables)s；目标数据库未写入。"), tables=", ".join(bad))
            raw.commit()
    finally:
        engine.dispose()
    return checks
