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

from channel.domain.errors import N_, NC_
from channel.domain.exports import safe_cell, yuan_amount, yuan_text
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
        # money as exact yuan (Decimal, two decimals): a number in XLSX, the same text in CSV
        yield row[:10] + (yuan_amount(row[10]), row[11])


ORDER_COLUMNS = (N_("订单号"), N_("日期"), N_("类型"), N_("渠道"), N_("销售方编码"), N_("销售方"), N_("客户编码"),
                 NC_("column", "客户"), N_("发货区划代码"), N_("发货区域"), N_("金额（元）"), N_("ERP 单号"))


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
        query = query.where(listing.text_like(Seller.code, filters.text.strip()))
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
        yield row[:4] + tuple(yuan_amount(v) for v in row[4:8]) + tuple(
            v.isoformat(sep=" ", timespec="seconds") if v else "" for v in row[8:])


# ---- every other list page (issue #6) ---------------------------------------------------------
# One row generator per list page, over the page's own query (a service function the page uses
# too) and access rule (channel.services.access). Each function checks access and builds its
# query when CALLED, and returns an iterator: a refusal (Forbidden / NotFound / a bad filter as
# DomainError) is raised before the download starts, not on its first row. Money is exact yuan
# (`yuan_amount`: a number cell in XLSX, two-decimal text in CSV); times are UTC text
# "YYYY-MM-DD HH:MM:SS"; statuses are the stored keys (as the payout batch export).

def _utc_text(value) -> str:
    return value.isoformat(sep=" ", timespec="seconds") if value else ""


def _percent_text(rate_bp: int) -> str:
    """Basis points as an exact percentage with two decimals: 250 → '2.50'."""
    return yuan_text(rate_bp)  # same arithmetic: hundredths with two decimals


def _each(query, convert: Callable, scalars: bool = True) -> Iterator[tuple]:
    result = db.session.execute(query.execution_options(yield_per=YIELD_PER))
    for item in (result.scalars() if scalars else result):
        yield convert(item)


STATEMENT_LIST_COLUMNS = (N_("期间"), N_("收款方编码"), N_("收款方"), N_("行数"), N_("合计（元）"))


def statement_list_rows(user: User, period: str) -> Iterator[tuple]:
    """The payees of month `period` in the user's scope (the statements page): DomainError for a
    bad period."""
    from channel.domain.periods import Month
    from channel.services.commissions_statements import payees_query

    month = str(Month.parse(period))
    return _each(payees_query(user, month),
                 lambda r: (month, r[0].code, r[0].name, int(r[1]), yuan_amount(int(r[2] or 0))), scalars=False)


INQUIRY_COLUMNS = (N_("编号"), N_("提出时间（UTC）"), N_("收款方编码"), N_("收款方"), N_("期间"), N_("行号"), N_("疑问"),
                   N_("状态"), N_("提问人"), N_("答复"), N_("答复人"), N_("答复时间（UTC）"))


def inquiry_rows(user: User, *, status: str | None = None, period: str | None = None,
                 label: Callable[[str], str] = str) -> Iterator[tuple]:
    """The statement inquiries `user` may see, newest first, filtered as the inbox
    (`commissions_inquiries.inquiries_query`: DomainError for a bad status or month); the status
    named by `label`, the answer the latest one."""
    from channel.services.commissions_inquiries import inquiries_query
    from models.commissions import StatementInquiry

    asker, answerer = aliased(User), aliased(User)
    query = (inquiries_query(user, status=status, period=period)
             .join(Seller, Seller.id == StatementInquiry.payee_id)
             .join(asker, asker.id == StatementInquiry.raised_by_id)
             .outerjoin(answerer, answerer.id == StatementInquiry.answered_by_id)
             .with_only_columns(StatementInquiry.id, StatementInquiry.created_at, Seller.code, Seller.name,
                                StatementInquiry.period, StatementInquiry.ledger_line_id, StatementInquiry.question,
                                StatementInquiry.status, asker.display_name, StatementInquiry.answer,
                                answerer.display_name, StatementInquiry.answered_at))
    return _each(query, lambda r: (r[0], _utc_text(r[1]), r[2], r[3], r[4], r[5] or "", r[6], label(r[7]), r[8],
                                   r[9] or "", r[10] or "", _utc_text(r[11])), scalars=False)


