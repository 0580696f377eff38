"""QA findings on the conflict forms: every bad input re-renders the form with the error beside
the field and changes nothing (never a 500); cases record when and by whom they were opened;
the English pages read as English."""
import re
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from channel.domain.money import MAX_AMOUNT_FEN
from channel.domain.selling_kpi import shanghai_day
from channel.services import conflicts_cases
from models import db, utcnow
from models.conflicts import ConflictCase, ConflictEvent, ConflictPolicy, CustomerRegistration
from models.ops import AuditEvent
from tests.functional.test_conflict_pages import leak  # noqa: F401  (fixture)


def field_errors(page: str) -> list[str]:
    return [part.split("</div>")[0] for part in page.split('field-error">')[1:]]


def errors_by_field(page: str) -> dict[str, list[str]]:
    """{input id: its errors} of the fields shown with an error (templates/macros.html `field`)."""
    found = {}
    for block in page.split('<div class="mb-2')[1:]:
        errors = field_errors(block)
        if errors:
            found[re.search(r'<(?:input|select|textarea)[^>]*\bid="([^"]+)"', block).group(1)] = errors
    return found


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


# ---- 1. registration dates -------------------------------------------------------------------

def registration(day: str) -> dict:
    return {"name": "深圳前海日期测试有限公司", "phone": "13800000077", "registered_on": day}


def test_a_registration_dated_in_the_future_or_too_far_back_is_refused_on_its_field(app, client, auth, world):
    app.config["CONFLICT_REGISTRATION_MAX_AGE_DAYS"] = 365  # the default (the test config widens it)
    today = shanghai_day(utcnow())
    auth.login("agent_zj")
    for day, says in [("9999-12-31", "不能晚于今天"), ((today + timedelta(days=1)).isoformat(), "不能晚于今天"),
                      ("2027-06-01" if today < date(2027, 6, 1) else "9000-01-01", "不能晚于今天"),
                      ("1900-01-01", "不能早于"), ("0001-01-01", "不能早于"),
                      ((today - timedelta(days=366)).isoformat(), "不能早于")]:
        response = client.post("/conflicts/registrations", data=registration(day))
        assert response.status_code == 400, day
        errors = errors_by_field(response.get_data(as_text=True))
        assert list(errors) == ["registered_on"] and says in errors["registered_on"][0], (day, errors)
    assert count(CustomerRegistration) == 0 and count(ConflictCase) == 0


@pytest.mark.parametrize("day", ["2026-13-01", "abc", "2026-02-30", "99999-01-01"])
def test_a_malformed_registration_date_says_the_date_is_invalid_not_that_it_is_required(client, auth, world, day):
    auth.login("agent_zj")
    response = client.post("/conflicts/registrations", data=registration(day))
    errors = errors_by_field(response.get_data(as_text=True))
    assert response.status_code == 400 and errors == {"registered_on": ["日期无效：请写成 YYYY-MM-DD 的有效日期。"]}
    assert count(CustomerRegistration) == 0


def test_a_registration_dated_today_or_within_the_bound_is_saved(client, auth, world):
    today = shanghai_day(utcnow())
    auth.login("agent_zj")
    for number, day in enumerate((today, today - timedelta(days=365))):
        form = registration(day.isoformat()) | {"name": f"深圳前海日期测试{number}号有限公司", "phone": ""}
        assert client.post("/conflicts/registrations", data=form).status_code == 302
    assert count(CustomerRegistration) == 2


def test_a_blank_registration_district_is_no_district_not_a_crash(client, auth, world):
    auth.login("agent_zj")
    form = registration(shanghai_day(utcnow()).isoformat()) | {"district": " "}
    assert client.post("/conflicts/registrations", data=form).status_code == 302
    saved = db.session.scalars(select(CustomerRegistration)).one()
    assert saved.district_id is None and saved.customer_name == "深圳前海日期测试有限公司"


def test_the_service_refuses_the_dates_too_so_imports_and_the_api_do(world):
    from channel.domain.errors import DomainError

    with pytest.raises(DomainError) as refused:
        conflicts_cases.register_customer(seller_id=world.ZJ.id, name="甲公司", on=date(9999, 12, 31))
    assert refused.value.field == "registered_on" and count(CustomerRegistration) == 0


# ---- 2. policies: penalty, fee, name ---------------------------------------------------------

POLICY = {"name": "串货罚款", "rule": "cross_territory", "action": "hold", "protection_fee_bp": "0", "penalty": "100"}


