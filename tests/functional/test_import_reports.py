"""An import's per-row report is rendered in the reader's language when it is shown (the run
keeps message ids and their parameters): the run page, the CSV download, the API and the CLI
give the same reasons, and reports stored as rendered Chinese text still show."""
from __future__ import annotations

import csv
import io
import re

from channel.services.api_tokens import create_token
from models import db
from models.exchange import IMPORT_REJECTED, ImportRun

# one row with a bad date and an unknown upline, one good row
AGENTS = "编码,名称,层级,上级编码,加入日期\nW2,网页省代,2,NOPE,2026-02-31\nW3,网页省代三,2,N1,2026-02-01\n"
LEGACY_REPORT = "row,column,value,reason\r\n2,上级编码,NOPE,上级编码 NOPE 不存在。\r\n3,层级,x,不是整数。\r\n"


def upload(client, kind: str, text: str):
    return client.post("/imports", data={"kind": kind, "file": (io.BytesIO(text.encode()), "f.csv")},
                       content_type="multipart/form-data")


def run_url_of(client, job_url: str) -> str:
    match = re.search(r'href="(/imports/\d+)" id="run-link"', client.get(job_url).get_data(as_text=True))
    assert match, "the job page links to no import run"
    return match.group(1)


def errors_table(page: str) -> list[list[str]]:
    body = page.split('id="import-errors"')[1].split("<tbody>")[1].split("</tbody>")[0]
    return [re.findall(r"<td>(.*?)</td>", row) for row in body.split("</tr>") if "<td>" in row]


def downloaded(client, run_url: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(client.get(run_url + "/report.csv").data.decode("utf-8-sig"))))


def test_a_rejected_run_reports_every_bad_cell_in_the_viewers_language(client, auth, world):
    auth.login("admin")
    run_url = run_url_of(client, upload(client, "agents", AGENTS).headers["Location"])
    chinese = [["2", "加入日期", "2026-02-31", "不是日期（YYYY-MM-DD）。"], ["2", "上级编码", "NOPE", "上级编码 NOPE 不存在。"]]
    assert errors_table(client.get(run_url).get_data(as_text=True)) == chinese
    assert downloaded(client, run_url) == [["行", "列", "值", "原因"]] + chinese

    client.post("/lang/en")  # the viewer switches the UI to English: the same run, read again
    english = [["2", "Joined", "2026-02-31", "Not a date (YYYY-MM-DD)."],
               ["2", "Upline code", "NOPE", "Upline code NOPE does not exist."]]
    assert errors_table(client.get(run_url).get_data(as_text=True)) == english
    assert downloaded(client, run_url) == [["Row", "Column", "Value", "Reason"]] + english

    client.post("/lang/zh")
    assert errors_table(client.get(run_url).get_data(as_text=True)) == chinese


def test_a_report_stored_as_rendered_text_still_shows_and_downloads(client, auth, world):
    run = ImportRun(kind="agents", filename="old.csv", status=IMPORT_REJECTED, report_csv=LEGACY_REPORT,
                    total_rows=2, error_count=2, created_by_id=world.user_admin.id)
    db.session.add(run)
    db.session.commit()
    auth.login("admin")
    run_url = f"/imports/{run.id}"
    stored = [["2", "上级编码", "NOPE", "上级编码 NOPE 不存在。"], ["3", "层级", "x", "不是整数。"]]
    assert errors_table(client.get(run_url).get_data(as_text=True)) == stored
    assert downloaded(client, run_url) == [["行", "列", "值", "原因"]] + stored
    client.post("/lang/en")
    # rendered text is shown as it was written; a reason with no parameters is a msgid too, and
    # so is a column (the file's Chinese header)
    assert errors_table(client.get(run_url).get_data(as_text=True)) == [
        ["2", "Upline code", "NOPE", "上级编码 NOPE 不存在。"], ["3", "Level", "x", "Not a whole number."]]


