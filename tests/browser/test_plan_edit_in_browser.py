"""A channel manager changes a used plan in a real browser (QA of session 16): a new rate from the
version's own start date would re-price months already posted, so the form refuses it beside
生效日期 with the first safe day, keeps what was typed, and saves nothing."""
from sqlalchemy import select

from models import db
from models.commissions import CommissionPlan
from tests.browser.conftest import login


def _used_reseller_plan(live_server) -> tuple[int, int]:
    from channel.services.commissions import install_demo_plans, is_used

    with live_server["app"].app_context():
        plans = db.session.scalars(select(CommissionPlan).where(CommissionPlan.name == "分销商返利")).all()
        if not plans:
            install_demo_plans()
            plans = db.session.scalars(select(CommissionPlan).where(CommissionPlan.name == "分销商返利")).all()
        if not is_used(plans[0].id):
            from channel.services.commissions_run import run_period

            run_period("2026-10")
        versions = db.session.scalar(select(db.func.count()).select_from(CommissionPlan))
        return plans[0].id, versions


def test_a_rate_change_from_the_posted_start_date_is_refused_beside_the_date(page, live_server):
    plan_id, versions = _used_reseller_plan(live_server)
    login(page, "manager")
    page.goto(f"/commissions/plans/{plan_id}/edit")
    assert "及以前已记账的提成" in page.inner_text("#used-notice")
    page.fill("input[name=base_rate]", "3.5")
    page.click("#plan-form button[type=submit]")
    page.wait_for_selector(".field-error")
    error = page.locator("input[name=valid_from] ~ .field-error, input[name=valid_from] + .field-error").first
    assert "或以后" in error.inner_text() and "追溯调整已记账的提成" in error.inner_text()
    assert page.input_value("input[name=base_rate]") == "3.5"  # nothing typed is lost
    assert page.locator("input[name=retroactive]").is_visible() and not page.is_checked("input[name=retroactive]")
    with live_server["app"].app_context():
        assert db.session.scalar(select(db.func.count()).select_from(CommissionPlan)) == versions  # nothing saved