PLAN_READERS = ("admin", "channel_manager", "finance", "product_manager")
PLAN_COLUMNS = (N_("方案编号"), N_("方案"), N_("版本号"), N_("状态"), N_("渠道"), N_("层级"), N_("单个销售方编码"),
                N_("生效起"), N_("生效止"), N_("订单类型"), N_("基础费率（%）"), N_("一级上级提成（%）"),
                N_("二级上级提成（%）"), N_("三级上级提成（%）"), N_("起提门槛（元）"), N_("奖金目标（元）"),
                N_("奖金（元）"))


def plan_rows(user: User) -> Iterator[tuple]:
    """Every commission plan, superseded versions too (the plans page); staff who read plans only."""
    from sqlalchemy.orm import joinedload

    from channel.services.access import require_role
    from channel.services.commissions import plans_query
    from models.commissions import CommissionPlan

    require_role(user, *PLAN_READERS)
    return _each(plans_query(include_superseded=True).options(joinedload(CommissionPlan.seller)), lambda p: (
        p.id, p.name, p.version, p.status, p.channel, p.level, p.seller.code if p.seller else "", p.valid_from,
        p.valid_to, p.order_kind, _percent_text(p.base_rate_bp), _percent_text(p.override_r1_bp),
        _percent_text(p.override_r2_bp), _percent_text(p.override_r3_bp), yuan_amount(p.qualify_min_fen),
        yuan_amount(p.bonus_target_fen), yuan_amount(p.bonus_fen)))


RUN_STAFF = ("admin", "channel_manager", "finance")
RUN_COLUMNS = (N_("编号"), N_("期间"), N_("状态"), N_("开始时间（UTC）"), N_("结束时间（UTC）"), N_("行数"),
               N_("金额（元）"), N_("错误"))


def run_rows(user: User) -> Iterator[tuple]:
    """Every commission run, newest first (the runs page shows the latest 20)."""
    from channel.services.access import require_role
    from channel.services.commissions_run import runs_query

    require_role(user, *RUN_STAFF)
    return _each(runs_query(), lambda r: (r.id, r.period, r.status, _utc_text(r.started_at), _utc_text(r.finished_at),
                                          r.lines_posted, yuan_amount(r.total_fen), r.error or ""))


AUDIT_COLUMNS = (N_("编号"), N_("时间（UTC）"), N_("操作人"), N_("操作"), N_("对象类型"), N_("对象编号"), N_("详情"))


def audit_rows(user: User, **filters) -> Iterator[tuple]:
    """The audit events matching the audit page's filters (channel.services.audit.events_query),
    newest first; administrators only. Columns, not ORM objects: the log is the longest list."""
    import json

    from channel.services.access import require_role
    from channel.services.audit import events_query
    from models.ops import AuditEvent

    require_role(user, "admin")
    actor = aliased(User)
    query = events_query(**filters).outerjoin(actor, actor.id == AuditEvent.actor_id).with_only_columns(
        AuditEvent.id, AuditEvent.at, actor.username, AuditEvent.action, AuditEvent.object_type, AuditEvent.object_id,
        AuditEvent.detail)
    return _each(query, lambda r: (r[0], _utc_text(r[1]), r[2] or "", r[3], r[4], r[5] or "",
                                   json.dumps(r[6], ensure_ascii=False, sort_keys=True) if r[6] else ""),
                 scalars=False)


JOB_COLUMNS = (N_("编号"), N_("任务"), N_("状态"), N_("提交人"), N_("提交时间（UTC）"), N_("开始时间（UTC）"),
               N_("完成时间（UTC）"))


