"""撞单 on registrations: the scan of new registrations is set-based (a fixed number of
statements however many registrations, the same findings as scanning them one by one); a
deactivated seller's registrations stop protecting from the day of its deactivation (kept as
history); the clash list names each seller once."""
from datetime import date, timedelta

import pytest
from sqlalchemy import event, func, select

from channel.domain import conflicts as rules
from channel.domain.customers import normalize_name, normalize_phone
from channel.domain.errors import Conflict
from channel.services import conflicts, conflicts_cases
from channel.services.tree import deactivate_seller
from models import db
from models.conflicts import ConflictCase, ConflictEvidence, CustomerRegistration
from models.tree import Seller
from tests.conflicts_fixtures import sell

NAME, PHONE = "深圳市华盛贸易有限公司", "13800000001"


def stored(seller, day, name=NAME, phone=PHONE) -> CustomerRegistration:
    """A registration stored directly, unscanned (as an import of many would leave them)."""
    registration = CustomerRegistration(seller_id=seller.id, customer_name=name, name_norm=normalize_name(name),
                                        phone=phone, phone_norm=normalize_phone(phone), registered_on=day,
                                        protected_until=day + timedelta(days=90))
    db.session.add(registration)
    db.session.flush()
    return registration


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def claims(registration_ids=None) -> set[tuple[str, str, date]]:
    """The 撞单 evidence on registrations: (earlier registrant, new registrant, the new one's day)."""
    code = {s.id: s.code for s in db.session.scalars(select(Seller))}
    query = select(ConflictEvidence).where(ConflictEvidence.rule == "duplicate_claim", ConflictEvidence.ref_kind == "reg")
    found = set()
    for e in db.session.scalars(query):
        earlier, new = db.session.get(CustomerRegistration, e.ref_id), db.session.get(CustomerRegistration, e.ref2_id)
        found.add((code[earlier.seller_id], code[new.seller_id], new.registered_on))
    return found


@pytest.fixture
def crowd(world):
    """One customer registered by six sellers (HZ twice, as earlier versions let it), one other
    customer, one expired registration; REP2 is deactivated on 2026-09-04."""
    regs = [stored(world.SZ, date(2026, 5, 1)),  # protected until 07-30: over before the others
            stored(world.REP2, date(2026, 8, 28)),
            stored(world.NS, date(2026, 9, 1)),
            stored(world.HZ, date(2026, 9, 2)),
            stored(world.TH, date(2026, 9, 3)),
            stored(world.REP1, date(2026, 9, 4)),
            stored(world.GZ, date(2026, 9, 5), name="广州市宏达电器有限公司", phone="13900000009"),
            stored(world.HZ, date(2026, 9, 6))]
    db.session.commit()
    deactivate_seller(world.REP2.id, date(2026, 9, 4))
    return world, [r.id for r in regs]


EXPECTED = {
    ("REP2", "NS", date(2026, 9, 1)),
    ("REP2", "HZ", date(2026, 9, 2)), ("NS", "HZ", date(2026, 9, 2)),
    ("REP2", "TH", date(2026, 9, 3)), ("NS", "TH", date(2026, 9, 3)), ("HZ", "TH", date(2026, 9, 3)),
    # REP2 was deactivated that day: its registration protects no more
    ("NS", "REP1", date(2026, 9, 4)), ("HZ", "REP1", date(2026, 9, 4)), ("TH", "REP1", date(2026, 9, 4)),
    # HZ's own first registration is no claim on its second
    ("NS", "HZ", date(2026, 9, 6)), ("TH", "HZ", date(2026, 9, 6)), ("REP1", "HZ", date(2026, 9, 6)),
}


def test_scanning_many_registrations_at_once_finds_what_scanning_them_one_by_one_finds(crowd):
    world, ids = crowd
    conflicts.scan_new(registration_ids=ids, commit=False)
    at_once = claims()
    cases_at_once = sorted((c.offender_id, c.harmed_id, c.evidence_count) for c in db.session.scalars(select(ConflictCase)))
    db.session.rollback()
    assert count(ConflictEvidence) == 0
    for registration_id in ids:
        conflicts.scan_new(registration_ids=[registration_id], commit=False)
    one_by_one = claims()
    cases_one_by_one = sorted((c.offender_id, c.harmed_id, c.evidence_count)
                              for c in db.session.scalars(select(ConflictCase)))
    assert at_once == one_by_one == EXPECTED
    # a case per earlier registration and new registrant: HZ's two registrations claim NS's in one
    assert cases_at_once == cases_one_by_one and len(cases_at_once) == 11
    assert sum(n for _o, _h, n in cases_at_once) == 12
    db.session.commit()
    conflicts.scan_new(registration_ids=ids)  # again: nothing new
    assert count(ConflictEvidence) == 12


