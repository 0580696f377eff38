"""The demo company's plans fit its data: saving a demo plan unchanged warns of nothing (the city
agents' plan gated a tier on PRODUCT-101 while the demo certified only PRO), and the gate is seen
working: some sellers of the gated level hold the code, others do not."""
from datetime import date

from sqlalchemy import select

from channel.services import commissions as plans
from channel.services.demo import load_demo
from channel.services.selling_demo import load_selling_demo
from channel.services.selling_enablement import holds_certification
from models import db
from models.commissions import CommissionPlan
from models.tree import Seller

TODAY = date(2026, 11, 27)


def _demo() -> list[CommissionPlan]:
    load_demo(agents=60, orders=300, seed=4, until=TODAY)
    load_selling_demo(today=TODAY)
    return list(db.session.scalars(select(CommissionPlan).order_by(CommissionPlan.id)))


def _unchanged_form(plan: CommissionPlan) -> dict[str, str]:
    """The plan form's fields as the edit page fills them."""
    from channel.commissions.forms import PlanForm

    form = PlanForm(meta={"csrf": False})
    form.load(plans.spec_of(plan))
    return {field.name: field._value() if field.type != "SelectField" else field.data for field in form}


def test_the_demo_plans_save_unchanged_without_warnings(app, client):
    demo_plans = _demo()
    assert {p.name for p in demo_plans} == {"分销商返利", "市代返利", "直销代表提成"}
    client.post("/login", data={"username": "manager", "password": "qudao-demo"})
    for plan in demo_plans:
        with app.test_request_context():
            data = _unchanged_form(plan)
        page = client.post(f"/commissions/plans/{plan.id}/edit", data=data, follow_redirects=True)
        text = page.get_data(as_text=True)
        assert page.status_code == 200 and "没有改动，未保存新版本" in text, plan.name
        assert "alert-warning" not in text and "目前没有人持有" not in text, plan.name
        assert plans.unknown_certifications(plan) == [] and plans.unknown_categories(plan) == []


def test_the_demo_shows_the_certification_gate_both_ways(app):
    demo_plans = _demo()
    gated = [(plan, tier.certification_code) for plan in demo_plans for tier in plan.tiers if tier.certification_code]
    assert gated, "the demo gates no tier on a certification"
    for plan, code in gated:
        sellers = db.session.scalars(select(Seller.id).where(Seller.channel == plan.channel,
                                                             Seller.level == plan.level)).all()
        holding = [s for s in sellers if holds_certification(s, code, TODAY)]
        assert holding and len(holding) < len(sellers), (plan.name, code)
        # held since before the three closed months the demo runs
        assert all(holds_certification(s, code, date(2026, 8, 31)) for s in holding)
