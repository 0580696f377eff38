"""Import, export and token pages, and the import / tokens commands.

Exports stream; the suite's client runs each request in its own context, so downloads are read
with buffered=True (inside that context)."""
from __future__ import annotations

import csv
import io
import re

from openpyxl import load_workbook
from sqlalchemy import func, select

from models import db
from models.exchange import ApiToken
from models.tree import Seller

AGENTS = "编码,名称,层级,上级编码,加入日期\nW2,网页省代,2,N1,2026-02-01\n"


def upload(client, kind: str, text: str, encoding: str = "utf-8", name: str = "f.csv"):
    return client.post("/imports", data={"kind": kind, "file": (io.BytesIO(text.encode(encoding)), name)},
                       content_type="multipart/form-data")


def run_url_of(client, job_url: str) -> str:
    """The import run a finished `exchange.import` job links to, from its job page."""
    match = re.search(r'href="(/imports/\d+)" id="run-link"', client.get(job_url).get_data(as_text=True))
    assert match, "the job page links to no import run"
    return match.group(1)


def test_an_upload_is_imported_by_a_job_whose_page_shows_the_result(client, auth, world, tmp_path, app):
    app.config["UPLOAD_DIR"] = str(tmp_path / "uploads")
    auth.login("admin")
    response = upload(client, "agents", AGENTS, "gbk")
    assert response.status_code == 302 and response.headers["Location"].startswith("/jobs/")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "新增 1 行" in page
    assert db.session.scalar(select(Seller.name).where(Seller.code == "W2")) == "网页省代"
    assert "新增 1 行" in client.get(run_url_of(client, response.headers["Location"])).get_data(as_text=True)
    assert list((tmp_path / "uploads").iterdir()) == []  # the stored upload is removed once the run is recorded
    # so the finished job offers no re-run but says why, and a re-run by hand is refused the same way
    assert 'id="no-rerun"' in page and "重新上传" in page and "/rerun" not in page
    job_id = int(response.headers["Location"].rsplit("/", 1)[1])
    again = client.post(f"/jobs/{job_id}/rerun", follow_redirects=True).get_data(as_text=True)
    assert "重新上传" in again and "任务已重新提交" not in again


def test_a_bad_upload_stores_nothing_and_offers_the_report_as_csv(client, auth, world):
    auth.login("admin")
    job_url = upload(client, "agents", AGENTS.replace("N1", "NOPE")).headers["Location"]
    page = client.get(job_url).get_data(as_text=True)
    assert "下载错误报告" in page and "什么都没有保存" in page
    run_url = run_url_of(client, job_url)
    assert f'href="{run_url}/report.csv"' in page
    report = client.get(run_url + "/report.csv")
    rows = list(csv.reader(io.StringIO(report.data.decode("utf-8-sig"))))
    assert rows == [["行", "列", "值", "原因"], ["2", "上级编码", "NOPE", "上级编码 NOPE 不存在。"]]
    assert db.session.scalar(select(Seller.id).where(Seller.code == "W2")) is None


def test_the_run_page_shows_values_and_reasons_with_commas_whole(client, auth, world):
    auth.login("admin")
    job_url = upload(client, "agents", AGENTS.replace("N1", '"A,B"')).headers["Location"]
    page = client.get(run_url_of(client, job_url)).get_data(as_text=True)
    table = page.split('id="import-errors"')[1].split("</table>")[0]
    assert "<td>上级编码</td><td>A,B</td><td>上级编码 A,B 不存在。</td>" in table
    assert '"' not in table.split("<tbody>")[1]  # no CSV quoting leaks into the cells


def test_an_import_reports_its_check_then_its_write_as_one_progress_bar(client, auth, world, monkeypatch):
    from channel.services.jobs import JobContext

    reports = []
    monkeypatch.setattr(JobContext, "progress", lambda self, done, total=None, note="": reports.append((note, done, total)))
    auth.login("admin")
    upload(client, "agents", AGENTS.replace("W2", "W4") + "W5,网页省代五,2,N1,2026-02-01\n")
    assert {note for note, _, _ in reports} == {"check", "write"}
    assert all(total == 4 for _, _, total in reports)  # two rows, checked then written
    assert reports[0] == ("check", 0, 4) and reports[-1] == ("write", 4, 4)
    assert [d for _, d, _ in reports] == sorted(d for _, d, _ in reports)


def test_templates_download_for_every_kind(client, auth, world):
    from channel.services.imports import IMPORT_KINDS

    auth.login("manager")
    for kind in IMPORT_KINDS:
        text = client.get(f"/imports/templates/{kind}.csv").data.decode("utf-8-sig")
        assert text.splitlines()[0] == ",".join(c.label for c in IMPORT_KINDS[kind].schema.columns)
        book = load_workbook(io.BytesIO(client.get(f"/imports/templates/{kind}.xlsx").data))
        assert [c.value for c in book.active[1]] == [c.label for c in IMPORT_KINDS[kind].schema.columns]


