"""The statement page as read and printed: progress to the next tier on the plan's base, the
plan named (linked only for those who may open it), notes kept apart, labels in English."""
import re
from datetime import date

from channel.domain.commissions import Tier
from channel.services.commissions_run import run_period
from channel.services.orders import record_return
from tests.commissions_fixtures import plan

STEP = (Tier(0, 1_000_000, 0), Tier(1_000_000, None, 200))


def statement_url(seller, period="2026-10"):
    return f"/commissions/statements/{seller.id}/{period}"


def test_a_margin_plan_shows_progress_in_margin(client, auth, world):
    plan(level=4, base_rate_bp=300, base_kind="margin", tiers=STEP)
    auth.login("manager")
    text = client.get(statement_url(world.NS)).get_data(as_text=True)
    # sales ¥6,000, margin 2 × (¥3,000 - ¥1,000) = ¥4,000: ¥6,000 of margin to the 2 % edge
    assert re.search(r'id="tier-base">¥4,000.00<', text)
    assert "再实现毛利 ¥6,000.00 即可达到 2% 的档位" in text


def test_a_negative_month_says_so_and_never_offers_a_zero_rate_tier(client, auth, world):
    plan(level=4, base_rate_bp=300, tiers=STEP)
    record_return(return_no="R-TH", order_line_id=world.order_th.lines[0].id, qty=1, return_date=date(2026, 11, 3))
    run_period("2026-11")
    auth.login("manager")
    text = client.get(statement_url(world.TH, "2026-11")).get_data(as_text=True)
    assert "-¥2,800.00" in text and 'id="negative-base"' in text
    assert "再销售 ¥12,800.00 即可达到 2% 的档位" in text and "0% 的档位" not in text


def posted_with_an_adjustment(w):
    """NS's tier line of October (1 % of ¥6,000 = ¥60) reversed by a re-run after another sale."""
    from tests.commissions_fixtures import sale

    plan(level=4, base_rate_bp=300, tiers=(Tier(0, None, 100),))
    run_period("2026-10")
    sale(w, w.NS, 300_000, date(2026, 10, 12))
    run_period("2026-10")


def test_in_english_a_ledger_adjustment_is_an_adjustment_and_the_plan_column_a_version(client, auth, world):
    import io

    from openpyxl import load_workbook

    posted_with_an_adjustment(world)
    auth.login("manager")
    client.post("/lang/en", data={"next": "/"})
    text = client.get(statement_url(world.NS)).get_data(as_text=True)
    assert "Adjustment" in text and "Move" not in text
    book = list(load_workbook(io.BytesIO(client.get(statement_url(world.NS) + "/xlsx", buffered=True).data),
                              read_only=True).active.iter_rows(values_only=True))
    assert book[0][0] == "Line id"  # a ledger line's id, not an order's line number
    kind, version = book[0].index("Kind"), book[0].index("Version")
    assert "Adjustment" in {row[kind] for row in book[1:-2]} and "Versions" not in book[0]
    assert {row[version] for row in book[1:-2] if row[kind] == "Personal commission"} == {1}
    # the tree's button keeps its own English word
    assert ">Move</button>" in client.get(f"/sellers/{world.NS.id}").get_data(as_text=True)


def test_the_plan_is_named_in_print_and_linked_only_for_those_who_may_open_it(client, auth, world):
    saved = plan(level=4, base_rate_bp=300, tiers=STEP)
    run_period("2026-10")
    auth.login("agent_sz")
    text = client.get(statement_url(world.NS)).get_data(as_text=True)
    shown = re.search(r'<span id="statement-plan">(.*?)</span>', text).group(1)
    assert shown == "测试方案 v1"  # text, printed, no link to a page answering 403
    assert client.get(f"/commissions/plans/{saved.id}").status_code == 403
    client.post("/logout")
    auth.login("manager")
    shown = re.search(r'<span id="statement-plan">(.*?)</span>', client.get(statement_url(world.NS)).get_data(as_text=True)).group(1)
    assert "<a href=\"/commissions/plans/" in shown and "d-print-none" not in shown and "测试方案 v1" in shown


def test_a_corrected_tier_line_keeps_its_notes_apart(client, auth, world):
    """A locked month's tier line corrected in the next month says "更正 2026-10 · 分段累进…"."""
    from channel.services.commissions import lock_period
    from tests.commissions_fixtures import sale

    w = world
    plan(level=4, base_rate_bp=300, tiers=(Tier(0, None, 100),))
    run_period("2026-10")
    lock_period("2026-10")
    sale(w, w.NS, 300_000, date(2026, 10, 12))  # a late October sale: corrected in November
    run_period("2026-11")
    auth.login("manager")
    text = client.get(statement_url(w.NS, "2026-11")).get_data(as_text=True)
    assert "冲销第" in text and "更正 2026-10 · 分段累进" in text and "更正 2026-10分段" not in text


def test_the_excel_download_says_why_each_line_is_what_it_is_as_the_page_does(client, auth, world):
    """The Excel file had no 说明 column: a marginal tier line (base × rate ≠ amount) or a
    correction came without the explanation the page gives."""
    import io

    from openpyxl import load_workbook

    from channel.services.commissions import lock_period
    from tests.commissions_fixtures import sale

    w = world
    plan(level=4, base_rate_bp=300, tiers=(Tier(0, None, 100),))
    run_period("2026-10")
    lock_period("2026-10")
    sale(w, w.NS, 300_000, date(2026, 10, 12))  # corrected in November
    run_period("2026-11")
    auth.login("manager")
    url = statement_url(w.NS, "2026-11")
    book = list(load_workbook(io.BytesIO(client.get(url + "/xlsx", buffered=True).data),
                              read_only=True).active.iter_rows(values_only=True))
    why = book[0].index("说明")
    notes = {row[0]: row[why] for row in book[1:-2]}
    page = client.get(url).get_data(as_text=True)
    for line_id, note in notes.items():  # the page's words, line by line
        assert re.search(rf"<tr><td>{line_id}</td>(?:(?!<tr>).)*?<td>{re.escape(note or '')}</td></tr>", page, re.S), line_id
    assert "更正 2026-10 · 分段累进：每一段按所在档位的费率，费率列为最高一档" in notes.values()
    assert any(n.startswith("冲销第 ") for n in notes.values() if n)
    client.post("/lang/en", data={"next": "/"})
    book = list(load_workbook(io.BytesIO(client.get(url + "/xlsx", buffered=True).data),
                              read_only=True).active.iter_rows(values_only=True))
    assert "Explanation" in book[0] and "说明" not in book[0]


def test_a_gated_bracket_reached_without_the_certification_is_explained_even_when_nothing_is_paid(client, auth, world):
    """Below a gated bracket the rate is 0 %, so a seller without the certification earns no tier
    line: the note lived only on that line, and the statement said nothing of the bracket."""
    plan(level=4, base_rate_bp=300, tier_mode="whole",
         tiers=(Tier(0, 500_000, 0), Tier(500_000, None, 100, "PRO-X")))  # NS sells ¥6,000 in October
    run_period("2026-10")
    auth.login("manager")
    text = client.get(statement_url(world.NS)).get_data(as_text=True)
    assert "未持有认证 PRO-X：需要该认证的档位按下一档费率计算。" in text
    assert "未持有认证" not in client.get(statement_url(world.TH)).get_data(as_text=True)  # ¥2,800: below it

