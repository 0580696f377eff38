"""Payout rules, pure: what a balance becomes in a batch, the batch workflow and who may move it,
reconciliation, bank references, safe spreadsheet cells and the bank's result file.

Statuses are the strings of `models.payouts` (repeated here: the domain imports no models).
"""
from __future__ import annotations

import csv
import io
import re
import unicodedata
from dataclasses import dataclass

from channel.domain.errors import Conflict, DomainError, Forbidden, Label, N_
from channel.domain.exports import safe_cell

DRAFT, SUBMITTED, APPROVED, EXPORTED, PAID, CANCELLED = (
    "draft", "submitted", "approved", "exported", "paid", "cancelled")
PAYABLE, AWAITING_INVOICE, CARRIED, OWED, NO_ACCOUNT = "payable", "awaiting_invoice", "carried", "owed", "no_account"
FAILED = "failed"  # the bank returned it
COMPANY, INDIVIDUAL, EMPLOYEE = "company", "individual", "employee"

# How statuses and batch events read for people: message ids, translated at display (the pages,
# the payee's export and refusal messages; `channel.payouts.labels`). The one mapping of each.
BATCH_STATUS_LABELS = {DRAFT: N_("草稿"), SUBMITTED: N_("待审批"), APPROVED: N_("已审批"), EXPORTED: N_("已导出"),
                       PAID: N_("已付款"), CANCELLED: N_("已取消")}
ROW_STATUS_LABELS = {PAYABLE: N_("待付"), AWAITING_INVOICE: N_("待发票"), "invoice_missing": N_("缺发票，结转"),
                     CARRIED: N_("低于起付额，结转"), OWED: N_("负余额，结转抵扣"), "held": N_("暂扣"),
                     NO_ACCOUNT: N_("缺银行账户，结转"), "paid": N_("已付"), "failed": N_("银行退回")}
EVENT_LABELS = {"create": N_("生成草稿"), "submit": N_("提交审批"), "approve": N_("审批"), "cancel": N_("取消批次"),
                "export": N_("导出"), "pay": N_("标记为已付款"), "bank_result": N_("导入银行结果")}


def batch_status_label(status: str) -> str:
    """The status's label as a message id (marked, translated where the message is shown)."""
    return Label(BATCH_STATUS_LABELS.get(status, status))


def row_status_label(status: str) -> str:
    return Label(ROW_STATUS_LABELS.get(status, status))


# the rows a batch pays (models.payouts.CLAIMING_ROWS): the others are carried forward, owed,
# held or returned by the bank, and pay nothing in it
PAYING = (PAYABLE, AWAITING_INVOICE, "paid")


# A bank result's batch event note: written in this fixed form (the event log is append-only and
# has no columns for the counts), read back to show it in the reader's language.
BANK_RESULT_NOTE = "bank result: {paid} paid, {failed} failed, {remaining} awaiting"
_BANK_RESULT_NOTE = re.compile(r"bank result: (\d+) paid, (\d+) failed, (\d+) awaiting")


def bank_result_note(paid: int, failed: int, remaining: int) -> str:
    return BANK_RESULT_NOTE.format(paid=paid, failed=failed, remaining=remaining)


def read_bank_result_note(note: str | None) -> tuple[int, int, int] | None:
    """(paid, failed, remaining) of a note `bank_result_note` wrote; None for any other text."""
    found = _BANK_RESULT_NOTE.fullmatch(note or "")
    return (int(found[1]), int(found[2]), int(found[3])) if found else None


def paid_fen(status: str, net_fen: int) -> int:
    """The 实付 (paid) amount of a row in the exports: its net for a row the batch pays, 0 for a
    row carried forward, owed, held or returned by the bank (its money never left; its lines are
    payable again). So a file's paid column sums to what the batch pays (`payout_batch.net_fen`
    counts the paying rows only), and reads as the pages do (未付款)."""
    return net_fen if status in PAYING else 0


def classify_balance(balance_fen: int, payee_type: str, minimum_fen: int, has_account: bool = True) -> str:
    """What a payee's balance becomes in a batch.

    Negative → OWED (never paid; its lines stay unsettled, so they net against later earnings).
    Zero or below the minimum → CARRIED (its lines stay unsettled for the next batch).
    An agent without a bank account → NO_ACCOUNT (carried until its account is recorded;
    employees are paid through payroll, which holds their accounts).
    Otherwise PAYABLE, or AWAITING_INVOICE for a company agent (payable once its invoice is in).
    """
    if balance_fen < 0:
        return OWED
    if balance_fen == 0 or balance_fen < minimum_fen:
        return CARRIED
    if not has_account and payee_type != EMPLOYEE:
        return NO_ACCOUNT
    return AWAITING_INVOICE if payee_type == COMPANY else PAYABLE


# action → (states it may start from, state it leads to)
TRANSITIONS: dict[str, tuple[tuple[str, ...], str]] = {
    "submit": ((DRAFT,), SUBMITTED),
    "approve": ((SUBMITTED,), APPROVED),
    "export": ((APPROVED, EXPORTED), EXPORTED),  # exporting again re-downloads the same file
    "pay": ((EXPORTED,), PAID),
    "cancel": ((DRAFT, SUBMITTED, APPROVED), CANCELLED),
}