def test_agents_and_reps_may_not_import_nor_see_others_runs(client, auth, world):
    auth.login("admin")
    job_url = upload(client, "agents", AGENTS).headers["Location"]
    run_url = run_url_of(client, job_url)
    auth.logout()
    auth.login("agent_gd")
    assert client.get("/imports").status_code == 403
    assert upload(client, "agents", AGENTS).status_code == 403
    auth.logout()
    auth.login("manager")
    assert client.get(job_url).status_code == 404
    assert client.get(run_url).status_code == 404
    assert client.get(run_url + "/report.csv").status_code == 404


def test_exports_apply_the_filters_and_the_access_rules(client, auth, world):
    auth.login("agent_gd")
    text = client.get("/orders/export.csv", buffered=True).data.decode("utf-8-sig")
    assert "SO-NS-1" in text and "SO-TH-1" in text and "SO-HZ-1" not in text and "SO-REP1-1" not in text
    text = client.get("/orders/export.csv?seller=TH", buffered=True).data.decode("utf-8-sig")
    assert "SO-TH-1" in text and "SO-NS-1" not in text
    text = client.get("/customers/export.csv", buffered=True).data.decode("utf-8-sig")
    assert "深圳南山华盛贸易有限公司" in text and "杭州西湖恒通科技有限公司" not in text
    book = load_workbook(io.BytesIO(client.get("/orders/export.xlsx", buffered=True).data), read_only=True)
    numbers = {row[0] for row in book.active.iter_rows(min_row=2, values_only=True)}
    assert numbers == {"SO-NS-1", "SO-TH-1"}
    sellers = client.get("/sellers/export.csv", buffered=True).data.decode("utf-8-sig")
    assert {line.split(",")[0] for line in sellers.splitlines()[1:]} == {"GD", "SZ", "GZ", "NS", "TH"}


def test_exported_amounts_are_exact_yuan(client, auth, world):
    auth.login("admin")
    rows = list(csv.reader(io.StringIO(client.get("/orders/export.csv?q=SO-NS", buffered=True).data.decode("utf-8-sig"))))
    assert rows[1][0] == "SO-NS-1" and rows[1][10] == "6000.00"


def test_exported_cells_cannot_run_as_formulas(client, auth, world):
    world.cust_ns.name = "=HYPERLINK(\"http://evil\")"
    world.cust_ns.phone = "+86 123"
    db.session.commit()
    auth.login("admin")
    text = client.get("/customers/export.csv", buffered=True).data.decode("utf-8-sig")
    assert "'=HYPERLINK" in text and "'+86 123" in text
    book = load_workbook(io.BytesIO(client.get("/customers/export.xlsx", buffered=True).data))
    values = [c.value for row in book.active.iter_rows() for c in row]
    assert "'=HYPERLINK(\"http://evil\")" in values
    assert not any(isinstance(v, str) and v.startswith("=") for v in values)


def test_the_list_pages_link_their_exports_with_the_filters(client, auth, world):
    auth.login("admin")
    page = client.get("/orders?kind=sell_out&after=2026-10-01_3").get_data(as_text=True)
    assert "/orders/export.csv?kind=sell_out" in page and "after=" not in page.split("export-buttons")[1].split("</div>")[0]


def test_a_user_creates_and_revokes_their_token_in_the_ui(app, client, auth, world):
    auth.login("agent_sz")
    page = client.post("/tokens", data={"name": "ERP"}).get_data(as_text=True)
    secret = page.split('<code class="fs-6">')[1].split("</code>")[0]
    erp = app.test_client()  # no session cookie: the token alone
    assert erp.get("/api/v1/agents", headers={"Authorization": f"Bearer {secret}"}).status_code == 200
    token = db.session.scalar(select(ApiToken))
    assert client.post(f"/tokens/{token.id}/revoke").status_code == 302
    assert erp.get("/api/v1/agents", headers={"Authorization": f"Bearer {secret}"}).status_code == 401


def test_a_user_cannot_revoke_someone_elses_token(client, auth, world):
    from channel.services.api_tokens import create_token

    token, _ = create_token(world.user_admin, "admin's")
    auth.login("agent_sz")
    assert client.post(f"/tokens/{token.id}/revoke").status_code == 404
    db.session.refresh(token)
    assert token.revoked_at is None


