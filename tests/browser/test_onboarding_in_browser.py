from sqlalchemy import select

from models import db
from models.tree import Seller, SellerClosure, TerritoryGrant
from models.users import User
from tests.browser.conftest import login


def test_manager_adds_a_city_agent_under_the_provincial_agent_from_its_page(page, live_server):
    app = live_server["app"]
    with app.app_context():
        province = db.session.get(Seller, db.session.scalar(select(User.seller_id).where(User.username == "agent")))
        province_id, province_code, province_name = province.id, province.code, province.name
        city_level = province.level + 1
    login(page, "manager")
    page.goto(f"/sellers/{province_id}")
    page.click("#add-downline")
    page.wait_for_selector("#new-seller-form")
    assert page.input_value("input[name=upline_code]") == province_code
    assert page.input_value("select[name=channel_level]") == f"agent:{city_level}"
    # a taken code first: refused beside the field, everything typed still there
    page.fill("input[name=code]", province_code.lower())
    page.fill("input[name=name]", "浏览器测试市代")
    page.fill("input[name=territory_code]", "440606")
    page.uncheck("input[name=exclusive]")
    page.click("#new-seller-form button[type=submit]")
    page.wait_for_selector("#code.is-invalid")
    assert "已被使用" in page.inner_text(".field-error")
    assert page.input_value("input[name=name]") == "浏览器测试市代"
    page.fill("input[name=code]", "ZZ-BROWSER-1")
    page.click("#new-seller-form button[type=submit]")
    page.wait_for_selector("#upline-chain")
    assert province_name in page.inner_text("#upline-chain")
    assert "浏览器测试市代" in page.inner_text("h1")
    assert "440606" in page.inner_text("#grants")
    with app.app_context():
        seller = db.session.scalar(select(Seller).where(Seller.code == "ZZ-BROWSER-1"))
        assert (seller.parent_id, seller.level) == (province_id, city_level)
        assert db.session.scalar(select(SellerClosure.depth).where(
            SellerClosure.ancestor_id == province_id, SellerClosure.descendant_id == seller.id)) == 1
        grant = db.session.scalar(select(TerritoryGrant).where(TerritoryGrant.seller_id == seller.id))
        assert (grant.territory_id, grant.exclusive) == (440606, False)
