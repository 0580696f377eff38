"""The bank file and the payroll file of a batch, as CSV or XLSX, streamed.

One row per payee. The bank file holds company and individual agents; employees go to the
payroll file. Rows are read with `yield_per` (a server-side cursor on PostgreSQL) and written as
they come: CSV chunk by chunk, XLSX by the app's one XLSX writer (`channel.services.xlsx`:
streamed row by row, constant memory) into a temporary file that is then streamed. Every text cell passes `safe_cell` (no spreadsheet formula injection);
amounts are numbers in yuan with two decimals. A row the bank returned stays in the file (the
same rows as sent) with 实付金额 0.00: the column sums to what the batch pays.
"""
from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from itertools import chain

from sqlalchemy import select

from channel.domain.money import fen_to_decimal
from channel.domain.exports import safe_cell
from channel.domain.payouts import paid_fen, reference
from channel.domain.payouts_tax import split_tax_note
from channel.services import xlsx
from models import db
from models.payouts import ROW_FAILED, ROW_PAID, ROW_PAYABLE, PayoutRow
from models.tree import PAYEE_COMPANY, PAYEE_EMPLOYEE, PAYEE_INDIVIDUAL

BANK, PAYROLL = "bank", "payroll"
FILES = (BANK, PAYROLL)
EXPORTED_ROWS = (ROW_PAYABLE, ROW_PAID, ROW_FAILED)

PAYEE_TYPE_LABELS = {PAYEE_COMPANY: "企业代理", PAYEE_INDIVIDUAL: "个人代理", PAYEE_EMPLOYEE: "员工"}
HEADERS = ["收款方", "编码", "收款方类型", "开户银行", "银行账号", "应付金额", "代扣个税", "实付金额", "参考号", "税务处理"]
CHUNK_ROWS = 2000


def tax_treatment(payee_type: str, invoice_no: str | None, tax_note: str | None) -> str:
    if payee_type == PAYEE_COMPANY:
        return f"凭增值税发票付款 发票号 {invoice_no or ''}".strip()
    if payee_type == PAYEE_INDIVIDUAL:
        # the stored note begins with the withholding table's name: the column names the kind itself
        return f"劳务报酬 代扣个税 {split_tax_note(tax_note)[1] if tax_note else ''}".strip()
    return "工资薪金 由工资系统预扣个税"


def rows(batch_id: int, file: str) -> Iterator[list]:
    """The file's data rows (without the header), in row-id order, safe for a spreadsheet."""
    types = (PAYEE_EMPLOYEE,) if file == PAYROLL else (PAYEE_COMPANY, PAYEE_INDIVIDUAL)
    query = (
        select(PayoutRow.id, PayoutRow.payee_name, PayoutRow.payee_code, PayoutRow.payee_type, PayoutRow.bank_name,
               PayoutRow.bank_account, PayoutRow.gross_fen, PayoutRow.tax_fen, PayoutRow.net_fen,
               PayoutRow.invoice_no, PayoutRow.tax_note, PayoutRow.status)
        .where(PayoutRow.batch_id == batch_id, PayoutRow.status.in_(EXPORTED_ROWS), PayoutRow.payee_type.in_(types))
        .order_by(PayoutRow.id)
        .execution_options(yield_per=CHUNK_ROWS)
    )
    for (row_id, name, code, payee_type, bank_name, account, gross, tax, net, invoice_no,
         tax_note, status) in db.session.execute(query):
        yield [
            safe_cell(name), safe_cell(code), PAYEE_TYPE_LABELS.get(payee_type, payee_type),
            safe_cell(bank_name or ""), safe_cell(account or ""),
            fen_to_decimal(gross), fen_to_decimal(tax), fen_to_decimal(paid_fen(status, net)),
            reference(batch_id, row_id), safe_cell(tax_treatment(payee_type, invoice_no, tax_note)),
        ]


def csv_chunks(batch_id: int, file: str) -> Iterator[bytes]:
    """UTF-8 CSV with a BOM (so that Excel reads the Chinese), yielded a few thousand rows at a time."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    buffer.write("\ufeff")
    writer.writerow(HEADERS)
    for count, row in enumerate(rows(batch_id, file), start=1):
        writer.writerow(row)
        if count % CHUNK_ROWS == 0:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode("utf-8")


def write_xlsx(batch_id: int, file: str, out) -> None:
    """Write the XLSX into `out` (a path or a seekable binary file object), streaming."""
    xlsx.write(out, chain([HEADERS], rows(batch_id, file)), sheet_name=_sheet_name(file))


def xlsx_chunks(batch_id: int, file: str) -> Iterator[bytes]:
    return xlsx.chunks(chain([HEADERS], rows(batch_id, file)), sheet_name=_sheet_name(file))


def _sheet_name(file: str) -> str:
    return "payroll" if file == PAYROLL else "bank"


def filename(batch, file: str, fmt: str) -> str:
    return f"payout-{batch.period}-batch{batch.id}-{file}.{fmt}"
