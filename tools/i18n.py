"""Translations. Message ids are the Chinese text (Chinese is the default and needs no
catalog); English lives in fragments `i18n/en/*.po`, one per feature, so that features can be
worked on side by side. This module extracts message ids, reports and appends missing ones,
and compiles the fragments into translations/en/LC_MESSAGES/messages.mo.

One Chinese text that English says two ways gets a context (msgctxt): `pgettext(ctx, msgid)` in
templates and views, `NC_(ctx, msgid)` (channel.domain.errors) for marked ids, and a `msgctxt`
line in the fragment. 任务 is a background job ("Job", no context) but a selling task under
msgctxt "selling task" ("Task"). Two fragments giving one msgid (same context) different
English is a mistake: the first fragment (by file name) wins.

    python tools/i18n.py missing            # list msgids with no English translation
    python tools/i18n.py add FRAGMENT       # append missing msgids to i18n/en/FRAGMENT.po (empty msgstr)
    python tools/i18n.py build              # compile (also `make translations`)
"""
from __future__ import annotations

import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
FRAGMENTS = ROOT / "i18n" / "en"
OUT = ROOT / "translations" / "en" / "LC_MESSAGES"
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "lazy_gettext": None, "_l": None, "N_": None,
            # with a context (msgctxt): one Chinese text that English says two ways
            "pgettext": ((1, "c"), 2), "lazy_pgettext": ((1, "c"), 2), "NC_": ((1, "c"), 2)}
METHOD_MAP = [
    ("**/.venv/**", "ignore"),
    ("**/tests/**", "ignore"),
    ("**/tools/**", "ignore"),
    ("**/migrations/**", "ignore"),
    ("**.py", "python"),
    ("templates/**.html", "jinja2"),
]


def extract() -> dict[tuple[str | None, str], list[str]]:
    """{(msgctxt or None, msgid): [locations]} of every message id in the app's code and templates."""
    found: dict[tuple[str | None, str], list[str]] = {}
    for filename, lineno, message, _comments, context in extract_from_dir(
        str(ROOT), METHOD_MAP, keywords=KEYWORDS, options_map={"templates/**.html": {"extensions": "jinja2.ext.do"}}
    ):
        if filename.startswith((".venv", "tests", "tools", "migrations", "build")):
            continue
        ids = message if isinstance(message, tuple) else (message,)
        for msgid in ids:
            if msgid:
                found.setdefault((context, msgid), []).append(f"{filename}:{lineno}")
    return found


def merged() -> Catalog:
    catalog = Catalog(locale="en", domain="messages")
    for path in sorted(FRAGMENTS.glob("*.po")):
        with path.open("rb") as handle:
            fragment = read_po(handle, locale="en")
        for message in fragment:
            if message.id and message.string:
                catalog.add(message.id, message.string, context=message.context)
    return catalog


def _untranslated() -> dict[tuple[str | None, str], list[str]]:
    catalog = merged()
    return {(context, msgid): where for (context, msgid), where in extract().items()
            if not (catalog.get(msgid, context=context) and catalog.get(msgid, context=context).string)}


def missing() -> dict[str, list[str]]:
    """{msgid ('msgid [msgctxt]' when it has a context): [locations]} with no English."""
    return {msgid if context is None else f"{msgid} [{context}]": where
            for (context, msgid), where in _untranslated().items()}


def build() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    with (OUT / "messages.mo").open("wb") as handle:
        write_mo(handle, merged())


def add(fragment: str) -> int:
    path = FRAGMENTS / f"{fragment}.po"
    catalog = Catalog(locale="en")
    if path.exists():
        with path.open("rb") as handle:
            catalog = read_po(handle, locale="en")
    todo = _untranslated()
    for (context, msgid), where in todo.items():
        if catalog.get(msgid, context=context) is None:
            catalog.add(msgid, "", context=context, locations=[(w.rsplit(":", 1)[0], int(w.rsplit(":", 1)[1])) for w in where[:3]])
    FRAGMENTS.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as handle:
        write_po(handle, catalog, width=120, omit_header=True, sort_output=False)
    return len(todo)


if __name__ == "__main__":
    command = sys.argv[1] if len(sys.argv) > 1 else "build"
    if command == "build":
        build()
    elif command == "missing":
        for msgid, where in missing().items():
            print(f"{where[0]}: {msgid}")
    elif command == "add":
        print(f"{add(sys.argv[2])} missing message ids written to i18n/en/{sys.argv[2]}.po")
    else:
        sys.exit(__doc__)