def test_the_api_and_the_cli_give_the_same_reasons_as_the_page(app, client, auth, world, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text(AGENTS, encoding="utf-8")
    result = app.test_cli_runner().invoke(args=["import", "agents", str(bad), "--user", "admin"])
    assert result.exit_code == 1
    cli_rows = list(csv.reader(io.StringIO((tmp_path / "bad.csv.errors.csv").read_text(encoding="utf-8-sig"))))
    assert "上级编码 NOPE 不存在。" in result.output

    run = db.session.query(ImportRun).order_by(ImportRun.id.desc()).first()
    _, secret = create_token(world.user_admin, "test")
    headers = {"Authorization": f"Bearer {secret}"}
    listed = client.get("/api/v1/import_runs?status=rejected", headers=headers).json["data"]
    assert [(r["id"], r["error_count"]) for r in listed] == [(run.id, 2)]
    detail = client.get(f"/api/v1/import_runs/{run.id}", headers=headers).json
    assert [[str(e["row"]), e["column"], e["value"], e["reason"]] for e in detail["errors"]] == cli_rows[1:]
    assert cli_rows[1:] == [["2", "加入日期", "2026-02-31", "不是日期（YYYY-MM-DD）。"],
                            ["2", "上级编码", "NOPE", "上级编码 NOPE 不存在。"]]
    english = client.get(f"/api/v1/import_runs/{run.id}?lang=en", headers=headers).json
    assert [e["reason"] for e in english["errors"]] == ["Not a date (YYYY-MM-DD).", "Upline code NOPE does not exist."]

    auth.login("admin")
    page = client.get(f"/imports/{run.id}").get_data(as_text=True)
    assert errors_table(page) == cli_rows[1:]


def test_only_the_importing_roles_see_runs_in_the_api_and_only_their_own(client, world, tmp_path):
    run = ImportRun(kind="agents", filename="old.csv", status=IMPORT_REJECTED, report_csv=LEGACY_REPORT,
                    total_rows=2, error_count=2, created_by_id=world.user_admin.id)
    db.session.add(run)
    db.session.commit()
    for username, status in (("manager", 404), ("agent_gd", 403)):
        _, secret = create_token(getattr(world, "user_" + username), "test")
        response = client.get(f"/api/v1/import_runs/{run.id}", headers={"Authorization": f"Bearer {secret}"})
        assert response.status_code == status


def test_the_run_page_says_when_it_lists_only_the_first_errors(client, auth, world):
    from channel.domain.imports import RowError, encode_report

    errors = [RowError(row, "层级", "x", "不是整数。") for row in range(2, 252)]
    run = ImportRun(kind="agents", filename="big.csv", status=IMPORT_REJECTED, report_csv=encode_report(errors),
                    total_rows=250, error_count=250, created_by_id=world.user_admin.id)
    db.session.add(run)
    db.session.commit()
    auth.login("admin")
    client.post("/lang/en")
    page = client.get(f"/imports/{run.id}").get_data(as_text=True)
    assert len(errors_table(page)) == 200
    assert "Showing the first 200 of 250 errors" in page
    assert len(downloaded(client, f"/imports/{run.id}")) == 1 + 250


def test_every_import_column_is_named_in_english_for_an_english_reader(app):
    """A report's 列 is the file's Chinese header, translated when it is read: every column of
    every kind has its English (a header already in Latin letters, such as SKU, stays as it is)."""
    from flask_babel import force_locale

    from channel.domain.imports import column_text
    from channel.i18n import request_translations
    from channel.services.imports import IMPORT_KINDS

    with app.test_request_context("/"), force_locale("en"):
        untranslated = [f"{key}.{column.key} {column.label}" for key, kind in IMPORT_KINDS.items()
                        for column in kind.schema.columns
                        if not column.label.isascii()
                        and column_text(column.label, request_translations().ugettext) == column.label]
    assert not untranslated, untranslated
    with app.test_request_context("/"), force_locale("en"):
        # an order's 行号 is its line number (a payout row's or a ledger line's 行号 is an id)
        assert column_text("行号", request_translations().ugettext) == "Line no."
