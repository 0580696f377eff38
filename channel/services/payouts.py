"""Use cases of payouts: draft a batch from the ledger, move it through maker-checker approval,
record invoices and holds, mark it paid or apply the bank's result file, reconcile it.

Each public function is one transaction (one commit). Transitions are conditional UPDATEs
(`... WHERE id = :id AND status IN (:from)`) whose row count decides who won, so two finance
users approving the same batch at once get exactly one approval on SQLite and PostgreSQL alike.
Settings: PAYOUT_MINIMUM_FEN (default 10000 = ¥100), PAYOUT_WITHHOLDING (see payouts_tax).
"""
from __future__ import annotations

from dataclasses import dataclass

from flask import current_app
from sqlalchemy import and_, delete, exists, func, insert, literal, select, update
from sqlalchemy.exc import IntegrityError

from channel.domain import payouts as rules
from channel.domain.errors import Conflict, DomainError, N_, NotFound
from channel.domain.payouts_tax import WithholdingTable, tax_note, withhold
from channel.domain.periods import Month
from channel.services import audit
from channel.services.clock import business_today
from models import db, utcnow
from models.commissions import CommissionRun, LedgerHold, LedgerLine, PeriodLock
from models.payouts import (
    BATCH_APPROVED, BATCH_CANCELLED, BATCH_DRAFT, BATCH_EXPORTED, BATCH_PAID, BATCH_SUBMITTED, CLAIMING_ROWS,
    ROW_AWAITING_INVOICE, ROW_FAILED, ROW_HELD, ROW_INVOICE_MISSING, ROW_NO_ACCOUNT, ROW_PAID, ROW_PAYABLE,
    LedgerSettlement,
    PayeeHold, PayoutBatch, PayoutEvent, PayoutItem, PayoutRow,
)
from models.tree import PAYEE_INDIVIDUAL, Seller

DEFAULT_MINIMUM_FEN = 10_000


def minimum_fen() -> int:
    return int(current_app.config.get("PAYOUT_MINIMUM_FEN", DEFAULT_MINIMUM_FEN))


def withholding_table() -> WithholdingTable:
    return WithholdingTable.from_config(current_app.config.get("PAYOUT_WITHHOLDING"))


def get_batch(batch_id: int) -> PayoutBatch:
    batch = db.session.get(PayoutBatch, batch_id)
    if batch is None:
        raise NotFound(N_("没有这个付款批次。"))
    return batch


def get_row(row_id: int) -> PayoutRow:
    row = db.session.get(PayoutRow, row_id)
    if row is None:
        raise NotFound(N_("没有这条付款记录。"))
    return row


# --- drafting ---------------------------------------------------------------------------------

def payable_lines(period: str):
    """SELECT of the ledger lines a batch for `period` may gather: posted runs, that period or
    earlier, not claimed by any batch, not under an active hold, payee not held."""
    return (
        select(LedgerLine.payee_id, LedgerLine.id, LedgerLine.period, LedgerLine.amount_fen)
        .join(CommissionRun, CommissionRun.id == LedgerLine.run_id)
        .where(
            CommissionRun.status == "posted",
            LedgerLine.period <= period,
            ~exists().where(LedgerSettlement.ledger_line_id == LedgerLine.id),
            ~exists().where(LedgerHold.ledger_line_id == LedgerLine.id, LedgerHold.released_at.is_(None)),
            ~exists().where(PayeeHold.payee_id == LedgerLine.payee_id, PayeeHold.released_at.is_(None)),
        )
    )


