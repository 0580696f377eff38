"""User accounts on /users: an administrator creates a login (bound to a seller for agent and
sales-rep roles) and resets a password, each audited; refusals sit beside their field (400)
and no other role may post there."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from models import db
from models.ops import AuditEvent
from models.users import User
from tests.world import PASSWORD

GOOD_PASSWORD = "Lake-Pearl-0427"


def field_errors(page: str, name: str) -> list[str]:
    start = page.index(f'name="{name}"')
    block = page[start:page.find('<div class="mb-2', start)]
    return re.findall(r'field-error">([^<]*)<', block)


def users() -> int:
    return db.session.scalar(select(func.count()).select_from(User))


def post_new_user(client, **data):
    """POST /users/new: a sales rep of REP2 with a good password, changed by `data`; (response, typed)."""
    typed = {"username": "newuser", "display_name": "新同事", "role": "sales_rep", "seller": "REP2",
             "password": GOOD_PASSWORD, **data}
    return client.post("/users/new", data=typed), typed


def test_an_administrator_creates_an_agent_login_that_then_logs_in_and_sees_its_seller(app, client, auth, world):
    auth.login("admin")
    response = client.post("/users/new", data={"username": "agent_gz", "display_name": "广州市代王经理",
                                               "role": "agent", "seller": "gz", "password": GOOD_PASSWORD})
    assert response.status_code == 302 and response.headers["Location"].endswith("/users")
    user = db.session.scalar(select(User).where(User.username == "agent_gz"))
    assert (user.display_name, user.role, user.seller_id, user.active) == ("广州市代王经理", "agent", world.GZ.id, True)
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "user.create"))
    assert (event.actor_id, event.object_id, event.detail["seller_id"]) == (world.user_admin.id, str(user.id), world.GZ.id)
    assert 'data-username="agent_gz"' in client.get("/users").get_data(as_text=True)
    other = app.test_client()
    assert other.post("/login", data={"username": "agent_gz", "password": GOOD_PASSWORD}).status_code == 302
    assert other.get(f"/sellers/{world.TH.id}").status_code == 200  # its downline
    assert other.get(f"/sellers/{world.SZ.id}").status_code == 404  # a sibling's branch


def test_a_finance_login_needs_no_seller_and_its_display_name_defaults_to_the_username(client, auth, world):
    auth.login("admin")
    response = client.post("/users/new", data={"username": "finance3", "role": "finance", "password": GOOD_PASSWORD})
    assert response.status_code == 302
    user = db.session.scalar(select(User).where(User.username == "finance3"))
    assert (user.display_name, user.seller_id) == ("finance3", None)


@pytest.mark.parametrize("data, field, words", [
    ({"username": "rep1"}, "username", "用户名 rep1 已被使用"),
    ({"username": " spaced"}, "username", "不能以空格开头或结尾"),
    ({"role": "agent", "seller": ""}, "seller", "必须绑定一个销售方"),
    ({"role": "agent", "seller": "NOPE"}, "seller", "没有编码为 NOPE 的销售方"),
    ({"role": "agent", "seller": "REP1"}, "seller", "只能绑定代理渠道的销售方"),
    ({"role": "sales_rep", "seller": "GD"}, "seller", "只能绑定直销团队的销售方"),
    ({"password": "short"}, "password", "密码至少需要 10 个字符"),
    ({"password": "newuser-2026-x"}, "password", "密码不能包含用户名"),
    ({"password": "password123"}, "password", "太常见"),
    ({"password": ""}, "password", "请填写初始密码"),
    ({"username": ""}, "username", "请填写用户名"),
], ids=["taken", "spaces", "no seller", "unknown seller", "agent bound to a rep", "rep bound to an agent",
        "short password", "password with the name", "common password", "no password", "no username"])
def test_each_refused_new_user_is_shown_beside_its_field_and_nothing_is_created(client, auth, world, data, field, words):
    auth.login("admin")
    before = users()
    response, typed = post_new_user(client, **data)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert any(words in e for e in field_errors(page, field)), field_errors(page, field)
    assert page.count("field-error") == 1
    form = page.split('id="new-user-form"')[1].split("</form>")[0]
    assert 'value="新同事"' in form and f'<option selected value="{typed["role"]}">' in form
    assert GOOD_PASSWORD not in page  # a password is never sent back
    assert users() == before
    assert db.session.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "user.create")) == 0


def test_an_administrator_resets_a_password_the_old_one_stops_working_and_it_is_audited(app, client, auth, world):
    rep = app.test_client()
    assert rep.post("/login", data={"username": "rep1", "password": PASSWORD}).status_code == 302
    auth.login("admin")
    response = client.post(f"/users/{world.user_rep1.id}/password", data={"new_password": GOOD_PASSWORD})
    assert response.status_code == 302
    assert rep.get("/").status_code == 302  # its session ended
    fresh = app.test_client()
    assert fresh.post("/login", data={"username": "rep1", "password": PASSWORD}).status_code != 302
    assert fresh.post("/login", data={"username": "rep1", "password": GOOD_PASSWORD}).status_code == 302
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "user.password_reset"))
    assert (event.actor_id, event.object_id) == (world.user_admin.id, str(world.user_rep1.id))


def test_a_reset_password_breaking_the_policy_is_refused_on_its_row(client, auth, world):
    auth.login("admin")
    hash_before = world.user_rep1.password_hash
    for password, words in [("short", "密码至少需要 10 个字符"), ("", "请填写新密码")]:
        response = client.post(f"/users/{world.user_rep1.id}/password", data={"new_password": password})
        assert response.status_code == 400
        page = response.get_data(as_text=True)
        assert re.search(rf'id="reset-error-{world.user_rep1.id}">[^<]*{words}', page)
    db.session.expire_all()
    assert db.session.get(User, world.user_rep1.id).password_hash == hash_before
    assert client.post("/users/999999/password", data={"new_password": GOOD_PASSWORD}).status_code == 404


@pytest.mark.parametrize("username", ["manager", "agent_gd", "rep1", "finance"])
def test_only_administrators_create_users_or_reset_passwords(client, auth, world, username):
    auth.login(username)
    before = users()
    response = client.post("/users/new", data={"username": "intruder", "role": "admin", "password": GOOD_PASSWORD})
    assert response.status_code == 403
    # by id: its own account, and another's
    for user in (world.user_admin, world.user_rep3):
        assert client.post(f"/users/{user.id}/password", data={"new_password": GOOD_PASSWORD}).status_code == 403
    assert users() == before
    assert db.session.scalar(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.action.in_(["user.create", "user.password_reset"]))) == 0


def test_every_by_id_user_action_answers_404_for_an_unknown_user_and_changes_nothing(client, auth, world):
    # one lookup (channel.services.users.require_user) behind the role, active, logout and password rows
    auth.login("admin")
    before = db.session.scalar(select(func.count()).select_from(AuditEvent))
    for action, data in [("role", {"role": "finance"}), ("active", {"active": "0"}), ("logout-everywhere", {}),
                         ("password", {"new_password": GOOD_PASSWORD})]:
        assert client.post(f"/users/999999/{action}", data=data).status_code == 404, action
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)) == before


@pytest.mark.parametrize("field, data", [("username", {"username": "new\x00user"}),
                                         ("display_name", {"display_name": "新\x1b同事"}),
                                         ("seller", {"seller": "REP\x002"})])
def test_a_new_user_with_a_control_character_is_refused_beside_the_field(client, auth, world, field, data):
    # security.create_account (the page and `flask users create`): channel.domain.text's rule
    auth.login("admin")
    before = users()
    response, _typed = post_new_user(client, **data)
    assert response.status_code == 400
    assert any("不能包含控制字符" in e for e in field_errors(response.get_data(as_text=True), field))
    assert users() == before
