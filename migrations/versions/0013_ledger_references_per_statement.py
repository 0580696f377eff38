"""PostgreSQL: ledger_line's references checked once per INSERT statement (triggers) instead of
once per row (foreign keys), the same rules; SQLite unchanged. See models/ddl.py,
`ledger_references`.

Revision ID: 0013
Revises: 0012
"""
from alembic import op

from models.ddl import drop_ledger_references, ledger_references

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade():
    for statement in ledger_references(op.get_bind().dialect.name):
        op.execute(statement)


def downgrade():
    for statement in drop_ledger_references(op.get_bind().dialect.name):
        op.execute(statement)
