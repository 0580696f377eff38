"""Statements show the effect of a conflict ruling with its case: the offender's forfeit and
penalty, the upline's forfeited override (case by number: it is no party), the harmed agent's fee."""
import re

from channel.services import conflicts_cases
from channel.services.commissions_run import run_period
from channel.services.users import create_user
from tests.payeffects_fixtures import leak, rule


def text_of(fragment: str) -> str:
    return re.sub(r"\s+", "", re.sub(r"<[^>]+>", "", fragment))


def lines_table(html: str) -> str:
    start = html.index('id="statement-lines"')
    return html[start:html.index("</table>", start)]


def effect_rows(html: str) -> dict:
    """{rule label: (amount text, case reference text, case link or None)} of the lines citing a case."""
    rows = {}
    for row in lines_table(html).split("<tr>")[1:]:
        ref = re.search(r'<span class="case-ref"[^>]*>(.*?)</span>', row, re.S)
        if ref is None:
            continue
        cells = re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
        link = re.search(r'href="([^"]+)"', ref.group(1))
        rows[text_of(cells[1])] = (text_of(cells[6]), text_of(ref.group(1)), link.group(1) if link else None)
    return rows


def test_statements_show_each_effect_line_with_its_case(client, auth, world):
    line, case = leak(world)
    conflicts_cases.add_policy(name="串货没收", action="forfeit", protection_fee_bp=500, penalty_fen=100_000)
    rule(world, case, "investigating", "confirmed")
    run_period("2026-10")
    create_user("agent_gz", "secret-pass", "agent", seller_id=world.GZ.id)
    ref = f"#{case.id}"

    auth.login("agent_sz")  # the offender
    page = client.get(f"/commissions/statements/{world.SZ.id}/2026-10")
    rows = effect_rows(page.get_data(as_text=True))
    assert set(rows) == {"冲突没收", "冲突罚款"}
    assert rows["冲突没收"][0] == "-¥90.00" and rows["冲突罚款"][0] == "-¥1,000.00"
    assert all(ref in text and href == f"/conflicts/cases/{case.id}" for _, text, href in rows.values())
    assert client.get(f"/conflicts/cases/{case.id}").status_code == 200
    auth.logout()

    auth.login("agent_gd")  # the upline: its override is forfeited; it is no party, so no link
    rows = effect_rows(client.get(f"/commissions/statements/{world.GD.id}/2026-10").get_data(as_text=True))
    assert rows == {"冲突没收": ("-¥60.00", f"冲突案件{ref}", None)}
    assert client.get(f"/conflicts/cases/{case.id}").status_code == 404
    auth.logout()

    auth.login("agent_gz")  # the harmed party
    html = client.get(f"/commissions/statements/{world.GZ.id}/2026-10").get_data(as_text=True)
    assert effect_rows(html) == {"区域保护费": ("¥150.00", f"冲突案件{ref}", f"/conflicts/cases/{case.id}")}
    assert "SZ" not in text_of(lines_table(html)) and "深圳" not in html  # nothing of the offender


def test_the_case_page_says_a_dismissed_cases_posted_effects_wait_for_the_next_run(client, auth, world):
    """After a dismissal the case page said nothing of the penalty and fee still on the ledger
    until the next run reverses them; it now says so, and nothing once they are reversed."""
    line, case = leak(world)
    conflicts_cases.add_policy(name="串货没收", action="forfeit", protection_fee_bp=500, penalty_fen=100_000)
    rule(world, case, "investigating", "confirmed")
    run_period("2026-10")
    auth.login("manager")
    client.post("/lang/en")
    page = client.get(f"/conflicts/cases/{case.id}").get_data(as_text=True)
    assert "Posted in the commissions of 2026-10." in page
    rule(world, case, "dismissed")
    page = client.get(f"/conflicts/cases/{case.id}").get_data(as_text=True)
    assert "the effects posted in the commissions of 2026-10 are reversed by the next commission run" in page
    run_period("2026-10")
    page = client.get(f"/conflicts/cases/{case.id}").get_data(as_text=True)
    assert 'id="effect-posted"' not in page