def create_batch(period: str, actor_id: int | None, minimum: int | None = None) -> PayoutBatch:
    """Draft a batch for `period` ('YYYY-MM'): one row per payee with unsettled, unheld lines.

    Payable rows (and company rows awaiting an invoice) claim their lines; rows below the
    minimum, zero or negative claim nothing, so their lines carry forward and net later.
    Conflict while another batch is still a draft or submitted; DomainError for a month after
    the current one (Asia/Shanghai).
    """
    month = Month.parse(period)
    if month > Month.of(business_today()):
        # it would gather every line up to a month that has not begun and, approved, lock it
        raise DomainError(N_("期间 %(period)s 还没有开始，不能为它建付款批次。"), field="period", period=str(month))
    period = str(month)
    minimum = minimum_fen() if minimum is None else minimum
    if minimum < 0:
        raise DomainError(N_("最低付款金额不能为负数。"), field="minimum")
    pending = db.session.scalar(
        select(PayoutBatch.id).where(PayoutBatch.status.in_((BATCH_DRAFT, BATCH_SUBMITTED))).limit(1))
    if pending is not None:
        raise Conflict(N_("批次 #%(id)s 还没有审批；请先审批或取消它，再建新批次。"), id=pending)
    table = withholding_table()
    batch = PayoutBatch(period=period, status=BATCH_DRAFT, minimum_fen=minimum, created_by_id=actor_id)
    db.session.add(batch)
    db.session.flush()

    lines = payable_lines(period).subquery()
    db.session.execute(insert(PayoutItem).from_select(
        ["batch_id", "payee_id", "ledger_line_id", "period", "amount_fen"],
        select(literal(batch.id), lines.c.payee_id, lines.c.id, lines.c.period, lines.c.amount_fen),
    ))
    sums = (select(PayoutItem.payee_id, func.sum(PayoutItem.amount_fen).label("gross"), func.count().label("n"))
            .where(PayoutItem.batch_id == batch.id).group_by(PayoutItem.payee_id).subquery())
    rows = []
    for payee_id, gross, count, payee_type, name, code, bank_name, bank_account in db.session.execute(
        select(sums.c.payee_id, sums.c.gross, sums.c.n, Seller.payee_type, Seller.name, Seller.code,
               Seller.bank_name, Seller.bank_account).join(Seller, Seller.id == sums.c.payee_id)
    ):
        gross = int(gross)
        status = rules.classify_balance(gross, payee_type, minimum, has_account=bool((bank_account or "").strip()))
        tax, note = 0, None
        if payee_type == PAYEE_INDIVIDUAL and status == ROW_PAYABLE:
            withheld = withhold(gross, table)
            tax, note = withheld.tax_fen, tax_note(table, withheld)
        rows.append(dict(batch_id=batch.id, payee_id=payee_id, status=status, payee_type=payee_type,
                         payee_name=name, payee_code=code, bank_name=bank_name, bank_account=bank_account,
                         lines=int(count), gross_fen=gross, tax_fen=tax, net_fen=gross - tax, tax_note=note))
    if not rows:
        db.session.rollback()
        raise DomainError(N_("%(period)s 及以前没有未结算、未暂扣的佣金明细，无需建批次。"), field="period",
                          period=period)
    db.session.execute(insert(PayoutRow), rows)
    try:
        # The claim: UNIQUE(ledger_line_id) refuses a line another batch claimed meanwhile.
        db.session.execute(insert(LedgerSettlement).from_select(
            ["ledger_line_id", "batch_id", "row_id", "created_at"],
            select(PayoutItem.ledger_line_id, PayoutItem.batch_id, PayoutRow.id, literal(utcnow()))
            .join(PayoutRow, and_(PayoutRow.batch_id == PayoutItem.batch_id, PayoutRow.payee_id == PayoutItem.payee_id))
            .where(PayoutItem.batch_id == batch.id, PayoutRow.status.in_(CLAIMING_ROWS)),
        ))
        _refresh_totals(batch)
        _event(batch, actor_id, "create", None, BATCH_DRAFT)
        db.session.commit()
    except IntegrityError as error:
        db.session.rollback()
        if "ledger_settlement" in str(error.orig) or "ledger_line_id" in str(error.orig):
            raise Conflict(N_("有佣金明细刚被另一个批次占用，请刷新后重试。")) from error
        raise
    return batch


def _refresh_totals(batch: PayoutBatch) -> None:
    gross, tax, net, payees = db.session.execute(
        select(func.coalesce(func.sum(PayoutRow.gross_fen), 0), func.coalesce(func.sum(PayoutRow.tax_fen), 0),
               func.coalesce(func.sum(PayoutRow.net_fen), 0), func.count())
        .where(PayoutRow.batch_id == batch.id, PayoutRow.status.in_(CLAIMING_ROWS))
    ).one()
    batch.total_fen, batch.tax_fen, batch.net_fen, batch.payees = int(gross), int(tax), int(net), int(payees)
    db.session.flush()


