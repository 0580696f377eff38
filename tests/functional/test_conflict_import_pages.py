"""The conflicts import kinds from the browser and the command line: uploaded, templated,
refused whole when a row is bad."""
from __future__ import annotations

import csv
import io

from sqlalchemy import func, select

from models import db
from models.conflicts import CustomerRegistration, UnitCode


def upload(client, kind: str, text: str, encoding: str = "utf-8"):
    return client.post("/imports", data={"kind": kind, "file": (io.BytesIO(text.encode(encoding)), "f.csv")},
                       content_type="multipart/form-data")


def test_each_conflicts_kind_has_a_template_and_is_offered_on_the_page(client, auth, world):
    auth.login("manager")
    page = client.get("/imports").get_data(as_text=True)
    for kind, first_header in (("unit_codes", "单品码"), ("code_scans", "码"), ("registrations", "报备销售方编码")):
        assert f'value="{kind}"' in page
        header = next(csv.reader(io.StringIO(client.get(f"/imports/templates/{kind}.csv").data.decode("utf-8-sig"))))
        assert header[0] == first_header
        assert client.get(f"/imports/templates/{kind}.xlsx").status_code == 200


def test_a_registrations_upload_in_gbk_is_stored(client, auth, world):
    auth.login("manager")
    response = upload(client, "registrations", "报备销售方编码,客户名称,报备日期\nNS,深圳前海新锐科技有限公司,2026-10-01\n", "gbk")
    assert response.status_code == 302
    assert "新增 1 行" in client.get(response.headers["Location"]).get_data(as_text=True)
    assert db.session.scalar(select(CustomerRegistration.customer_name)) == "深圳前海新锐科技有限公司"


def test_the_import_command_takes_unit_codes_and_rejects_a_bad_file(app, world, tmp_path):
    good = tmp_path / "codes.csv"
    good.write_text("单品码,SKU,收货代理编码,发货日期\nU1,P1,SZ,2026-10-02\n", encoding="utf-8-sig")
    result = app.test_cli_runner().invoke(args=["import", "unit_codes", str(good)])
    assert result.exit_code == 0, result.output
    bad = tmp_path / "bad.csv"
    bad.write_text("单品码,SKU\nU2,NOPE\n", encoding="utf-8")
    result = app.test_cli_runner().invoke(args=["import", "unit_codes", str(bad)])
    assert result.exit_code == 1
    assert db.session.scalar(select(func.count()).select_from(UnitCode)) == 1
