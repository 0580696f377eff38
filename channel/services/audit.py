"""The audit log of sensitive actions (append-only). Call `record` inside the use case's
transaction, before its single commit, so the event and the change land together."""
from __future__ import annotations

from channel.domain.periods import check_day
from models import db
from models.ops import AuditEvent


def record(actor_id: int | None, action: str, object_type: str, object_id, detail: dict | None = None) -> AuditEvent:
    event = AuditEvent(actor_id=actor_id, action=action, object_type=object_type,
                       object_id=None if object_id is None else str(object_id), detail=detail)
    db.session.add(event)
    return event


def events_query(*, action: str | None = None, actor: str | None = None, object_type: str | None = None,
                 object_id: str | None = None, date_from=None, date_to=None):
    """SELECT of the audit events newest first, filtered: action and object type match a prefix,
    dates are Asia/Shanghai business dates, inclusive (the audit page and its export). Who may
    read it is the caller's rule. DomainError for a date outside periods.check_day's years."""
    from datetime import datetime, time, timedelta
    from zoneinfo import ZoneInfo

    from sqlalchemy import select

    from channel.services.listing import text_like  # listing → tree → audit: imported here
    from models.users import User

    shanghai = ZoneInfo("Asia/Shanghai")

    def utc(day, end=False):
        moment = datetime.combine(day + timedelta(days=1) if end else day, time.min, shanghai)
        return moment.astimezone(ZoneInfo("UTC")).replace(tzinfo=None)

    for field, day in (("date_from", date_from), ("date_to", date_to)):
        if day:
            check_day(day, field)  # 0001-01-01 / 9999-12-31 would overflow below: 400, not 500
    query = select(AuditEvent)
    if action:
        query = query.where(text_like(AuditEvent.action, action.strip()))
    if actor:
        query = query.where(AuditEvent.actor_id.in_(select(User.id).where(User.username == actor.strip())))
    if object_type:
        query = query.where(text_like(AuditEvent.object_type, object_type.strip()))
    if object_id:
        query = query.where(AuditEvent.object_id == object_id.strip())
    if date_from:
        query = query.where(AuditEvent.at >= utc(date_from))
    if date_to:
        query = query.where(AuditEvent.at < utc(date_to, end=True))
    return query.order_by(AuditEvent.id.desc())


def events_page(*, before_id: int | None = None, size: int = 50, **filters) -> tuple[list[AuditEvent], int | None]:
    """A keyset page (after `before_id`) of `events_query(**filters)`: the rows and the cursor of
    the next page (None at the end)."""
    query = events_query(**filters)
    if before_id:
        query = query.where(AuditEvent.id < before_id)
    rows = list(db.session.scalars(query.limit(size + 1)))
    return rows[:size], (rows[size - 1].id if len(rows) > size else None)
