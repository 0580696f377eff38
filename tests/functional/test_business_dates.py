"""'This month', 'last month' and 'today' are Asia/Shanghai dates, whatever the server's clock.

At 01:00 in Beijing on 1 December it is still 30 November in UTC: a server on UTC used to show
November as this month on the dashboard and the seller page, offer October as the payout and
statement period (November had ended for the business, and a payout batch for it is allowed),
and default every date field to 30 November.
"""
from __future__ import annotations

import re
from datetime import date, datetime

import pytest

import models
from tests.commissions_fixtures import sale

BEIJING_DEC_1_0100 = datetime(2026, 11, 30, 17, 0)  # naive UTC


@pytest.fixture
def beijing_dec_1(monkeypatch):
    monkeypatch.setattr(models, "utcnow", lambda: BEIJING_DEC_1_0100)


def _value(html: str, name: str) -> str:
    tag = re.search(r'<input[^>]*\bname="%s"[^>]*>' % re.escape(name), html).group(0)
    return re.search(r'value="([^"]*)"', tag).group(1)


def test_the_dashboard_and_seller_page_count_the_beijing_month(client, auth, world, beijing_dec_1):
    sale(world, world.REP1, 123456, date(2026, 12, 1))  # sold this morning in Beijing
    sale(world, world.REP1, 700000, date(2026, 11, 30))
    auth.login("manager")
    page = client.get("/").get_data(as_text=True)
    assert "2026-12" in page and "¥1,234.56" in page
    seller = client.get(f"/sellers/{world.REP1.id}").get_data(as_text=True)
    assert "¥1,234.56" in seller
    assert _value(seller, "move-effective_on") == "2026-12-01"
    assert _value(seller, "deactivate-effective_on") == "2026-12-01"
    assert _value(client.get("/commissions/plans/new").get_data(as_text=True), "valid_from") == "2026-12-01"


def test_last_month_is_the_beijing_last_month(client, auth, world, beijing_dec_1):
    auth.login("finance")
    assert _value(client.get("/payouts").get_data(as_text=True), "period") == "2026-11"
    assert "提成对账单 · 2026-11" in client.get("/commissions/statements").get_data(as_text=True)
