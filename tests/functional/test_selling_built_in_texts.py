"""The default opportunity stages and the reminder tasks' titles are stored in Chinese; an English
reader saw them in Chinese on every page and export. They are now shown in the reader's language
while they are the built-in text; a stage someone named and a title someone typed stay as typed."""
import re
from datetime import date

from channel.services import selling
from channel.services.clock import business_today
from models import db
from models.selling import Task


def _rows(client, path: str) -> list[str]:
    return client.get(path).get_data(as_text=True).lstrip("\ufeff").splitlines()


def _selling_data(w):
    """An opportunity at the first default stage, one at a stage a manager named, the three
    reminder kinds, and a next step typed in the words of a reminder."""
    today = business_today()
    selling.add_stage(w.user_manager, name="样品试用", position=15)
    selling.open_opportunity(w.user_rep1, customer_id=w.cust_rep1.id, title="年度采购")
    sample = next(s for s in selling.stages() if s.name == "样品试用")
    selling.open_opportunity(w.user_rep1, customer_id=w.cust_rep1.id, title="试用机", stage_id=sample.id)
    selling.add_contact(w.user_rep1, customer_id=w.cust_rep1.id, name="李经理", role="acceptor",
                        birthday=date(1980, today.month, today.day))  # 1980: a leap year
    selling.add_greeting(w.user_manager, name="开业纪念日", month=today.month, day=today.day)
    made = selling.generate_reminders(today=today, stale_days=30, high_value_ids=[w.cust_rep1.id])
    assert made == {"maintenance": 1, "greeting": 2}
    selling.log_activity(w.user_rep1, seller_id=w.REP1.id, kind="visit", customer_id=w.cust_rep1.id,
                         next_step="回访高价值客户 明天再打")


def test_default_stages_and_reminder_titles_read_in_english_and_typed_ones_as_typed(client, auth, world):
    w = world
    _selling_data(w)
    customer = w.cust_rep1.name
    auth.login("rep1")
    home = client.get("/selling?lang=en").get_data(as_text=True)
    assert f"Follow up high-value customer {customer}" in home
    assert "Wish 李经理 a happy birthday" in home
    assert f"开业纪念日 greeting to {customer}" in home  # the holiday's name as the manager typed it
    assert "回访高价值客户 明天再打" in home  # a typed next step, even in a reminder's words
    assert f"回访高价值客户 {customer}" not in home

    page = client.get(f"/customers/{w.cust_rep1.id}/selling?lang=en").get_data(as_text=True)
    assert "<td>Need found</td>" in page and "<td>样品试用</td>" in page
    assert re.search(r"<option[^>]*>Decision-maker approval</option>", page)
    assert re.search(r"<option[^>]*>Won</option>", page) and "发现需求" not in page
    assert f"Follow up high-value customer {customer}" in page

    listing = client.get("/selling/opportunities?lang=en").get_data(as_text=True)
    assert "<td>Need found</td>" in listing and "<li>Lost" in listing and "<li>样品试用" in listing
    # a closing stage's note says what it counts as, not its own name again ("Won (Won)")
    assert re.search(r"<li>Won <span[^>]*>\(closing stage, counted as won\)</span>", listing)
    assert re.search(r"<li>Lost <span[^>]*>\(closing stage, counted as not won\)</span>", listing)

    opportunities = _rows(client, "/selling/opportunities/export.csv?lang=en")
    assert any(",Need found," in row for row in opportunities) and any(",样品试用," in row for row in opportunities)
    tasks = _rows(client, "/selling/tasks/export.csv?lang=en")
    assert any(f"Follow up high-value customer {customer}" in row for row in tasks)
    assert any("回访高价值客户 明天再打" in row for row in tasks)


def test_in_chinese_the_stored_texts_show_as_stored(client, auth, world):
    w = world
    _selling_data(w)
    auth.login("rep1")
    assert f"回访高价值客户 {w.cust_rep1.name}" in client.get("/selling").get_data(as_text=True)
    assert "<td>发现需求</td>" in client.get(f"/customers/{w.cust_rep1.id}/selling").get_data(as_text=True)
    assert any(",发现需求," in row for row in _rows(client, "/selling/opportunities/export.csv"))
    # stored as before: tasks made by earlier versions read the same way
    titles = {t.title for t in db.session.query(Task).filter(Task.source == "maintenance")}
    assert titles == {f"回访高价值客户 {w.cust_rep1.name}"}


def test_the_tasks_export_names_each_source_in_the_readers_language(client, auth, world):
    """The 来源 column showed the stored codes (maintenance, greeting, next_step)."""
    import csv

    _selling_data(world)
    auth.login("rep1")
    for lang, expected in (("en", {"Next step", "Follow-up reminder", "Greeting"}), ("zh", {"下一步", "回访提醒", "问候"})):
        rows = list(csv.reader(_rows(client, f"/selling/tasks/export.csv?lang={lang}")))
        source = rows[0].index("Source" if lang == "en" else "来源")
        assert {row[source] for row in rows[1:]} == expected, lang
