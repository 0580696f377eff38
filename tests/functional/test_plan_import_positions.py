"""A refused plan import names the plan's position in the file also when the rule it breaks
numbers something of its own (QA of session 16): "第 1 档与第 2 档重叠" of the second plan read
without "第 2 个方案：", since the tier's number took the place of the plan's."""
import io
import json

from models import db
from models.commissions import CommissionPlan

GOOD = {"name": "甲", "channel": "agent", "level": 3, "valid_from": "2026-01-01", "base_rate_bp": 100}
OVERLAPPING = {"name": "乙", "channel": "agent", "level": 4, "valid_from": "2026-01-01", "base_rate_bp": 100,
               "tiers": [{"from_fen": 0, "to_fen": 10_000, "rate_bp": 100},
                         {"from_fen": 5_000, "to_fen": None, "rate_bp": 200}]}


def _file() -> bytes:
    return json.dumps({"format": "qudao-plans/1", "plans": [GOOD, OVERLAPPING]}, ensure_ascii=False).encode()


def test_the_page_names_the_plan_whose_tiers_overlap(client, auth, world):
    auth.login("manager")
    page = client.post("/commissions/plans/import", data={"file": (io.BytesIO(_file()), "p.json")},
                       content_type="multipart/form-data", follow_redirects=True).get_data(as_text=True)
    assert "第 2 个方案：第 1 档与第 2 档重叠。" in page
    assert db.session.query(CommissionPlan).count() == 0  # all or nothing


def test_the_cli_names_the_plan_whose_tiers_overlap(app, world, tmp_path):
    path = tmp_path / "plans.json"
    path.write_bytes(_file())
    result = app.test_cli_runner().invoke(args=["plans", "import", str(path)])
    assert result.exit_code == 1 and "plan 2: " in result.output


def test_a_message_that_names_the_plan_itself_gets_no_second_position(client, auth, world):
    broken = dict(OVERLAPPING, base_rate_bp=3.5, tiers=[])  # "第 2 个方案的字段 base_rate_bp 类型不对。"
    body = json.dumps({"format": "qudao-plans/1", "plans": [GOOD, broken]}, ensure_ascii=False).encode()
    auth.login("manager")
    page = client.post("/commissions/plans/import", data={"file": (io.BytesIO(body), "p.json")},
                       content_type="multipart/form-data", follow_redirects=True).get_data(as_text=True)
    assert "第 2 个方案的字段 base_rate_bp 类型不对。" in page and "第 2 个方案：第 2 个方案" not in page
