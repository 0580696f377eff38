"""Payout batches on both backends: balances, holds, thresholds, netting, invoices, withholding,
maker-checker, concurrency, bank results and reconciliation."""
from __future__ import annotations

import io
import threading

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from channel.domain.errors import Conflict, DomainError, Forbidden
from channel.domain.payouts import reference
from channel.services import payouts
from channel.services.payouts_export import BANK, PAYROLL, csv_chunks, write_xlsx
from models import db
from models.commissions import PeriodLock
from models.ops import AuditEvent
from models.payouts import LedgerSettlement, PayoutEvent, PayoutRow
from tests.payouts_fixtures import post_lines, set_payee, uid

YUAN = 100


def row_of(batch, seller) -> PayoutRow:
    return db.session.scalar(select(PayoutRow).where(PayoutRow.batch_id == batch.id, PayoutRow.payee_id == seller.id))


def approved(world, period="2026-10", minimum=100 * YUAN, invoices=True):
    """A batch created and submitted by finance, invoices recorded, approved by finance2."""
    batch = payouts.create_batch(period, uid(world, "finance"), minimum=minimum)
    if invoices:
        for row in payouts.batch_rows(batch.id, status="awaiting_invoice", size=1000):
            payouts.record_invoice(row.id, uid(world, "finance"), f"INV-{row.id:08d}")
    payouts.submit(batch.id, uid(world, "finance"))
    return payouts.approve(batch.id, uid(world, "finance2"))


def exported(world, **kw):
    batch = approved(world, **kw)
    return payouts.start_export(batch.id, uid(world, "finance"))


def settled_line_ids() -> set[int]:
    return set(db.session.scalars(select(LedgerSettlement.ledger_line_id)))


# --- maker-checker ------------------------------------------------------------------------------

def test_the_creator_or_submitter_cannot_approve_their_own_batch(world):
    post_lines("2026-10", [(world.GD, 500 * YUAN)])
    batch = payouts.create_batch("2026-10", uid(world, "finance"))
    payouts.submit(batch.id, uid(world, "finance2"))
    with pytest.raises(Forbidden):
        payouts.approve(batch.id, uid(world, "finance"))  # the maker
    with pytest.raises(Forbidden):
        payouts.approve(batch.id, uid(world, "finance2"))  # the submitter
    assert payouts.get_batch(batch.id).status == "submitted"
    payouts.approve(batch.id, uid(world, "admin"))
    assert payouts.get_batch(batch.id).status == "approved"


def test_approval_by_another_finance_user_locks_the_period_and_logs_every_transition(world):
    post_lines("2026-10", [(world.GD, 500 * YUAN)])
    batch = approved(world)
    lock = db.session.get(PeriodLock, "2026-10")
    assert lock is not None and lock.locked_by_id == uid(world, "finance2")
    steps = [(e.action, e.from_status, e.to_status, e.total_fen, e.actor_id) for e in payouts.events(batch.id)]
    assert steps == [("create", None, "draft", 500 * YUAN, uid(world, "finance")),
                     ("submit", "draft", "submitted", 500 * YUAN, uid(world, "finance")),
                     ("approve", "submitted", "approved", 500 * YUAN, uid(world, "finance2"))]
    audited = db.session.scalars(select(AuditEvent.action).where(AuditEvent.object_type == "payout_batch")).all()
    assert audited == ["payout.create", "payout.submit", "payout.approve"]


def test_an_approved_batch_cannot_be_edited_and_a_cancelled_one_cannot_be_exported(world):
    post_lines("2026-10", [(world.GD, 500 * YUAN), (world.SZ, 400 * YUAN)])
    batch = payouts.create_batch("2026-10", uid(world, "finance"))
    sz = row_of(batch, world.SZ)
    payouts.submit(batch.id, uid(world, "finance"))
    with pytest.raises(Conflict, match="不能再修改"):
        payouts.record_invoice(sz.id, uid(world, "finance"), "INV-1")
    with pytest.raises(Conflict, match="审批后才能导出"):
        payouts.start_export(batch.id, uid(world, "finance"))
    payouts.cancel(batch.id, uid(world, "finance"), "wrong minimum")
    with pytest.raises(Conflict, match="已取消的批次不能导出"):
        payouts.start_export(batch.id, uid(world, "finance"))
    assert settled_line_ids() == set()  # its lines are payable again
    again = payouts.create_batch("2026-10", uid(world, "finance"))
    assert row_of(again, world.GD).gross_fen == 500 * YUAN


