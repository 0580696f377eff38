"""QA session 14 on the conflict pages: a seller cannot register its own customer twice; a case
is ruled only with a policy written for its rule; policies are deactivated and reactivated."""
from datetime import timedelta

from sqlalchemy import func, select

from channel.domain.selling_kpi import shanghai_day
from channel.services import conflicts_cases
from models import db, utcnow
from models.conflicts import ConflictCase, CustomerRegistration
from tests.functional.test_conflict_form_checks import errors_by_field


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


# ---- registrations ---------------------------------------------------------------------------

def test_registering_ones_own_customer_again_is_an_error_beside_the_name_and_opens_no_case(client, auth, world):
    today = shanghai_day(utcnow())
    auth.login("agent_zj")
    form = {"name": "深圳前海重复报备有限公司", "phone": "13800000077", "registered_on": (today - timedelta(days=2)).isoformat()}
    assert client.post("/conflicts/registrations", data=form).status_code == 302
    again = form | {"name": "深圳前海 重复报备", "registered_on": today.isoformat(), "accept_clash": "y"}
    response = client.post("/conflicts/registrations", data=again)
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    errors = errors_by_field(page)
    assert list(errors) == ["name"] and "保护期内不能重复报备" in errors["name"][0]
    assert 'value="深圳前海 重复报备"' in page  # the typed text is kept
    assert count(CustomerRegistration) == 1 and count(ConflictCase) == 0
