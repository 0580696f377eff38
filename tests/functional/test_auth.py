import pytest


def test_pages_require_login_and_come_back_after_it(client, world):
    response = client.get("/orders")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    response = client.post("/login?next=/orders", data={"username": "manager", "password": "secret-pass"})
    assert response.headers["Location"] == "/orders"


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x", "/\\evil.example", "javascript:alert(1)"])
def test_next_never_leaves_the_site(client, world, target):
    response = client.post("/login", query_string={"next": target}, data={"username": "manager", "password": "secret-pass"})
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def test_a_wrong_password_re_renders_the_form_with_an_error(client, world):
    response = client.post("/login", data={"username": "manager", "password": "nope"})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "用户名或密码不正确" in page and 'value="manager"' in page


def test_logout_is_a_post_and_ends_the_session(client, auth, world):
    auth.login("manager")
    assert client.get("/logout").status_code == 405
    client.post("/logout")
    assert client.get("/").status_code == 302


def test_chinese_by_default_with_a_switch_to_english(client, auth, world):
    auth.login("manager")
    assert "代理金字塔" in client.get("/").get_data(as_text=True)
    client.post("/lang/en", data={"next": "/"})
    page = client.get("/").get_data(as_text=True)
    assert "Agent pyramid" in page and "代理金字塔" not in page


def test_forms_post_needs_a_csrf_token(app, world):
    app.config["WTF_CSRF_ENABLED"] = True
    client = app.test_client()
    response = client.post("/login", data={"username": "manager", "password": "secret-pass"})
    assert response.status_code == 400  # re-rendered, not logged in
    assert client.get("/").status_code == 302


def test_session_cookie_is_httponly_and_samesite(client, world):
    response = client.post("/login", data={"username": "manager", "password": "secret-pass"})
    cookie = response.headers.get("Set-Cookie", "")
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_unknown_pages_get_the_app_styled_404(client, auth, world):
    auth.login("manager")
    response = client.get("/no-such-page")
    assert response.status_code == 404 and "页面不存在" in response.get_data(as_text=True)
    assert client.get("/no-such-page", headers={"Accept": "application/json"}).get_json()["error"]["status"] == 404


def test_a_server_error_shows_no_stack_trace(app, client, auth, world):
    @app.route("/boom-for-test")
    def boom():
        raise RuntimeError("secret internals")

    auth.login("manager")
    response = client.get("/boom-for-test")
    page = response.get_data(as_text=True)
    assert response.status_code == 500
    assert "secret internals" not in page and "Traceback" not in page and "服务器错误" in page
