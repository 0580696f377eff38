"""PostgreSQL: a DELETE from a table that ledger lines name waits for the ledger's writers
before it checks, closing the race two transactions could otherwise pass together (see
models/ddl.py, `ledger_parent_locks`); SQLite unchanged.

Revision ID: 0014
Revises: 0013
"""
from alembic import op

from models.ddl import ledger_parent_locks

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade():
    for statement in ledger_parent_locks(op.get_bind().dialect.name, lock=True):
        op.execute(statement)


def downgrade():
    for statement in ledger_parent_locks(op.get_bind().dialect.name, lock=False):
        op.execute(statement)
