"""Helpers for the exchange tests: write import files in any encoding and import them."""
from __future__ import annotations

import csv
import io
from pathlib import Path

from channel.services.imports import import_file


def write_csv(path: Path, rows: list[list], encoding: str = "utf-8") -> Path:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path


def write_xlsx(path: Path, rows: list[list]) -> Path:
    from openpyxl import Workbook

    book = Workbook()
    for row in rows:
        book.active.append(row)
    book.save(path)
    return path


def run(tmp_path: Path, kind: str, rows: list[list], encoding: str = "utf-8", name: str | None = None, user_id=None):
    path = write_csv(tmp_path / (name or f"{kind}.csv"), rows, encoding)
    return import_file(kind, str(path), user_id=user_id)


def report_rows(run) -> list[dict]:
    """A run's report as people read it (row, column, value, reason), the reasons in Chinese."""
    from channel.services.imports import rendered_report

    rows = csv.reader(io.StringIO(rendered_report(run.report_csv)))
    assert next(rows) == ["行", "列", "值", "原因"]
    return [dict(zip(("row", "column", "value", "reason"), cells)) for cells in rows]
