"""selling: certifications (more tables of the selling feature follow)

Revision ID: 0006
Revises: 0005
"""
from alembic import op
import sqlalchemy as sa

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "certification",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("seller_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("passed", sa.Boolean(), nullable=False),
        sa.Column("certified_on", sa.Date(), nullable=False),
        sa.Column("expires_on", sa.Date(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["seller_id"], ["seller.id"], name=op.f("fk_certification_seller_id_seller")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_certification")),
    )
    op.create_index("ix_certification_seller_code", "certification", ["seller_id", "code"])


def downgrade():
    op.drop_table("certification")
