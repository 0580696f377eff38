"""One seller holds one registration of a customer at a time: a re-registration is refused in
the one service the page, the import and any caller use, and registrations stored twice by
earlier versions open one 撞单 case per registrant, not one per copy."""
from datetime import date

import pytest
from sqlalchemy import func, select

from channel.domain.customers import normalize_name, normalize_phone
from channel.domain.errors import Conflict
from channel.domain.periods import Month
from channel.services import conflicts, conflicts_cases
from models import db
from models.conflicts import ConflictCase, CustomerRegistration
from tests.conflicts_fixtures import sell
from tests.exchange_fixtures import report_rows, run

NAME, PHONE = "深圳市华盛贸易有限公司", "13800000001"


def register(seller, on, name=NAME, phone=PHONE, **kw):
    return conflicts_cases.register_customer(seller_id=seller.id, name=name, phone=phone, on=on, **kw)


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def claims() -> list[ConflictCase]:
    return list(db.session.scalars(select(ConflictCase).where(ConflictCase.rule == "duplicate_claim")))


@pytest.mark.parametrize("again_on, spelling", [
    (date(2026, 9, 1), NAME),                     # the same day
    (date(2026, 10, 20), "深圳市 华盛贸易"),       # inside the protection, another spelling
    (date(2026, 8, 1), NAME),                     # back-dated: the two periods overlap
])
def test_a_seller_registering_a_customer_it_already_protects_is_refused_beside_the_name(world, again_on, spelling):
    first = register(world.NS, date(2026, 9, 1))
    with pytest.raises(Conflict) as refused:
        register(world.NS, again_on, name=spelling)
    assert refused.value.field == "name"
    assert "2026-09-01" in str(refused.value) and first.protected_until.isoformat() in str(refused.value)
    db.session.rollback()
    assert count(CustomerRegistration) == 1 and count(ConflictCase) == 0


def test_the_tick_for_another_sellers_clash_does_not_let_a_seller_register_its_own_customer_twice(world):
    register(world.NS, date(2026, 9, 1))
    register(world.TH, date(2026, 9, 3), accept_clash=True)
    with pytest.raises(Conflict):
        register(world.TH, date(2026, 9, 4), accept_clash=True)
    db.session.rollback()
    assert count(CustomerRegistration) == 2 and [c.offender_id for c in claims()] == [world.TH.id]


def test_after_the_protection_ends_the_seller_may_register_the_customer_again(world):
    first = register(world.NS, date(2026, 6, 1))
    again = register(world.NS, first.protected_until)  # the first day no longer protected
    assert again.id != first.id and count(ConflictCase) == 0


def test_another_customer_of_the_same_seller_is_registered(world):
    register(world.NS, date(2026, 9, 1))
    register(world.NS, date(2026, 9, 2), name="广州市宏达电器有限公司", phone="13900000009")
    assert count(CustomerRegistration) == 2


def _stored_twice(seller, days):
    """Registrations of one customer stored directly, as earlier versions let them be."""
    for day in days:
        db.session.add(CustomerRegistration(seller_id=seller.id, customer_name=NAME, name_norm=normalize_name(NAME),
                                            phone=PHONE, phone_norm=normalize_phone(PHONE), registered_on=day,
                                            protected_until=date(2026, 12, 1)))
    db.session.commit()


def test_a_sale_to_a_customer_registered_twice_by_one_seller_opens_one_case(world):
    _stored_twice(world.NS, [date(2026, 9, 1), date(2026, 9, 3)])
    line = sell(world, world.TH, 440106, customer_name="深圳市 华盛贸易", phone=PHONE, day=date(2026, 9, 15))
    conflicts.scan_new(order_line_ids=[line.id])
    [case] = claims()
    assert (case.offender_id, case.harmed_id, case.evidence_count) == (world.TH.id, world.NS.id, 1)
    conflicts.scan_period(Month(2026, 9))  # scanning the month again adds nothing
    assert len(claims()) == 1


def test_registering_a_customer_another_seller_registered_twice_opens_one_case(world):
    _stored_twice(world.NS, [date(2026, 9, 1), date(2026, 9, 3)])
    register(world.TH, date(2026, 9, 5), accept_clash=True)
    [case] = claims()
    assert (case.offender_id, case.harmed_id, case.evidence_count) == (world.TH.id, world.NS.id, 1)


def test_the_import_refuses_a_second_registration_by_the_same_seller_on_the_customer_column(app, world, tmp_path):
    header = ["报备销售方编码", "客户名称", "电话", "报备日期", "明知冲突仍报备"]
    assert run(tmp_path, "registrations", [header, ["NS", NAME, PHONE, "2026-10-01", ""]]).status == "done"
    again = run(tmp_path, "registrations", [header, ["NS", "深圳市华盛贸易", PHONE, "2026-10-05", "是"]], name="again.csv")
    assert again.status == "rejected"
    assert [(r["row"], r["column"]) for r in report_rows(again)] == [("2", "客户名称")]
    assert "保护期内不能重复报备" in report_rows(again)[0]["reason"]
    assert count(CustomerRegistration) == 1 and count(ConflictCase) == 0


def test_a_deactivated_seller_registers_no_customer(world):
    from channel.domain.errors import DomainError
    from channel.services.tree import deactivate_seller

    deactivate_seller(world.HZ.id, date(2026, 9, 1))
    with pytest.raises(DomainError) as refused:
        register(world.HZ, date(2026, 9, 2))
    assert refused.value.field == "seller_id" and "HZ" in str(refused.value)
    db.session.rollback()
    assert count(CustomerRegistration) == 0