def job_rows(user: User) -> Iterator[tuple]:
    """The background jobs `user` may see (an administrator all, anyone else its own)."""
    from sqlalchemy.orm import joinedload

    from channel.services.jobs import visible_jobs
    from models.ops import Job

    return _each(visible_jobs(user).options(joinedload(Job.created_by)), lambda j: (
        j.id, j.kind, j.status, j.created_by.username if j.created_by else "", _utc_text(j.created_at),
        _utc_text(j.started_at), _utc_text(j.finished_at)))


USER_COLUMNS = (N_("用户名"), N_("姓名"), N_("角色"), N_("绑定销售方编码"), N_("在用"), N_("创建时间（UTC）"))


def user_rows(user: User) -> Iterator[tuple]:
    """Every user (the administrators' user list); administrators only. No password hashes."""
    from sqlalchemy.orm import joinedload

    from channel.services.access import require_role
    from channel.services.users import users_query

    require_role(user, "admin")
    return _each(users_query().options(joinedload(User.seller)), lambda u: (
        u.username, u.display_name, u.role, u.seller.code if u.seller else "", u.active, _utc_text(u.created_at)))


IMPORT_RUN_COLUMNS = (N_("编号"), N_("数据类型"), N_("文件"), N_("状态"), N_("行数"), N_("新增"), N_("已存在"),
                      N_("错误行"), N_("提交人"), N_("开始时间（UTC）"), N_("完成时间（UTC）"))
IMPORT_STAFF = ("admin", "channel_manager", "finance")


def import_run_rows(user: User, kind_label: Callable[[str], str] = str,
                    status_label: Callable[[str], str] = str) -> Iterator[tuple]:
    """The import runs `user` may see (an administrator all, finance and managers their own).
    The kind and status read as on the imports page: `kind_label(kind)`, `status_label(status)`
    (channel.exchange.labels)."""
    from channel.services.access import require_role
    from channel.services.imports import runs_query
    from models.exchange import ImportRun

    require_role(user, *IMPORT_STAFF)
    creator = aliased(User)
    query = runs_query(user).outerjoin(creator, creator.id == ImportRun.created_by_id).with_only_columns(
        ImportRun.id, ImportRun.kind, ImportRun.filename, ImportRun.status, ImportRun.total_rows, ImportRun.inserted,
        ImportRun.skipped, ImportRun.error_count, creator.username, ImportRun.created_at, ImportRun.finished_at)
    return _each(query, lambda r: (r[0], kind_label(r[1]), r[2], status_label(r[3])) + tuple(r[4:8])
                 + (r[8] or "", _utc_text(r[9]), _utc_text(r[10])), scalars=False)


REGISTRATION_COLUMNS = (N_("编号"), N_("报备方编码"), N_("报备方"), N_("客户名称"), N_("电话"), N_("统一社会信用代码"),
                        N_("区划代码"), N_("报备日期"), N_("保护期至"), N_("保护失效日期"))


def registration_rows(user: User) -> Iterator[tuple]:
    """The customer registrations of the sellers `user` may see, newest first; the last column
    is the day a deactivated seller's registration stopped protecting (empty while it protects
    as dated: domain.conflicts.protection_lapses_on)."""
    from channel.domain.conflicts import protection_lapses_on
    from channel.services.conflicts_reports import registrations_query
    from models.conflicts import CustomerRegistration as Registration

    query = registrations_query(user).join(Seller, Seller.id == Registration.seller_id).with_only_columns(
        Registration.id, Seller.code, Seller.name, Registration.customer_name, Registration.phone,
        Registration.credit_code, Registration.district_id, Registration.registered_on, Registration.protected_until,
        Seller.active, Seller.deactivated_on)
    return _each(query, lambda r: (*r[:9], protection_lapses_on(r[7], r[8], r[9], r[10])), scalars=False)


PAYOUT_ROW_COLUMNS = (N_("批次"), NC_("payout row", "行号"), N_("收款方编码"), N_("收款方"), N_("类型"), N_("状态"), N_("明细"),
                      N_("应付（元）"), N_("代扣个税（元）"), N_("实付（元）"), N_("参考号"), N_("发票号码"),
                      N_("暂扣原因"), N_("银行回执"), N_("付款时间（UTC）"))