def test_a_second_draft_is_refused_while_one_is_pending(world):
    post_lines("2026-10", [(world.GD, 500 * YUAN)])
    first = payouts.create_batch("2026-10", uid(world, "finance"))
    with pytest.raises(Conflict, match=f"#{first.id}"):
        payouts.create_batch("2026-10", uid(world, "finance"))


# --- balances ------------------------------------------------------------------------------------

def test_a_balance_below_the_minimum_carries_forward_to_the_next_batch(world):
    oct_line, = post_lines("2026-10", [(world.NS, 60 * YUAN)])
    october = approved(world, minimum=100 * YUAN)
    assert row_of(october, world.NS).status == "carried"
    assert oct_line.id not in settled_line_ids()
    nov_line, = post_lines("2026-11", [(world.NS, 70 * YUAN)])
    november = approved(world, period="2026-11", minimum=100 * YUAN)
    row = row_of(november, world.NS)
    assert (row.status, row.gross_fen, row.lines) == ("payable", 130 * YUAN, 2)
    assert {oct_line.id, nov_line.id} <= settled_line_ids()


def test_a_negative_balance_is_never_paid_and_is_netted_against_later_earnings(world):
    post_lines("2026-10", [(world.SZ, 200 * YUAN), (world.SZ, -500 * YUAN)])
    october = approved(world)
    row = row_of(october, world.SZ)
    assert (row.status, row.gross_fen) == ("owed", -300 * YUAN)
    assert october.total_fen == 0 and settled_line_ids() == set()
    post_lines("2026-11", [(world.SZ, 1000 * YUAN)])
    november = approved(world, period="2026-11")
    row = row_of(november, world.SZ)
    assert (row.status, row.gross_fen, row.lines) == ("payable", 700 * YUAN, 3)
    assert [p for p in payouts.by_period(payouts.composition(row))] == [("2026-10", 2, -300 * YUAN),
                                                                         ("2026-11", 1, 1000 * YUAN)]


def test_a_held_line_waits_and_is_paid_in_a_later_batch_once_released(world):
    kept, held = post_lines("2026-10", [(world.GD, 300 * YUAN), (world.GD, 200 * YUAN)])
    hold = payouts.hold_ledger_line(held.id, uid(world, "finance"), "串货调查中")
    october = approved(world)
    assert row_of(october, world.GD).gross_fen == 300 * YUAN
    assert held.id not in settled_line_ids()
    payouts.release_ledger_hold(hold.id, uid(world, "finance"))
    november = approved(world, period="2026-11")
    assert row_of(november, world.GD).gross_fen == 200 * YUAN
    assert held.id in settled_line_ids()


def test_a_manual_hold_on_a_row_keeps_the_payee_out_until_released(world):
    post_lines("2026-10", [(world.GD, 300 * YUAN), (world.SZ, 300 * YUAN)])
    batch = payouts.create_batch("2026-10", uid(world, "finance"))
    with pytest.raises(DomainError):
        payouts.hold_row(row_of(batch, world.GD).id, uid(world, "finance"), "  ")
    payouts.hold_row(row_of(batch, world.GD).id, uid(world, "finance"), "银行账户待核实")
    assert batch.total_fen == 300 * YUAN and payouts.reconcile(batch.id).ok
    payouts.cancel(batch.id, uid(world, "finance"), "redo")
    again = payouts.create_batch("2026-10", uid(world, "finance"))
    assert row_of(again, world.GD) is None and row_of(again, world.SZ).gross_fen == 300 * YUAN
    hold, = payouts.active_payee_holds()
    payouts.release_payee_hold(hold.id, uid(world, "finance"))
    payouts.cancel(again.id, uid(world, "finance"), "redo")
    assert row_of(payouts.create_batch("2026-10", uid(world, "finance")), world.GD).gross_fen == 300 * YUAN


