"""Commission pages: statements by scope (forbidden ones tried by id), CSV, plan forms that refuse
and explain, runs with preview, and the CLI."""
import json
import re
from datetime import date

import pytest

from channel.domain.commissions import Tier
from channel.services import commissions as plans
from channel.services.commissions_run import run_period
from models import db
from models.commissions import CommissionPlan
from tests.commissions_fixtures import count_lines, plan


@pytest.fixture
def posted(world):
    plan(level=4, base_rate_bp=300, override_rates_bp=(200, 100, 50),
         tiers=(Tier(0, 1_000_000, 0), Tier(1_000_000, None, 200)))
    plan(name="直销", channel="direct", level=3, base_rate_bp=500, override_rates_bp=(100, 50))
    run_period("2026-10")
    return world


def statement_url(seller, period="2026-10"):
    return f"/commissions/statements/{seller.id}/{period}"


def test_an_agent_sees_its_own_and_downline_statements(client, auth, posted):
    w = posted
    auth.login("agent_sz")
    page = client.get(statement_url(w.SZ))
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "¥120.00" in text and "NS" in text  # override of 2% on NS's ¥6,000, traced to NS
    assert client.get(statement_url(w.NS)).status_code == 200


@pytest.mark.parametrize("user, forbidden", [("agent_sz", "GD"), ("agent_sz", "TH"), ("agent_sz", "N1"),
                                             ("agent_gd", "HZ"), ("agent_zj", "NS"), ("rep1", "REP3"),
                                             ("rep1", "MGR"), ("agent_gd", "REP1")])
def test_a_statement_outside_the_downline_is_refused_by_id(client, auth, posted, user, forbidden):
    auth.login(user)
    seller = getattr(posted, forbidden)
    assert client.get(statement_url(seller)).status_code == 404
    assert client.get(statement_url(seller) + "/csv").status_code == 404
    assert client.get(statement_url(seller) + "/xlsx").status_code == 404
    assert client.get(statement_url(seller, "2026-09")).status_code == 404  # a month without lines too


def test_the_statement_list_shows_only_the_users_scope(client, auth, posted):
    auth.login("agent_sz")
    text = client.get("/commissions/statements?period=2026-10").get_data(as_text=True)
    assert "南山分销" in text and "广东省代" not in text and "天河分销" not in text


