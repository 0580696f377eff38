"""Security headers, session lifetime, login lockout and rate limit, password change, log out
everywhere, and the audit log viewer."""
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from config import ProductionConfig, TestConfig
from models import db
from models.ops import AuditEvent, LoginAttempt
from models.users import User


def user(username):
    return db.session.scalar(select(User).where(User.username == username))


def events(action):
    return db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)).all()


def test_pages_carry_a_csp_without_inline_scripts_and_refuse_framing(client, auth, world):
    auth.login("manager")
    response = client.get("/")
    csp = response.headers["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in csp.split(";"))
    assert directives["script-src"] == "'self'" and "unsafe-inline" not in directives["script-src"]
    assert directives["frame-ancestors"] == "'none'" and directives["object-src"] == "'none'"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["Cache-Control"] == "no-store"
    assert "<script>" not in response.get_data(as_text=True)  # only <script src=...>


def test_hsts_is_sent_only_in_production(client, world, monkeypatch):
    assert "Strict-Transport-Security" not in client.get("/login").headers
    from app import create_app

    monkeypatch.setattr(ProductionConfig, "SECRET_KEY", "a-private-key-for-this-test")
    monkeypatch.setenv("DATABASE_URL", "sqlite://")
    production = create_app(ProductionConfig, SQLALCHEMY_DATABASE_URI="sqlite://", LOG_JSON=False)
    response = production.test_client().get("/static/js/app.js")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=31536000")


def test_production_refuses_the_default_secret_key_and_an_unnamed_database(monkeypatch):
    from app import create_app

    monkeypatch.setenv("DATABASE_URL", "sqlite://")
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app(ProductionConfig)
    monkeypatch.setattr(ProductionConfig, "SECRET_KEY", "a-private-key-for-this-test")
    monkeypatch.delenv("DATABASE_URL")
    with pytest.raises(RuntimeError, match="DATABASE_URL"):
        create_app(ProductionConfig)


def test_the_session_is_permanent_with_the_configured_idle_lifetime(app, client, world):
    app.config["PERMANENT_SESSION_LIFETIME"] = timedelta(minutes=30)
    response = client.post("/login", data={"username": "manager", "password": "secret-pass"})
    cookie = response.headers["Set-Cookie"]
    assert "Expires=" in cookie and "HttpOnly" in cookie
    assert TestConfig.PERMANENT_SESSION_LIFETIME <= timedelta(hours=12)


def test_an_expired_session_must_log_in_again(app, client, auth, world):
    app.config["PERMANENT_SESSION_LIFETIME"] = timedelta(seconds=-1)  # expired the moment it is issued
    client.post("/login", data={"username": "manager", "password": "secret-pass"})
    response = client.get("/orders")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_five_failures_lock_the_name_even_with_the_right_password_then(app, client, world):
    for _ in range(app.config["LOGIN_MAX_FAILURES"]):
        assert client.post("/login", data={"username": "manager", "password": "wrong"}).status_code == 400
    response = client.post("/login", data={"username": "manager", "password": "secret-pass"})
    assert response.status_code == 429 and "登录失败次数过多" in response.get_data(as_text=True)
    assert len(events("user.locked")) == 1
    # another user is not affected
    assert client.post("/login", data={"username": "finance", "password": "secret-pass"}).status_code == 302


def test_the_lock_lifts_when_the_failures_leave_the_window(app, client, world):
    for _ in range(app.config["LOGIN_MAX_FAILURES"]):
        client.post("/login", data={"username": "manager", "password": "wrong"})
    app.config["LOGIN_LOCKOUT_MINUTES"] = 0
    assert client.post("/login", data={"username": "manager", "password": "secret-pass"}).status_code == 302


def test_a_success_resets_the_count_of_failures(app, client, auth, world):
    for _ in range(app.config["LOGIN_MAX_FAILURES"] - 1):
        client.post("/login", data={"username": "manager", "password": "wrong"})
    auth.login("manager")
    auth.logout()
    for _ in range(app.config["LOGIN_MAX_FAILURES"] - 1):
        client.post("/login", data={"username": "manager", "password": "wrong"})
    auth.login("manager")


def test_an_address_trying_many_names_is_rate_limited(app, client, world):
    app.config["LOGIN_IP_MAX_FAILURES"] = 3
    for name in ("a1", "a2", "a3"):
        assert client.post("/login", data={"username": name, "password": "x"}).status_code == 400
    assert client.post("/login", data={"username": "manager", "password": "secret-pass"}).status_code == 429
    assert db.session.scalar(select(func.count()).select_from(LoginAttempt)) == 3


def test_unknown_names_lock_too_so_lockout_reveals_nothing(app, client, world):
    for _ in range(app.config["LOGIN_MAX_FAILURES"]):
        client.post("/login", data={"username": "nobody", "password": "x"})
    assert client.post("/login", data={"username": "nobody", "password": "x"}).status_code == 429


def change(client, current, new, confirm=None):
    return client.post("/account/password", data={"current_password": current, "new_password": new,
                                                  "confirm": new if confirm is None else confirm})


def test_changing_the_password_ends_other_sessions_but_not_this_one(app, world):
    phone, laptop = app.test_client(), app.test_client()
    for c in (phone, laptop):
        c.post("/login", data={"username": "agent_gd", "password": "secret-pass"})
    response = change(laptop, "secret-pass", "南方的稻田-2026")
    assert response.status_code == 302
    assert laptop.get("/orders").status_code == 200
    assert phone.get("/orders").status_code == 302  # back to the login page
    assert [e.object_id for e in events("user.password_change")] == [str(world.user_agent_gd.id)]
    assert phone.post("/login", data={"username": "agent_gd", "password": "南方的稻田-2026"}).status_code == 302


@pytest.mark.parametrize("current,new,confirm,message", [
    ("wrong-pass", "南方的稻田-2026", None, "当前密码不正确"),
    ("secret-pass", "short", None, "密码至少需要"),
    ("secret-pass", "agent_gd-is-me-2026", None, "密码不能包含用户名"),
    ("secret-pass", "woaini1314", None, "这个密码太常见"),
    ("secret-pass", "南方的稻田-2026", "南方的稻田-2027", "两次输入的新密码不一致"),
])
def test_a_refused_password_change_says_why_and_changes_nothing(app, client, auth, world, current, new, confirm, message):
    app.config["PASSWORD_MIN_LENGTH"] = 10
    auth.login("agent_gd")
    before = user("agent_gd").password_hash
    response = change(client, current, new, confirm)
    assert response.status_code == 400 and message in response.get_data(as_text=True)
    db.session.expire_all()
    assert user("agent_gd").password_hash == before and events("user.password_change") == []


def test_log_out_everywhere_ends_every_session(app, world):
    phone, laptop = app.test_client(), app.test_client()
    for c in (phone, laptop):
        c.post("/login", data={"username": "finance", "password": "secret-pass"})
    assert laptop.post("/account/logout-everywhere").status_code == 302
    assert laptop.get("/").status_code == 302 and phone.get("/").status_code == 302
    assert len(events("user.logout_everywhere")) == 1


def test_a_role_change_is_audited_and_ends_the_users_sessions(app, client, auth, world):
    from channel.services import security

    auth.login("agent_sz")
    assert client.get("/orders").status_code == 200
    security.set_role(world.user_admin.id, "agent_sz", "agent", "GZ")
    assert client.get("/orders").status_code == 302
    (event,) = events("user.role_change")
    assert event.actor_id == world.user_admin.id
    assert event.detail == {"before": {"role": "agent", "seller_id": world.SZ.id},
                            "after": {"role": "agent", "seller_id": world.GZ.id}}


def test_the_audit_log_is_for_administrators_only(client, auth, world):
    auth.login("manager")
    assert client.get("/audit").status_code == 403
    auth.logout()
    auth.login("admin")
    assert client.get("/audit").status_code == 200


def test_the_audit_log_filters_by_action_actor_object_and_date(client, auth, world):
    from channel.services import audit

    audit.record(world.user_admin.id, "user.role_change", "user", 7, {"x": 1})
    audit.record(world.user_manager.id, "tree.move", "seller", world.NS.id)
    audit.record(None, "plan.edit", "plan", 3)
    db.session.commit()
    auth.login("admin")

    def shown(**query):
        page = client.get("/audit", query_string=query).get_data(as_text=True)
        return [a for a in ("user.role_change", "tree.move", "plan.edit") if f"<code>{a}</code>" in page]

    assert shown() == ["user.role_change", "tree.move", "plan.edit"]
    assert shown(action="tree") == ["tree.move"]
    assert shown(actor="manager") == ["tree.move"]
    assert shown(object_type="seller", object_id=str(world.NS.id)) == ["tree.move"]
    assert shown(date_from="2000-01-01", date_to="2000-01-31") == []
    from channel.web import local_time
    today = local_time(db.session.scalar(select(func.max(AuditEvent.at))), "%Y-%m-%d")
    assert shown(date_from=today, date_to=today) == ["user.role_change", "tree.move", "plan.edit"]


def test_an_administrator_changes_a_role_on_the_users_page_and_it_is_audited(client, auth, world):
    auth.login("admin")
    page = client.get("/users").get_data(as_text=True)
    assert "agent_sz" in page
    # roles read as people name them: in the menu bar (the admin) and the role choices
    assert "· 管理员</span>" in page and '<option value="sales_rep" >销售代表</option>' in page.replace("selected", "")
    response = client.post(f"/users/{world.user_agent_sz.id}/role", data={"role": "sales_rep", "seller": "REP2"})
    assert response.status_code == 302
    db.session.expire_all()
    changed = user("agent_sz")
    assert (changed.role, changed.seller_id) == ("sales_rep", world.REP2.id)
    (event,) = events("user.role_change")
    assert event.actor_id == world.user_admin.id


def test_a_role_needing_a_seller_without_one_is_refused_and_nothing_changes(client, auth, world):
    auth.login("admin")
    client.post(f"/users/{world.user_finance.id}/role", data={"role": "agent", "seller": ""})
    db.session.expire_all()
    assert user("finance").role == "finance" and events("user.role_change") == []


def test_an_administrator_cannot_demote_or_deactivate_themself(client, auth, world):
    auth.login("admin")
    client.post(f"/users/{world.user_admin.id}/role", data={"role": "finance"})
    client.post(f"/users/{world.user_admin.id}/active", data={"active": "0"})
    db.session.expire_all()
    assert user("admin").role == "admin" and user("admin").active


def test_a_deactivated_user_is_logged_out_and_cannot_log_in(app, client, auth, world):
    agent = app.test_client()
    agent.post("/login", data={"username": "agent_zj", "password": "secret-pass"})
    auth.login("admin")
    client.post(f"/users/{world.user_agent_zj.id}/active", data={"active": "0"})
    assert agent.get("/orders").status_code == 302
    assert agent.post("/login", data={"username": "agent_zj", "password": "secret-pass"}).status_code == 400
    assert [e.action for e in events("user.deactivate")] == ["user.deactivate"]


def test_an_administrator_logs_someone_out_everywhere(app, client, auth, world):
    agent = app.test_client()
    agent.post("/login", data={"username": "agent_zj", "password": "secret-pass"})
    auth.login("admin")
    client.post(f"/users/{world.user_agent_zj.id}/logout-everywhere")
    assert agent.get("/orders").status_code == 302
    (event,) = events("user.logout_everywhere")
    assert event.actor_id == world.user_admin.id and event.object_id == str(world.user_agent_zj.id)
