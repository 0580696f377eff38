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


def test_every_pyramid_label_fits_inside_its_band_in_english(page, live_server):
    login(page, "manager")
    page.click("button[data-lang=en]")
    page.wait_for_selector("text=Agent pyramid")
    page.goto("/pyramid")
    page.wait_for_selector("svg .pyramid-band")
    # in SVG units: the text's drawn box against the trapezoid's width at the text's top edge
    spills = page.evaluate("""() => [...document.querySelectorAll('svg .pyramid-band')].flatMap(band => {
        const p = band.querySelector('polygon').points, [a, b, c, d] = [p[0], p[1], p[2], p[3]];
        return [...band.querySelectorAll('text')].map(t => {
            const box = t.getBBox(), share = (box.y - a.y) / (d.y - a.y);
            const room = (b.x - a.x) + ((c.x - d.x) - (b.x - a.x)) * share;
            const left = a.x + (d.x - a.x) * share;
            return {text: t.textContent, room, width: box.width, left: box.x - left, right: left + room - box.x - box.width};
        }).filter(r => r.left < -1 || r.right < -1);
    })""")
    assert spills == []


def test_on_a_phone_the_menu_wraps_in_rows_and_no_page_is_wider_than_the_screen(page, live_server):
    """At 390 px the menu stood as one column of every entry (a screen high before any content),
    the customer, order and seller tables pushed the page wider than the phone, and the seller
    page's 在树中查看 button was squeezed to one character a line."""
    page.set_viewport_size({"width": 390, "height": 800})
    login(page, "manager")
    menu = page.locator("nav .navbar-nav").bounding_box()
    entries = page.locator("nav .navbar-nav .nav-link").count()
    one_entry = page.locator("nav .navbar-nav .nav-link").first.bounding_box()["height"]
    assert menu["height"] < entries * one_entry / 2  # several entries a row
    for path in ("/customers", "/orders", "/sellers/2", "/orders/1", "/customers/1", "/"):
        page.goto(path)
        assert page.evaluate("document.documentElement.scrollWidth") <= 390, path
    page.goto("/sellers/2")
    button = page.locator("a[href*='focus=']").first
    assert button.bounding_box()["height"] <= 40  # one line, not 在 / 树 / 中 / 查 / 看
