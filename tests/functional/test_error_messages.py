"""Error answers speak the user's language: no Werkzeug or Flask-WTF English on a Chinese page
or in the API's envelope, and a rejected API token is said to be rejected."""
from __future__ import annotations

import re

from channel.services.api_tokens import create_token, revoke_token
from models import db


def _logged_in_with_csrf(app, username="admin"):
    app.config["WTF_CSRF_ENABLED"] = True
    client = app.test_client()
    token = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"',
                      client.get("/login").get_data(as_text=True)).group(1)
    assert client.post("/login", data={"username": username, "password": "secret-pass",
                                       "csrf_token": token}).status_code == 302
    return client


def test_a_form_posted_without_its_csrf_token_says_so_in_chinese_then_in_english(app, world):
    client = _logged_in_with_csrf(app)
    page = client.post(f"/users/{world.user_finance.id}/role", data={"role": "agent"})
    assert page.status_code == 400
    text = page.get_data(as_text=True)
    assert "CSRF token" not in text and "刷新页面" in text
    token = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', client.get("/users").get_data(as_text=True))
    assert client.post("/lang/en", data={"csrf_token": token.group(1)}).status_code == 302
    english = client.post(f"/users/{world.user_finance.id}/role", data={"role": "agent"}).get_data(as_text=True)
    assert "CSRF token is missing" not in english and "refresh the page" in english


def test_a_session_write_to_the_api_without_the_csrf_token_gets_a_chinese_envelope(app, world):
    client = _logged_in_with_csrf(app)
    refused = client.post("/api/v1/orders", json={})
    assert refused.status_code == 400
    assert "CSRF token" not in refused.json["error"]["message"] and "刷新页面" in refused.json["error"]["message"]


def test_a_wrong_method_is_a_chinese_405(client, auth, world):
    auth.login("admin")
    answer = client.post("/orders")
    assert answer.status_code == 405
    text = answer.get_data(as_text=True)
    assert "The method is not allowed" not in text and "不接受这种请求方式" in text


def test_a_role_change_names_the_role_as_people_read_it(client, auth, world):
    auth.login("admin")
    client.post(f"/users/{world.user_finance.id}/role", data={"role": "channel_manager"})
    page = client.get("/users").get_data(as_text=True)
    assert "的角色已改为 渠道经理" in page and "已改为 channel_manager" not in page


def test_an_invalid_or_revoked_token_is_said_to_be_so_and_no_token_asks_for_one(client, world):
    token, secret = create_token(world.user_admin, "test")
    revoke_token(world.user_admin, token.id)
    db.session.commit()
    for header in (f"Bearer {secret}", "Bearer qd_nonsense"):
        answer = client.get("/api/v1/agents", headers={"Authorization": header})
        assert answer.status_code == 401
        assert "无效或已被吊销" in answer.json["error"]["message"]
    assert "Authorization 头中发送" in client.get("/api/v1/agents").json["error"]["message"]
