"""Exports of the conflict case list and the payout batch list: CSV and XLSX, the page's
filters, the same access rules (the harmed party never sees the offending amount)."""
from __future__ import annotations

import csv
import io

from openpyxl import load_workbook
from sqlalchemy import select

from channel.services import conflicts
from channel.services.users import create_user
from models import db
from models.conflicts import ConflictCase
from tests.conflicts_fixtures import sell
from tests.functional.test_api_features import approved_batch


def csv_rows(response) -> list[dict]:
    assert response.status_code == 200, response.data[:300]
    return list(csv.DictReader(io.StringIO(response.data.decode("utf-8-sig"))))


def xlsx_rows(response) -> list[tuple]:
    assert response.status_code == 200
    return list(load_workbook(io.BytesIO(response.data), read_only=True).active.iter_rows(values_only=True))


def a_case(world) -> ConflictCase:
    line = sell(world, world.SZ, 440104, price=280000)
    conflicts.scan_new(order_line_ids=[line.id])
    return db.session.scalar(select(ConflictCase))


def test_the_case_export_hides_the_amount_from_the_harmed_party_and_other_cases_from_everyone(client, auth, world):
    case = a_case(world)
    create_user("agent_gz", "secret-pass", "agent", seller_id=world.GZ.id)
    auth.login("agent_gz")
    (row,) = csv_rows(client.get("/conflicts/cases.csv", buffered=True))
    assert (row["id"], row["harmed_code"], row["amount_yuan"]) == (str(case.id), "GZ", "")
    client.post("/logout")
    auth.login("agent_sz")
    (row,) = csv_rows(client.get("/conflicts/cases.csv", buffered=True))
    assert row["amount_yuan"] == "2800.00"
    client.post("/logout")
    auth.login("agent_zj")
    assert csv_rows(client.get("/conflicts/cases.csv", buffered=True)) == []


def test_the_case_export_in_excel_applies_the_filters(client, auth, world):
    case = a_case(world)
    auth.login("manager")
    rows = xlsx_rows(client.get("/conflicts/cases.xlsx?rule=cross_territory", buffered=True))
    assert rows[0][0] == "id" and [r[0] for r in rows[1:]] == [case.id]
    assert xlsx_rows(client.get("/conflicts/cases.xlsx?rule=price_violation", buffered=True))[1:] == []
    assert client.get("/conflicts/cases.xlsx?rule=nonsense", buffered=True).status_code == 400


def test_the_batch_list_exports_for_finance_only(client, auth, world):
    batch = approved_batch(world)
    auth.login("finance")
    (row,) = csv_rows(client.get("/payouts/batches/export.csv", buffered=True))
    assert list(row.values())[:5] == [str(batch.id), "2026-10", "approved", "2", "1200.00"]
    rows = xlsx_rows(client.get("/payouts/batches/export.xlsx?status=approved&period=2026-10", buffered=True))
    assert [r[0] for r in rows[1:]] == [batch.id]
    assert csv_rows(client.get("/payouts/batches/export.csv?status=paid", buffered=True)) == []
    assert client.get("/payouts/batches/export.csv?status=nope", buffered=True).status_code == 400
    client.post("/logout")
    for username in ("agent_sz", "manager"):
        auth.login(username)
        assert client.get("/payouts/batches/export.csv", buffered=True).status_code == 403
        client.post("/logout")
