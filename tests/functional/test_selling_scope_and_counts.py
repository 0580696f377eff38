"""Selling pages: a rep reaches no other rep's objects by id, a team or seller filter out of
reach says so, counts are grouped by thousands."""
from datetime import datetime

import pytest

from channel.services import selling, selling_feedback
from models import db


@pytest.mark.parametrize("path", ["/selling/kpi?team=NO-SUCH", "/selling/value?seller=NO-SUCH",
                                  "/selling/kpi?team=GZ", "/selling/value?seller=GZ"])
def test_a_team_or_seller_filter_out_of_reach_says_no_such_seller(client, auth, world, path):
    """An unknown code answered the bare "page not found"; one outside the scope said "no such
    seller": both now say the latter, so neither reveals which codes exist."""
    auth.login("agent_sz")
    response = client.get(path)
    assert response.status_code == 404 and "没有这个销售方，或您无权查看" in response.get_data(as_text=True)


def test_customer_value_and_kpi_counts_are_grouped_by_thousands(client, auth, world):
    auth.login("manager")
    assert client.post("/selling/targets", data={"scope": "direct", "metric": "calls", "period": "week",
                                                 "target": 12000}).status_code == 302
    page = client.get("/selling/kpi?day=2026-11-22").get_data(as_text=True)
    assert "0 / 12,000" in page and "12000" not in page.split('id="kpi-table"')[1]


def test_a_rep_cannot_reach_another_reps_task_opportunity_or_customer_by_id(client, auth, world):
    w = world
    selling.log_activity(w.user_manager, seller_id=w.REP3.id, kind="visit", customer_id=w.cust_rep3.id,
                         next_step="回访", occurred_at=datetime(2026, 11, 20, 2, 0))
    task = selling.open_tasks(w.user_manager, seller_id=w.REP3.id)[0]
    opp = selling.open_opportunity(w.user_manager, customer_id=w.cust_rep3.id, title="大单")
    stage = selling.stages()[1]
    auth.login("rep1")
    assert client.post(f"/selling/tasks/{task.id}/done").status_code == 404
    assert client.post(f"/opportunities/{opp.id}/stage", data={"stage_id": stage.id}).status_code == 404
    assert client.post(f"/customers/{w.cust_rep3.id}/opportunities", data={"title": "x", "stage_id": stage.id}).status_code == 404
    assert client.post(f"/customers/{w.cust_rep3.id}/contacts", data={"name": "x", "role": "acceptor"}).status_code == 404
    response = client.post("/selling/feedback", data={"product_sku": "P1", "customer_id": w.cust_rep3.id, "body": "x"})
    assert response.status_code == 404 and "没有这个客户" in response.get_data(as_text=True)
    selling_feedback.record_feedback(w.user_rep3, seller_id=w.REP3.id, product_id=w.product.id, body="第三组的反馈")
    export = client.get("/selling/feedback/export.csv")
    assert export.status_code == 200 and "第三组的反馈" not in export.get_data(as_text=True)
    assert "第三组的反馈" not in client.get("/selling/feedback").get_data(as_text=True)
    db.session.expire_all()
    assert selling.open_tasks(w.user_manager, seller_id=w.REP3.id)[0].done_at is None
    assert db.session.get(type(opp), opp.id).stage_id == selling.stages()[0].id


def test_the_average_profit_line_reads_as_one_sentence_in_english(client, auth, world):
    """It read "Average gross profit: repeat ¥… · First-time customers ¥…" (two ids glued)."""
    auth.login("manager")
    line = client.get("/selling/value?lang=en").get_data(as_text=True).split('id="average-profit">')[1].split("</div>")[0]
    assert line.startswith("Average gross profit: repeat customers ¥") and "· first-time customers ¥" in line
