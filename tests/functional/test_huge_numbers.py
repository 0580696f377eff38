"""Numbers no id can be — in a URL's path, a list's cursor or a filter — are an unknown id or a
malformed value to the user: 404 or the first page, never a 500 (SQLite raises OverflowError on
an integer past 2**63 - 1)."""
from __future__ import annotations

import pytest
from werkzeug.routing import IntegerConverter

HUGE = "99999999999999999999999"
BEYOND_INTEGER = "3000000000"  # fits BIGINT, not the INTEGER id columns (PostgreSQL: "out of range")
VALUES = {"fmt": "csv", "kind": "orders", "period": "2026-10", "filename": "x.css"}


def _get_routes_with_ids(app, huge=HUGE):
    for rule in app.url_map.iter_rules():
        ids = {name for name, c in rule._converters.items() if isinstance(c, IntegerConverter)}
        if "GET" not in rule.methods or not ids:
            continue
        path = rule.rule
        while "<" in path:  # each <converter:name> or <name> in turn
            start, end = path.index("<"), path.index(">")
            name = path[start + 1:end].rpartition(":")[2]
            path = path[:start] + (huge if name in ids else VALUES.get(name, "x")) + path[end + 1:]
        yield rule.endpoint, path


@pytest.mark.parametrize("user", ["admin", "agent_sz"])
def test_a_huge_id_in_any_url_is_not_found(client, auth, world, user):
    auth.login(user)
    seen = 0
    for huge in (HUGE, BEYOND_INTEGER):
        for endpoint, path in _get_routes_with_ids(client.application, huge):
            status = client.get(path).status_code
            assert status in (400, 403, 404), (endpoint, path, status)
            seen += 1
    assert seen > 40


@pytest.mark.parametrize("path", ["/conflicts/cases?after=", "/conflicts/registrations?after=", "/orders?after=",
                                  "/customers?after=", "/jobs?before=", "/audit?before=", "/pyramid?focus=",
                                  "/commissions/statements?after=", "/selling?before=", "/selling?customer=",
                                  "/selling/feedback?product="])
def test_a_huge_cursor_or_id_filter_reads_the_first_page(client, auth, world, path):
    auth.login("rep1" if path.startswith("/selling") else "admin")
    assert client.get(path + HUGE).status_code == 200
    assert client.get(path + BEYOND_INTEGER).status_code == 200
