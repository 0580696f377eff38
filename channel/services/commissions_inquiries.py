"""Statement inquiries (对账疑问): a payee (or a manager over it) asks about its statement of a
month or one of its lines; finance or channel managers answer; the asker closes or reopens it
with a follow-up. Every action is audit-logged (`inquiry.raise|answer|close|reopen`), in the
same commit as the change.

Who may do what:
- raise: the roles in RAISERS, on a payee whose statement they may see (`require_seller`: an
  agent its own and its downline's, a rep its own and its team's, managers and admins every
  one); finance and product managers do not raise;
- answer: the roles in ANSWERERS, with scope over the payee, never on an inquiry they raised;
- close / reopen: the user who raised it;
- read and list: whoever may see the payee's statement (`access.scope_inquiries`).
Outside the scope an inquiry, a statement or a line answers NotFound (404); a role without the
right Forbidden (403); a text or line that breaks a rule DomainError (400, with its field); an
action the status does not allow Conflict (409).
"""
from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from channel.domain import inquiries as rules
from channel.domain.errors import DomainError, Forbidden, N_
from channel.domain.paging import MAX_ID
from channel.domain.periods import Month
from channel.services import audit
from channel.services.access import require_inquiry, require_role, require_seller, scope_inquiries
from models import db, utcnow
from models.commissions import INQUIRY_STATUSES, LedgerLine, StatementInquiry, StatementInquiryMessage
from models.users import FIELD_ROLES, MANAGING_ROLES, ROLE_FINANCE, User

RAISERS = FIELD_ROLES
ANSWERERS = (*MANAGING_ROLES, ROLE_FINANCE)


def may_raise(user: User) -> bool:
    """Whether `user`'s role raises inquiries (the scope is the statement's, checked on raising)."""
    return user.role in RAISERS


def may_answer(user: User, inquiry: StatementInquiry) -> bool:
    """Whether `user` may answer `inquiry` now (a role of ANSWERERS, not its asker, still open).
    The caller has the inquiry from a scoped read."""
    return user.role in ANSWERERS and inquiry.raised_by_id != user.id and inquiry.status == "open"


def statement_line(payee_id: int, period: str, line_id: int) -> LedgerLine:
    """The ledger line `line_id` if it is shown on the statement of `payee_id` for `period` (its
    payee and its posting month: a correction of an earlier month posted in `period` counts);
    DomainError on `ledger_line_id` otherwise, also when it does not exist."""
    line = db.session.get(LedgerLine, line_id) if 0 < line_id <= MAX_ID else None
    if line is None or line.payee_id != payee_id or line.period != period:
        raise DomainError(N_("第 %(id)s 行不在这张对账单上。"), field="ledger_line_id", id=line_id)
    return line


def raise_inquiry(user: User, payee_id: int, period: str, question: str,
                  ledger_line_id: int | None = None) -> StatementInquiry:
    """A new open inquiry on the statement of `payee_id` for `period`, optionally about one of its
    lines (see `statement_line`)."""
    require_role(user, *RAISERS)
    require_seller(user, payee_id)
    month = str(Month.parse(period))
    text = rules.check_text(question, "question")
    if ledger_line_id is not None:
        statement_line(payee_id, month, ledger_line_id)
    inquiry = StatementInquiry(payee_id=payee_id, period=month, ledger_line_id=ledger_line_id, raised_by_id=user.id,
                               question=text, status="open")
    db.session.add(inquiry)
    db.session.flush()
    audit.record(user.id, "inquiry.raise", "statement_inquiry", inquiry.id,
                 {"payee_id": payee_id, "period": month, "ledger_line_id": ledger_line_id, "question": text})
    db.session.commit()
    return inquiry


def answer_inquiry(user: User, inquiry_id: int, answer: str) -> StatementInquiry:
    """Answer an open inquiry: it becomes answered, the answer its latest and a step of its thread."""
    require_role(user, *ANSWERERS)
    inquiry = require_inquiry(user, inquiry_id)
    if inquiry.raised_by_id == user.id:
        raise Forbidden(N_("不能答复自己提出的疑问。"))
    status = rules.next_status("answer", inquiry.status)
    text = rules.check_text(answer, "answer")
    now = utcnow()
    inquiry.status, inquiry.answer, inquiry.answered_by_id, inquiry.answered_at = status, text, user.id, now
    inquiry.updated_at = now
    db.session.add(StatementInquiryMessage(inquiry_id=inquiry.id, kind="answer", body=text, author_id=user.id,
                                           created_at=now))
    audit.record(user.id, "inquiry.answer", "statement_inquiry", inquiry.id, {"answer": text})
    db.session.commit()
    return inquiry


def _asked_by(user: User, inquiry_id: int) -> StatementInquiry:
    inquiry = require_inquiry(user, inquiry_id)
    if inquiry.raised_by_id != user.id:
        raise Forbidden(N_("只有提出疑问的人可以关闭或重新打开它。"))
    return inquiry


