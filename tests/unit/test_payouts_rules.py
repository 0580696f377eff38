"""Payout rules without a database: withholding, balances, the workflow, references, safe cells,
the bank's result file."""
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from channel.domain.errors import Conflict, DomainError, Forbidden
from channel.domain.exports import safe_cell
from channel.domain.payouts import (
    bank_result_note, check_editable, check_maker_checker, check_transition, classify_balance, parse_bank_result,
    parse_reference, read_bank_result_note, reference,
)
from channel.domain.payouts_tax import Bracket, WithholdingTable, withhold

YUAN = 100


@pytest.mark.parametrize("gross, tax", [
    (800, 0),            # ≤ ¥800: nothing taxable
    (3_000, 440),        # (3,000 − 800) × 20%
    (4_000, 640),        # (4,000 − 800) × 20%
    (5_000, 800),        # 5,000 × 80% × 20%
    (25_000, 4_000),     # taxable 20,000 exactly: still 20%
    (30_000, 5_200),     # taxable 24,000 × 30% − 2,000
    (62_500, 13_000),    # taxable 50,000 × 30% − 2,000
    (100_000, 25_000),   # taxable 80,000 × 40% − 7,000
])
def test_labour_remuneration_withholding_matches_the_hand_computed_table(gross, tax):
    result = withhold(gross * YUAN)
    assert result.tax_fen == tax * YUAN
    assert result.net_fen == (gross - tax) * YUAN


def test_withholding_rounds_once_half_up_to_the_fen():
    # ¥4,000.01 → taxable 320,000.8 fen × 20% = 64,000.16 → 64,000 fen
    assert withhold(400_001).tax_fen == 64_000
    # ¥1,000.03 → (100,003 − 80,000) × 20% = 4,000.6 → 4,001 fen
    assert withhold(100_003).tax_fen == 4_001


def test_the_withholding_table_is_configurable_and_checked():
    flat = WithholdingTable.from_config({"name": "flat 10%", "fixed_deduction_fen": 0, "small_income_limit_fen": 0,
                                         "ratio_deduction_bp": 0, "brackets": [[None, 1000, 0]]})
    assert withhold(12_345, flat).tax_fen == 1_235
    assert "10%" in withhold(12_345, flat).explain()
    with pytest.raises(DomainError):
        WithholdingTable.from_config({"brackets": [[5_000, 2000, 0], [1_000, 3000, 0], [None, 4000, 0]]})
    with pytest.raises(DomainError):
        WithholdingTable.from_config({"brackets": [Bracket(5_000, 2000, 0)]})


@given(st.integers(min_value=-10**9, max_value=10**10))
def test_withholding_is_never_negative_never_above_the_payment_and_grows_with_it(gross):
    result = withhold(gross)
    assert 0 <= result.tax_fen <= max(gross, 0)
    assert withhold(gross + 100).tax_fen >= result.tax_fen
    assert isinstance(result.taxable_fen, Decimal)


@pytest.mark.parametrize("balance, payee_type, minimum, status", [
    (-1, "individual", 0, "owed"),
    (0, "individual", 0, "carried"),
    (9_999, "individual", 10_000, "carried"),
    (10_000, "individual", 10_000, "payable"),
    (10_000, "employee", 10_000, "payable"),
    (10_000, "company", 10_000, "awaiting_invoice"),
    (-50_000, "company", 10_000, "owed"),
])
def test_a_balance_is_owed_carried_or_payable(balance, payee_type, minimum, status):
    assert classify_balance(balance, payee_type, minimum) == status


def test_an_agent_without_a_bank_account_is_not_payable_but_an_employee_is():
    assert classify_balance(50_000, "individual", 100, has_account=False) == "no_account"
    assert classify_balance(50_000, "company", 100, has_account=False) == "no_account"
    assert classify_balance(50_000, "employee", 100, has_account=False) == "payable"
    assert classify_balance(50, "individual", 100, has_account=False) == "carried"


def test_the_workflow_refuses_with_clear_messages():
    assert check_transition("submit", "draft") == "submitted"
    assert check_transition("approve", "submitted") == "approved"
    assert check_transition("cancel", "approved") == "cancelled"
    with pytest.raises(Conflict, match="不能重复付款"):
        check_transition("pay", "paid")
    with pytest.raises(Conflict, match="已取消的批次不能导出"):
        check_transition("export", "cancelled")
    with pytest.raises(Conflict, match="不能取消"):
        check_transition("cancel", "exported")
    with pytest.raises(Conflict, match="不能再修改"):
        check_editable("approved")
    check_editable("draft")


def test_maker_checker_refuses_the_maker_and_the_submitter():
    with pytest.raises(Forbidden):
        check_maker_checker(1, 1, 2)
    with pytest.raises(Forbidden):
        check_maker_checker(2, 1, 2)
    check_maker_checker(3, 1, 2)
    check_maker_checker(3, None, 2)


