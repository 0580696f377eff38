"""Codes people type (a SKU, a customer code) are found by the one code rule (channel.domain.tree.
code_key: trimmed, any letter case, the exact spelling first): orders.product_by_sku and
orders.customer_id_by_code, behind the order entry page, the order push API and the selling pages."""
from __future__ import annotations

from channel.services import orders
from models import db


def test_a_sku_is_found_in_any_letter_case_even_when_stored_in_mixed_case(world):
    mixed = orders.add_product(sku="Ab-7", name="滤芯", category="耗材", cost_fen=100, retail_price_fen=200)
    assert orders.product_by_sku("p1") is world.product and orders.product_by_sku(" P1 ") is world.product
    assert orders.product_by_sku("aB-7") is mixed and orders.product_by_sku("AB-7") is mixed
    assert orders.product_by_sku("") is None and orders.product_by_sku(None) is None
    assert orders.product_by_sku("P2") is None


def test_the_exact_spelling_wins_over_another_letter_case(world):
    lower = orders.add_product(sku="p1", name="净水器（旧编码）", category="净水设备", cost_fen=1, retail_price_fen=2)
    assert orders.product_by_sku("p1") is lower and orders.product_by_sku("P1") is world.product


def test_a_customer_code_is_found_in_any_letter_case(world):
    world.cust_ns.code, world.cust_th.code = "Cn-01", "C-TH-1"
    db.session.commit()
    assert orders.customer_id_by_code("cN-01") == world.cust_ns.id
    assert orders.customer_id_by_code(" c-th-1") == world.cust_th.id
    assert orders.customer_id_by_code("C-XX-9") is None and orders.customer_id_by_code("  ") is None
