"""A plan change never re-prices posted months by accident (QA of session 16): a new version of a
used plan starting within a month already posted is refused beside 生效日期, naming the month and
the first day that changes nothing posted, unless "追溯调整已记账的提成" is ticked — on the plan
form, in the page's import and in the CLI (--retroactive). The what-if preview re-prices freely."""
import io
import json
from datetime import date

from channel.services import commissions as plans
from channel.services.commissions_run import run_period
from models import db
from models.commissions import CommissionPlan
from tests.commissions_fixtures import plan

FORM = {"name": "分销商返利", "channel": "agent", "level": "4", "valid_from": "2026-01-01", "valid_to": "",
        "order_kind": "sell_out", "base_kind": "revenue", "base_rate": "3.5", "tier_mode": "marginal",
        "qualify_mode": "skip", "bonus_scope": "personal", "qualify_min": "0", "bonus_target": "0", "bonus": "0",
        "recruit_bonus": "0", "tiers": "", "category_rates": "", "override_rates": "", "seller_code": ""}


def _used_plan():
    first = plan(name="分销商返利", level=4, base_rate_bp=300)
    run_period("2026-10")
    assert plans.is_used(first.id)
    return first


def _versions() -> list[tuple]:
    db.session.expire_all()
    return [(p.version, p.status, p.valid_from, p.valid_to, p.base_rate_bp)
            for p in db.session.query(CommissionPlan).order_by(CommissionPlan.version)]


def test_a_changed_rate_from_the_old_start_date_is_refused_beside_the_date_and_nothing_is_lost(client, auth, world):
    first = _used_plan()
    auth.login("manager")
    form = client.get(f"/commissions/plans/{first.id}/edit").get_data(as_text=True)
    assert "它已用于 2026-10 及以前已记账的提成" in form and "2026-11-01" in form  # said before anything is typed
    response = client.post(f"/commissions/plans/{first.id}/edit", data=FORM)
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "第 1 版已用于 2026-10 及以前已记账的提成" in page and "请把生效日期设为 2026-11-01 或以后" in page
    assert 'value="3.5"' in page  # what was typed is kept
    assert _versions() == [(1, "active", date(2026, 1, 1), None, 300)]  # nothing saved
    assert run_period("2026-10", preview=True).lines_posted == 0  # October stays as posted


def test_a_version_from_the_first_unposted_month_is_saved_without_asking(client, auth, world):
    first = _used_plan()
    auth.login("manager")
    response = client.post(f"/commissions/plans/{first.id}/edit", data=dict(FORM, valid_from="2026-11-01"))
    assert response.status_code == 302
    assert _versions() == [(1, "active", date(2026, 1, 1), date(2026, 11, 1), 300),
                           (2, "active", date(2026, 11, 1), None, 350)]


def test_a_retroactive_change_is_saved_when_ticked_and_the_next_run_re_prices(client, auth, world):
    first = _used_plan()
    auth.login("manager")
    response = client.post(f"/commissions/plans/{first.id}/edit", data=dict(FORM, retroactive="y"))
    assert response.status_code == 302
    assert _versions() == [(1, "superseded", date(2026, 1, 1), None, 300), (2, "active", date(2026, 1, 1), None, 350)]
    assert run_period("2026-10", preview=True).lines_posted > 0  # reversals and replacements at 3.5 %


def test_the_page_import_refuses_a_retroactive_version_unless_ticked(client, auth, world):
    _used_plan()
    changed = plans.export_plans()
    changed["plans"][0]["base_rate_bp"] = 350  # same start day: would supersede the used version
    body = json.dumps(changed, ensure_ascii=False).encode()
    auth.login("manager")
    page = client.post("/commissions/plans/import", data={"file": (io.BytesIO(body), "p.json")},
                       content_type="multipart/form-data", follow_redirects=True).get_data(as_text=True)
    assert "请把生效日期设为 2026-11-01 或以后" in page
    assert [v[1] for v in _versions()] == ["active"]
    page = client.post("/commissions/plans/import", data={"file": (io.BytesIO(body), "p.json"), "retroactive": "y"},
                       content_type="multipart/form-data", follow_redirects=True).get_data(as_text=True)
    assert "新版本 1 个" in page
    assert [v[:2] for v in _versions()] == [(1, "superseded"), (2, "active")]


def test_the_cli_import_needs_retroactive_to_re_price_posted_months(app, world, tmp_path):
    _used_plan()
    changed = plans.export_plans()
    changed["plans"][0]["valid_from"] = "2026-10-15"  # mid-month of a posted October
    changed["plans"][0]["base_rate_bp"] = 350
    path = tmp_path / "plans.json"
    path.write_text(json.dumps(changed, ensure_ascii=False), encoding="utf-8")
    runner = app.test_cli_runner()
    refused = runner.invoke(args=["plans", "import", str(path)])
    assert refused.exit_code != 0 and "2026-11-01" in refused.output
    assert len(_versions()) == 1
    done = runner.invoke(args=["plans", "import", str(path), "--retroactive"])
    assert done.exit_code == 0, done.output
    assert _versions() == [(1, "active", date(2026, 1, 1), date(2026, 10, 15), 300),
                           (2, "active", date(2026, 10, 15), None, 350)]


def test_a_what_if_re_prices_posted_months_without_asking(world):
    _used_plan()
    changed = plans.export_plans()
    changed["plans"][0]["base_rate_bp"] = 350
    assert plans.what_if("2026-10", changed).lines_posted > 0
    assert [v[1] for v in _versions()] == ["active"]  # and saves nothing


def test_an_edit_refused_as_retroactive_is_not_offered_for_an_unused_plan(client, auth, world):
    first = plan(name="分销商返利", level=4, base_rate_bp=300)  # never run: edited in place
    auth.login("manager")
    assert "追溯调整已记账的提成" not in client.get(f"/commissions/plans/{first.id}/edit").get_data(as_text=True)
    assert client.post(f"/commissions/plans/{first.id}/edit", data=FORM).status_code == 302
    assert _versions() == [(1, "active", date(2026, 1, 1), None, 350)]
