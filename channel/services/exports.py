"""Exports of the lists: the same scoped, filtered queries as the pages (channel.services.listing),
every page of them, streamed as CSV or XLSX (`channel.services.xlsx`, the app's one XLSX writer). Cells are made formula-safe (`safe_cell`).

`EXPORTS` is the registry: name → (column labels (msgids), row generator). Add a list's export
by registering a function `(user, filters) -> iterator of tuples`.
"""
from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator
from itertools import chain

from sqlalchemy import select
from sqlalchemy.orm import aliased

from channel.domain.errors import N_
from channel.domain.exports import safe_cell, yuan_text
from channel.services import listing, xlsx
from channel.services.access import scope_sellers
from models import db
from models.sales import Customer, SalesOrder
from models.territory import Territory
from models.tree import Seller
from models.users import User

YIELD_PER = 2000


def _stream(query) -> Iterator[tuple]:
    """Rows of `query`, fetched in batches (a server-side cursor on PostgreSQL)."""
    result = db.session.execute(query.execution_options(yield_per=YIELD_PER))
    for row in result:
        yield tuple(row)


def customer_rows(user: User, filters: listing.Filters) -> Iterator[tuple]:
    owner = aliased(Seller)
    query = listing.customer_query(user, filters).with_only_columns(
        Customer.code, Customer.name, Customer.credit_code, Customer.contact_name, Customer.phone, Customer.address,
        Territory.id, Territory.name, owner.code, owner.name,
    ).select_from(Customer).join(Territory, Territory.id == Customer.district_id).join(
        owner, owner.id == Customer.owner_seller_id).order_by(Customer.id.desc())
    yield from _stream(query)


CUSTOMER_COLUMNS = (N_("客户编码"), N_("名称"), N_("统一社会信用代码"), N_("联系人"), N_("电话"), N_("地址"),
                    N_("区划代码"), N_("区域"), N_("归属销售方编码"), N_("归属销售方"))


def order_rows(user: User, filters: listing.Filters) -> Iterator[tuple]:
    seller = aliased(Seller)
    query = listing.order_query(user, filters).with_only_columns(
        SalesOrder.order_no, SalesOrder.order_date, SalesOrder.kind, SalesOrder.channel, seller.code, seller.name,
        Customer.code, Customer.name, SalesOrder.ship_to_district_id, Territory.name, SalesOrder.total_fen,
        SalesOrder.external_id,
    ).select_from(SalesOrder).join(seller, seller.id == SalesOrder.seller_id).outerjoin(
        Customer, Customer.id == SalesOrder.customer_id).join(Territory, Territory.id == SalesOrder.ship_to_district_id
    ).order_by(SalesOrder.order_date.desc(), SalesOrder.id.desc())
    for row in _stream(query):
        # money as yuan text with two decimals, exact (no float)
        yield row[:10] + (yuan_text(row[10]), row[11])


ORDER_COLUMNS = (N_("订单号"), N_("日期"), N_("类型"), N_("渠道"), N_("销售方编码"), N_("销售方"), N_("客户编码"),
                 N_("客户"), N_("发货区划代码"), N_("发货区域"), N_("金额（元）"), N_("ERP 单号"))


def seller_rows(user: User, filters: listing.Filters) -> Iterator[tuple]:
    parent = aliased(Seller)
    query = scope_sellers(select(Seller.code, Seller.name, Seller.channel, Seller.level, parent.code, Seller.joined_on,
                                 Seller.active, Seller.phone, Seller.home_territory_id)
                          .select_from(Seller).outerjoin(parent, parent.id == Seller.parent_id), user)
    if filters.channel:
        query = query.where(Seller.channel == filters.channel)
    if filters.seller_id:
        from channel.services.tree import subtree_ids

        query = query.where(Seller.id.in_(subtree_ids(filters.seller_id)))
    if filters.text:
        query = query.where(Seller.code.like(f"{filters.text.strip()}%"))
    yield from _stream(query.order_by(Seller.channel, Seller.level, Seller.code))


SELLER_COLUMNS = (N_("编码"), N_("名称"), N_("渠道"), N_("层级"), N_("上级编码"), N_("加入日期"), N_("在用"), N_("电话"),
                  N_("所在区划代码"))

EXPORTS: dict[str, tuple[tuple[str, ...], Callable[[User, listing.Filters], Iterator[tuple]]]] = {
    "customers": (CUSTOMER_COLUMNS, customer_rows),
    "orders": (ORDER_COLUMNS, order_rows),
    "sellers": (SELLER_COLUMNS, seller_rows),
}


def _cell(value):
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return safe_cell(value)


def csv_chunks(header: list[str], rows: Iterator[tuple], rows_per_chunk: int = 1000) -> Iterator[bytes]:
    """UTF-8 CSV with a BOM (so Excel reads the Chinese right), a chunk per 1,000 rows."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    yield ("\ufeff" + buffer.getvalue()).encode()
    buffer.seek(0)
    buffer.truncate()
    for count, row in enumerate(rows, start=1):
        writer.writerow([_cell(v) if v is not None else "" for v in row])
        if count % rows_per_chunk == 0:
            yield buffer.getvalue().encode()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode()


def xlsx_chunks(header: list[str], rows: Iterator[tuple], title: str = "export") -> Iterator[bytes]:
    """The XLSX of the header and the rows, cells made formula-safe, written by the app's one
    XLSX writer (`channel.services.xlsx`: constant memory, into a temporary file) and then
    streamed from that file."""
    return xlsx.chunks(chain([header], ([safe_cell(v) for v in row] for row in rows)), sheet_name=title[:31])


# ---- payout batches (the payouts feature's list at /payouts) --------------------------------

PAYOUT_BATCH_COLUMNS = (N_("批次"), N_("期间"), N_("状态"), N_("收款方"), N_("应付（元）"), N_("代扣个税（元）"),
                        N_("实付（元）"), N_("最低付款（元）"), N_("创建时间（UTC）"), N_("批准时间（UTC）"),
                        N_("付款时间（UTC）"))


def payout_batch_rows(user: User, status: str | None = None, period: str | None = None) -> Iterator[tuple]:
    """Every payout batch (newest first) matching the filters; finance and admins only
    (Forbidden otherwise), as the /payouts page."""
    from channel.services.access import PAYOUT_STAFF, require_role
    from models.payouts import PayoutBatch

    require_role(user, *PAYOUT_STAFF)
    query = select(PayoutBatch.id, PayoutBatch.period, PayoutBatch.status, PayoutBatch.payees, PayoutBatch.total_fen,
                   PayoutBatch.tax_fen, PayoutBatch.net_fen, PayoutBatch.minimum_fen, PayoutBatch.created_at,
                   PayoutBatch.approved_at, PayoutBatch.paid_at)
    if status:
        query = query.where(PayoutBatch.status == status)
    if period:
        query = query.where(PayoutBatch.period == period)
    for row in _stream(query.order_by(PayoutBatch.id.desc())):
        yield row[:4] + tuple(yuan_text(v) for v in row[4:8]) + tuple(
            v.isoformat(sep=" ", timespec="seconds") if v else "" for v in row[8:])