def payout_row_rows(user: User, batch_id: int, status: str | None = None) -> Iterator[tuple]:
    """The rows of one payout batch (the batch page; filter `status`); finance and admins only,
    NotFound for a batch that does not exist. Bank accounts stay in the payout file."""
    from channel.domain.payouts import paid_fen, reference
    from channel.services.access import PAYOUT_STAFF, require_role
    from channel.services.payouts import batch_rows_query, get_batch

    require_role(user, *PAYOUT_STAFF)
    get_batch(batch_id)
    return _each(batch_rows_query(batch_id, status), lambda r: (
        r.batch_id, r.id, r.payee_code, r.payee_name, r.payee_type, r.status, r.lines, yuan_amount(r.gross_fen),
        yuan_amount(r.tax_fen), yuan_amount(paid_fen(r.status, r.net_fen)), reference(r.batch_id, r.id), r.invoice_no or "",
        r.hold_reason or "", r.result_message or "", _utc_text(r.paid_at)))


MY_PAYOUT_COLUMNS = (N_("期间"), N_("状态"), N_("明细"), N_("应付（元）"), N_("代扣个税（元）"), N_("实付（元）"),
                     N_("参考号"), N_("付款时间（UTC）"))


def my_payout_rows(user: User, status_label: Callable[[str], str] = str) -> Iterator[tuple]:
    """A payee user's own payouts (the "my payouts" page): an agent or rep user with a seller
    only (Forbidden otherwise); never anyone else's, not even its downline's. The status reads
    as on the page: `status_label(status)` (channel.payouts.labels.row_status_label) — this
    export is the payee's, not a staff list of stored keys."""
    from channel.domain.errors import Forbidden
    from channel.domain.payouts import paid_fen, reference
    from channel.services.payouts import payee_history_query
    from models.payouts import PayoutBatch, PayoutRow
    from models.users import SELLER_ROLES

    if user.role not in SELLER_ROLES or not user.seller_id:
        raise Forbidden(N_("您的角色无权执行此操作。"))
    query = payee_history_query(user.seller_id).with_only_columns(
        PayoutBatch.period, PayoutRow.status, PayoutRow.lines, PayoutRow.gross_fen, PayoutRow.tax_fen, PayoutRow.net_fen,
        PayoutRow.batch_id, PayoutRow.id, PayoutRow.paid_at)
    return _each(query, lambda r: (r[0], status_label(r[1]), r[2], yuan_amount(r[3]), yuan_amount(r[4]),
                                   yuan_amount(paid_fen(r[1], r[5])),
                                   reference(r[6], r[7]), _utc_text(r[8])), scalars=False)


OPPORTUNITY_COLUMNS = (N_("商机编号"), N_("客户编码"), NC_("column", "客户"), NC_("column", "商机"), N_("阶段"),
                       N_("销售方编码"), N_("销售方"), N_("金额（元）"), N_("预计成交"), N_("有权力者"), N_("最近联系"), N_("久未联系"))


def opportunity_rows(user: User, days: int) -> Iterator[tuple]:
    """The opportunities needing attention (the opportunities page, `days` without contact),
    in the user's scope, every one of them (the page shows 500)."""
    from channel.services.selling import opportunity_report_rows, stage_name

    def row(r):
        o = r["opportunity"]
        return (o.id, o.customer.code, o.customer.name, o.title, stage_name(o.stage.name), o.seller.code, o.seller.name,
                yuan_amount(o.amount_fen), o.expected_on, r["has_decision_maker"], r["last_contact_on"], r["stale"])

    return map(row, opportunity_report_rows(user, days=days, size=None))


FEEDBACK_COLUMNS = (N_("编号"), N_("时间（UTC）"), N_("产品编码"), N_("产品"), N_("销售方编码"), N_("销售方"),
                    N_("客户编码"), NC_("column", "客户"), N_("需求"), N_("内容"), N_("状态"), N_("答复"))