def test_lines_of_runs_not_posted_and_of_later_periods_are_not_gathered(world):
    post_lines("2026-10", [(world.GD, 300 * YUAN)], status="running")
    post_lines("2026-11", [(world.GD, 300 * YUAN)])
    with pytest.raises(DomainError, match="没有未结算"):
        payouts.create_batch("2026-10", uid(world, "finance"))
    assert payouts.batches() == []


# --- invoices and withholding --------------------------------------------------------------------

def test_a_company_agent_is_paid_only_once_its_invoice_is_recorded(world):
    post_lines("2026-10", [(world.GD, 800 * YUAN), (world.SZ, 900 * YUAN)])
    batch = payouts.create_batch("2026-10", uid(world, "finance"))
    assert row_of(batch, world.GD).status == "awaiting_invoice"
    payouts.record_invoice(row_of(batch, world.GD).id, uid(world, "finance"), "44031234")
    payouts.submit(batch.id, uid(world, "finance"))
    payouts.approve(batch.id, uid(world, "finance2"))
    assert row_of(batch, world.GD).status == "payable"
    assert row_of(batch, world.SZ).status == "invoice_missing"
    assert batch.total_fen == 800 * YUAN and payouts.reconcile(batch.id).ok
    payouts.start_export(batch.id, uid(world, "finance"))
    text = b"".join(csv_chunks(batch.id, BANK)).decode("utf-8-sig")
    assert "广东省代" in text and "44031234" in text and "深圳市代" not in text
    november = payouts.create_batch("2026-11", uid(world, "finance"))
    assert row_of(november, world.SZ).gross_fen == 900 * YUAN


def test_an_individual_agent_has_tax_withheld_on_the_worked_example(world):
    set_payee(world.NS, "individual")
    post_lines("2026-10", [(world.NS, 30_000 * YUAN)])
    batch = exported(world)
    row = row_of(batch, world.NS)
    # ¥30,000 > ¥4,000: taxable 30,000 × 80% = 24,000; 24,000 × 30% − 2,000 = 5,200
    assert (row.gross_fen, row.tax_fen, row.net_fen) == (30_000 * YUAN, 5_200 * YUAN, 24_800 * YUAN)
    assert (batch.total_fen, batch.tax_fen, batch.net_fen) == (30_000 * YUAN, 5_200 * YUAN, 24_800 * YUAN)
    assert "30%" in row.tax_note


def test_employees_go_to_the_payroll_file_not_the_bank_file(world):
    post_lines("2026-10", [(world.REP1, 600 * YUAN), (world.GD, 600 * YUAN)])
    batch = exported(world)
    bank = b"".join(csv_chunks(batch.id, BANK)).decode("utf-8-sig")
    payroll = b"".join(csv_chunks(batch.id, PAYROLL)).decode("utf-8-sig")
    assert "销售代表一" in payroll and "销售代表一" not in bank
    assert "广东省代" in bank and "广东省代" not in payroll


