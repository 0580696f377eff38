"""Every CSV people download neutralises text a spreadsheet would run as a formula (safe_cell),
including the files written outside the list exports: the statement's reconciliation CSV and
the orders export job. (The import error report: tests/unit/test_imports_domain.py.)"""
from __future__ import annotations

import csv
import io
from types import SimpleNamespace

from channel.services import jobs
from channel.services.commissions_statements import statement_csv
from models import db

FORMULA = '=HYPERLINK("http://x","y")'


def test_the_statement_csv_neutralises_order_numbers_plan_names_and_notes_but_not_negative_amounts():
    line = SimpleNamespace(id=7, period="2026-10", source_period="2026-10", rule="override", override_level=1,
                           order_line_id=3, return_line_id=None, base_fen=-80700, rate_bp=100, amount_fen=-807,
                           reverses_id=None, note="@SUM(A1:A9)", case_id=None)
    item = SimpleNamespace(line=line, order_no=FORMULA, source_seller=SimpleNamespace(code="+86NS"),
                           plan=SimpleNamespace(name="-2-3 方案", version=1))
    rows = list(csv.reader(io.StringIO(statement_csv(SimpleNamespace(lines=[item], total_fen=-807)).lstrip("\ufeff"))))
    body = dict(zip(rows[0], rows[1]))
    assert body["order_no"] == "'" + FORMULA
    assert (body["plan"], body["note"], body["source_seller"]) == ("'-2-3 方案", "'@SUM(A1:A9)", "'+86NS")
    assert (body["base_fen"], body["amount_fen"]) == ("-80700", "-807")
    assert rows[-1][-1] == "-807"


def test_the_orders_export_job_neutralises_a_formula_looking_order_number(app, world, tmp_path):
    app.config["EXPORT_DIR"] = str(tmp_path / "exports")
    world.order_hz.order_no = FORMULA
    db.session.commit()
    job = jobs.submit("orders.export", {}, world.user_manager)
    with open(tmp_path / "exports" / job.result["file"], encoding="utf-8-sig") as handle:
        numbers = sorted(r["order_no"] for r in csv.DictReader(handle))
    assert "'" + FORMULA in numbers and FORMULA not in numbers
