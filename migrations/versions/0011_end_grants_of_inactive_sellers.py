"""data: the territory grants of sellers deactivated before "a deactivated seller's grants end"

Deactivating a seller now ends its grants on the deactivation day
(channel.services.tree.deactivate_seller). Sellers deactivated before that rule still hold
grants in force, so their territories look taken (an exclusive grant blocks everyone else) and
conflict rules count them as owners. This migration does for them what deactivation does now:
each grant of an inactive seller still in force on its deactivation day (or later) ends that
day — the seller's deactivated_on, or today (Asia/Shanghai) when it was never recorded; a grant
starting on or after that day never held and is deleted (unless conflict evidence points at it:
then it ends the day after it starts, the shortest a grant can be). Each change is written to the audit
log as deactivation writes it ('territory.end', by nobody, with "migration": "0011").

Downgrade changes nothing: the grants stay ended (reopening a deactivated seller's territory
would bring the defect back; the audit log says what each grant was).

Revision ID: 0011
Revises: 0010
"""
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from alembic import op
import sqlalchemy as sa

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade():
    connection = op.get_bind()
    meta = sa.MetaData()
    seller = sa.Table("seller", meta, sa.Column("id", sa.Integer), sa.Column("active", sa.Boolean),
                      sa.Column("deactivated_on", sa.Date))
    grant = sa.Table("territory_grant", meta, sa.Column("id", sa.Integer), sa.Column("seller_id", sa.Integer),
                     sa.Column("territory_id", sa.Integer), sa.Column("exclusive", sa.Boolean),
                     sa.Column("valid_from", sa.Date), sa.Column("valid_to", sa.Date))
    evidence = sa.Table("conflict_evidence", meta, sa.Column("grant_id", sa.Integer))
    audit = sa.Table("audit_event", meta, sa.Column("at", sa.DateTime), sa.Column("actor_id", sa.Integer),
                     sa.Column("action", sa.String(60)), sa.Column("object_type", sa.String(40)),
                     sa.Column("object_id", sa.String(40)), sa.Column("detail", sa.JSON))
    today = datetime.now(ZoneInfo("Asia/Shanghai")).date()
    ends = sa.func.coalesce(seller.c.deactivated_on, sa.literal(today, sa.Date))
    rows = connection.execute(
        sa.select(grant.c.id, grant.c.seller_id, grant.c.territory_id, grant.c.exclusive, grant.c.valid_from,
                  grant.c.valid_to, seller.c.deactivated_on,
                  sa.exists().where(evidence.c.grant_id == grant.c.id).label("cited"))
        .join(seller, seller.c.id == grant.c.seller_id)
        .where(seller.c.active.is_(False), sa.or_(grant.c.valid_to.is_(None), grant.c.valid_to > ends))
        .order_by(grant.c.id)
    ).all()
    if not rows:
        return
    now = datetime.now(timezone.utc).replace(tzinfo=None)
    events, ended, removed = [], [], []
    for row in rows:
        end: date = row.deactivated_on or today
        gone = row.valid_from >= end and not row.cited
        if row.valid_from >= end and row.cited:
            end = row.valid_from + timedelta(days=1)
        (removed if gone else ended).append({"grant_id": row.id, "end": end})
        events.append({"at": now, "actor_id": None, "action": "territory.end", "object_type": "seller",
                       "object_id": str(row.seller_id), "detail": {
                           "grant_id": row.id, "territory_id": row.territory_id, "removed": gone,
                           "valid_to": None if gone else end.isoformat(),
                           "was_valid_to": row.valid_to.isoformat() if row.valid_to else None,
                           "valid_from": row.valid_from.isoformat(), "exclusive": bool(row.exclusive),
                           "deactivated_on": row.deactivated_on.isoformat() if row.deactivated_on else None,
                           "migration": "0011"}})
    connection.execute(audit.insert(), events)
    if ended:
        connection.execute(grant.update().where(grant.c.id == sa.bindparam("grant_id"))
                           .values(valid_to=sa.bindparam("end")), ended)
    if removed:
        connection.execute(grant.delete().where(grant.c.id.in_([r["grant_id"] for r in removed])))


def downgrade():
    pass
