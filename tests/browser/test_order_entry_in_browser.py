"""In Chromium: the provincial agent enters a two-line sell-out for a reseller of its downline
from the orders list (one price typed, one from the price list), lands on the order page and
records a return of its second line."""
from sqlalchemy import select

from channel.services.tree import subtree_ids
from models import db
from models.catalog import Product
from models.sales import Customer
from models.tree import Seller
from models.users import User
from tests.browser.conftest import login


def _reseller_customer_and_products(live_server):
    with live_server["app"].app_context():
        agent = db.session.scalar(select(User).where(User.username == "agent"))
        customer = db.session.scalar(
            select(Customer).join(Seller, Seller.id == Customer.owner_seller_id)
            .where(Seller.level == 4, Seller.id.in_(subtree_ids(agent.seller_id)), Customer.code.is_not(None))
            .order_by(Customer.id).limit(1))
        products = list(db.session.scalars(select(Product).order_by(Product.id).limit(2)))
        return customer.owner.code, customer.code, customer.name, [(p.sku, p.retail_price_fen) for p in products]


def test_an_agent_enters_a_two_line_order_and_records_a_return(page, live_server):
    seller_code, customer_code, customer_name, products = _reseller_customer_and_products(live_server)
    (sku1, _), (sku2, retail2) = products
    login(page, "agent")
    page.goto("/orders")
    page.click("#new-order")
    page.wait_for_selector("#order-entry")
    page.fill("input[name=order_no]", "BROWSER-SO-1")
    page.fill("input[name=seller_code]", seller_code)
    page.fill("input[name=customer]", customer_code)
    page.fill("input[name=line-0-sku]", sku1)
    page.fill("input[name=line-0-qty]", "2")
    page.fill("input[name=line-0-price]", "1,234.50")
    page.fill("input[name=line-1-sku]", sku2)
    page.fill("input[name=line-1-qty]", "3")
    page.click("button[name=save]")
    page.wait_for_selector(".alert-success")
    assert "BROWSER-SO-1" in page.inner_text("h1") and customer_name in page.inner_text("main, body")
    rows = page.locator("table.table-sm").first.locator("tbody tr")
    assert rows.count() == 2
    assert "¥1,234.50" in rows.nth(0).inner_text() and "¥2,469.00" in rows.nth(0).inner_text()
    total = 246900 + 3 * retail2
    assert page.inner_text("#order-total") == f"¥{total // 100:,}.{total % 100:02d}"
    # a return of the second line, from its link on the order page
    rows.nth(1).locator("a.record-return").click()
    page.wait_for_selector("#return-entry")
    assert page.inner_text("#returnable") == "3"
    page.fill("input[name=return_no]", "BROWSER-RT-1")
    page.fill("input[name=qty]", "1")
    page.fill("input[name=reason]", "质量问题")
    page.click("#return-entry button[type=submit]")
    page.wait_for_selector(".alert-success")
    assert "BROWSER-RT-1" in page.inner_text("#order-returns")
