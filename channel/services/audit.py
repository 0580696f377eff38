"""The audit log of sensitive actions (append-only). Call `record` inside the use case's
transaction, before its single commit, so the event and the change land together."""
from __future__ import annotations

from models import db
from models.ops import AuditEvent


def record(actor_id: int | None, action: str, object_type: str, object_id, detail: dict | None = None) -> AuditEvent:
    event = AuditEvent(actor_id=actor_id, action=action, object_type=object_type,
                       object_id=None if object_id is None else str(object_id), detail=detail)
    db.session.add(event)
    return event