def test_the_scan_of_new_registrations_runs_the_same_statements_for_one_or_many(app, crowd):
    world, ids = crowd

    def selects(registration_ids) -> int:
        scope = conflicts._Scope(registration_ids=registration_ids)
        seen = []

        def count_select(conn, cursor, statement, parameters, context, executemany):
            if statement.lstrip().upper().startswith("SELECT"):
                seen.append(statement)

        engine = db.session.get_bind()
        event.listen(engine, "before_cursor_execute", count_select)
        try:
            conflicts._claims_on_registrations(scope, scope.params() | {"key": "test", "yes": True})
        finally:
            event.remove(engine, "before_cursor_execute", count_select)
        db.session.rollback()
        return len(seen)

    assert selects(ids[-1:]) == selects(ids) == 3


def test_the_same_findings_by_a_period_scan(crowd):
    from channel.domain.periods import Month

    world, ids = crowd
    for month in (Month(2026, 5), Month(2026, 8), Month(2026, 9)):
        conflicts.scan_period(month)
    assert claims() == EXPECTED


# ---- a deactivated seller's registrations --------------------------------------------------------

def register(seller, on, **kw):
    return conflicts_cases.register_customer(seller_id=seller.id, name=NAME, phone=PHONE, on=on, **kw)


def test_a_deactivated_sellers_registration_no_longer_blocks_another_seller(world):
    held = register(world.NS, date(2026, 9, 1))
    assert conflicts_cases.check_registration(world.TH.id, NAME, PHONE, None, date(2026, 9, 12))  # it protects
    deactivate_seller(world.NS.id, date(2026, 9, 10))
    assert conflicts_cases.check_registration(world.TH.id, NAME, PHONE, None, date(2026, 9, 12)) == []
    register(world.TH, date(2026, 9, 12))  # no tick needed, no case
    assert count(ConflictCase) == 0
    # kept as history, its dates unchanged
    assert db.session.get(CustomerRegistration, held.id).protected_until == date(2026, 11, 30)
    assert count(CustomerRegistration) == 2


def test_before_the_deactivation_day_the_registration_still_protected(world):
    register(world.NS, date(2026, 9, 1))
    deactivate_seller(world.NS.id, date(2026, 9, 10))
    with pytest.raises(Conflict):  # back-dated to a day NS still protected the customer
        register(world.TH, date(2026, 9, 9))
    db.session.rollback()
    register(world.TH, date(2026, 9, 9), accept_clash=True)
    [case] = db.session.scalars(select(ConflictCase)).all()
    assert (case.offender_id, case.harmed_id) == (world.TH.id, world.NS.id)


def test_a_sale_after_the_deactivation_is_no_claim_a_sale_before_it_still_is(world):
    register(world.NS, date(2026, 9, 1))
    deactivate_seller(world.NS.id, date(2026, 9, 10))
    after = sell(world, world.TH, 440106, customer_name="深圳市 华盛贸易", phone=PHONE, day=date(2026, 9, 15))
    conflicts.scan_new(order_line_ids=[after.id])
    assert count(ConflictCase) == 0
    before = sell(world, world.TH, 440106, customer_name="深圳市华盛贸易", phone=PHONE, day=date(2026, 9, 9))
    conflicts.scan_new(order_line_ids=[before.id])
    [case] = db.session.scalars(select(ConflictCase)).all()
    assert (case.rule, case.offender_id, case.harmed_id, case.evidence_count) == (
        "duplicate_claim", world.TH.id, world.NS.id, 1)


@pytest.mark.parametrize("active, deactivated_on, expected", [
    (True, None, None),
    (False, date(2026, 9, 10), date(2026, 9, 10)),
    (False, date(2026, 12, 1), None),       # after the protection ended: nothing lapsed
    (False, date(2026, 8, 1), date(2026, 9, 1)),  # before it started: it never protected
    (False, None, date(2026, 9, 1)),        # inactive with no date: never protected
])
def test_when_a_registration_lapses(active, deactivated_on, expected):
    lapses = rules.protection_lapses_on(date(2026, 9, 1), date(2026, 11, 30), active, deactivated_on)
    assert lapses == expected
    assert rules.protects_on(date(2026, 9, 1), date(2026, 11, 30), lapses, date(2026, 9, 9)) is (
        expected is None or expected > date(2026, 9, 9))


# ---- the clash list ------------------------------------------------------------------------------

def test_the_clash_list_names_each_seller_once(world):
    first = stored(world.HZ, date(2026, 9, 1))
    stored(world.HZ, date(2026, 9, 3), name="深圳市 华盛贸易")  # a copy stored by an earlier version
    ns = stored(world.NS, date(2026, 9, 2))
    db.session.commit()
    clashes = conflicts_cases.check_registration(world.TH.id, NAME, PHONE, None, date(2026, 9, 5))
    assert sorted(c.registration.seller_id for c in clashes) == sorted([world.HZ.id, world.NS.id])
    assert {c.registration.id for c in clashes} == {first.id, ns.id}  # the best match of each seller