def test_the_tokens_command_prints_the_token_alone_on_its_last_line(app, world):
    result = app.test_cli_runner().invoke(args=["tokens", "create", "agent_gd", "--name", "erp"])
    assert result.exit_code == 0, result.output
    secret = result.output.strip().splitlines()[-1]
    assert secret.startswith("qd_") and " " not in secret
    assert app.test_client().get("/api/v1/agents", headers={"Authorization": f"Bearer {secret}"}).status_code == 200


def test_the_import_command_imports_a_file_and_rejects_a_bad_one(app, world, tmp_path):
    good = tmp_path / "agents.csv"
    good.write_text(AGENTS, encoding="utf-8-sig")
    result = app.test_cli_runner().invoke(args=["import", "agents", str(good)])
    assert result.exit_code == 0, result.output
    # the kind as the imports page shows it (in English, the commands' language), not its key
    assert "Agents: 1 row imported, 0 already there" in result.output  # not "1 rows"
    bad = tmp_path / "bad.csv"
    bad.write_text(AGENTS.replace("W2", "W3").replace("N1", "NOPE"), encoding="utf-8")
    result = app.test_cli_runner().invoke(args=["import", "agents", str(bad)])
    assert result.exit_code == 1
    assert "Rejected: 1 error, nothing imported." in result.output  # not "1 errors"
    assert (tmp_path / "bad.csv.errors.csv").read_text(encoding="utf-8-sig").splitlines()[1].startswith("2,上级编码,NOPE")
    assert db.session.scalar(select(func.count()).select_from(Seller).where(Seller.code == "W3")) == 0


def test_the_exchange_pages_render_in_chinese_and_english(client, auth, world):
    auth.login("admin")
    upload(client, "agents", AGENTS)
    for lang, words in (("zh", ("上传并导入", "创建令牌", "请求体")), ("en", ("Upload and import", "Create token", "Request body"))):
        pages = [client.get(f"{path}?lang={lang}").get_data(as_text=True) for path in ("/imports", "/tokens", "/api/v1/docs")]
        for page, word in zip(pages, words):
            assert word in page


def test_the_import_list_names_kinds_and_statuses_and_counts_errors_in_good_english(client, auth, world, tmp_path,
                                                                                   app):
    """The recent imports show a run's kind and status by their labels (not the keys `agents`,
    `rejected`), in the reader's language; one error is "1 error", not "1 errors"."""
    app.config["UPLOAD_DIR"] = str(tmp_path / "uploads")
    auth.login("admin")
    job_url = upload(client, "agents", "编码,名称,层级,上级编码,加入日期\nW9,网页省代,2,NOPE,2026-02-01\n")
    job_url = job_url.headers["Location"]
    run_url = run_url_of(client, job_url)
    upload(client, "agents", AGENTS)

    def runs_table() -> list[list[str]]:
        body = client.get("/imports").get_data(as_text=True).split('id="import-runs"')[1].split("</tbody>")[0]
        return [[re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<td>(.*?)</td>", row, re.S)][1:4]
                for row in body.split("</tr>") if "<td>" in row]

    assert runs_table() == [["代理", "f.csv", "已完成"], ["代理", "f.csv", "有错误，未保存"]]
    assert "文件有 1 处错误" in client.get(run_url).get_data(as_text=True)
    client.post("/lang/en")
    assert runs_table() == [["Agents", "f.csv", "Done"], ["Agents", "f.csv", "Rejected (nothing saved)"]]
    for page in (client.get(run_url), client.get(job_url)):
        text = page.get_data(as_text=True)
        assert "The file has 1 error; nothing was saved. Correct it and import again." in text
        assert "1 errors" not in text


def test_import_counts_are_grouped_by_thousands_on_the_pages_and_in_the_cli(app, client, auth, world):
    from channel.cli import counted
    from models.exchange import ImportRun

    done = ImportRun(kind="orders", filename="big.csv", status="done", total_rows=15345, inserted=12345, skipped=3000,
                     error_count=0)
    rejected = ImportRun(kind="orders", filename="bad.csv", status="rejected", total_rows=2500, inserted=0, skipped=0,
                         error_count=2048, report_csv="row,column,value,message,params\n")
    db.session.add_all([done, rejected])
    db.session.commit()
    auth.login("admin")
    assert "新增 12,345 行，3,000 行已存在" in client.get(f"/imports/{done.id}").get_data(as_text=True)
    assert "文件有 2,048 处错误" in client.get(f"/imports/{rejected.id}").get_data(as_text=True)
    listed = client.get("/imports").get_data(as_text=True).split('id="import-runs"')[1]
    assert "<td>12,345</td><td>3,000</td>" in listed and "<td>2,048</td>" in listed
    assert counted(12345, "row") == "12,345 rows" and counted(1, "row") == "1 row"
