"""The rules of a customer record, shared by the pages and the imports (orders.add_customer /
update_customer), and the look-alike search the pages run before saving."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from channel.domain.customers import normalize_name
from channel.services import conflicts, orders
from channel.services.customers import CustomerFields, LikelyDuplicates, add_customer, edit_customer
from channel.domain.errors import Forbidden, NotFound
from models import db
from models.sales import Customer
from tests.conflicts_fixtures import credit_code
from tests.exchange_fixtures import report_rows, run

CODE = credit_code("91440300MA5DC6QX9")


def count() -> int:
    return db.session.scalar(select(func.count()).select_from(Customer))


def test_a_second_customer_with_a_stored_credit_code_is_refused_naming_the_first(app, world):
    orders.add_customer(name="甲公司", owner_seller_id=world.NS.id, district_id=440305, credit_code=CODE)
    with pytest.raises(orders.CreditCodeTaken) as refused:
        orders.add_customer(name="乙公司", owner_seller_id=world.TH.id, district_id=440106, credit_code=CODE.lower())
    assert refused.value.field == "credit_code" and refused.value.customer.name == "甲公司"
    assert "甲公司" in str(refused.value) and "NS" in str(refused.value)


def test_the_customers_import_refuses_a_credit_code_already_stored_or_twice_in_the_file(app, world, tmp_path):
    orders.add_customer(name="甲公司", owner_seller_id=world.NS.id, district_id=440305, credit_code=CODE)
    header = ["客户编码", "客户名称", "归属销售方编码", "区划代码", "统一社会信用代码"]
    stored_one = run(tmp_path, "customers", [header, ["C9", "乙公司", "TH", 440106, CODE]])
    assert stored_one.status == "rejected"
    assert [(r["row"], r["column"]) for r in report_rows(stored_one)] == [("2", "统一社会信用代码")]
    other = credit_code("91440300MA5DC6QX8")
    twice = run(tmp_path, "customers", [header, ["C8", "丙公司", "TH", 440106, other], ["C9", "丁公司", "NS", 440305, other]],
                name="twice.csv")
    assert twice.status == "rejected" and [r["row"] for r in report_rows(twice)] == ["3"]
    assert count() == 6


def test_update_checks_a_credit_code_only_when_it_changes(app, world):
    world.cust_ns.credit_code = world.cust_th.credit_code = CODE  # stored twice before the rule
    db.session.commit()
    changed = orders.update_customer(world.cust_ns, name=world.cust_ns.name, owner_seller_id=world.NS.id,
                                     district_id=440305, credit_code=CODE, phone="0755-1")
    assert changed == {"phone": (None, "0755-1")}
    with pytest.raises(orders.CreditCodeTaken):
        orders.update_customer(world.cust_hz, name=world.cust_hz.name, owner_seller_id=world.HZ.id,
                               district_id=330106, credit_code=CODE)


def test_similar_customers_uses_the_registrations_matcher_within_the_province(app, world):
    orders.add_customer(name="深圳南山华盛贸易", owner_seller_id=world.SZ.id, district_id=440305, phone="13800000001")
    found = conflicts.similar_customers(normalize_name("深圳南山华盛贸易有限公司"), "", None, 440000)
    assert {customer_id for customer_id, _score, _reason in found} >= {world.cust_ns.id}
    assert conflicts.similar_customers(normalize_name("杭州完全不同有限公司"), "", None, 330000) == []
    # the same normalised name is found from any province
    assert [c for c, _s, _r in conflicts.similar_customers(normalize_name("杭州西湖恒通科技"), "", None, 440000)] \
        == [world.cust_hz.id]


def test_a_refused_look_alike_leaves_nothing_behind_and_a_confirmed_one_is_saved(app, world):
    fields = CustomerFields(name="上海浦东金诚实业", district_id=310115)
    with pytest.raises(LikelyDuplicates) as warned:
        add_customer(world.user_rep1, fields)
    assert [a.id for a in warned.value.shown] == [world.cust_rep1.id] and warned.value.hidden == 0
    assert count() == 5
    assert add_customer(world.user_rep1, fields, save_anyway=True).owner_seller_id == world.REP1.id


def test_editing_is_refused_by_id_outside_the_scope(app, world):
    fields = CustomerFields(name="改名", district_id=440305)
    with pytest.raises(NotFound):
        edit_customer(world.user_agent_zj, world.cust_ns.id, fields)
    with pytest.raises(Forbidden):
        edit_customer(world.user_director, world.cust_rep1.id, fields)
    with pytest.raises(Forbidden):
        add_customer(world.user_finance, CustomerFields(name="x", district_id=440305, owner_code="NS"))
    assert db.session.scalar(select(Customer.name).where(Customer.id == world.cust_ns.id)) == "深圳南山华盛贸易有限公司"