def test_the_xlsx_reads_back_with_openpyxl_and_neutralises_formulas(world):
    from openpyxl import load_workbook

    set_payee(world.NS, "individual", name="=HYPERLINK(\"http://evil\",\"x\")", bank_name="@SUM(A1)",
              bank_account="+8613800000000")
    set_payee(world.GD, bank_name="招商银行", bank_account="6225880000000001")
    post_lines("2026-10", [(world.NS, 3_000 * YUAN), (world.GD, 1_234_56)])
    batch = exported(world)
    out = io.BytesIO()
    write_xlsx(batch.id, BANK, out)
    sheet = load_workbook(io.BytesIO(out.getvalue()), read_only=True).active
    header, *data = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert header[:5] == ["收款方", "编码", "收款方类型", "开户银行", "银行账号"]
    by_code = {r[1]: r for r in data}
    ns, gd = by_code["NS"], by_code["GD"]
    assert ns[0] == "'=HYPERLINK(\"http://evil\",\"x\")" and ns[3] == "'@SUM(A1)" and ns[4] == "'+8613800000000"
    # ¥3,000 ≤ ¥4,000: (3,000 − 800) × 20% = 440 withheld
    assert (float(ns[5]), float(ns[6]), float(ns[7])) == (3000.0, 440.0, 2560.0)
    assert gd[3:5] == ["招商银行", "6225880000000001"] and float(gd[7]) == 1234.56
    assert gd[8] == reference(batch.id, row_of(batch, world.GD).id)
    assert all(not str(cell).startswith(("=", "+", "-", "@")) for r in data for cell in r if isinstance(cell, str))
    text = b"".join(csv_chunks(batch.id, BANK)).decode("utf-8-sig")
    assert "'=HYPERLINK" in text and ",'+8613800000000," in text


# --- concurrency ---------------------------------------------------------------------------------

def test_two_concurrent_approvals_of_one_batch_exactly_one_wins(app, world):
    post_lines("2026-10", [(world.GD, 500 * YUAN)])
    batch = payouts.create_batch("2026-10", uid(world, "finance"))
    payouts.submit(batch.id, uid(world, "finance"))
    batch_id, approvers = batch.id, [uid(world, "finance2"), uid(world, "admin")]
    db.session.remove()
    barrier, outcomes = threading.Barrier(2), []

    def approve(user_id):
        with app.app_context():
            try:
                payouts.get_batch(batch_id)
                barrier.wait(timeout=10)
                payouts.approve(batch_id, user_id)
                outcomes.append("won")
            except Conflict:
                outcomes.append("lost")
            except Exception as error:  # noqa: BLE001 - report anything else as a failure
                outcomes.append(repr(error))
            finally:
                db.session.remove()

    threads = [threading.Thread(target=approve, args=(u,)) for u in approvers]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sorted(outcomes) == ["lost", "won"]
    assert db.session.scalar(select(func.count()).select_from(PayoutEvent).where(
        PayoutEvent.batch_id == batch_id, PayoutEvent.action == "approve")) == 1
    assert db.session.scalar(select(func.count()).select_from(PeriodLock)) == 1


# --- paid, bank results, reconciliation -----------------------------------------------------------

def test_marking_a_batch_paid_twice_is_refused(world):
    post_lines("2026-10", [(world.GD, 500 * YUAN)])
    batch = exported(world)
    payouts.mark_paid(batch.id, uid(world, "finance"))
    with pytest.raises(Conflict, match="不能重复付款"):
        payouts.mark_paid(batch.id, uid(world, "finance"))
    assert row_of(batch, world.GD).status == "paid"
    with pytest.raises(Conflict, match="不能重复付款"):
        payouts.apply_bank_result(batch.id, uid(world, "finance"), "reference,status\n")


def test_a_bank_result_with_one_failed_row_returns_that_row_to_the_next_batch(world):
    post_lines("2026-10", [(world.GD, 500 * YUAN), (world.ZJ, 600 * YUAN), (world.SZ, 700 * YUAN)])
    batch = exported(world)
    refs = {s.code: reference(batch.id, row_of(batch, s).id) for s in (world.GD, world.ZJ, world.SZ)}
    result = (f"reference,status,message\n{refs['GD']},success,\n{refs['ZJ']},失败,账户已冻结\n"
              f"{refs['SZ']},成功,\n")
    outcome = payouts.apply_bank_result(batch.id, uid(world, "finance"), result)
    assert (outcome.paid, outcome.failed, outcome.remaining) == (2, 1, 0)
    assert payouts.get_batch(batch.id).status == "paid"
    zj = row_of(batch, world.ZJ)
    assert (zj.status, zj.result_message) == ("failed", "账户已冻结")
    assert batch.total_fen == 1200 * YUAN and payouts.reconcile(batch.id).ok
    november = payouts.create_batch("2026-11", uid(world, "finance"))
    assert [(r.payee_id, r.gross_fen) for r in payouts.batch_rows(november.id)] == [(world.ZJ.id, 600 * YUAN)]


