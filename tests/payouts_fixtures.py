"""Ledger lines for payout tests, made directly against the commissions CONTRACT (a posted
CommissionRun and its LedgerLine rows) — never through the commission engine."""
from __future__ import annotations

from models import db
from models.commissions import CommissionRun, LedgerLine
from models.users import User


def post_lines(period: str, lines: list[tuple], status: str = "posted", give_accounts: bool = True) -> list[LedgerLine]:
    """Post `lines` — (payee, amount_fen) or (payee, amount_fen, rule) — in one run of `period`.
    Payees without a bank account get one (the test world has none) unless `give_accounts` is False."""
    from models.tree import Seller

    if give_accounts:
        for line in lines:
            seller = db.session.get(Seller, getattr(line[0], "id", line[0]))
            if not seller.bank_account:
                seller.bank_name, seller.bank_account = "中国工商银行", f"6222020000{seller.id:09d}"
    run = CommissionRun(period=period, status=status, lines_posted=len(lines),
                        total_fen=sum(line[1] for line in lines))
    db.session.add(run)
    db.session.flush()
    posted = []
    for line in lines:
        payee, amount = line[0], line[1]
        rule = line[2] if len(line) > 2 else ("clawback" if amount < 0 else "base")
        posted.append(LedgerLine(run_id=run.id, period=period, payee_id=getattr(payee, "id", payee), rule=rule,
                                 amount_fen=amount))
    db.session.add_all(posted)
    db.session.commit()
    return posted


def set_payee(seller, payee_type: str | None = None, **fields) -> None:
    if payee_type:
        seller.payee_type = payee_type
    for key, value in fields.items():
        setattr(seller, key, value)
    db.session.commit()


def uid(world, username: str) -> int:
    return getattr(world, "user_" + username).id


def user(username: str) -> User:
    return db.session.query(User).filter_by(username=username).one()