def test_finance_sees_every_statement_and_downloads_csv(client, auth, posted):
    w = posted
    auth.login("finance")
    assert client.get(statement_url(w.GD)).status_code == 200
    response = client.get(statement_url(w.NS) + "/csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = response.get_data(as_text=True).lstrip("\ufeff").splitlines()
    assert rows[0].startswith("ledger_line_id,period") and "SO-NS-1" in rows[1] and rows[-1].endswith(",18000")


def test_the_statement_shows_progress_to_the_next_tier(client, auth, posted):
    auth.login("manager")
    text = client.get(statement_url(posted.NS)).get_data(as_text=True)
    assert "再销售 ¥4,000.00 即可达到 2%" in text


def test_agents_cannot_see_plans_or_run_periods(client, auth, posted):
    auth.login("agent_gd")
    assert client.get("/commissions/plans").status_code == 403
    assert client.post("/commissions/runs", data={"period": "2026-10"}).status_code == 403
    assert client.post("/commissions/plans/new", data={}).status_code == 403


def form(**fields):
    data = dict(name="新方案", channel="agent", level="4", valid_from="2026-01-01", order_kind="sell_out",
                base_kind="revenue", base_rate="3", tier_mode="marginal", tiers="", override_rates="2, 1",
                qualify_min="0", qualify_mode="skip", bonus_scope="personal", bonus_target="0", bonus="0",
                recruit_bonus="0", category_rates="")
    data.update(fields)
    return data


@pytest.mark.parametrize("fields, words", [
    (dict(base_rate="-1"), "费率不能为负数"),
    (dict(base_rate="120"), "不能超过 100%"),
    (dict(tiers="0, 10000, 1\n5000, , 2"), "重叠"),
    (dict(override_rates="2, 1, 0.5, 0.2"), "最多 3 层"),
    (dict(valid_to="2025-06-01"), "结束日期必须晚于开始日期"),
    (dict(recruit_bonus="100"), "拉人头"),
    (dict(channel="direct", level="3", base_rate="35"), "30%"),
])
def test_the_plan_form_refuses_and_explains(client, auth, world, fields, words):
    auth.login("manager")
    response = client.post("/commissions/plans/new", data=form(**fields))
    assert response.status_code == 400
    assert words in response.get_data(as_text=True)
    assert db.session.query(CommissionPlan).count() == 0


def test_a_saved_plan_shows_why_it_passes(client, auth, world):
    auth.login("manager")
    response = client.post("/commissions/plans/new", data=form())
    assert response.status_code == 302
    text = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "为什么这个方案合规" in text and "不超过 3 层" in text


def test_every_unreadable_value_of_the_plan_form_is_shown_at_once_beside_its_field(client, auth, world):
    """The form used to stop at the first value it could not read: a bad base rate hid a bad
    bonus, which showed only on the next submit."""
    auth.login("manager")
    response = client.post("/commissions/plans/new", data=form(base_rate="abc", tiers="x", bonus="1e3",
                                                                override_rates="2, -"))
    assert response.status_code == 400
    text = response.get_data(as_text=True)
    for field_id, words in (("base_rate", "“abc” 不是一个百分比"), ("tiers", "阶梯第 1 行"), ("bonus", "“1e3”不是一个金额"),
                            ("override_rates", "不是一个百分比")):
        assert re.search(rf'id="{field_id}"[^>]*>(?:(?!<div class="mb-2).)*?{re.escape(words)}', text, re.S), field_id
    assert 'value="abc"' in text and "1e3" in text  # what was typed stays
    assert db.session.query(CommissionPlan).count() == 0


def test_the_edit_page_of_a_superseded_version_says_so_before_anything_is_typed(client, auth, posted):
    """It used to show the whole form and refuse only on save, after the editing."""
    first = db.session.query(CommissionPlan).filter_by(level=4).one()
    from dataclasses import replace

    plans.save_plan(replace(plans.spec_of(first), base_rate_bp=400), plan_id=first.id,
                    retroactive=True)  # same start: supersedes it
    assert db.session.get(CommissionPlan, first.id).status == "superseded"
    auth.login("manager")
    response = client.get(f"/commissions/plans/{first.id}/edit")
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/commissions/plans/{first.id}")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "这是一个已被取代的旧版本，不能修改：请修改最新版本。" in page


def test_a_category_rate_for_a_category_no_product_has_is_flagged(client, auth, world):
    """A typo in a category (净水设被 for 净水设备) was saved silently and its rate never applied."""
    auth.login("manager")
    response = client.post("/commissions/plans/new", data=form(category_rates="净水设备 = 4\n净水设被 = 5"),
                           follow_redirects=True)
    text = response.get_data(as_text=True)
    assert "已保存方案" in text and "品类费率 净水设被 目前没有任何产品属于该品类" in text and "净水设备、" not in text
    saved = db.session.query(CommissionPlan).one()
    assert plans.unknown_categories(saved) == ["净水设被"]


def test_editing_a_used_plan_creates_a_new_version(client, auth, posted):
    auth.login("manager")
    used = db.session.query(CommissionPlan).filter_by(level=4).one()
    data = form(name=used.name, tiers="0, 10000, 0\n10000, , 2", override_rates="2, 1, 0.5", base_rate="4",
                valid_from="2026-11-01")
    response = client.post(f"/commissions/plans/{used.id}/edit", data=data)
    assert response.status_code == 302
    db.session.expire_all()
    versions = db.session.query(CommissionPlan).filter_by(family_id=used.id).order_by(CommissionPlan.version).all()
    assert [(v.version, v.base_rate_bp, v.valid_to) for v in versions] == [(1, 300, date(2026, 11, 1)), (2, 400, None)]


def test_the_run_button_previews_then_posts_through_a_job(client, auth, world):
    plan(level=4, base_rate_bp=300)
    auth.login("finance")
    preview = client.post("/commissions/runs", data={"period": "2026-10", "preview": "1"}, follow_redirects=True)
    assert preview.status_code == 200 and count_lines() == 0
    text = preview.get_data(as_text=True)
    assert "/jobs/" in preview.request.path and "预览完成，没有记账" in text and 'id="run-outcome"' in text
    posted = client.post("/commissions/runs", data={"period": "2026-10", "post": "1"}, follow_redirects=True)
    assert count_lines() == 2 and "记账 2 行" in posted.get_data(as_text=True)
    assert "#" in client.get("/commissions/runs").get_data(as_text=True)
    again = client.post("/commissions/runs", data={"period": "2026-10", "post": "1"}, follow_redirects=True)
    assert count_lines() == 2 and "记账 0 行" in again.get_data(as_text=True)  # a re-run posts only differences
    bad = client.post("/commissions/runs", data={"period": "2026-13", "post": "1"})
    assert bad.status_code == 400 and "YYYY-MM" in bad.get_data(as_text=True)


def test_a_period_pasted_with_spaces_runs_that_month(client, auth, world):
    """" 2026-10 " used to be refused as "不能超过 7 个字符" (the length was checked before the
    month was read); the job is given the month as read."""
    from models.ops import Job

    plan(level=4, base_rate_bp=300)
    auth.login("finance")
    response = client.post("/commissions/runs", data={"period": " 2026-10 ", "preview": "1"})
    assert response.status_code == 302 and "/jobs/" in response.headers["Location"]
    assert db.session.query(Job).one().params["period"] == "2026-10"


def test_the_cli_runs_previews_and_moves_plans_as_json(app, world, tmp_path):
    plan(level=4, base_rate_bp=300, override_rates_bp=(200, 100))
    runner = app.test_cli_runner()
    result = runner.invoke(args=["commissions", "run", "--period", "2026-10", "--preview"])
    assert result.exit_code == 0 and "would post 6 lines" in result.output and count_lines() == 0
    # each payee's rule as the run page shows it (in English, the commands' language), not its key
    assert "Personal commission" in result.output and "Upline overrides" in result.output
    assert not any(line.split()[1:2] == ["base"] for line in result.output.splitlines())
    result = runner.invoke(args=["commissions", "run", "--period", "2026-10"])
    assert result.exit_code == 0 and "posted 6 lines" in result.output and count_lines() == 6
    path = tmp_path / "plans.json"
    assert runner.invoke(args=["plans", "export", str(path)]).exit_code == 0
    exported = json.loads(path.read_text(encoding="utf-8"))
    assert exported["plans"][0]["base_rate_bp"] == 300
    exported["plans"][0]["base_rate_bp"] = 350
    exported["plans"][0]["valid_from"] = "2026-11-01"
    path.write_text(json.dumps(exported, ensure_ascii=False), encoding="utf-8")
    result = runner.invoke(args=["plans", "import", str(path)])
    assert result.exit_code == 0 and "v2" in result.output


@pytest.mark.parametrize("change, words", [
    (dict(base_rate_bp=-5), "负数"), (dict(base_rate_bp=20000), "100%"),
    (dict(tiers=[{"from_fen": 0, "to_fen": 500, "rate_bp": 1}, {"from_fen": 400, "to_fen": None, "rate_bp": 2}]), "重叠"),
    (dict(override_rates_bp=[100, 100, 100, 100]), "最多 3 层"), (dict(valid_to="2025-01-01"), "晚于"),
    (dict(valid_from="yesterday"), "YYYY-MM-DD"),
    (dict(valid_from="0001-01-01"), "Error [valid_from]: plan 2: 日期超出范围：只能是 1900-01-01 到 2999-12-31 之间的日期。"),
    (dict(valid_to="9999-12-31"), "Error [valid_to]: plan 2: 日期超出范围"),
])
def test_an_import_breaking_a_rule_is_refused_whole_with_a_clear_message(app, world, tmp_path, change, words):
    good = {"name": "好方案", "channel": "agent", "level": 3, "valid_from": "2026-01-01", "base_rate_bp": 100}
    bad = dict(good, name="坏方案", level=4, **change)
    path = tmp_path / "plans.json"
    path.write_text(json.dumps({"format": "qudao-plans/1", "plans": [good, bad]}, ensure_ascii=False), encoding="utf-8")
    result = app.test_cli_runner().invoke(args=["plans", "import", str(path)])
    assert result.exit_code == 1 and words in result.output
    assert db.session.query(CommissionPlan).count() == 0


def test_managers_list_plans_and_export_them(client, auth, posted):
    auth.login("manager")
    page = client.get("/commissions/plans").get_data(as_text=True)
    assert "测试方案" in page and "直销" in page
    exported = client.get("/commissions/plans/export.json")
    assert exported.status_code == 200 and len(exported.get_json()["plans"]) == 2


def test_the_statement_reads_in_english(client, auth, posted):
    auth.login("finance")
    client.post("/lang/en", data={"next": "/"})
    text = client.get(statement_url(posted.NS)).get_data(as_text=True)
    assert "Sell ¥4,000.00 more to reach the 2% tier." in text


def test_the_cli_what_if_previews_plans_from_a_file(app, world, tmp_path):
    from channel.services.commissions import export_plans

    plan(level=4, base_rate_bp=300)
    exported = export_plans()
    exported["plans"][0]["base_rate_bp"] = 400
    path = tmp_path / "draft.json"
    path.write_text(json.dumps(exported, ensure_ascii=False), encoding="utf-8")
    result = app.test_cli_runner().invoke(args=["commissions", "run", "--period", "2026-10", "--with-plans", str(path)])
    assert result.exit_code == 0 and "would post 2 lines, total ¥352.00" in result.output
    assert count_lines() == 0 and db.session.query(CommissionPlan).one().base_rate_bp == 300


def test_statement_pages_cover_every_line_once_with_totals_over_the_whole_month(app, posted):
    """A long statement is read page by page (keyset); each page shows the month's totals."""
    from channel.services.commissions_statements import statement
    from models.commissions import LedgerLine
    from sqlalchemy import func, select

    w = posted
    payee, count = db.session.execute(select(LedgerLine.payee_id, func.count()).where(LedgerLine.period == "2026-10")
                                      .group_by(LedgerLine.payee_id).order_by(func.count().desc()).limit(1)).one()
    assert count >= 2
    whole = statement(w.user_admin, payee, "2026-10")
    seen, cursor = [], None
    while True:
        page = statement(w.user_admin, payee, "2026-10", page_size=1, after=cursor)
        assert len(page.lines) <= 1
        assert (page.totals, page.total_fen, page.line_count) == (whole.totals, whole.total_fen, count)
        seen += [item.line.id for item in page.lines]
        cursor = page.next_cursor
        if cursor is None:
            break
    assert seen == [item.line.id for item in whole.lines] and len(seen) == count
    assert whole.total_fen == sum(item.line.amount_fen for item in whole.lines)
    garbage = statement(w.user_admin, payee, "2026-10", page_size=1, after="not-a-cursor")
    assert [i.line.id for i in garbage.lines] == seen[:1]  # a malformed cursor reads the first page


def test_the_statement_page_filters_by_kind_and_pages_its_lines(client, auth, posted, monkeypatch):
    import re

    from channel.commissions import views
    from models.commissions import LedgerLine
    from sqlalchemy import func, select

    monkeypatch.setattr(views, "STATEMENT_PAGE", 1)
    payee = db.session.execute(select(LedgerLine.payee_id).where(LedgerLine.period == "2026-10")
                               .group_by(LedgerLine.payee_id).order_by(func.count().desc()).limit(1)).scalar()
    url = f"/commissions/statements/{payee}/2026-10"
    auth.login("manager")
    first = client.get(url).get_data(as_text=True)
    rows = re.findall(r"<tr><td>(\d+)</td>", first)
    assert len(rows) == 1 and re.search(r"本月共 [2-9]\d* 行", first)
    following = re.search(r'id="next-lines" href="([^"]+)"', first).group(1).replace("&amp;", "&")
    second = client.get(following).get_data(as_text=True)
    assert re.findall(r"<tr><td>(\d+)</td>", second) != rows
    assert 'id="first-lines"' in second and "本页第 2–2 行" in second and 'id="first-lines"' not in first
    assert "合计为全月所有行" in second  # the page note, printed too (outside the navigation)
    kinds = re.findall(r'<tr data-kind="([^"]+)"', first)
    only = client.get(url + "?kind=" + kinds[-1]).get_data(as_text=True)
    assert "仅显示" in only and 'class="table-active"' in only
    # a kind the month does not have (or garbage) is ignored: every line, no filter
    for other in ("penalty", "foo", "override:99999999999999999999"):
        page = client.get(url + "?kind=" + other)
        assert page.status_code == 200 and "仅显示" not in page.get_data(as_text=True)
    # hand-edited cursors never fail: the first page
    for cursor in ("override:2:99999999999999999999999", "base~99999999999999999999999", "~", "garbage"):
        page = client.get(url, query_string={"after": cursor})
        assert page.status_code == 200 and re.findall(r"<tr><td>(\d+)</td>", page.get_data(as_text=True)) == rows


def test_statement_lines_follow_the_order_of_the_totals_and_explain_tiers_and_clawbacks(app, posted):
    from datetime import date

    from channel.services.commissions_statements import kind_of, statement
    from channel.services.orders import record_return

    w = posted
    record_return(return_no="R-NS", order_line_id=w.order_ns.lines[0].id, qty=1, return_date=date(2026, 10, 20))
    run_period("2026-10")
    from models.commissions import LedgerLine
    from sqlalchemy import select

    for payee in set(db.session.scalars(select(LedgerLine.payee_id))):
        st = statement(w.user_admin, payee, "2026-10")
        order = list(st.totals)
        seen = [kind_of(item.line) for item in st.lines]
        assert sorted(seen, key=order.index) == seen  # kind by kind, as the totals list them
        assert st.kind_counts == {k: seen.count(k) for k in order}


def test_a_period_out_of_range_is_refused_not_a_crash(client, auth, posted):
    auth.login("manager")
    assert client.get(statement_url(posted.NS, "9999-12")).status_code == 400
    text = client.get("/commissions/statements?period=9999-12").get_data(as_text=True)
    assert "超出范围" in text and "南山分销" in text  # the default month's statements, listed
    loose = client.get("/commissions/statements?period=2026-9").get_data(as_text=True)
    assert "提成对账单 · 2026-09</h1>" in loose and 'name="period" value="2026-09"' in loose


@pytest.mark.parametrize("fields, field, words", [
    (dict(qualify_min="99999999999999999999999"), "qualify_min", "金额过大：最多 ¥1,000,000,000,000.00"),
    (dict(qualify_min="1e30"), "qualify_min", "“1e30”不是一个金额"),
    (dict(bonus_target="99999999999999999999999", bonus="100"), "bonus_target", "金额过大"),
    (dict(bonus_target="1000", bonus="1e30"), "bonus", "不是一个金额"),
    (dict(bonus_target="1,00", bonus="100"), "bonus_target", "“1,00”不是一个金额：只能写数字，最多两位小数，千位可用逗号分隔"),
    (dict(bonus_target="1000", bonus="-100"), "bonus", "金额不能为负数"),
    (dict(tiers="0, 1.234, 5"), "tiers", "“1.234”不是一个金额"),
    (dict(tiers="0, 99999999999999999999999, 5"), "tiers", "金额过大"),
    (dict(base_rate="1e309"), "base_rate", "“1e309” 不是一个百分比"),
    (dict(channel="direct", level="3", override_rates="50, 50"), "override_rates",
     "一笔销售最多要支付其计提基数的 103%（本人 3% + 各层上级提成 100%），超过了 100%。"),
    (dict(override_rates="50, 50"), "override_rates", "超过了 100%。"),
    (dict(base_rate=""), "base_rate", "请填写基础费率"),
    (dict(level="9"), "level", "该渠道的层级只能是 1 到 4（现在是 9）"),
    (dict(channel="direct", level="4"), "level", "该渠道的层级只能是 1 到 3"),
    (dict(valid_from="2027-13-01"), "valid_from", "日期无效"),
    (dict(valid_from="0001-01-01"), "valid_from", "日期超出范围：只能是 1900-01-01 到 2999-12-31 之间的日期。"),
    (dict(valid_to="9999-12-31"), "valid_to", "日期超出范围：只能是 1900-01-01 到 2999-12-31 之间的日期。"),
    (dict(level="abc"), "level", "请填写整数"),
])
def test_the_plan_form_refuses_bad_values_beside_the_field(client, auth, world, fields, field, words):
    import html
    import re

    auth.login("manager")
    response = client.post("/commissions/plans/new", data=form(**fields))
    assert response.status_code == 400  # the form shown again with the errors, as for every refusal
    text = html.unescape(response.get_data(as_text=True))
    assert words in text and "100%%" not in text and "该字段是必填字段" not in text and "数值必须" not in text
    assert re.search(rf'name="{field}"[\s\S]{{0,1500}}{re.escape(words)}', text), "error not beside its field"
    assert len(max(re.findall(r"[^<>]+", text), key=len)) < 400  # no 300-digit echo
    assert db.session.query(CommissionPlan).count() == 0


def test_the_plan_form_reads_money_as_every_money_field_does(client, auth, world):
    """One parser for every typed amount (channel.domain.money.parse_amount_fen): thousands
    separators, full-width digits, a ¥ sign; the tiers' bounds too (without separators there:
    the comma separates a tier's parts)."""
    auth.login("manager")
    response = client.post("/commissions/plans/new", data=form(
        qualify_min="¥1,000.50", bonus_target="１２，０００", bonus="500", tiers="0, １００００, 1\n10000, , 2"))
    assert response.status_code == 302
    plan = db.session.query(CommissionPlan).one()
    assert (plan.qualify_min_fen, plan.bonus_target_fen, plan.bonus_fen) == (100050, 1200000, 50000)


def test_the_plan_form_saves_an_explicit_zero_base_rate_and_shows_the_payout_guardrail(client, auth, world):
    auth.login("manager")
    response = client.post("/commissions/plans/new", data=form(base_rate="0", override_rates="2, 1"))
    assert response.status_code == 302
    assert db.session.query(CommissionPlan).one().base_rate_bp == 0
    text = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "一笔销售最多支付其计提基数的 3%（本人 0% + 各层上级提成 3%），不超过 100%。" in text


@pytest.mark.parametrize("change, words", [
    (dict(qualify_min_fen=10**25), "金额过大：最多 ¥1,000,000,000,000.00"),
    (dict(bonus_target_fen=10**25, bonus_fen=100), "金额过大"),
    (dict(tiers=[{"from_fen": 0, "to_fen": 10**25, "rate_bp": 0}, {"from_fen": 10**25, "to_fen": None, "rate_bp": 500}]),
     "金额过大"),
    (dict(base_rate_bp=10**309), "1.00E+307%"),
    (dict(channel="direct", level=3, override_rates_bp=[5000, 5000]), "101%（本人 1% + 各层上级提成 100%），超过了 100%。"),
    (dict(base_rate_bp=None), "请填写基础费率"),
    (dict(level=9), "该渠道的层级只能是 1 到 4（现在是 9）"),
])
def test_an_import_is_refused_by_the_same_checks_as_the_form(app, world, tmp_path, change, words):
    good = {"name": "好方案", "channel": "agent", "level": 3, "valid_from": "2026-01-01", "base_rate_bp": 100}
    bad = dict(dict(good, name="坏方案", level=4), **change)
    if bad["base_rate_bp"] is None:
        del bad["base_rate_bp"]
    path = tmp_path / "plans.json"
    path.write_text(json.dumps({"format": "qudao-plans/1", "plans": [good, bad]}, ensure_ascii=False), encoding="utf-8")
    result = app.test_cli_runner().invoke(args=["plans", "import", str(path)])
    assert result.exit_code == 1 and words in result.output and "100%%" not in result.output
    assert max(len(line) for line in result.output.splitlines()) < 200
    assert db.session.query(CommissionPlan).count() == 0


def test_the_statement_list_never_pages_onto_an_empty_page(client, auth, posted, monkeypatch):
    """A month whose payees fill the last page exactly offers no "next" link (it used to lead to
    an empty page saying that nothing was posted for the month), and a cursor past the last
    payee (hand-edited) shows the first page."""
    from sqlalchemy import func, select

    from channel.commissions import views
    from models.commissions import LedgerLine

    payees = db.session.scalar(select(func.count(func.distinct(LedgerLine.payee_id))).where(LedgerLine.period == "2026-10"))
    auth.login("finance")
    monkeypatch.setattr(views, "STATEMENT_LIST_PAGE", payees)
    text = client.get("/commissions/statements?period=2026-10").get_data(as_text=True)
    assert "南山分销" in text and 'rel="next"' not in text
    monkeypatch.setattr(views, "STATEMENT_LIST_PAGE", payees - 1)
    assert 'rel="next"' in client.get("/commissions/statements?period=2026-10").get_data(as_text=True)
    past = client.get("/commissions/statements?period=2026-10&after=zzzz").get_data(as_text=True)
    assert "南山分销" in past and "这个期间还没有记账的提成" not in past


def test_the_runs_page_names_a_posted_run_and_groups_its_line_count(client, auth, world):
    from models.commissions import CommissionRun

    db.session.add(CommissionRun(period="2026-09", status="posted", lines_posted=3039, total_fen=54405413))
    db.session.commit()
    auth.login("manager")
    row = client.get("/commissions/runs").get_data(as_text=True).split('data-status="posted">')[1].split("</tr>")[0]
    assert row.startswith("已记账<") and ">3,039<" in row
    client.post("/lang/en", data={"next": "/commissions/runs"})
    row = client.get("/commissions/runs").get_data(as_text=True).split('data-status="posted">')[1].split("</tr>")[0]
    assert row.startswith("Posted<") and ">3,039<" in row


def test_a_list_offers_first_page_only_once_past_it_and_no_pager_on_a_single_page(client, auth, world, posted, monkeypatch):
    import html

    from sqlalchemy import func, select

    from channel.commissions import views
    from models.commissions import LedgerLine

    payees = db.session.scalar(select(func.count(func.distinct(LedgerLine.payee_id))).where(LedgerLine.period == "2026-10"))
    auth.login("finance")
    monkeypatch.setattr(views, "STATEMENT_LIST_PAGE", payees)
    single = client.get("/commissions/statements?period=2026-10").get_data(as_text=True)
    assert 'id="pager"' not in single and "第一页" not in single
    monkeypatch.setattr(views, "STATEMENT_LIST_PAGE", payees - 1)
    first = client.get("/commissions/statements?period=2026-10").get_data(as_text=True)
    assert 'rel="next"' in first and "第一页" not in first
    second = client.get(html.unescape(first.split('rel="next" href="')[1].split('"')[0])).get_data(as_text=True)
    assert "第一页" in second and 'rel="next"' not in second