def check_transition(action: str, status: str) -> str:
    """The state `action` leads to from `status`; Conflict with a clear message otherwise."""
    sources, target = TRANSITIONS[action]
    if status in sources:
        return target
    if action == "pay" and status == PAID:
        raise Conflict(N_("这个批次已经标记为已付款，不能重复付款。"))
    if action == "export" and status == CANCELLED:
        raise Conflict(N_("已取消的批次不能导出。"))
    if action == "export":
        raise Conflict(N_("批次审批后才能导出。"))
    if action == "approve" and status in (APPROVED, EXPORTED, PAID):
        raise Conflict(N_("这个批次已经审批过了。"))
    if action == "cancel" and status in (EXPORTED, PAID):
        raise Conflict(N_("已导出给银行的批次不能取消。"))
    if action == "pay":
        raise Conflict(N_("批次导出后才能标记付款。"))
    raise Conflict(N_("批次当前状态为“%(status)s”，不能执行此操作。"), status=batch_status_label(status))


def check_editable(status: str) -> None:
    """Rows (invoices, holds) can change only while the batch is a draft."""
    if status != DRAFT:
        raise Conflict(N_("批次已提交或审批，不能再修改；请先取消它，再建新批次。"))


def check_maker_checker(approver_id: int, created_by_id: int | None, submitted_by_id: int | None) -> None:
    """The approver is neither the maker nor the submitter (Forbidden otherwise)."""
    if approver_id in (created_by_id, submitted_by_id):
        raise Forbidden(N_("不能审批自己创建或提交的批次，请由另一位财务人员审批。"))


@dataclass(frozen=True)
class Reconciliation:
    batch_total_fen: int
    rows_total_fen: int
    lines_total_fen: int
    rows_off: int  # rows whose gross differs from the sum of their settled lines

    @property
    def ok(self) -> bool:
        return self.batch_total_fen == self.rows_total_fen == self.lines_total_fen and self.rows_off == 0


REFERENCE = re.compile(r"^QD(\d{6,})-(\d{8,})$")


def invoice_number(text: str | None) -> str:
    """An invoice number as one invoice has it, however it was typed: full-width characters (an
    IME's １２３ or ＩＮＶ) as their ASCII forms, letters in upper case, no surrounding spaces —
    so that `inv-001` and `INV-001` are recognised as one invoice."""
    return unicodedata.normalize("NFKC", text or "").strip().upper()


def reference(batch_id: int, row_id: int) -> str:
    """The payment reference the bank echoes back: QD<batch, 6 digits>-<row, 8 digits>."""
    return f"QD{batch_id:06d}-{row_id:08d}"


def parse_reference(text: str) -> tuple[int, int] | None:
    match = REFERENCE.match((text or "").strip())
    return (int(match.group(1)), int(match.group(2))) if match else None


@dataclass(frozen=True)
class BankResult:
    line_no: int
    reference: str
    ok: bool
    message: str


_OK = {"success", "ok", "paid", "成功", "已付"}
_FAILED = {"failed", "fail", "failure", "error", "失败", "退票"}


def parse_bank_result(text: str) -> list[BankResult]:
    """The bank's result file: CSV with a header naming `reference` and `status` (and optionally
    `message`); Chinese headers 参考号 / 状态 / 说明 too. Status: success/成功 or failed/失败.
    DomainError naming the first bad line."""
    text = text.lstrip("\ufeff")
    reader = csv.DictReader(io.StringIO(text))
    headers = {(h or "").strip().lower(): h for h in (reader.fieldnames or [])}
    ref_key = headers.get("reference") or headers.get("参考号")
    status_key = headers.get("status") or headers.get("状态")
    message_key = headers.get("message") or headers.get("说明")
    if not ref_key or not status_key:
        raise DomainError(N_("结果文件必须有 reference（参考号）和 status（状态）两列。"), field="file")
    results, seen = [], set()
    for line_no, record in enumerate(reader, start=2):
        ref = (record.get(ref_key) or "").strip()
        status = (record.get(status_key) or "").strip().lower()
        if not ref and not status:
            continue
        if parse_reference(ref) is None:
            raise DomainError(N_("第 %(line)s 行：参考号“%(ref)s”不是本系统的付款参考号。"), field="file",
                              line=line_no, ref=ref)
        if status not in _OK | _FAILED:
            raise DomainError(N_("第 %(line)s 行：状态“%(status)s”无法识别（应为 success 或 failed）。"),
                              field="file", line=line_no, status=status)
        if ref in seen:
            raise DomainError(N_("第 %(line)s 行：参考号“%(ref)s”重复出现。"), field="file", line=line_no, ref=ref)
        seen.add(ref)
        message = (record.get(message_key) or "").strip() if message_key else ""
        results.append(BankResult(line_no, ref, status in _OK, message[:300]))
    if not results:
        raise DomainError(N_("结果文件里没有任何付款行。"), field="file")
    return results
