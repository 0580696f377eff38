"""ops: the append-only audit log, background jobs, login attempts, list indexes

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
    op.create_index("ix_audit_actor", "audit_event", ["actor_id", "id"])
    for statement in append_only("audit_event", op.get_bind().dialect.name):
        op.execute(statement)

    op.create_table(
        "job",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=60), nullable=False),
        sa.Column("params", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("backend", sa.String(length=10), nullable=False),
        sa.Column("queue_id", sa.String(length=64), nullable=True),
        sa.Column("result", sa.JSON(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("rerun_of_id", sa.Integer(), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("started_at", sa.DateTime(), nullable=True),
        sa.Column("finished_at", sa.DateTime(), nullable=True),
        sa.CheckConstraint("status in ('queued', 'running', 'done', 'failed', 'interrupted')",
                           name=op.f("ck_job_status")),
        sa.ForeignKeyConstraint(["created_by_id"], ["user.id"], name=op.f("fk_job_created_by_id_user")),
        sa.ForeignKeyConstraint(["rerun_of_id"], ["job.id"], name=op.f("fk_job_rerun_of_id_job")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_job")),
    )
    op.create_index("ix_job_creator", "job", ["created_by_id", "id"])
    op.create_index("ix_job_status", "job", ["status"])

    op.create_table(
        "login_attempt",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("address", sa.String(length=45), nullable=True),
        sa.Column("succeeded", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_login_attempt")),
    )
    op.create_index("ix_login_attempt_username", "login_attempt", ["username", "at"])
    op.create_index("ix_login_attempt_address", "login_attempt", ["address", "at"])

    op.create_index("ix_order_channel_date", "sales_order", ["channel", "order_date", "id"])
    op.create_index("ix_order_kind_date", "sales_order", ["kind", "order_date", "id"])


def downgrade():
    op.drop_index("ix_order_kind_date", table_name="sales_order")
    op.drop_index("ix_order_channel_date", table_name="sales_order")
    op.drop_table("login_attempt")
    op.drop_table("job")
    for statement in drop_append_only("audit_event", op.get_bind().dialect.name):
        op.execute(statement)
    op.drop_table("audit_event")