@pytest.mark.parametrize("field, value, says", [
    ("penalty", "99999999999999999.99", "金额过大"),
    ("penalty", "1000000000000.01", "金额过大"),
    ("penalty", "9" * 300, "金额过大"),
    ("penalty", "1e10", "只能写数字"),
    ("penalty", "1,00", "只能写数字"),  # ambiguous: refused
    ("penalty", "12.345", "只能写数字"),
    ("penalty", "-5", "不能为负数"),
    ("protection_fee_bp", "99999999999999999999", "10000"),
    ("protection_fee_bp", "10001", "10000"),
    ("protection_fee_bp", "1e10", "请填写整数"),
    ("name", "政" * 101, "100"),
    ("name", "   ", ""),
])
def test_a_bad_policy_value_is_an_error_beside_its_field_and_nothing_is_saved(client, auth, world, field, value, says):
    auth.login("manager")
    response = client.post("/conflicts/policies", data=POLICY | {field: value})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    errors = errors_by_field(page)
    assert list(errors) == [field] and len(errors[field]) == 1 and says in errors[field][0], errors
    assert count(ConflictPolicy) == 0


@pytest.mark.parametrize("typed", ["1,000", "１０００", "1,000.00"])
def test_a_penalty_reads_thousands_separators_and_full_width_digits_like_every_money_field(client, auth, world, typed):
    auth.login("manager")
    assert client.post("/conflicts/policies", data=POLICY | {"penalty": typed}).status_code == 302
    assert db.session.scalar(select(ConflictPolicy.penalty_fen)) == 100000


def test_the_largest_penalty_is_saved_and_shown(client, auth, world):
    auth.login("manager")
    assert client.post("/conflicts/policies", data=POLICY | {"penalty": "1000000000000"}).status_code == 302
    assert db.session.scalar(select(ConflictPolicy.penalty_fen)) == MAX_AMOUNT_FEN
    assert "¥1,000,000,000,000.00" in client.get("/conflicts/policies").get_data(as_text=True)


def test_a_second_active_policy_of_the_same_name_for_the_same_rule_is_refused(client, auth, world):
    auth.login("manager")
    assert client.post("/conflicts/policies", data=POLICY).status_code == 302
    again = client.post("/conflicts/policies", data=POLICY | {"name": " 串货罚款 ", "penalty": "200"})
    assert again.status_code == 400 and "已有同名的生效政策" in errors_by_field(again.get_data(as_text=True))["name"][0]
    assert count(ConflictPolicy) == 1
    # the same name for another rule, or for all rules, is another policy
    assert client.post("/conflicts/policies", data=POLICY | {"rule": "price_violation"}).status_code == 302
    assert client.post("/conflicts/policies", data=POLICY | {"rule": ""}).status_code == 302
    assert client.post("/conflicts/policies", data=POLICY | {"rule": ""}).status_code == 400
    assert count(ConflictPolicy) == 3


# ---- 3. a ruling needs a reason --------------------------------------------------------------

def post_status(client, case_id, status, note=""):
    return client.post(f"/conflicts/cases/{case_id}/status", data={"status-status": status, "status-note": note})


def case_state(case_id):
    db.session.expire_all()
    case = db.session.get(ConflictCase, case_id)
    return (case.status, case.closed_at, case.ruled_by_id,
            db.session.scalar(select(func.count()).where(ConflictEvent.case_id == case_id)),
            db.session.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.object_type == "conflict_case")))


@pytest.mark.parametrize("path", [["dismissed"], ["investigating", "confirmed"], ["investigating", "dismissed"]])
def test_confirming_or_dismissing_without_a_note_is_refused_and_changes_nothing(client, auth, leak, path):
    world, line, cross, price = leak
    auth.login("manager")
    for status in path[:-1]:
        assert post_status(client, cross.id, status).status_code == 302
    before = case_state(cross.id)
    for note in ("", "   "):
        response = post_status(client, cross.id, path[-1], note)
        errors = errors_by_field(response.get_data(as_text=True))
        assert response.status_code == 400 and list(errors) == ["status-note"] and "请写明理由" in errors["status-note"][0]
        assert case_state(cross.id) == before
    assert post_status(client, cross.id, path[-1], "核实：客户自提").status_code == 302
    assert case_state(cross.id)[0] == path[-1]


def test_a_ruling_note_longer_than_the_limit_is_refused(client, auth, leak):
    world, line, cross, price = leak
    auth.login("manager")
    before = case_state(cross.id)
    response = post_status(client, cross.id, "dismissed", "很" * 2001)
    assert response.status_code == 400 and list(errors_by_field(response.get_data(as_text=True))) == ["status-note"]
    assert case_state(cross.id) == before


# ---- 4. labels, not codes; periods -----------------------------------------------------------

