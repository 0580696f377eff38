"""What only a real browser shows: text that wraps or spills where a reader would notice."""
from tests.browser.conftest import login


def _height(page, selector):
    return page.locator(selector).first.bounding_box()["height"]


def test_the_top_bar_keeps_each_button_and_the_user_on_one_line_in_english(page, live_server):
    page.set_viewport_size({"width": 1400, "height": 900})
    login(page, "agent")  # a provincial agent: a long company name beside the buttons
    page.click("button[data-lang=en]")
    page.wait_for_selector("text=Agent pyramid")
    one_line = _height(page, "button[data-lang=en]")
    assert _height(page, "button[data-lang=zh]") <= one_line + 1  # 中文, not 中 over 文
    assert _height(page, "nav form[action$='/logout'] button") <= one_line + 1
    lines = page.evaluate("""() => { const e = document.querySelector('#whoami'), s = getComputedStyle(e);
        return (e.clientHeight - parseFloat(s.paddingTop) - parseFloat(s.paddingBottom)) / parseFloat(s.lineHeight); }""")
    assert lines < 1.5
    assert "Provincial agent" in page.locator("#whoami").get_attribute("title")  # the whole text, when the line is cut