def test_after_the_bank_result_the_files_show_a_failed_row_unpaid_and_their_paid_column_sums_to_the_batch(world):
    """实付 of a row the bank returned is 0 in the bank file (CSV and XLSX) and in the batch's and
    the payee's list exports; the bank file's 实付 column sums to the batch's net total."""
    import csv
    from decimal import Decimal

    from openpyxl import load_workbook

    from channel.services import exports
    from models.users import User

    set_payee(world.ZJ, "individual")  # tax withheld: 应付 ≠ 实付 on a paid row
    post_lines("2026-10", [(world.GD, 500 * YUAN), (world.ZJ, 6000 * YUAN), (world.SZ, 700 * YUAN)])
    batch = exported(world)
    refs = {s.code: reference(batch.id, row_of(batch, s).id) for s in (world.GD, world.ZJ, world.SZ)}
    payouts.apply_bank_result(batch.id, uid(world, "finance"),
                              f"reference,status,message\n{refs['GD']},success,\n{refs['ZJ']},success,\n"
                              f"{refs['SZ']},failed,账户已冻结\n")
    batch = payouts.get_batch(batch.id)
    rows = list(csv.reader(io.StringIO(b"".join(csv_chunks(batch.id, BANK)).decode("utf-8-sig"))))
    paid = {r[1]: Decimal(r[7]) for r in rows[1:]}
    assert rows[0][7] == "实付金额" and paid["SZ"] == 0 and paid["GD"] == 500
    assert paid["ZJ"] == Decimal(row_of(batch, world.ZJ).net_fen) / 100 < 6000
    assert sum(paid.values()) * 100 == batch.net_fen
    out = io.BytesIO()
    write_xlsx(batch.id, BANK, out)
    sheet = load_workbook(io.BytesIO(out.getvalue()), read_only=True).active
    cells = {r[1]: r[7] for r in sheet.iter_rows(min_row=2, values_only=True)}
    assert float(cells["SZ"]) == 0 and sum(Decimal(str(v)) for v in cells.values()) * 100 == batch.net_fen
    finance = db.session.scalar(select(User).where(User.username == "finance"))
    listed = {r[2]: r for r in exports.payout_row_rows(finance, batch.id)}
    assert listed["SZ"][9] == Decimal("0.00") and listed["GD"][9] == Decimal("500.00")
    agent_sz = db.session.scalar(select(User).where(User.seller_id == world.SZ.id))
    assert [str(r[5]) for r in exports.my_payout_rows(agent_sz)] == ["0.00"]


def test_a_bank_result_naming_another_batchs_row_is_refused_whole(world):
    post_lines("2026-10", [(world.GD, 500 * YUAN)])
    batch = exported(world)
    good = reference(batch.id, row_of(batch, world.GD).id)
    with pytest.raises(DomainError, match="第 3 行"):
        payouts.apply_bank_result(batch.id, uid(world, "finance"),
                                  f"reference,status\n{good},success\n{reference(batch.id + 1, 1)},success\n")
    assert row_of(batch, world.GD).status == "payable"


def test_the_database_refuses_a_second_settlement_of_a_ledger_line(world):
    line, = post_lines("2026-10", [(world.GD, 500 * YUAN)])
    batch = payouts.create_batch("2026-10", uid(world, "finance"))
    db.session.add(LedgerSettlement(ledger_line_id=line.id, batch_id=batch.id, row_id=row_of(batch, world.GD).id))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


