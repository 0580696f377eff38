"""How the plan form reads and shows what is typed (QA of session 16): a rate in scientific or
underscored notation is refused beside its field (it was read as another number: '1e2' as 100 %),
and every tier of a plan is in sight when the form opens."""
import re

from tests.commissions_fixtures import plan
from channel.domain.commissions import Tier
from models import db
from models.commissions import CommissionPlan

FORM = {"name": "新方案", "channel": "agent", "level": "2", "valid_from": "2026-01-01", "valid_to": "",
        "order_kind": "sell_out", "base_kind": "revenue", "base_rate": "3", "tier_mode": "marginal",
        "qualify_mode": "skip", "bonus_scope": "personal", "qualify_min": "0", "bonus_target": "0", "bonus": "0",
        "recruit_bonus": "0", "tiers": "", "category_rates": "", "override_rates": "", "seller_code": ""}


def test_a_rate_in_scientific_notation_is_refused_beside_its_field_and_kept(client, auth, world):
    auth.login("manager")
    response = client.post("/commissions/plans/new", data=dict(FORM, base_rate="1e2", override_rates="1_0"))
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "“1e2” 不是一个百分比。" in page and "“1_0” 不是一个百分比。" in page
    assert 'value="1e2"' in page and 'value="1_0"' in page
    assert db.session.query(CommissionPlan).count() == 0


def test_every_tier_of_a_plan_is_in_sight_when_the_edit_form_opens(client, auth, world):
    saved = plan(name="三档", level=4, base_rate_bp=300, tiers=(Tier(0, 5_000_000, 0), Tier(5_000_000, 20_000_000, 100),
                                                              Tier(20_000_000, None, 200)))
    auth.login("manager")
    page = client.get(f"/commissions/plans/{saved.id}/edit").get_data(as_text=True)
    textarea = re.search(r'<textarea[^>]*name="tiers"[^>]*>', page).group(0)
    rows = int(re.search(r'rows="(\d+)"', textarea).group(1))
    assert rows >= len(saved.tiers) + 1  # the three brackets and a line to add one


def test_the_form_says_which_number_is_which_level_in_the_readers_language(client, auth, world, app):
    auth.login("manager")
    page = client.get("/commissions/plans/new").get_data(as_text=True)
    names = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page.split('id="level-numbers"')[1].split("</div>\n      </div>")[0]))
    assert "代理：1 总代理 · 2 省代 · 3 市代 · 4 分销商" in names
    assert "直销：1 销售总监 · 2 销售经理 · 3 销售代表" in names
    english = client.get("/commissions/plans/new?lang=en").get_data(as_text=True).split('id="level-numbers"')[1]
    assert "Agents: 1 National agent" in english and "4 Reseller" in english and "Direct: 1" in english
