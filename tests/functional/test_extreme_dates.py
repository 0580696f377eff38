"""Dates at the ends of the calendar (0001-01-01, 9999-12-31) in a filter are a 400 that says
which days are allowed (periods.check_day: years 1900–2999), never an OverflowError's 500."""
from __future__ import annotations

import pytest


@pytest.mark.parametrize("path", ["/selling/kpi?day=9999-12-31", "/selling/kpi?day=0001-01-01",
                                  "/selling/kpi/export.csv?day=9999-12-31", "/selling/value?as_of=9999-12-31"])
def test_an_extreme_kpi_day_is_a_400_with_the_allowed_range(client, auth, world, path):
    auth.login("admin")
    answer = client.get(path)
    assert answer.status_code == 400
    assert "1900-01-01" in answer.get_data(as_text=True) and "2999-12-31" in answer.get_data(as_text=True)


@pytest.mark.parametrize("path", ["/audit?date_to=9999-12-31", "/audit?date_from=0001-01-01",
                                  "/audit/export.csv?date_to=9999-12-31", "/audit/export.xlsx?date_from=0001-01-01"])
def test_an_extreme_audit_date_is_a_400_with_the_allowed_range(client, auth, world, path):
    auth.login("admin")
    answer = client.get(path)
    assert answer.status_code == 400
    assert "2999-12-31" in answer.get_data(as_text=True)


def test_the_last_allowed_days_still_answer(client, auth, world):
    auth.login("admin")
    assert client.get("/audit?date_from=1900-01-01&date_to=2999-12-31").status_code == 200
    assert client.get("/selling/kpi?day=2999-12-31").status_code == 200
    assert client.get("/selling/kpi?day=nonsense").status_code == 400