def test_references_round_trip():
    assert reference(12, 3456) == "QD000012-00003456"
    assert parse_reference(" QD000012-00003456 ") == (12, 3456)
    assert parse_reference("=QD000012-00003456") is None


@pytest.mark.parametrize("text", ["=1+1", "+86 138", "-2-3", "-cmd|' /C calc'!A0", "@SUM(A1)", "\tx", "\r=x"])
def test_cells_a_spreadsheet_would_run_are_neutralised(text):
    """The payout files use the exports' one rule (channel.domain.exports.safe_cell)."""
    assert safe_cell(text) == "'" + text


def test_safe_cells_and_numbers_pass_unchanged():
    assert safe_cell("广东省代") == "广东省代"
    assert safe_cell(Decimal("-1.00")) == Decimal("-1.00") and safe_cell("-1.00") == "-1.00"
    assert safe_cell(None) is None


def test_the_bank_result_file_is_read_in_english_or_chinese():
    results = parse_bank_result("\ufeff参考号,状态,说明\nQD000001-00000001,成功,\nQD000001-00000002,失败,户名不符\n")
    assert [(r.reference, r.ok, r.message) for r in results] == [
        ("QD000001-00000001", True, ""), ("QD000001-00000002", False, "户名不符")]
    assert parse_bank_result("reference,status\nQD000001-00000001,success\n\n")[0].ok


@pytest.mark.parametrize("text, line", [
    ("reference,status\nQD000001-00000001,maybe\n", "第 2 行"),
    ("reference,status\nQD000001-00000001,success\nnot-ours,success\n", "第 3 行"),
    ("reference,status\nQD000001-00000001,success\nQD000001-00000001,failed\n", "第 3 行"),
])
def test_a_bad_line_in_the_bank_result_is_named(text, line):
    with pytest.raises(DomainError) as error:
        parse_bank_result(text)
    assert str(error.value).startswith(line)


def test_a_bank_result_without_the_needed_columns_is_refused():
    with pytest.raises(DomainError):
        parse_bank_result("id,result\n1,ok\n")
    with pytest.raises(DomainError):
        parse_bank_result("reference,status\n")


def test_only_the_rows_a_batch_pays_have_a_paid_amount():
    from channel.domain.payouts import PAYING, paid_fen
    from models.payouts import CLAIMING_ROWS, ROW_STATUSES

    assert set(PAYING) == set(CLAIMING_ROWS)  # one rule: what a batch counts is what files show paid
    for status in ROW_STATUSES:
        assert paid_fen(status, 12_345) == (12_345 if status in ("payable", "awaiting_invoice", "paid") else 0)


def test_the_explanation_never_says_a_positive_taxable_income_is_zero():
    """¥800.01 leaves ¥0.01 taxable, whose 20% rounds to no tax: the line shows that sum, not
    "¥800.01 − ¥800.00 ≤ 0", which is false. Nothing taxable still reads "≤ 0 → 0"."""
    assert withhold(80_001).tax_fen == 0
    assert withhold(80_001).explain() == "(¥800.01 − ¥800.00) × 20% − ¥0.00 = ¥0.00"
    assert withhold(80_000).explain() == "¥800.00 − ¥800.00 ≤ 0 → 0"
    assert withhold(11_003).explain() == "¥110.03 − ¥800.00 ≤ 0 → 0"


def test_an_invoice_number_is_written_one_way_however_it_was_typed():
    from channel.domain.payouts import invoice_number

    assert invoice_number("  inv-001 ") == "INV-001"
    assert invoice_number("ＩＮＶ－００１") == "INV-001"  # full width, from a Chinese IME
    assert invoice_number("04403200111") == "04403200111"  # a fapiao number keeps its leading zero
    assert invoice_number(None) == "" and invoice_number("　") == ""


def test_a_bank_result_note_is_read_back_and_no_other_text_is():
    assert read_bank_result_note(bank_result_note(270, 1, 11)) == (270, 1, 11)
    assert read_bank_result_note("bank result: 270 paid, 0 failed, 11 awaiting") == (270, 0, 11)  # stored notes
    for other in (None, "", "户名不符", "bank result: 2 paid", "x bank result: 1 paid, 0 failed, 0 awaiting"):
        assert read_bank_result_note(other) is None


def test_the_bank_files_tax_column_names_the_kind_once_then_the_formula():
    from channel.domain.payouts_tax import tax_note
    from channel.services.payouts_export import tax_treatment
    from models.tree import PAYEE_INDIVIDUAL

    table = WithholdingTable()
    note = tax_note(table, withhold(500_000, table))  # ¥5,000: (5000 × (1 − 20%)) × 20% = ¥800
    assert note.startswith(table.name)
    column = tax_treatment(PAYEE_INDIVIDUAL, None, note)
    assert column.startswith("劳务报酬 代扣个税 ") and table.name not in column
    assert column == f"劳务报酬 代扣个税 {withhold(500_000, table).explain()}"
    assert tax_treatment(PAYEE_INDIVIDUAL, None, None) == "劳务报酬 代扣个税"
