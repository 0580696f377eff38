"""The plan import on the plans page and in the CLI: the file's encoding is read, what became of
each plan is said, and a refusal names the plan's position in the file."""
import io
import json
from dataclasses import replace
from datetime import date

from channel.services import commissions as plans
from channel.services.commissions_run import run_period
from models import db
from models.commissions import CommissionPlan
from tests.commissions_fixtures import plan


def _file(plans_list, encoding="utf-8") -> bytes:
    return json.dumps({"format": "qudao-plans/1", "plans": plans_list}, ensure_ascii=False).encode(encoding)


def test_a_gbk_plan_file_uploads_with_its_chinese_names(client, auth, world):
    entry = {"name": "华南返利", "channel": "agent", "level": 4, "valid_from": "2026-01-01", "base_rate_bp": 300,
             "category_rates": {"净水设备": 450}}
    auth.login("manager")
    response = client.post("/commissions/plans/import", data={"file": (io.BytesIO(_file([entry], "gbk")), "p.json")},
                           content_type="multipart/form-data", follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "已导入 1 个方案：新建 1 个" in page
    saved = db.session.query(CommissionPlan).one()
    assert saved.name == "华南返利" and saved.category_rates[0].category == "净水设备"


def test_re_uploading_the_own_export_says_nothing_changed(client, auth, world):
    first = plan(name="分销商返利", level=4, base_rate_bp=300)
    run_period("2026-10")
    plans.save_plan(replace(plans.spec_of(first), base_rate_bp=350, valid_from=date(2026, 11, 1)), plan_id=first.id)
    exported = json.dumps(plans.export_plans(), ensure_ascii=False).encode("utf-8")
    auth.login("manager")
    page = client.post("/commissions/plans/import", data={"file": (io.BytesIO(exported), "p.json")},
                       content_type="multipart/form-data", follow_redirects=True).get_data(as_text=True)
    assert "已导入 2 个方案：新建 0 个，新版本 0 个，修改 0 个，没有改动 2 个" in page
    assert db.session.query(CommissionPlan).count() == 2


def test_saving_the_plan_form_unchanged_says_so(client, auth, world):
    first = plan(name="分销商返利", level=4, base_rate_bp=300)
    run_period("2026-10")
    auth.login("manager")
    form = client.get(f"/commissions/plans/{first.id}/edit").get_data(as_text=True)
    assert "分销商返利" in form
    data = {"name": "分销商返利", "channel": "agent", "level": "4", "valid_from": "2026-01-01", "valid_to": "",
            "order_kind": "sell_out", "base_kind": "revenue", "base_rate": "3", "tier_mode": "marginal",
            "qualify_mode": "skip", "bonus_scope": "personal", "qualify_min": "0", "bonus_target": "0", "bonus": "0",
            "recruit_bonus": "0", "tiers": "", "category_rates": "", "override_rates": "", "seller_code": ""}
    page = client.post(f"/commissions/plans/{first.id}/edit", data=data, follow_redirects=True).get_data(as_text=True)
    assert "没有改动，未保存新版本" in page
    assert db.session.query(CommissionPlan).count() == 1


def test_the_cli_says_what_became_of_each_plan_and_which_plan_is_refused(app, world, tmp_path):
    plan(name="甲", level=3, base_rate_bp=100)
    path = tmp_path / "plans.json"
    path.write_bytes(_file([{"name": "乙", "channel": "agent", "level": 4, "valid_from": "2026-01-01",
                             "base_rate_bp": 100},
                            {"name": "丙", "channel": "agent", "level": 3, "valid_from": "2026-03-01",
                             "base_rate_bp": 200}], "utf-8-sig"))
    result = app.test_cli_runner().invoke(args=["plans", "import", str(path)])
    assert result.exit_code == 1 and "plan 2: 与方案“甲”" in result.output
    path.write_bytes(json.dumps(plans.export_plans(), ensure_ascii=False).encode("utf-8"))
    result = app.test_cli_runner().invoke(args=["plans", "import", str(path)])
    assert result.exit_code == 0 and "from 2026-01-01: unchanged" in result.output


def test_the_cli_prints_channels_levels_and_actions_as_the_pages_show_them(app, world, tmp_path, client, auth):
    """It printed the stored codes: "(agent, level 4) from 2026-01-01: new version"."""
    path = tmp_path / "plans.json"
    entries = [{"name": "华南返利", "channel": "agent", "level": 4, "valid_from": "2026-01-01", "base_rate_bp": 300},
               {"name": "直销提成", "channel": "direct", "valid_from": "2026-01-01", "base_rate_bp": 500}]
    path.write_bytes(_file(entries))
    result = app.test_cli_runner().invoke(args=["plans", "import", str(path)])
    assert result.exit_code == 0, result.output
    assert "  华南返利 v1 (Agents, Reseller) from 2026-01-01: created" in result.output
    assert "  直销提成 v1 (Direct, All) from 2026-01-01: created" in result.output
    entries[0]["base_rate_bp"] = 350  # no ledger line used it: edited in place
    path.write_bytes(_file(entries))
    result = app.test_cli_runner().invoke(args=["plans", "import", str(path)])
    assert "华南返利 v1 (Agents, Reseller) from 2026-01-01: changed" in result.output
    assert "直销提成 v1 (Direct, All) from 2026-01-01: unchanged" in result.output
    # the plans list shows the same words, in English
    auth.login("manager")
    client.post("/lang/en")
    page = client.get("/commissions/plans").get_data(as_text=True)
    row = page.split("华南返利")[1].split("</tr>")[0]
    assert "<td>Agents</td>" in row and "<td>Reseller</td>" in row


def test_a_tier_needing_a_certification_nobody_can_get_is_flagged(client, auth, world):
    entry = {"name": "华南返利", "channel": "agent", "level": 4, "valid_from": "2026-01-01", "base_rate_bp": 300,
             "tiers": [{"from_fen": 0, "to_fen": 100_000, "rate_bp": 0},
                       {"from_fen": 100_000, "to_fen": None, "rate_bp": 100, "certification": "NO-SUCH-CERT"}]}
    auth.login("manager")
    page = client.post("/commissions/plans/import", data={"file": (io.BytesIO(_file([entry])), "p.json")},
                       content_type="multipart/form-data", follow_redirects=True).get_data(as_text=True)
    assert "已导入 1 个方案" in page and "NO-SUCH-CERT 目前没有人持有" in page
    saved = db.session.query(CommissionPlan).one()
    assert plans.unknown_certifications(saved) == ["NO-SUCH-CERT"]
    from models.selling import Certification

    db.session.add(Certification(seller_id=world.NS.id, code="NO-SUCH-CERT", passed=True,
                                 certified_on=date(2026, 1, 5)))
    db.session.commit()
    assert plans.unknown_certifications(saved) == []


def test_the_versions_of_a_plan_sharing_an_unheld_certification_warn_once(client, auth, world):
    tiers = [{"from_fen": 0, "to_fen": 100_000, "rate_bp": 0},
             {"from_fen": 100_000, "to_fen": None, "rate_bp": 100, "certification": "NO-SUCH-CERT"}]
    entries = [{"name": "华南返利", "channel": "agent", "level": 4, "valid_from": "2026-01-01", "valid_to": "2026-07-01",
                "base_rate_bp": 300, "tiers": tiers},
               {"name": "华南返利", "channel": "agent", "level": 4, "valid_from": "2026-07-01", "base_rate_bp": 350,
                "tiers": tiers}]
    auth.login("manager")
    page = client.post("/commissions/plans/import", data={"file": (io.BytesIO(_file(entries)), "p.json")},
                       content_type="multipart/form-data", follow_redirects=True).get_data(as_text=True)
    assert "已导入 2 个方案" in page and page.count("NO-SUCH-CERT 目前没有人持有") == 1


def test_an_uploaded_plan_dated_in_year_one_is_refused_with_the_allowed_years(client, auth, world):
    entry = {"name": "华南返利", "channel": "agent", "level": 4, "valid_from": "0001-01-01", "base_rate_bp": 300}
    auth.login("manager")
    page = client.post("/commissions/plans/import", data={"file": (io.BytesIO(_file([entry])), "p.json")},
                       content_type="multipart/form-data", follow_redirects=True).get_data(as_text=True)
    assert "第 1 个方案：日期超出范围：只能是 1900-01-01 到 2999-12-31 之间的日期。" in page
    assert db.session.query(CommissionPlan).count() == 0
