"""A list page's links carry its filters back into url_for, but never a query argument url_for
takes for its own (`_method`, `_external`, `endpoint`) or one the link sets itself (`fmt`): such
a query string is the user's to type and must never turn the page into a 500."""
from __future__ import annotations

import pytest


@pytest.mark.parametrize("query", ["fmt=x", "_method=POST", "_external=1", "_scheme=ftp", "_anchor=x",
                                   "endpoint=x", "fmt=x&_method=POST&kind=sell_out"])
def test_a_list_page_with_reserved_query_arguments_still_shows_its_export_links(client, auth, world, query):
    auth.login("admin")
    page = client.get(f"/orders?{query}")
    assert page.status_code == 200
    buttons = page.get_data(as_text=True).split("export-buttons")[1].split("</div>")[0]
    assert 'href="/orders/export.csv' in buttons and 'href="/orders/export.xlsx' in buttons
    assert "_method" not in buttons and "fmt=" not in buttons and "endpoint" not in buttons
    if "kind=sell_out" in query:
        assert "/orders/export.csv?kind=sell_out" in buttons


@pytest.mark.parametrize("path", ["/conflicts/cases?fmt=x&_method=POST", "/audit?_method=POST&endpoint=x",
                                  "/selling/kpi?fmt=x&_method=POST"])
def test_other_pages_with_export_or_paging_links_ignore_reserved_arguments(client, auth, world, path):
    auth.login("admin")
    assert client.get(path).status_code == 200
