from datetime import date

import pytest
from sqlalchemy import func, select

from channel.domain.errors import DomainError
from channel.services import tree
from channel.services.demo import load_demo
from models import db
from models.sales import OrderLine, SalesOrder
from models.tree import Seller
from models.users import User


def test_loads_a_consistent_company_and_only_into_an_empty_database(app):
    counts = load_demo(agents=60, orders=800, seed=4, until=date(2026, 10, 31))
    assert counts["order_line"] == 800
    assert db.session.scalar(select(func.count()).select_from(OrderLine)) == 800
    # order totals are the sums of their lines
    mismatched = db.session.scalar(
        select(func.count()).select_from(SalesOrder).where(
            SalesOrder.total_fen != select(func.sum(OrderLine.amount_fen)).where(OrderLine.order_id == SalesOrder.id).scalar_subquery()
        )
    )
    assert mismatched == 0
    users = {u.username: u for u in db.session.scalars(select(User))}
    assert {"admin", "manager", "finance", "finance2", "agent", "agent2", "rep", "director"} <= set(users)
    assert users["agent"].check_password("qudao-demo")
    assert tree.downline_size(users["agent"].seller_id) >= 2
    assert tree.upline_chain(users["rep"].seller_id)[-1][0].id == users["director"].seller_id
    with pytest.raises(DomainError):
        load_demo(agents=60, orders=800)
    # new rows after a bulk load get fresh ids (PostgreSQL sequences were advanced)
    seller = tree.add_seller(code="NEW1", name="新代理", channel="agent", level=4,
                             parent_id=db.session.scalar(select(Seller.id).where(Seller.level == 3).limit(1)),
                             joined_on=date(2026, 11, 1))
    assert seller.id > counts["seller"]


def test_demo_command_with_if_empty_is_a_no_op_the_second_time(app):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["demo", "--agents", "50", "--orders", "300", "--until", "2026-10-31"])
    assert result.exit_code == 0, result.output
    assert "qudao-demo" in result.output
    again = runner.invoke(args=["demo", "--if-empty"])
    assert again.exit_code == 0 and "already has data" in again.output
    refused = runner.invoke(args=["demo"])
    assert refused.exit_code == 1