def feedback_rows(user: User, product_id: int | None = None, status: str | None = None) -> Iterator[tuple]:
    """Feedback to product of the sellers `user` may see (the feedback pages; filters product,
    status), newest first."""
    from sqlalchemy.orm import joinedload

    from channel.services.selling_feedback import feedback_query
    from models.selling import Feedback

    query = feedback_query(user, product_id=product_id, status=status).options(
        joinedload(Feedback.product), joinedload(Feedback.seller), joinedload(Feedback.customer))
    return _each(query, lambda f: (
        f.id, _utc_text(f.created_at), f.product.sku, f.product.name, f.seller.code, f.seller.name,
        f.customer.code if f.customer else "", f.customer.name if f.customer else "", f.is_request, f.body, f.status,
        f.reply or ""))


POLICY_COLUMNS = (N_("编号"), N_("政策名称"), N_("适用规则"), N_("处理方式"), N_("保护费（基点）"), N_("罚款（元）"), N_("在用"))


def policy_rows(user: User) -> Iterator[tuple]:
    """The conflict policies (the policies page); administrators and channel managers only."""
    from channel.services.access import require_case_ruler
    from channel.services.conflicts_reports import policies_query

    require_case_ruler(user)
    return _each(policies_query(), lambda p: (p.id, p.name, p.rule or "", p.action, p.protection_fee_bp,
                                              yuan_amount(p.penalty_fen), p.active))


SELLING_MANAGERS = ("admin", "channel_manager")
ACTIVITY_COLUMNS = (N_("编号"), N_("时间（UTC）"), N_("类型"), N_("销售方编码"), N_("销售方"), N_("客户编码"), NC_("column", "客户"),
                    N_("联系人"), N_("结果"), N_("下一步"))


def activity_rows(user: User) -> Iterator[tuple]:
    """The activities of sellers `user` may see, newest first (the selling home page); the kind
    in the reader's language, as the page's table shows it."""
    from sqlalchemy.orm import joinedload

    from channel.domain.selling import ACTIVITY_KIND_LABELS
    from channel.i18n import code_label
    from channel.services.selling import activities_query
    from models.selling import Activity

    query = activities_query(user).options(joinedload(Activity.seller), joinedload(Activity.customer),
                                           joinedload(Activity.contact))
    return _each(query, lambda a: (
        a.id, _utc_text(a.occurred_at), code_label(ACTIVITY_KIND_LABELS, a.kind), a.seller.code, a.seller.name,
        a.customer.code if a.customer else "", a.customer.name if a.customer else "",
        a.contact.name if a.contact else "", a.outcome or "", a.next_step or ""))


TASK_COLUMNS = (N_("编号"), NC_("selling task", "到期日"), NC_("selling task", "任务"), N_("来源"), N_("销售方编码"),
                N_("销售方"), N_("客户编码"), NC_("column", "客户"))


def task_rows(user: User) -> Iterator[tuple]:
    """The open tasks of sellers `user` may see, earliest due first (the selling home page); the
    source (next step, follow-up reminder, greeting) in the reader's language."""
    from sqlalchemy.orm import joinedload

    from channel.domain.selling import TASK_SOURCE_LABELS
    from channel.i18n import code_label
    from channel.services.selling import open_tasks_query, task_title
    from models.selling import Task

    query = open_tasks_query(user).options(joinedload(Task.seller), joinedload(Task.customer))
    return _each(query, lambda t: (t.id, t.due_on, task_title(t), code_label(TASK_SOURCE_LABELS, t.source),
                                   t.seller.code, t.seller.name,
                                   t.customer.code if t.customer else "", t.customer.name if t.customer else ""))


TRAINING_COLUMNS = (N_("编号"), N_("日期"), N_("培训"), N_("产品编码"), N_("认证代码"), N_("参训人数"))