payees = st.sampled_from(["GD", "ZJ", "SZ", "GZ", "HZ", "NS", "TH", "REP1", "REP3"])
line = st.tuples(payees, st.integers(min_value=-50_000, max_value=2_000_000), st.booleans())


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(lines=st.lists(line, min_size=1, max_size=12), minimum=st.integers(0, 100_000),
       fail_some=st.lists(st.booleans(), max_size=12), invoice=st.booleans())
def test_reconciliation_holds_for_any_ledger(world, lines, minimum, fail_some, invoice):
    """Whatever the ledger, holds and bank outcome: batch total = its rows = its settled lines,
    every row's gross = the unsettled, unheld lines of its payee, and no line is settled twice."""
    from models.commissions import LedgerLine, LedgerHold

    set_payee(world.NS, "individual")
    posted = post_lines("2026-10", [(getattr(world, code), amount) for code, amount, _ in lines])
    for ledger_line, (_, _, held) in zip(posted, lines):
        if held:
            payouts.hold_ledger_line(ledger_line.id, uid(world, "finance"), "property test")
    claimed = settled_line_ids()
    held_ids = set(db.session.scalars(select(LedgerHold.ledger_line_id).where(LedgerHold.released_at.is_(None))))
    expected: dict[int, int] = {}
    for ledger_line in db.session.scalars(select(LedgerLine)):
        if ledger_line.id not in claimed and ledger_line.id not in held_ids:
            expected[ledger_line.payee_id] = expected.get(ledger_line.payee_id, 0) + ledger_line.amount_fen

    if not expected:  # everything held or settled: there is nothing to draft
        with pytest.raises(DomainError, match="没有未结算"):
            payouts.create_batch("2026-10", uid(world, "finance"), minimum=minimum)
        return
    batch = approved(world, minimum=minimum, invoices=invoice)
    rows = {r.payee_id: r for r in payouts.batch_rows(batch.id, size=1000)}
    assert {p: r.gross_fen for p, r in rows.items()} == expected
    for row in rows.values():
        assert row.net_fen == row.gross_fen - row.tax_fen and 0 <= row.tax_fen <= max(row.gross_fen, 0)
        if row.status == "payable":
            assert row.gross_fen > 0 and row.gross_fen >= minimum
    assert payouts.reconcile(batch.id).ok
    payouts.start_export(batch.id, uid(world, "finance"))
    payable = [r for r in rows.values() if r.status == "payable"]
    if payable:
        flags = (fail_some + [False] * len(payable))[:len(payable)]
        text = "reference,status\n" + "".join(
            f"{reference(batch.id, r.id)},{'failed' if f else 'success'}\n" for r, f in zip(payable, flags))
        payouts.apply_bank_result(batch.id, uid(world, "finance"), text)
    else:
        payouts.mark_paid(batch.id, uid(world, "finance"))
    check = payouts.reconcile(batch.id)
    assert check.ok, check
    assert db.session.scalar(select(func.count()).select_from(LedgerSettlement)) == len(settled_line_ids())


def test_cancelling_an_approved_batch_frees_its_lines_but_keeps_the_period_locked(world):
    post_lines("2026-10", [(world.GD, 500 * YUAN)])
    batch = approved(world)
    payouts.cancel(batch.id, uid(world, "finance"), "wrong bank details")
    assert settled_line_ids() == set() and payouts.reconcile(batch.id).ok
    assert db.session.get(PeriodLock, "2026-10") is not None
    with pytest.raises(Conflict):
        payouts.cancel(batch.id, uid(world, "finance"), "twice")
    again = payouts.create_batch("2026-10", uid(world, "finance"))
    assert row_of(again, world.GD).gross_fen == 500 * YUAN


