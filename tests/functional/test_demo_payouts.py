"""The demo has payout batches, made through the payout services: the oldest month it runs is
paid (finance2 approved it), the latest is a draft; the demo agent's "my payouts" page lists its
paid row, and finance's batches page both batches."""
from datetime import date

from sqlalchemy import select

from channel.services.demo import load_demo, load_extras
from models import db
from models.payouts import PayoutBatch, PayoutEvent, PayoutRow
from models.users import User

UNTIL = date(2026, 10, 31)  # the demo runs 2026-07, 2026-08 and 2026-09


def test_the_demo_pays_its_oldest_month_drafts_its_latest_and_the_agent_sees_its_payout(app, client):
    load_demo(agents=200, orders=8000, seed=4, until=UNTIL)
    counts = load_extras(until=UNTIL)
    batches = db.session.scalars(select(PayoutBatch).order_by(PayoutBatch.id)).all()
    assert [(b.period, b.status) for b in batches] == [("2026-07", "paid"), ("2026-09", "draft")]
    assert counts["payout batch 2026-07 paid"] == batches[0].payees > 0
    assert counts["payout batch 2026-09 draft"] == batches[1].payees > 0
    users = {u.username: u for u in db.session.scalars(select(User))}
    approved_by = db.session.scalar(select(PayoutEvent.actor_id).where(
        PayoutEvent.batch_id == batches[0].id, PayoutEvent.action == "approve"))
    assert batches[0].created_by_id == users["finance"].id and approved_by == users["finance2"].id

    paid = db.session.scalar(select(PayoutRow).where(PayoutRow.batch_id == batches[0].id,
                                                     PayoutRow.payee_id == users["agent"].seller_id))
    assert paid.status == "paid" and paid.invoice_no, (paid.status, paid.gross_fen)  # a company agent: invoiced, then paid
    client.post("/login", data={"username": "agent", "password": "qudao-demo"})
    page = client.get("/payouts/mine").get_data(as_text=True)
    mine = page.split('id="my-payouts"')[1].split("</table>")[0]
    assert "2026-07" in mine and f"/payouts/rows/{paid.id}" in mine
    assert f"{paid.gross_fen // 100:,}" in mine
    client.post("/logout")
    client.post("/login", data={"username": "finance", "password": "qudao-demo"})
    listing = client.get("/payouts").get_data(as_text=True)
    assert all(f"/payouts/batches/{b.id}" in listing for b in batches)