def training_rows(user: User) -> Iterator[tuple]:
    """The product trainings, latest first, with their attendance (managers only, as the page)."""
    from sqlalchemy import func
    from sqlalchemy.orm import joinedload

    from channel.services.access import require_role
    from channel.services.selling_enablement import trainings_query
    from models.selling import Training, TrainingAttendance

    require_role(user, *SELLING_MANAGERS)
    attended = (select(func.count()).where(TrainingAttendance.training_id == Training.id)
                .correlate(Training).scalar_subquery())
    query = trainings_query().add_columns(attended).options(joinedload(Training.product))
    return _each(query, lambda r: (r[0].id, r[0].held_on, r[0].title, r[0].product.sku if r[0].product else "",
                                   r[0].certification_code or "", int(r[1])), scalars=False)


CERTIFICATION_COLUMNS = (N_("编号"), N_("销售方编码"), N_("销售方"), N_("认证代码"), N_("通过"), N_("认证日期"), N_("有效期至"))


def certification_rows(user: User) -> Iterator[tuple]:
    """The certification rows of sellers `user` may see, newest first (the enablement page)."""
    from channel.services.selling_enablement import certifications_query
    from models.selling import Certification

    query = certifications_query(user).join(Seller, Seller.id == Certification.seller_id).with_only_columns(
        Certification.id, Seller.code, Seller.name, Certification.code, Certification.passed,
        Certification.certified_on, Certification.expires_on)
    return _each(query, tuple, scalars=False)


APPLICATION_COLUMNS = (N_("编号"), N_("公司"), N_("统一社会信用代码"), N_("联系人"), N_("电话"), N_("区划代码"), N_("层级"),
                       N_("状态"), N_("原因"), N_("销售方编码"), N_("合同起"), N_("合同止"), N_("保证金（元）"),
                       N_("提交时间（UTC）"))


def application_rows(user: User, status: str | None = None) -> Iterator[tuple]:
    """The agent applications, newest first (managers only, as the enablement page)."""
    from sqlalchemy.orm import joinedload

    from channel.services.access import require_role
    from channel.services.selling_enablement import applications_query
    from models.selling import AgentApplication

    require_role(user, *SELLING_MANAGERS)
    return _each(applications_query(status).options(joinedload(AgentApplication.seller)), lambda a: (
        a.id, a.company, a.credit_code, a.contact_name, a.phone or "", a.territory_id, a.level, a.status, a.reason or "",
        a.seller.code if a.seller else "", a.contract_from, a.contract_to, yuan_amount(a.deposit_fen),
        _utc_text(a.created_at)))


SUPPORT_COLUMNS = (N_("编号"), N_("时间（UTC）"), N_("销售方编码"), N_("销售方"), N_("主题"), N_("内容"), N_("状态"),
                   N_("答复"), N_("答复时间（UTC）"))


def support_rows(user: User, status: str | None = None) -> Iterator[tuple]:
    """The support requests of sellers `user` may see, open ones first (the enablement page)."""
    from channel.services.selling_feedback import support_query
    from models.selling import SupportRequest

    query = support_query(user, status=status).join(Seller, Seller.id == SupportRequest.seller_id).with_only_columns(
        SupportRequest.id, SupportRequest.created_at, Seller.code, Seller.name, SupportRequest.subject,
        SupportRequest.body, SupportRequest.status, SupportRequest.answer, SupportRequest.answered_at)
    return _each(query, lambda r: (r[0], _utc_text(r[1])) + tuple(r[2:7]) + (r[7] or "", _utc_text(r[8])),
                 scalars=False)


KPI_COLUMNS = (N_("日期"), N_("销售方编码"), N_("销售方"), N_("指标"), N_("当日实际"), N_("当日目标"), N_("本周实际"),
               N_("本周目标"))