def test_a_refused_move_names_the_statuses_by_their_labels(client, auth, leak):
    world, line, cross, price = leak
    auth.login("manager")
    assert post_status(client, cross.id, "dismissed", "误报").status_code == 302
    page = post_status(client, cross.id, "confirmed", "再看").get_data(as_text=True)
    assert errors_by_field(page) == {"status-status": ["案件不能从“已驳回”改为“已确认”。"]}
    client.post("/lang/en", data={"next": "/"})
    page = post_status(client, cross.id, "confirmed", "again").get_data(as_text=True)
    assert errors_by_field(page) == {"status-status": ["A case cannot go from &#34;Dismissed&#34; to &#34;Confirmed&#34;."]}


@pytest.mark.parametrize("period, says", [("2026-13", "期间必须写成 YYYY-MM"), ("0000-00", "期间必须写成 YYYY-MM"),
                                          ("abc", "期间必须写成 YYYY-MM"), ("9999-12", "期间超出范围"),
                                          ("0000-01", "期间超出范围"), ("2026-1" + "0" * 40, "")])
def test_every_malformed_or_out_of_range_period_gives_a_clear_error(client, auth, leak, period, says):
    auth.login("manager")
    response = client.get(f"/conflicts/cases?period={period}")
    errors = errors_by_field(response.get_data(as_text=True))
    assert response.status_code == 200 and list(errors) == ["period"] and says in errors["period"][0]
    export = client.get(f"/conflicts/cases.csv?period={period}")
    assert export.status_code == 400 and says in export.get_data(as_text=True)


def test_a_period_the_month_parser_reads_filters_the_cases(client, auth, leak):
    world, line, cross, price = leak
    auth.login("manager")
    for period in ("2026-10", "2026-10 "):
        page = client.get(f"/conflicts/cases?period={period}").get_data(as_text=True)
        assert f"/conflicts/cases/{cross.id}\"" in page and not field_errors(page)
    assert f"/conflicts/cases/{cross.id}\"" not in client.get("/conflicts/cases?period=2026-9").get_data(as_text=True)


# ---- 5. when and by whom a case was opened ---------------------------------------------------

def test_a_case_opened_by_a_registration_keeps_the_time_and_the_user(client, auth, world):
    conflicts_cases.register_customer(seller_id=world.NS.id, name="深圳市华盛贸易有限公司", phone="13800000001",
                                      on=shanghai_day(utcnow()) - timedelta(days=3))
    auth.login("agent_zj")
    form = {"name": "深圳市 华盛贸易", "phone": "138 0000 0001", "registered_on": shanghai_day(utcnow()).isoformat(),
            "accept_clash": "y"}
    before = utcnow().replace(microsecond=0)
    assert client.post("/conflicts/registrations", data=form).status_code == 302
    case = db.session.query(ConflictCase).filter_by(rule="duplicate_claim").one()
    assert before <= case.opened_at <= utcnow()  # a timestamp, not the day at 00:00 UTC
    opened = db.session.scalars(select(ConflictEvent).where(ConflictEvent.case_id == case.id)).one()
    assert opened.action == "opened" and opened.actor_id == world.user_agent_zj.id and before <= opened.at
    auth.logout()
    auth.login("manager")
    timeline = client.get(f"/conflicts/cases/{case.id}").get_data(as_text=True).split('id="timeline"')[1]
    assert world.user_agent_zj.display_name in timeline and "系统扫描" not in timeline


def test_a_case_the_scanner_opens_has_its_time_and_no_user(leak):
    world, line, cross, price = leak
    assert abs((utcnow() - cross.opened_at).total_seconds()) < 600
    opened = db.session.scalars(select(ConflictEvent).where(ConflictEvent.case_id == cross.id)).one()
    assert opened.actor_id is None and abs((utcnow() - opened.at).total_seconds()) < 600


# ---- 6. English pages ------------------------------------------------------------------------

def test_the_english_case_page_has_its_own_title_and_half_width_colons(client, auth, leak):
    world, line, cross, price = leak
    auth.login("manager")
    client.post("/lang/en", data={"next": "/"})
    page = client.get(f"/conflicts/cases/{cross.id}").get_data(as_text=True)
    assert f"<title>Case #{cross.id}" in page and f"Case #{cross.id} · " in page and "Cases #" not in page
    territory = page.split('id="territory-evidence"')[1].split("</div>")[0]
    assert "Where:<span" in territory and "Offender's grants on 2026-10-15:</p>" in territory
    assert "Harmed party's exclusive grant:</p>" in territory and "：" not in territory


def test_the_english_payout_batch_page_says_reconciliation_with_a_half_width_colon(client, auth, world):
    from channel.services import payouts
    from tests.payouts_fixtures import post_lines, uid

    post_lines("2026-10", [(world.GD, 50000)])
    batch = payouts.create_batch("2026-10", uid(world, "finance"))
    auth.login("finance")
    client.post("/lang/en", data={"next": "/"})
    page = client.get(f"/payouts/batches/{batch.id}").get_data(as_text=True)
    assert "<strong>Reconciliation:</strong>" in page and "Reconciliation：" not in page