def close_inquiry(user: User, inquiry_id: int) -> StatementInquiry:
    """The asker closes its inquiry (answered or not)."""
    inquiry = _asked_by(user, inquiry_id)
    inquiry.status = rules.next_status("close", inquiry.status)
    inquiry.closed_at = inquiry.updated_at = utcnow()
    audit.record(user.id, "inquiry.close", "statement_inquiry", inquiry.id)
    db.session.commit()
    return inquiry


def reopen_inquiry(user: User, inquiry_id: int, follow_up: str) -> StatementInquiry:
    """The asker reopens its answered or closed inquiry with a follow-up (required): open again,
    awaiting a new answer; the follow-up is a step of its thread."""
    inquiry = _asked_by(user, inquiry_id)
    status = rules.next_status("reopen", inquiry.status)
    text = rules.check_text(follow_up, "follow_up")
    now = utcnow()
    inquiry.status, inquiry.closed_at, inquiry.updated_at = status, None, now
    db.session.add(StatementInquiryMessage(inquiry_id=inquiry.id, kind="follow_up", body=text, author_id=user.id,
                                           created_at=now))
    audit.record(user.id, "inquiry.reopen", "statement_inquiry", inquiry.id, {"follow_up": text})
    db.session.commit()
    return inquiry


def _check_status(status: str | None) -> str | None:
    if status and status not in INQUIRY_STATUSES:
        raise DomainError(N_("未知的状态。"), field="status")
    return status or None


def filter_inquiries(query, user: User, *, status: str | None = None, period: str | None = None,
              payee_id: int | None = None):
    """`query` (over statement_inquiry) limited to what `user` may see and to the filters;
    DomainError for an unknown status or a bad month."""
    query = scope_inquiries(query, user)
    if _check_status(status):
        query = query.where(StatementInquiry.status == status)
    if period:
        query = query.where(StatementInquiry.period == str(Month.parse(period)))
    if payee_id is not None:
        query = query.where(StatementInquiry.payee_id == payee_id)
    return query


def inquiries_query(user: User, **filters):
    """SELECT of the inquiries `user` may see, newest first, filtered by status, month and payee
    (`filter_inquiries`)."""
    return filter_inquiries(select(StatementInquiry), user, **filters).order_by(StatementInquiry.id.desc())


def inquiries_page(user: User, *, before_id: int | None = None, size: int = 50,
                   **filters) -> tuple[list[StatementInquiry], int | None]:
    """A keyset page (ids below `before_id`) of `inquiries_query(**filters)`, with payee, asker,
    answerer loaded: the rows and the cursor of the next page (None on the last)."""
    query = inquiries_query(user, **filters).options(
        selectinload(StatementInquiry.payee), selectinload(StatementInquiry.raised_by),
        selectinload(StatementInquiry.answered_by))
    if before_id:
        query = query.where(StatementInquiry.id < before_id)
    rows = list(db.session.scalars(query.limit(size + 1)))
    return rows[:size], (rows[size - 1].id if len(rows) > size else None)


def status_counts(user: User, *, period: str | None = None) -> dict[str, int]:
    """{status: inquiries} of every status (0 when none) among those `user` may see, of `period`
    when given."""
    query = filter_inquiries(select(StatementInquiry.status, func.count()), user, period=period)
    counted = dict(db.session.execute(query.group_by(StatementInquiry.status)).all())
    return {status: int(counted.get(status, 0)) for status in INQUIRY_STATUSES}


def statement_inquiries(user: User, payee_id: int, period: str) -> list[StatementInquiry]:
    """Every inquiry on the statement of `payee_id` for `period` that `user` may see, newest
    first, with its thread, asker and answerer loaded (the statement page)."""
    query = inquiries_query(user, period=period, payee_id=payee_id).options(
        selectinload(StatementInquiry.raised_by), selectinload(StatementInquiry.answered_by),
        selectinload(StatementInquiry.messages).selectinload(StatementInquiryMessage.author))
    return list(db.session.scalars(query))


def lines_of(items: list[StatementInquiry]) -> dict[int, LedgerLine]:
    """{line id: ledger line} of the lines `items` ask about, in one query (for their links)."""
    ids = {item.ledger_line_id for item in items if item.ledger_line_id is not None}
    return {line.id: line for line in db.session.scalars(select(LedgerLine).where(LedgerLine.id.in_(ids)))} if ids else {}


def unsettled_by_payee(user: User, payee_ids, *, up_to: str) -> dict[int, list[StatementInquiry]]:
    """{payee id: its inquiries not closed (open: awaiting an answer; answered: awaiting the
    asker), oldest first} on the statements of `payee_ids` for months up to `up_to`, among those
    `user` may see: a payout batch of `up_to` shows them beside the rows it pays (one query)."""
    ids = set(payee_ids)
    if not ids:
        return {}
    query = scope_inquiries(select(StatementInquiry), user).where(
        StatementInquiry.payee_id.in_(ids), StatementInquiry.status != "closed",
        StatementInquiry.period <= str(Month.parse(up_to))).order_by(StatementInquiry.id)
    found: dict[int, list[StatementInquiry]] = {}
    for item in db.session.scalars(query):
        found.setdefault(item.payee_id, []).append(item)
    return found
