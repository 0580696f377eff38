"""ops: the append-only audit log

Revision ID: 0007
Revises: 0006
"""
from alembic import op
import sqlalchemy as sa

from models.ddl import append_only, drop_append_only

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "audit_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("action", sa.String(length=60), nullable=False),
        sa.Column("object_type", sa.String(length=40), nullable=False),
        sa.Column("object_id", sa.String(length=40), nullable=True),
        sa.Column("detail", sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(["actor_id"], ["user.id"], name=op.f("fk_audit_event_actor_id_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_event")),
    )
    op.create_index("ix_audit_at", "audit_event", ["at"])
    op.create_index("ix_audit_object", "audit_event", ["object_type", "object_id"])
    op.create_index("ix_audit_action", "audit_event", ["action"])
    for statement in append_only("audit_event", op.get_bind().dialect.name):
        op.execute(statement)


def downgrade():
    for statement in drop_append_only("audit_event", op.get_bind().dialect.name):
        op.execute(statement)
    op.drop_table("audit_event")