def test_a_batch_that_would_settle_an_already_settled_line_is_refused_by_the_database(world, monkeypatch):
    """Even if the gathering query missed a claim (a race), UNIQUE(ledger_line_id) refuses it."""
    from models.commissions import CommissionRun, LedgerLine

    post_lines("2026-10", [(world.GD, 500 * YUAN)])
    first = approved(world)
    blind = lambda period: (select(LedgerLine.payee_id, LedgerLine.id, LedgerLine.period, LedgerLine.amount_fen)  # noqa: E731
                            .join(CommissionRun, CommissionRun.id == LedgerLine.run_id).where(LedgerLine.period <= period))
    monkeypatch.setattr(payouts, "payable_lines", blind)
    with pytest.raises(Conflict, match="另一个批次占用"):
        payouts.create_batch("2026-11", uid(world, "finance"), minimum=0)
    assert [b.id for b in payouts.batches()] == [first.id]


def test_an_agent_without_a_bank_account_is_carried_until_one_is_recorded(world):
    post_lines("2026-10", [(world.HZ, 500 * YUAN), (world.REP3, 500 * YUAN)], give_accounts=False)
    october = approved(world)
    assert row_of(october, world.HZ).status == "no_account"
    assert row_of(october, world.REP3).status == "payable"  # employees: payroll holds the account
    assert october.total_fen == 500 * YUAN and payouts.reconcile(october.id).ok
    set_payee(world.HZ, bank_name="中国银行", bank_account="6013820000000001")
    november = approved(world, period="2026-11")
    assert (row_of(november, world.HZ).status, row_of(november, world.HZ).gross_fen) == ("payable", 500 * YUAN)


def test_an_invoice_number_pays_one_row_of_any_batch_except_the_same_payees_cancelled_one(world):
    fin = uid(world, "finance")
    post_lines("2026-10", [(world.GD, 500 * YUAN), (world.SZ, 400 * YUAN)])
    batch = payouts.create_batch("2026-10", fin)
    payouts.record_invoice(row_of(batch, world.GD).id, fin, "INV-1")
    with pytest.raises(Conflict) as refused:
        payouts.record_invoice(row_of(batch, world.SZ).id, fin, "INV-1")
    assert refused.value.field == "invoice_no" and "广东省代" not in str(refused.value)
    assert row_of(batch, world.SZ).invoice_no is None
    with pytest.raises(DomainError):
        payouts.record_invoice(row_of(batch, world.SZ).id, fin, "9" * 65)
    payouts.cancel(batch.id, fin, "重做")
    again = payouts.create_batch("2026-10", fin)
    payouts.record_invoice(row_of(again, world.GD).id, fin, "INV-1")  # its own invoice: that batch paid nothing
    with pytest.raises(Conflict):
        payouts.record_invoice(row_of(again, world.SZ).id, fin, "INV-1")  # another payee's, cancelled or not
    payouts.record_invoice(row_of(again, world.SZ).id, fin, "INV-2")
    payouts.submit(again.id, fin)
    payouts.approve(again.id, uid(world, "finance2"))
    post_lines("2026-11", [(world.GD, 300 * YUAN)])
    later = payouts.create_batch("2026-11", fin)
    with pytest.raises(Conflict):
        payouts.record_invoice(row_of(later, world.GD).id, fin, "INV-1")  # used by an approved batch


def test_the_database_keeps_an_invoice_number_on_one_row_when_two_recordings_race(world, monkeypatch):
    """Two finance users record the same number at once: both pass the service's check (here:
    the check sees nothing), the unique index refuses the second, which reads as the check's
    refusal — not an IntegrityError (a 500 on the page) — and leaves its row as it was."""
    fin = uid(world, "finance")
    post_lines("2026-10", [(world.GD, 500 * YUAN), (world.SZ, 400 * YUAN)])
    batch = payouts.create_batch("2026-10", fin)
    payouts.record_invoice(row_of(batch, world.GD).id, fin, "INV-RACE")
    monkeypatch.setattr(payouts, "invoice_in_use", lambda invoice_no, row: False)
    with pytest.raises(Conflict) as refused:
        payouts.record_invoice(row_of(batch, world.SZ).id, fin, "INV-RACE")
    assert refused.value.field == "invoice_no" and "INV-RACE" in str(refused.value)
    assert (row_of(batch, world.SZ).invoice_no, row_of(batch, world.SZ).status) == (None, "awaiting_invoice")
    assert row_of(batch, world.GD).invoice_no == "INV-RACE"