def kpi_rows(user: User, *, day, channel: str, root_id: int | None) -> Iterator[tuple]:
    """The KPI board (channel.services.selling.kpi_board: the sellers `user` may see, at most
    the page's 300), one row per seller and metric (calls, first_contacts, visits, trainings);
    an empty target means none is set. Refused as the board is (a team outside the scope)."""
    from channel.services.selling import kpi_board

    board = kpi_board(user, day=day, channel=channel, root_id=root_id)
    codes = dict(db.session.execute(select(Seller.id, Seller.code).where(
        Seller.id.in_([row.seller_id for row in board["rows"]]))).all()) if board["rows"] else {}
    return iter([(day, codes.get(row.seller_id, ""), row.name, metric, cell.actual, cell.target,
                  row.week[metric].actual, row.week[metric].target)
                 for row in board["rows"] for metric, cell in row.day.items()])


CUSTOMER_VALUE_COLUMNS = (N_("客户编码"), NC_("column", "客户"), N_("毛利（元）"), N_("累计占比（%）"), N_("ABC 分类"),
                          N_("最近购买（天前）"), N_("购买次数"), N_("R 评分"), N_("F 评分"), N_("M 评分"), N_("客户分群"))


def customer_value_rows(user: User, *, seller_id: int | None, as_of) -> Iterator[tuple]:
    """Every customer of the customer-value report (channel.services.selling_value.value_report,
    in the user's scope), by gross profit: ABC class and RFM scores. Computed whole in memory
    as the page does; refused as the page is."""
    from channel.services.selling_value import value_report

    report = value_report(user, seller_id=seller_id, as_of=as_of)
    rfm = {row.customer_id: row for row in report["rfm"]}
    ids = [row.customer_id for row in report["abc"]]
    names: dict[int, tuple] = {}
    for start in range(0, len(ids), 1000):
        names.update((i, (code, name)) for i, code, name in db.session.execute(
            select(Customer.id, Customer.code, Customer.name).where(Customer.id.in_(ids[start:start + 1000]))))

    def row(abc):
        code, name = names.get(abc.customer_id, ("", ""))
        r = rfm.get(abc.customer_id)
        # RFM's monetary value is the gross profit (the third column), so it is not repeated
        scores = (r.recency_days, r.frequency, r.r, r.f, r.m, r.segment) if r else ("",) * 6
        return (code, name, yuan_amount(abc.profit_fen), _percent_text(abc.cumulative_bp), abc.klass) + scores

    return map(row, report["abc"])


HOLD_COLUMNS = (N_("编号"), N_("收款方编码"), N_("收款方"), N_("暂扣原因"), N_("操作人"), N_("暂扣时间（UTC）"))


def hold_rows(user: User) -> Iterator[tuple]:
    """The payees on hold, not released (the payouts page); finance and admins only."""
    from channel.services.access import PAYOUT_STAFF, require_role
    from channel.services.payouts import active_holds_query
    from models.payouts import PayeeHold

    require_role(user, *PAYOUT_STAFF)
    by = aliased(User)
    query = active_holds_query().join(Seller, Seller.id == PayeeHold.payee_id).outerjoin(
        by, by.id == PayeeHold.created_by_id).with_only_columns(
        PayeeHold.id, Seller.code, Seller.name, PayeeHold.reason, by.username, PayeeHold.created_at)
    return _each(query, lambda r: tuple(r[:4]) + (r[4] or "", _utc_text(r[5])), scalars=False)


TARGET_COLUMNS = (N_("编号"), N_("渠道"), N_("销售方编码"), N_("销售方"), N_("指标"), N_("周期"), N_("目标"))


def target_rows(user: User) -> Iterator[tuple]:
    """The KPI targets (the KPI page's managers' list): an empty seller means the whole channel;
    period `day` or `week`. Administrators and channel managers only."""
    from channel.services.access import require_role
    from channel.services.selling import targets_query
    from models.selling import KpiTarget

    require_role(user, *SELLING_MANAGERS)
    query = targets_query().outerjoin(Seller, Seller.id == KpiTarget.seller_id).with_only_columns(
        KpiTarget.id, KpiTarget.channel, Seller.code, Seller.name, KpiTarget.metric, KpiTarget.period, KpiTarget.target)
    return _each(query, lambda r: (r[0], r[1] or "", r[2] or "", r[3] or "") + tuple(r[4:]), scalars=False)
