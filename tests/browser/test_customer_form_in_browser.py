"""The New / Edit customer form in a real browser: the province → city → district chooser fills
the code field from this site alone (no CDN: it works offline) and opens on the stored district."""
from playwright.sync_api import expect

from tests.browser.conftest import login

CHOOSER = "#division-chooser select"


def _pick(page, index: int, code: str) -> None:
    page.wait_for_selector(f"{CHOOSER} >> nth={index} >> option[value='{code}']", state="attached")
    page.locator(CHOOSER).nth(index).select_option(code)


def test_the_district_chooser_fills_the_code_and_reopens_on_the_stored_district(page, live_server):
    requests = []
    page.on("request", lambda request: requests.append(request.url))
    login(page, "rep")
    page.goto("/customers")
    page.click("#new-customer")
    page.wait_for_selector("#division-chooser:not(.d-none)")
    _pick(page, 0, "440000")
    assert page.input_value("#district") == ""  # a province is no customer's district
    _pick(page, 1, "440300")
    assert page.input_value("#district") == "440300"
    _pick(page, 2, "440305")
    assert page.input_value("#district") == "440305"
    page.fill("#name", "浏览器选择器验证客户")
    page.click("#customer-form button[type=submit]")
    page.wait_for_selector("#edit-customer")
    assert "南山区 440305" in page.content()
    page.click("#edit-customer")
    # a locator, not wait_for_function("..."): the page's CSP (script-src 'self') refuses the string's eval
    expect(page.locator(CHOOSER).nth(2)).to_have_value("440305")
    assert [page.locator(CHOOSER).nth(i).input_value() for i in range(3)] == ["440000", "440300", "440305"]
    assert requests and all(url.startswith(live_server["url"]) for url in requests)
