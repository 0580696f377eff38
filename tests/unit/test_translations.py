"""Chinese is the source language; every user-facing string must have its English translation
(in one of the fragments i18n/en/*.po). `python tools/i18n.py add FRAGMENT` lists what is missing."""
import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
spec = importlib.util.spec_from_file_location("i18n_tool", ROOT / "tools" / "i18n.py")
i18n_tool = importlib.util.module_from_spec(spec)
spec.loader.exec_module(i18n_tool)


def test_every_message_has_an_english_translation():
    missing = i18n_tool.missing()
    assert not missing, "missing English: " + "; ".join(f"{w[0]} {m}" for m, w in list(missing.items())[:20])


def test_placeholders_survive_translation():
    catalog = i18n_tool.merged()
    import re

    for message in catalog:
        if message.id and message.string:
            ids = message.id if isinstance(message.id, tuple) else (message.id,)  # a plural: every form
            for text in message.string if isinstance(message.string, tuple) else (message.string,):
                assert set(re.findall(r"%\((\w+)\)s", ids[0])) == set(re.findall(r"%\((\w+)\)s", text)), message.id


def test_english_has_no_chinese_punctuation():
    """No English text carries a full-width colon, comma, full stop or bracket (curly quotes are
    English too), and no template joins one to a translated label (`{{ _('…') }}：`): English
    would show it. Write the punctuation inside the msgid, with a placeholder."""
    import re

    full_width = re.compile(r"[：，。；（）、！？]")
    wrong = [m.id for m in i18n_tool.merged() if m.id and m.string
             and any(full_width.search(text) for text in (m.string if isinstance(m.string, tuple) else (m.string,)))]
    assert not wrong, wrong
    joined = [f"{path.relative_to(ROOT)}:{n}" for path in sorted((ROOT / "templates").rglob("*.html"))
              for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
              if re.search(r"\}\}\s*[：，；]|[：，；]\s*\{\{", line)]
    assert not joined, joined


def test_a_context_gives_one_chinese_word_two_english_ones():
    """调整 is a tree move ("Move") and, as a ledger kind, an adjustment: pgettext keeps them apart."""
    assert ("ledger kind", "调整") in i18n_tool.extract() and (None, "调整") in i18n_tool.extract()
    catalog = i18n_tool.merged()
    assert catalog.get("调整").string == "Move"
    assert catalog.get("调整", context="ledger kind").string == "Adjustment"


def test_no_two_fragments_say_one_message_two_ways():
    """The first fragment (by file name) wins, so a second English for the same (context, msgid)
    would never be shown where its author meant it: give that use a context instead."""
    from babel.messages.pofile import read_po

    said: dict[tuple, set] = {}
    for path in sorted((ROOT / "i18n" / "en").glob("*.po")):
        with path.open("rb") as handle:
            for message in read_po(handle, locale="en"):
                if message.id and message.string:
                    said.setdefault((message.context, message.id), set()).add((message.string, path.name))
    twice = {key: ways for key, ways in said.items() if len({english for english, _ in ways}) > 1}
    assert not twice, twice


def test_a_word_used_in_two_senses_reads_right_in_each():
    catalog = i18n_tool.merged()
    assert catalog.get("有效").string == "Active"  # a plan version, an API token
    assert catalog.get("有效", context="certification").string == "Valid"
    assert catalog.get("个人", context="target scope").string == "One seller"
    assert catalog.get("冲突案件").string == "Conflict cases"
    assert catalog.get("冲突案件", context="one case").string == "Conflict case"
    assert {("parameter", "说明"), ("event", "说明"), ("target scope", "个人")} <= set(i18n_tool.extract())


def test_a_case_timeline_counts_evidence_rows_in_good_english():
    from babel.support import Translations

    with (ROOT / "translations" / "en" / "LC_MESSAGES" / "messages.mo").open("rb") as handle:
        english = Translations(handle)
    one, many = "立案，%(num)s 条证据", "立案，%(num)s 条证据"
    assert english.ungettext(one, many, 1) % {"num": 1} == "Opened with 1 evidence row"
    assert english.ungettext(one, many, 3) % {"num": 3} == "Opened with 3 evidence rows"
    assert english.ungettext("新增 %(num)s 条证据", "新增 %(num)s 条证据", 1) % {"num": 1} == "1 evidence row added"