def test_the_unique_invoice_index_spares_empty_numbers_and_a_cancelled_batchs_released_ones(world):
    fin = uid(world, "finance")
    post_lines("2026-10", [(world.GD, 500 * YUAN), (world.SZ, 400 * YUAN)])
    batch = payouts.create_batch("2026-10", fin)
    gd, sz = row_of(batch, world.GD), row_of(batch, world.SZ)
    gd.invoice_no = sz.invoice_no = ""  # not a number: the index does not count it
    db.session.commit()
    gd.invoice_no = sz.invoice_no = "INV-DB"
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()
    payouts.record_invoice(row_of(batch, world.GD).id, fin, "INV-DB")
    payouts.cancel(batch.id, fin, "重做")
    assert row_of(batch, world.GD).invoice_released_at is not None
    again = payouts.create_batch("2026-10", fin)
    payouts.record_invoice(row_of(again, world.GD).id, fin, "INV-DB")
    assert row_of(again, world.GD).invoice_released_at is None


def test_a_bank_result_line_of_a_row_not_paid_in_the_batch_says_so(world):
    post_lines("2026-10", [(world.REP1, 300 * YUAN), (world.REP2, 20 * YUAN)])
    batch = exported(world)
    rep1, rep2 = row_of(batch, world.REP1), row_of(batch, world.REP2)
    with pytest.raises(Conflict) as refused:
        payouts.apply_bank_result(batch.id, uid(world, "finance"), f"reference,status\n{reference(batch.id, rep1.id)},"
                                  f"success\n{reference(batch.id, rep2.id)},success\n")
    assert refused.value.params["status"] == "低于起付额，结转" and "已经处理过了" not in refused.value.message
    assert row_of(batch, world.REP1).status == "payable"  # nothing applied


def test_a_batch_for_a_month_that_has_not_begun_is_refused_and_nothing_is_drafted(world):
    from channel.domain.periods import Month
    from channel.services.clock import business_today
    from models.payouts import PayoutBatch

    post_lines("2026-10", [(world.GD, 500 * YUAN)])
    coming = Month.of(business_today()).next()
    with pytest.raises(DomainError, match="还没有开始") as refused:
        payouts.create_batch(str(coming), uid(world, "finance"))
    assert refused.value.field == "period"
    assert db.session.scalar(select(func.count()).select_from(PayoutBatch)) == 0
    assert payouts.create_batch("2026-10", uid(world, "finance")).period == "2026-10"


def test_an_invoice_number_typed_in_another_case_or_in_full_width_is_the_same_invoice(world):
    fin = uid(world, "finance")
    post_lines("2026-10", [(world.GD, 500 * YUAN), (world.SZ, 400 * YUAN)])
    batch = payouts.create_batch("2026-10", fin)
    assert payouts.record_invoice(row_of(batch, world.GD).id, fin, " inv-００１ ").invoice_no == "INV-001"
    for typed in ("INV-001", "Inv-001", "ＩＮＶ－００１"):
        with pytest.raises(Conflict):
            payouts.record_invoice(row_of(batch, world.SZ).id, fin, typed)
    assert row_of(batch, world.SZ).invoice_no is None


def test_an_invoice_recorded_in_lower_case_before_numbers_were_normalised_still_counts(world):
    fin = uid(world, "finance")
    post_lines("2026-10", [(world.GD, 500 * YUAN), (world.SZ, 400 * YUAN)])
    batch = payouts.create_batch("2026-10", fin)
    gd = row_of(batch, world.GD)
    gd.invoice_no, gd.status = "inv-7", "payable"  # as an earlier version stored it
    db.session.commit()
    with pytest.raises(Conflict):
        payouts.record_invoice(row_of(batch, world.SZ).id, fin, "INV-7")
