from sqlalchemy import select

from models import db
from models.tree import Seller
from models.users import User
from tests.browser.conftest import login


def _seller_of(live_server, username):
    with live_server["app"].app_context():
        user = db.session.scalar(select(User).where(User.username == username))
        seller = db.session.get(Seller, user.seller_id)
        children = db.session.scalars(select(Seller).where(Seller.parent_id == seller.id).order_by(Seller.code)).all()
        return seller.id, seller.name, [(c.id, c.name) for c in children]


def test_manager_opens_the_pyramid_expands_a_node_and_finds_an_agent(page, live_server):
    login(page, "manager")
    page.click("text=代理金字塔")
    page.wait_for_selector("svg .pyramid-band")
    root = page.locator(".tree > ul > li").first
    root.locator("button.toggle").click()
    children = root.locator(":scope > ul > li")
    children.first.wait_for()
    assert children.count() >= 2
    # search an agent by part of its name and open the tree at it
    agent_id, agent_name, _kids = _seller_of(live_server, "agent2")
    page.fill("input[name=q]", agent_name[:6])
    page.click("form[role=search] button")
    page.click(f"#search-results a[href$='focus={agent_id}']")
    focused = page.locator(f"li.focus[data-seller-id='{agent_id}']")
    focused.wait_for()
    assert focused.is_visible()


def test_agent_sees_its_downline_and_is_refused_a_sibling_by_url(page, live_server):
    agent_id, agent_name, kids = _seller_of(live_server, "agent")
    sibling_id, sibling_name, _ = _seller_of(live_server, "agent2")
    login(page, "agent")
    page.goto("/pyramid")
    root = page.locator(".tree > ul > li").first
    assert agent_name in root.inner_text()
    root.locator("button.toggle").click()
    root.locator(":scope > ul > li").first.wait_for()
    assert kids[0][1] in root.inner_text()
    page.click(f"a[href='/sellers/{kids[0][0]}']")
    page.wait_for_selector("#upline-chain")
    assert agent_name in page.inner_text("#upline-chain")
    response = page.goto(f"/sellers/{sibling_id}")
    assert response.status == 404
    assert sibling_name not in page.content()
    assert "页面不存在" in page.content() or "无权查看" in page.content()


def test_language_switch_in_the_browser(page, live_server):
    login(page, "manager")
    page.click("button[data-lang=en]")
    page.wait_for_selector("text=Agent pyramid")
    page.click("button[data-lang=zh]")
    page.wait_for_selector("text=代理金字塔")