def _event(batch: PayoutBatch, actor_id: int | None, action: str, from_status: str | None, to_status: str,
           note: str | None = None) -> None:
    """The transition in the batch's own log and in the app's audit log, with the totals now."""
    totals = dict(total_fen=batch.total_fen, tax_fen=batch.tax_fen, net_fen=batch.net_fen, payees=batch.payees)
    db.session.add(PayoutEvent(batch_id=batch.id, actor_id=actor_id, action=action, from_status=from_status,
                               to_status=to_status, note=note, **totals))
    audit.record(actor_id, f"payout.{action}", "payout_batch", batch.id,
                 {"from": from_status, "to": to_status, "period": batch.period, "note": note, **totals})


def _move(batch: PayoutBatch, action: str, **values) -> str:
    """Conditional UPDATE of the batch's status; Conflict when someone else moved it first."""
    sources, target = rules.TRANSITIONS[action]
    rules.check_transition(action, batch.status)
    result = db.session.execute(
        update(PayoutBatch).where(PayoutBatch.id == batch.id, PayoutBatch.status.in_(sources))
        .values(status=target, **values).execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        db.session.rollback()
        current = db.session.scalar(select(PayoutBatch.status).where(PayoutBatch.id == batch.id))
        rules.check_transition(action, current)  # the clear message for the state it is in now
        raise Conflict(N_("这个批次刚被别人处理过，请刷新后再看。"))
    previous = batch.status
    db.session.refresh(batch)
    return previous


# --- the workflow -----------------------------------------------------------------------------

def submit(batch_id: int, actor_id: int) -> PayoutBatch:
    batch = get_batch(batch_id)
    previous = _move(batch, "submit", submitted_by_id=actor_id, submitted_at=utcnow())
    _event(batch, actor_id, "submit", previous, batch.status)
    db.session.commit()
    return batch


def approve(batch_id: int, actor_id: int) -> PayoutBatch:
    """Approve (maker-checker: never the creator or the submitter) and lock the period.

    Company rows still without an invoice are set aside (their lines carry forward).
    """
    batch = get_batch(batch_id)
    rules.check_transition("approve", batch.status)
    rules.check_maker_checker(actor_id, batch.created_by_id, batch.submitted_by_id)
    previous = _move(batch, "approve", approved_by_id=actor_id, approved_at=utcnow())
    missing = select(PayoutRow.id).where(PayoutRow.batch_id == batch.id, PayoutRow.status == ROW_AWAITING_INVOICE)
    db.session.execute(delete(LedgerSettlement).where(LedgerSettlement.row_id.in_(missing)))
    db.session.execute(update(PayoutRow).where(PayoutRow.batch_id == batch.id, PayoutRow.status == ROW_AWAITING_INVOICE)
                       .values(status=ROW_INVOICE_MISSING).execution_options(synchronize_session=False))
    _refresh_totals(batch)
    if db.session.get(PeriodLock, batch.period) is None:
        db.session.add(PeriodLock(period=batch.period, locked_by_id=actor_id,
                                  reason=f"payout batch #{batch.id} approved"))
    _event(batch, actor_id, "approve", previous, batch.status)
    db.session.commit()
    return batch


def cancel(batch_id: int, actor_id: int, reason: str) -> PayoutBatch:
    """Cancel before export: every line it claimed is payable again. The period lock stays."""
    if not (reason or "").strip():
        raise DomainError(N_("请写明取消的原因。"), field="reason")
    batch = get_batch(batch_id)
    previous = _move(batch, "cancel", cancelled_by_id=actor_id, cancelled_at=utcnow(), cancel_reason=reason.strip())
    _event(batch, actor_id, "cancel", previous, batch.status, note=reason.strip()[:300])
    db.session.execute(delete(LedgerSettlement).where(LedgerSettlement.batch_id == batch.id))
    # it paid nothing: its invoices may be recorded again (the unique index skips released ones)
    db.session.execute(update(PayoutRow).where(PayoutRow.batch_id == batch.id, PayoutRow.invoice_no.is_not(None))
                       .values(invoice_released_at=utcnow()).execution_options(synchronize_session=False))
    db.session.commit()
    return batch


def start_export(batch_id: int, actor_id: int | None) -> PayoutBatch:
    """Approved → exported; an exported or paid batch downloads the same rows again. Refused for
    drafts, submitted and cancelled batches."""
    batch = get_batch(batch_id)
    if batch.status in (BATCH_EXPORTED, BATCH_PAID):  # the file again, for the record
        audit.record(actor_id, "payout.download", "payout_batch", batch.id, {"status": batch.status})
        db.session.commit()
        return batch
    previous = _move(batch, "export", exported_by_id=actor_id, exported_at=utcnow())
    _event(batch, actor_id, "export", previous, batch.status)
    db.session.commit()
    return batch


def mark_paid(batch_id: int, actor_id: int) -> PayoutBatch:
    """Exported → paid: every row still payable is paid. Twice is refused."""
    batch = get_batch(batch_id)
    previous = _move(batch, "pay", paid_by_id=actor_id, paid_at=utcnow())
    db.session.execute(update(PayoutRow).where(PayoutRow.batch_id == batch.id, PayoutRow.status == ROW_PAYABLE)
                       .values(status=ROW_PAID, paid_at=utcnow()).execution_options(synchronize_session=False))
    _refresh_totals(batch)
    _event(batch, actor_id, "pay", previous, batch.status)
    db.session.commit()
    return batch


@dataclass
class BankOutcome:
    paid: int
    failed: int
    remaining: int  # rows of the batch the file did not mention (still awaiting the bank)


def apply_bank_result(batch_id: int, actor_id: int, text: str) -> BankOutcome:
    """Apply the bank's per-row result: success → paid; failure → failed, and its ledger lines
    are released (payable in the next batch). When no row is left awaiting, the batch is paid.
    The whole file is refused (nothing applied) if any line is wrong."""
    batch = get_batch(batch_id)
    if batch.status == BATCH_PAID:
        rules.check_transition("pay", BATCH_PAID)
    if batch.status != BATCH_EXPORTED:
        raise Conflict(N_("只有已导出的批次才能导入银行结果。"))
    results = rules.parse_bank_result(text)
    rows = {r.id: r for r in db.session.scalars(select(PayoutRow).where(PayoutRow.batch_id == batch.id))}
    matched = []
    for result in results:  # check every line before changing anything
        ref_batch, row_id = rules.parse_reference(result.reference)
        row = rows.get(row_id)
        if ref_batch != batch.id or row is None:
            raise DomainError(N_("第 %(line)s 行：参考号“%(ref)s”不属于这个批次。"), field="file",
                              line=result.line_no, ref=result.reference)
        if row.status in (ROW_PAID, ROW_FAILED):
            raise Conflict(N_("第 %(line)s 行：参考号“%(ref)s”已经处理过了。"), field="file",
                           line=result.line_no, ref=result.reference)
        if row.status != ROW_PAYABLE:  # carried forward, held, ...: never in the bank file
            raise Conflict(N_("第 %(line)s 行：参考号“%(ref)s”这一行本批不付款（%(status)s），不在付款文件里。"),
                           field="file", line=result.line_no, ref=result.reference,
                           status=rules.row_status_label(row.status))
        matched.append((result, row))
    now, paid, failed = utcnow(), 0, 0
    for result, row in matched:
        # Conditional, like the batch transitions: a row settled meanwhile by a concurrent upload
        # makes this whole file fail instead of settling it twice.
        values = dict(status=ROW_PAID, paid_at=now) if result.ok else dict(
            status=ROW_FAILED, result_message=result.message or None)
        done = db.session.execute(update(PayoutRow).where(PayoutRow.id == row.id, PayoutRow.status == ROW_PAYABLE)
                                  .values(**values).execution_options(synchronize_session=False))
        if done.rowcount != 1:
            db.session.rollback()
            raise Conflict(N_("第 %(line)s 行：参考号“%(ref)s”已经处理过了。"), field="file",
                           line=result.line_no, ref=result.reference)
        paid, failed = paid + result.ok, failed + (not result.ok)
    db.session.execute(delete(LedgerSettlement).where(
        LedgerSettlement.row_id.in_(select(PayoutRow.id).where(PayoutRow.batch_id == batch.id,
                                                               PayoutRow.status == ROW_FAILED))))
    _refresh_totals(batch)
    remaining = db.session.scalar(select(func.count()).where(PayoutRow.batch_id == batch.id,
                                                             PayoutRow.status == ROW_PAYABLE))
    note = rules.bank_result_note(paid, failed, remaining)
    if remaining == 0:
        previous = _move(batch, "pay", paid_by_id=actor_id, paid_at=now)
        _event(batch, actor_id, "bank_result", previous, batch.status, note=note)
    else:
        _event(batch, actor_id, "bank_result", batch.status, batch.status, note=note)
    db.session.commit()
    return BankOutcome(paid, failed, remaining)


# --- editing a draft --------------------------------------------------------------------------

def record_invoice(row_id: int, actor_id: int, invoice_no: str) -> PayoutRow:
    """A company agent's invoice (发票) for its row: the row becomes payable. Draft batches only."""
    row = get_row(row_id)
    rules.check_editable(row.batch.status)
    invoice_no = rules.invoice_number(invoice_no)
    if not invoice_no:
        raise DomainError(N_("请填写发票号码。"), field="invoice_no")
    if len(invoice_no) > INVOICE_NO_MAX:
        raise DomainError(N_("发票号码最多 64 个字符。"), field="invoice_no")
    if row.status not in (ROW_AWAITING_INVOICE, ROW_PAYABLE) or row.payee_type != "company":
        raise Conflict(N_("这一行不需要发票。"), field="invoice_no")
    in_use = Conflict(N_("发票号码 %(invoice_no)s 已登记在另一条付款记录上；一张发票只能用于一笔付款。"),
                      field="invoice_no", invoice_no=invoice_no)
    if invoice_in_use(invoice_no, row):
        raise in_use
    row.invoice_no, row.invoice_recorded_at, row.invoice_recorded_by_id = invoice_no, utcnow(), actor_id
    row.status = ROW_PAYABLE
    audit.record(actor_id, "payout.invoice", "payout_row", row.id,
                 {"batch_id": row.batch_id, "payee_id": row.payee_id, "invoice_no": invoice_no, "gross_fen": row.gross_fen})
    try:
        db.session.commit()
    except IntegrityError as error:
        # Someone recorded the same number on another row since the check: the unique index
        # (uq_payout_row_invoice_no) refused it. Nothing of this call is kept.
        db.session.rollback()
        if "invoice_no" in str(error.orig):
            raise in_use from None
        raise
    return row


INVOICE_NO_MAX = 64  # payout_row.invoice_no


def invoice_in_use(invoice_no: str, row: PayoutRow) -> bool:
    """Is `invoice_no` (as `rules.invoice_number` writes it) recorded on another payout row, of
    any batch, in any case? (An invoice pays one row; numbers recorded before they were written
    in upper case are compared in upper case too.) Only the same payee's row of a cancelled batch
    does not count: that batch paid nothing."""
    other = (select(PayoutRow.id).join(PayoutBatch, PayoutBatch.id == PayoutRow.batch_id)
             .where(func.upper(PayoutRow.invoice_no) == invoice_no, PayoutRow.id != row.id,
                    ~and_(PayoutBatch.status == BATCH_CANCELLED, PayoutRow.payee_id == row.payee_id))
             .limit(1))
    return db.session.scalar(other) is not None


def hold_row(row_id: int, actor_id: int, reason: str) -> PayoutRow:
    """Hold a payee's pay from a draft batch (a manual hold with a reason, until released)."""
    row = get_row(row_id)
    batch = row.batch
    rules.check_editable(batch.status)
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(N_("暂扣必须写明原因。"), field="reason")
    if row.status not in CLAIMING_ROWS:
        raise Conflict(N_("这一行本批不付款，无需暂扣。"))
    db.session.execute(delete(LedgerSettlement).where(LedgerSettlement.row_id == row.id))
    row.status, row.hold_reason = ROW_HELD, reason[:300]
    db.session.add(PayeeHold(payee_id=row.payee_id, reason=reason[:300], created_by_id=actor_id))
    _refresh_totals(batch)
    audit.record(actor_id, "payout.hold", "payout_row", row.id,
                 {"batch_id": batch.id, "payee_id": row.payee_id, "reason": reason, "gross_fen": row.gross_fen})
    db.session.commit()
    return row


def hold_payee(payee_id: int, actor_id: int, reason: str) -> PayeeHold:
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(N_("暂扣必须写明原因。"), field="reason")
    if db.session.get(Seller, payee_id) is None:
        raise NotFound(N_("没有这个销售方，或您无权查看。"))
    hold = PayeeHold(payee_id=payee_id, reason=reason[:300], created_by_id=actor_id)
    db.session.add(hold)
    db.session.flush()
    audit.record(actor_id, "payout.payee_hold", "seller", payee_id, {"reason": reason, "hold_id": hold.id})
    db.session.commit()
    return hold


def release_payee_hold(hold_id: int, actor_id: int) -> PayeeHold:
    hold = db.session.get(PayeeHold, hold_id)
    if hold is None:
        raise NotFound(N_("没有这个暂扣。"))
    if hold.released_at is not None:
        raise Conflict(N_("这个暂扣已经解除了。"))
    hold.released_at, hold.released_by_id = utcnow(), actor_id
    audit.record(actor_id, "payout.payee_release", "seller", hold.payee_id, {"hold_id": hold.id})
    db.session.commit()
    return hold


def hold_ledger_line(ledger_line_id: int, actor_id: int, reason: str) -> LedgerHold:
    """A manual hold on one ledger line (no conflict case), with a reason."""
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(N_("暂扣必须写明原因。"), field="reason")
    if db.session.get(LedgerLine, ledger_line_id) is None:
        raise NotFound(N_("没有这条佣金明细。"))
    hold = LedgerHold(ledger_line_id=ledger_line_id, reason=reason[:300], created_by_id=actor_id)
    db.session.add(hold)
    db.session.flush()
    audit.record(actor_id, "ledger.hold", "ledger_line", ledger_line_id, {"reason": reason, "hold_id": hold.id})
    db.session.commit()
    return hold


def release_ledger_hold(hold_id: int, actor_id: int) -> LedgerHold:
    hold = db.session.get(LedgerHold, hold_id)
    if hold is None:
        raise NotFound(N_("没有这个暂扣。"))
    if hold.released_at is not None:
        raise Conflict(N_("这个暂扣已经解除了。"))
    hold.released_at, hold.released_by_id = utcnow(), actor_id
    audit.record(actor_id, "ledger.release", "ledger_line", hold.ledger_line_id, {"hold_id": hold.id})
    db.session.commit()
    return hold


# --- reading ----------------------------------------------------------------------------------

def reconcile(batch_id: int) -> rules.Reconciliation:
    """Batch total vs the sum of its paying rows vs the sum of the ledger lines it settles
    (and each row's gross vs its own settled lines)."""
    batch = get_batch(batch_id)
    if batch.status == BATCH_CANCELLED:  # a cancelled batch settles nothing: no claim may remain
        lines = db.session.scalar(select(func.count()).select_from(LedgerSettlement).where(
            LedgerSettlement.batch_id == batch_id))
        return rules.Reconciliation(0, 0, 0, int(lines))
    rows_total = db.session.scalar(select(func.coalesce(func.sum(PayoutRow.gross_fen), 0)).where(
        PayoutRow.batch_id == batch_id, PayoutRow.status.in_(CLAIMING_ROWS)))
    lines_total = db.session.scalar(
        select(func.coalesce(func.sum(LedgerLine.amount_fen), 0))
        .join(LedgerSettlement, LedgerSettlement.ledger_line_id == LedgerLine.id)
        .where(LedgerSettlement.batch_id == batch_id))
    settled = (select(func.coalesce(func.sum(LedgerLine.amount_fen), 0))
               .join(LedgerSettlement, LedgerSettlement.ledger_line_id == LedgerLine.id)
               .where(LedgerSettlement.row_id == PayoutRow.id).scalar_subquery())
    rows_off = db.session.scalar(select(func.count()).select_from(PayoutRow).where(
        PayoutRow.batch_id == batch_id, PayoutRow.status.in_(CLAIMING_ROWS), PayoutRow.gross_fen != settled))
    # Rows that claim nothing must hold no claim either.
    stray = db.session.scalar(select(func.count()).select_from(LedgerSettlement).join(
        PayoutRow, PayoutRow.id == LedgerSettlement.row_id).where(
        LedgerSettlement.batch_id == batch_id, PayoutRow.status.not_in(CLAIMING_ROWS)))
    return rules.Reconciliation(int(batch.total_fen), int(rows_total), int(lines_total), int(rows_off) + int(stray))


def batches(limit: int = 100) -> list[PayoutBatch]:
    return list(db.session.scalars(select(PayoutBatch).order_by(PayoutBatch.id.desc()).limit(limit)))


def batch_rows_query(batch_id: int, status: str | None = None):
    """SELECT of a batch's rows by id, of one row status if given (the batch page and its export)."""
    query = select(PayoutRow).where(PayoutRow.batch_id == batch_id)
    if status:
        query = query.where(PayoutRow.status == status)
    return query.order_by(PayoutRow.id)


def batch_rows(batch_id: int, after: int | None = None, size: int = 100, status: str | None = None) -> list[PayoutRow]:
    """A keyset page of a batch's rows, by id."""
    query = batch_rows_query(batch_id, status)
    if after:
        query = query.where(PayoutRow.id > after)
    return list(db.session.scalars(query.limit(size)))


def row_counts(batch_id: int) -> dict[str, tuple[int, int]]:
    """{row status: (rows, gross fen)} for a batch."""
    return {status: (int(n), int(total)) for status, n, total in db.session.execute(
        select(PayoutRow.status, func.count(), func.coalesce(func.sum(PayoutRow.gross_fen), 0))
        .where(PayoutRow.batch_id == batch_id).group_by(PayoutRow.status))}


def events(batch_id: int) -> list[PayoutEvent]:
    return list(db.session.scalars(select(PayoutEvent).where(PayoutEvent.batch_id == batch_id).order_by(PayoutEvent.id)))


def composition(row: PayoutRow) -> list[dict]:
    """The ledger lines a row gathered, oldest period first, with the sale each rests on; `kind`
    is the line's rule, an override with its level ('override:2'), as `kind_label` reads it."""
    from models.sales import OrderLine, SalesOrder

    result = db.session.execute(
        select(LedgerLine.id, LedgerLine.period, LedgerLine.rule, LedgerLine.override_level, LedgerLine.amount_fen,
               LedgerLine.case_id, SalesOrder.order_no, OrderLine.line_no)
        .join(PayoutItem, PayoutItem.ledger_line_id == LedgerLine.id)
        .outerjoin(OrderLine, OrderLine.id == LedgerLine.order_line_id)
        .outerjoin(SalesOrder, SalesOrder.id == OrderLine.order_id)
        .where(PayoutItem.batch_id == row.batch_id, PayoutItem.payee_id == row.payee_id)
        .order_by(LedgerLine.period, LedgerLine.id)
    ).all()
    return [dict(r._asdict(), kind=f"override:{r.override_level}" if r.rule == "override" and r.override_level
                 else r.rule) for r in result]


def by_period(lines: list[dict]) -> list[tuple[str, int, int]]:
    """[(period, lines, fen)] from a composition."""
    totals: dict[str, list[int]] = {}
    for line in lines:
        entry = totals.setdefault(line["period"], [0, 0])
        entry[0] += 1
        entry[1] += line["amount_fen"]
    return [(period, n, fen) for period, (n, fen) in sorted(totals.items())]


def active_holds_query():
    """SELECT of the payee holds not yet released, by id (the payouts page and its export)."""
    return select(PayeeHold).where(PayeeHold.released_at.is_(None)).order_by(PayeeHold.id)


def active_payee_holds() -> list[PayeeHold]:
    return list(db.session.scalars(active_holds_query()))


VISIBLE_TO_PAYEE_BATCHES = (BATCH_APPROVED, BATCH_EXPORTED, BATCH_PAID)
# what a payee sees of its rows: those paid (or to be, or returned by the bank), and those not paid
# for want of something only the payee can give (an invoice, a bank account), so that it knows why
VISIBLE_TO_PAYEE_ROWS = (ROW_PAYABLE, ROW_PAID, ROW_FAILED, ROW_INVOICE_MISSING, ROW_NO_ACCOUNT)


def payee_history_query(payee_id: int):
    """SELECT of a payee's payouts, newest first: rows of approved, exported or paid batches that
    pay (or paid, or tried to), or were not paid for want of its invoice or bank account. The "my
    payouts" page and its export."""
    return (select(PayoutRow).join(PayoutBatch, PayoutBatch.id == PayoutRow.batch_id)
            .where(PayoutRow.payee_id == payee_id, PayoutBatch.status.in_(VISIBLE_TO_PAYEE_BATCHES),
                   PayoutRow.status.in_(VISIBLE_TO_PAYEE_ROWS))
            .order_by(PayoutRow.id.desc()))


def payee_history(payee_id: int) -> list[PayoutRow]:
    return list(db.session.scalars(payee_history_query(payee_id)))
