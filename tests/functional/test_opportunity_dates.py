"""An opportunity's expected close date cannot be set in the past (the business's Asia/Shanghai
day): not when it is opened, not when its row changes the date. A past date already stored may
stay while the stage moves, and a closing stage (won or lost) takes any date."""
from __future__ import annotations

from datetime import date, datetime

import pytest

import models
from channel.services import selling
from models import db
from models.selling import Opportunity

# 01:00 on 1 December in Beijing: still 30 November in UTC, which is yesterday for the business
BEIJING_DEC_1_0100 = datetime(2026, 11, 30, 17, 0)


@pytest.fixture
def beijing_dec_1(monkeypatch):
    monkeypatch.setattr(models, "utcnow", lambda: BEIJING_DEC_1_0100)


def _stage(name: str):
    return next(s for s in selling.stages() if s.name == name)


def _row(response, opportunity_id: int) -> str:
    return response.get_data(as_text=True).split(f'data-opportunity-id="{opportunity_id}"')[1].split("</tr>")[0]


def test_opening_an_opportunity_expected_yesterday_is_refused_beside_its_field(client, auth, world, beijing_dec_1):
    auth.login("rep1")
    url = f"/customers/{world.cust_rep1.id}/opportunities"
    response = client.post(url, data={"title": "二期项目", "stage_id": _stage("发现需求").id, "expected_on": "2026-11-30"})
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and 'value="二期项目"' in page and 'value="2026-11-30"' in page
    assert "预计成交日期不能早于今天" in page.split('id="expected_on"')[1].split('<div class="mb-2')[0]
    assert db.session.query(Opportunity).count() == 0
    assert client.post(url, data={"title": "二期项目", "stage_id": _stage("发现需求").id,
                                  "expected_on": "2026-12-01"}).status_code == 302
    assert client.post(url, data={"title": "一期项目", "stage_id": _stage("赢单").id,
                                  "expected_on": "2026-10-15"}).status_code == 302  # closed: any day
    assert sorted(o.expected_on for o in db.session.query(Opportunity)) == [date(2026, 10, 15), date(2026, 12, 1)]


def test_a_stored_past_date_stays_while_the_stage_moves_but_a_new_past_date_is_refused(
        client, auth, world, beijing_dec_1):
    opp = selling.open_opportunity(world.user_rep1, customer_id=world.cust_rep1.id, title="大单")
    opp.expected_on = date(2026, 11, 20)  # set when that was still ahead
    db.session.commit()
    auth.login("rep1")
    url = f"/opportunities/{opp.id}/stage"
    evaluation = _stage("方案评估").id
    assert client.post(url, data={"stage_id": evaluation, "expected_on": "2026-11-20"}).status_code == 302
    assert client.post(url, data={"stage_id": _stage("商务谈判").id}).status_code == 302  # no date posted: kept
    db.session.expire_all()
    assert (opp.stage.name, opp.expected_on) == ("商务谈判", date(2026, 11, 20))

    response = client.post(url, data={"stage_id": evaluation, "expected_on": "2026-11-30"})
    row = _row(response, opp.id)
    assert response.status_code == 400 and "预计成交日期不能早于今天" in row.split("field-error")[1]
    assert 'value="2026-11-30"' in row and f'<option value="{evaluation}" selected>' in row
    response = client.post(url, data={"stage_id": evaluation, "expected_on": "2026-13-01"})
    assert response.status_code == 400 and "日期无效" in _row(response, opp.id).split("field-error")[1]
    db.session.expire_all()
    assert (opp.stage.name, opp.expected_on) == ("商务谈判", date(2026, 11, 20))  # nothing saved

    assert client.post(url, data={"stage_id": evaluation, "expected_on": "2026-12-01"}).status_code == 302
    assert client.post(url, data={"stage_id": _stage("输单").id, "expected_on": "2026-11-25"}).status_code == 302
    db.session.expire_all()
    assert (opp.stage.name, opp.expected_on) == ("输单", date(2026, 11, 25))  # lost on a past day: allowed
    assert client.post(url, data={"stage_id": evaluation, "expected_on": ""}).status_code == 302
    db.session.expire_all()
    assert opp.expected_on is None

    auth.logout()
    auth.login("rep3")  # not rep3's: 404 before the date is looked at
    assert client.post(url, data={"stage_id": evaluation, "expected_on": "2026-11-30"}).status_code == 404
