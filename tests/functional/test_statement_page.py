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



def test_a_seller_no_plan_covers_is_told_so_rather_than_shown_zero_sales(client, auth, world):
    """A provincial agent sells too, but only resellers have a plan: its statement said
    "本月个人净销售额 ¥0.00" beside sales it had made; it now says no plan covers them."""
    from tests.commissions_fixtures import sale

    plan(level=4, base_rate_bp=300, override_rates_bp=(200,), tiers=STEP)
    sale(world, world.SZ, 500_000, date(2026, 10, 20))
    run_period("2026-10")
    auth.login("agent_sz")
    text = client.get(statement_url(world.SZ)).get_data(as_text=True)
    assert 'id="no-plan"' in text and "本月没有适用于本人销售的提成方案" in text
    assert "本月个人净销售额" not in text and 'id="next-tier"' not in text
    assert "¥120.00" in text  # its override on NS's sale is there all the same
    ns = client.get(statement_url(world.NS)).get_data(as_text=True)
    assert 'id="no-plan"' not in ns and "本月个人净销售额：" in ns


def test_progress_reads_right_at_the_top_tier_and_without_tiers(client, auth, world):
    from tests.commissions_fixtures import sale

    plan(level=4, base_rate_bp=300, tiers=STEP)
    sale(world, world.NS, 500_000, date(2026, 10, 20))  # NS: ¥6,000 + ¥5,000, past the ¥10,000 edge
    run_period("2026-10")
    auth.login("manager")
    ns = client.get(statement_url(world.NS)).get_data(as_text=True)
    assert "已达到最高档位：2%。" in ns and 'id="next-tier"' not in ns
    th = client.get(statement_url(world.TH)).get_data(as_text=True)  # ¥2,800: still on its way
    assert "再销售 ¥7,200.00 即可达到 2% 的档位" in th and 'id="top-tier"' not in th
    client.post("/lang/en", data={"next": "/"})
    assert "Top tier reached: 2%." in client.get(statement_url(world.NS)).get_data(as_text=True)


def test_a_plan_without_tiers_offers_no_tier_at_all(client, auth, world):
    plan(level=4, base_rate_bp=300)
    run_period("2026-10")
    auth.login("manager")
    text = client.get(statement_url(world.NS)).get_data(as_text=True)
    assert "本月个人净销售额：" in text and "¥180.00" in text
    assert not re.search(r'id="(next-tier|top-tier|locked-tier|negative-base|no-plan)"', text)


def test_a_gated_bracket_ahead_is_named_with_its_certification_and_gap(client, auth, world):
    """Below a bracket gated on a certification the seller lacks, nothing was said at all (the
    demo's city agents under PRODUCT-101's bracket): the bracket is named, with the gap."""
    plan(level=4, base_rate_bp=300, tier_mode="whole",
         tiers=(Tier(0, 500_000, 0), Tier(500_000, None, 100, "PRO-X")))
    run_period("2026-10")
    auth.login("manager")
    th = client.get(statement_url(world.TH)).get_data(as_text=True)  # ¥2,800 of ¥5,000
    assert "1% 的档位（还差 ¥2,200.00）需要认证 PRO-X，本月末未持有该认证。" in th
    assert 'id="next-tier"' not in th and 'id="top-tier"' not in th
    ns = client.get(statement_url(world.NS)).get_data(as_text=True)  # ¥6,000: past it, said by the cert note
    assert 'id="locked-tier"' not in ns and 'id="top-tier"' not in ns


def test_in_english_a_statement_is_one_statement_and_one_line_is_one_line(client, auth, world):
    plan(level=4, base_rate_bp=300, override_rates_bp=(200,))
    run_period("2026-10")
    auth.login("manager")
    client.post("/lang/en", data={"next": "/"})
    text = client.get(statement_url(world.NS)).get_data(as_text=True)  # one line: NS's base
    assert "<title>Commission statement " in text and "Commission statements ·" not in text
    assert "1 line this month" in text and "1 lines" not in text
    assert "Showing only: Personal commission, 1 line ·" in client.get(statement_url(world.NS) + "?kind=base").get_data(as_text=True)
    # the list keeps its plural, and the Excel column of a line's case reads singular
    assert "<title>Commission statements" in client.get("/commissions/statements?period=2026-10").get_data(as_text=True)
    import io

    from openpyxl import load_workbook

    header = next(load_workbook(io.BytesIO(client.get(statement_url(world.NS) + "/xlsx", buffered=True).data),
                                read_only=True).active.iter_rows(values_only=True))
    assert "Conflict case" in header and "Conflict cases" not in header


