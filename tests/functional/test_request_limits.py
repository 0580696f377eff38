"""Request size: a body over MAX_CONTENT_LENGTH answers 413 with a translated message (JSON on
/api/, the error page elsewhere); the import upload has its own, larger limit."""
from __future__ import annotations

import io

from config import Config

MIB = 1024 * 1024
AGENTS = "编码,名称,层级,上级编码,加入日期\nW2,网页省代,2,N1,2026-02-01\n"


def test_the_limits_are_set_and_a_million_line_orders_file_fits_the_import_upload():
    assert Config.MAX_CONTENT_LENGTH == 32 * MIB
    # a bench orders line is ~70 bytes of CSV; leave room for longer codes
    assert Config.MAX_IMPORT_UPLOAD_LENGTH >= 1_000_000 * 200


def test_an_api_body_over_the_limit_answers_413_in_the_json_envelope(app, client, world):
    from tests.functional.test_api import bearer

    app.config["MAX_CONTENT_LENGTH"] = 1 * MIB
    body = b'{"order_no": "' + b"x" * (2 * MIB) + b'"}'
    response = client.post("/api/v1/orders", data=body, content_type="application/json",
                           headers=bearer(world.user_admin))
    assert response.status_code == 413
    assert response.json["error"]["status"] == 413
    assert "最多 1 MB" in response.json["error"]["message"]


def test_a_form_over_the_limit_answers_413_with_the_error_page_in_the_users_language(app, client, world):
    app.config["MAX_CONTENT_LENGTH"] = 1 * MIB
    response = client.post("/login?lang=en", data={"username": "x" * (2 * MIB), "password": "p"})
    assert response.status_code == 413
    page = response.get_data(as_text=True)
    assert "Request too large: at most 1 MB" in page and "capacity limit" not in page


def test_the_import_upload_takes_a_file_over_the_general_limit_up_to_its_own(app, client, auth, world, tmp_path):
    app.config.update(UPLOAD_DIR=str(tmp_path / "uploads"), MAX_CONTENT_LENGTH=1 * MIB, MAX_IMPORT_UPLOAD_LENGTH=3 * MIB)
    auth.login("admin")
    big = AGENTS + "\n" * (2 * MIB)  # blank rows are skipped
    response = client.post("/imports", data={"kind": "agents", "file": (io.BytesIO(big.encode()), "f.csv")},
                           content_type="multipart/form-data")
    assert response.status_code == 302, response.status_code
    too_big = AGENTS + "\n" * (4 * MIB)
    response = client.post("/imports", data={"kind": "agents", "file": (io.BytesIO(too_big.encode()), "f.csv")},
                           content_type="multipart/form-data")
    assert response.status_code == 413
    assert "最多 3 MB" in response.get_data(as_text=True)
