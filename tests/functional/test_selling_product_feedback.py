"""The product managers' feedback view: filters by product, kind, status, channel and
province, every count links to the items behind it, an answer keeps what was typed."""
import pytest

from channel.services import selling_feedback
from channel.services.users import create_user
from models import db
from models.selling import Feedback
from tests.world import PASSWORD


def _pm():
    return create_user("pm", PASSWORD, "product_manager")


def _feedback(world):
    """Three items on product P1: an agent's feature request in Guangdong, an agent's complaint
    in Guangdong, a rep's complaint in Shanghai."""
    w = world
    request_item = selling_feedback.record_feedback(w.user_agent_sz, seller_id=w.NS.id, product_id=w.product.id,
                                                    customer_id=w.cust_ns.id, body="希望支持远程监控", is_request=True)
    complaint = selling_feedback.record_feedback(w.user_agent_sz, seller_id=w.NS.id, product_id=w.product.id,
                                                 customer_id=w.cust_ns.id, body="安装时间太长")
    direct = selling_feedback.record_feedback(w.user_rep1, seller_id=w.REP1.id, product_id=w.product.id,
                                              customer_id=w.cust_rep1.id, body="噪音大")
    return request_item, complaint, direct


def _listed(page: str) -> str:
    return page.split('id="feedback-answers"')[1]


def test_the_product_managers_filter_feedback_by_kind_channel_and_province(client, auth, world):
    _feedback(world)
    _pm()
    auth.login("pm")
    cases = {
        "": {"希望支持远程监控", "安装时间太长", "噪音大"},
        "?kind=request": {"希望支持远程监控"},
        "?kind=feedback": {"安装时间太长", "噪音大"},
        "?channel=direct": {"噪音大"},
        "?channel=agent&kind=feedback": {"安装时间太长"},
        "?province=440000": {"希望支持远程监控", "安装时间太长"},
        "?province=310000": {"噪音大"},
        "?status=done": set(),
    }
    for query, expected in cases.items():
        listed = _listed(client.get("/selling/product-feedback" + query).get_data(as_text=True))
        assert {body for body in ("希望支持远程监控", "安装时间太长", "噪音大") if body in listed} == expected, query


@pytest.mark.parametrize("query", ["status=bogus", "kind=idea", "channel=retail", "province=abc"])
def test_a_feedback_filter_outside_its_values_is_a_400_with_the_reason_not_an_empty_list(client, auth, world, query):
    _pm()
    auth.login("pm")
    response = client.get("/selling/product-feedback?" + query)
    assert response.status_code == 400 and "没有反馈" not in response.get_data(as_text=True)


def test_each_figure_of_the_feedback_groups_links_to_the_items_behind_it(client, auth, world):
    _feedback(world)
    _pm()
    auth.login("pm")
    page = client.get("/selling/product-feedback").get_data(as_text=True)
    row = page.split(f'data-product-id="{world.product.id}"')[1].split("</tr>")[0]
    links = {}
    for part in row.split('<a href="')[1:]:
        href, rest = part.split('"', 1)
        links[href.replace("&amp;", "&")] = rest.split(">", 1)[1].split("<", 1)[0]
    p = world.product.id
    assert links[f"/selling/product-feedback?product={p}#feedback-answers"] == "3"
    assert links[f"/selling/product-feedback?product={p}&kind=request#feedback-answers"] == "1"
    assert links[f"/selling/product-feedback?product={p}&kind=feedback#feedback-answers"] == "2"
    assert links[f"/selling/product-feedback?product={p}&channel=agent#feedback-answers"] == "2"
    assert links[f"/selling/product-feedback?product={p}&province=440000#feedback-answers"] == "2"
    assert links[f"/selling/product-feedback?product={p}&status=open#feedback-answers"] == "3"
    # and each link lists that many items
    for href, figure in links.items():
        if "kind=" in href or "channel=" in href or "province=" in href:
            listed = _listed(client.get(href.split("#")[0]).get_data(as_text=True))
            assert listed.count("data-feedback-id=") == int(figure), href


def test_an_open_item_shows_its_status_and_a_bad_answer_keeps_the_reply_typed(client, auth, world):
    item, _, _ = _feedback(world)
    _pm()
    auth.login("pm")
    page = client.get("/selling/product-feedback").get_data(as_text=True)
    row = page.split(f'data-feedback-id="{item.id}"')[1].split("</tr>")[0]
    # it read "计划中" (the first option, preselected) for an item nobody had answered
    assert "待处理" in row and '<option value="" selected>' in row
    for status in ("", "open", "bogus"):
        response = client.post(f"/selling/feedback/{item.id}/answer?kind=request",
                               data={"status": status, "reply": "下个版本考虑"})
        page = response.get_data(as_text=True)
        row = page.split(f'data-feedback-id="{item.id}"')[1].split("</tr>")[0]
        assert response.status_code == 400 and "field-error" in row and "下个版本考虑" in row, status
    too_long = "下个版本考虑" + "。" * 4000  # over the reply's 4,000 characters: beside it, kept
    response = client.post(f"/selling/feedback/{item.id}/answer?kind=request",
                           data={"status": "planned", "reply": too_long})
    row = response.get_data(as_text=True).split(f'data-feedback-id="{item.id}"')[1].split("</tr>")[0]
    assert response.status_code == 400 and "4000" in row.split("field-error")[1] and too_long in row
    assert db.session.get(Feedback, item.id).status == "open"
    response = client.post(f"/selling/feedback/{item.id}/answer?kind=request", data={"status": "planned", "reply": "好"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/selling/product-feedback?kind=request")