def test_a_bonus_line_says_which_net_sales_reached_which_target(client, auth, world):
    plan(level=4, base_rate_bp=300, bonus_target_fen=500_000, bonus_fen=20_000)  # ¥200 from ¥5,000
    plan(channel="direct", level=3, base_rate_bp=500, bonus_scope="team", bonus_target_fen=100_000, bonus_fen=10_000)
    run_period("2026-10")
    auth.login("manager")
    ns = client.get(statement_url(world.NS) + "?kind=bonus").get_data(as_text=True)  # ¥6,000 ≥ ¥5,000
    assert "个人净销售额 ¥6,000.00 达到目标 ¥5,000.00" in ns
    assert "目标奖励" not in client.get(statement_url(world.TH)).get_data(as_text=True)  # ¥2,800: below it
    rep = client.get(statement_url(world.REP1) + "?kind=bonus").get_data(as_text=True)
    assert "团队净销售额 ¥3,000.00 达到目标 ¥1,000.00" in rep
    client.post("/lang/en", data={"next": "/"})
    import io

    from openpyxl import load_workbook

    book = list(load_workbook(io.BytesIO(client.get(statement_url(world.NS) + "/xlsx", buffered=True).data),
                              read_only=True).active.iter_rows(values_only=True))
    kind, why = book[0].index("Kind"), book[0].index("Explanation")
    assert [row[why] for row in book[1:-2] if row[kind] == "Target bonus"] == [
        "Personal net sales ¥6,000.00 reached the target of ¥5,000.00"]


def test_the_statement_has_a_print_button_the_app_script_handles(client, auth, world):
    plan(level=4, base_rate_bp=300)
    run_period("2026-10")
    auth.login("agent_sz")
    text = client.get(statement_url(world.NS)).get_data(as_text=True)
    assert re.search(r'<button [^>]*id="print-statement" data-print>打印</button>', text)
    assert "js/payouts.js" not in text and "js/app.js" in text
    script = client.get("/static/js/app.js").get_data(as_text=True)
    assert '[data-print]' in script and "window.print()" in script


def test_the_override_from_each_downline_is_net_of_the_lines_a_rerun_reversed(client, auth, world):
    """A re-run that changes an override posts a reversal (调整) and the new line: the summary
    by downline counted the reversed line and its replacement, ¥120 + ¥180 for NS's ¥6,000."""
    from dataclasses import replace

    from channel.services.commissions import save_plan, spec_of

    saved = plan(level=4, base_rate_bp=300, override_rates_bp=(200,))
    run_period("2026-10")
    save_plan(replace(spec_of(saved), override_rates_bp=(300,)), plan_id=saved.id,
              retroactive=True)  # a new version, same start: re-prices October
    run_period("2026-10")
    auth.login("agent_sz")
    text = client.get(statement_url(world.SZ)).get_data(as_text=True)
    assert "冲销第" in text  # the reversal is on the statement, as a line of its own
    summary = text.split('id="by-downline"')[1].split("</ul>")[0]
    assert "NS" in summary and "¥180.00" in summary and "¥300.00" not in summary
    assert re.search(r'id="statement-total">¥180.00<', text)


def test_a_month_of_orders_the_plan_does_not_count_says_so_and_changes_no_figure(client, auth, world):
    from tests.commissions_fixtures import sale

    plan(base_rate_bp=300)  # counts sell_out only
    sale(world, world.SZ, 100_000, date(2026, 10, 6), kind="sell_in")
    sale(world, world.SZ, 50_000, date(2026, 10, 7), kind="sell_in")
    auth.login("agent_sz")
    text = client.get(statement_url(world.SZ)).get_data(as_text=True)
    assert re.search(r"本月个人净销售额： <span class=\"money\">¥0.00<", text)
    assert re.search(r'id="uncounted-orders">本月有 2 行订单（进货）未计入个人净销售额：其所在日期适用的方案不计提这类订单', text)
    client.post("/lang/en", data={"next": "/"})
    text = client.get(statement_url(world.SZ)).get_data(as_text=True)
    assert "2 order lines this month (Sell-in) are not in personal net sales: the plan of their day does not count" in text
    # a seller whose every order counts reads no such line
    assert 'id="uncounted-orders"' not in client.get(statement_url(world.NS)).get_data(as_text=True)
