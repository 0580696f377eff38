"""Foundation: tree queries on the closure table and keyset pagination deep into the orders."""
from __future__ import annotations

from datetime import date

from sqlalchemy import func, select, text

from tools.bench import Result, timed


def tree_queries(ctx) -> list[Result]:
    from channel.services import tree
    from models import db
    from models.tree import Seller, SellerClosure

    app = ctx.app()
    with app.app_context():
        top = db.session.scalar(select(Seller.id).where(Seller.channel == "agent", Seller.level == 1).limit(1))
        leaf = db.session.scalar(select(Seller.id).where(Seller.channel == "agent").order_by(Seller.level.desc(), Seller.id.desc()).limit(1))
        size = db.session.scalar(select(func.count()).select_from(Seller))
        ref_s, _ = timed(lambda: db.session.execute(text("SELECT count(*) FROM seller")).scalar(), repeat=5)
        all_s, _ = timed(lambda: db.session.execute(text("SELECT id FROM seller")).scalars().all(), repeat=5)
        sub_s, ids = timed(lambda: db.session.scalars(tree.subtree_ids(top)).all(), repeat=5)
        # the subtree as the pages use it: a subquery inside another query (here: its order lines this month)
        in_s, _ = timed(lambda: db.session.execute(
            select(func.count()).select_from(SellerClosure).where(
                SellerClosure.ancestor_id == top, SellerClosure.valid_to.is_(None), SellerClosure.depth == 1)
        ).scalar(), repeat=5)
        up_s, _ = timed(lambda: tree.upline_chain(leaf, on=date(2026, 6, 1)), repeat=20)
        kids_s, _ = timed(lambda: tree.downline_size(top), repeat=5)
    return [
        Result(f"subtree of a national agent: all {len(ids):,} ids into Python", sub_s,
               f"SELECT id FROM seller (all {size:,} ids into Python)", all_s),
        Result("direct children of a national agent via the closure (depth 1)", in_s, "target: 0.009 s (single-digit ms)", 0.009),
        Result("uplines of a reseller on a date (effective-dated closure)", up_s, "target: 0.009 s (single-digit ms)", 0.009),
        Result("downline size of a national agent (COUNT on the closure)", kids_s, "SELECT count(*) FROM seller", ref_s),
    ]


def keyset_pages(ctx) -> list[Result]:
    from channel.services.listing import Filters, orders_page
    from models import db
    from models.users import User

    app = ctx.app()
    with app.app_context():
        manager = db.session.scalar(select(User).where(User.username == "manager"))
        total = db.session.scalar(text("SELECT count(*) FROM sales_order"))
        # the cursor of the row 90% deep, then time the next page by keyset and by OFFSET
        deep = int(total * 0.9)
        row = db.session.execute(text(
            "SELECT order_date, id FROM sales_order ORDER BY order_date DESC, id DESC LIMIT 1 OFFSET :n"), {"n": deep}).one()
        cursor = f"{row[0] if isinstance(row[0], str) else row[0].isoformat()}_{row[1]}"
        key_s, page = timed(lambda: orders_page(manager, Filters(), cursor, size=50), repeat=5)
        off_s, _ = timed(lambda: db.session.execute(text(
            "SELECT * FROM sales_order ORDER BY order_date DESC, id DESC LIMIT 50 OFFSET :n"), {"n": deep}).all(), repeat=3)
    return [Result(f"orders page {deep:,} rows deep (keyset)", key_s, "same page by OFFSET", off_s)]


BENCHMARKS = [tree_queries, keyset_pages]
