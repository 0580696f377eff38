"""The seller tree: closure maintained with parent_id, effective-dated moves, grants."""
from datetime import date

import pytest
from sqlalchemy import func, select, text

from channel.domain.errors import DomainError
from channel.services import tree
from models import db
from models.tree import Seller, SellerClosure


def ids(rows):
    return sorted(s.id for s, _d in rows) if rows and isinstance(rows[0], tuple) else sorted(rows)


def names_of_uplines(seller_id, on=None):
    return [(s.code, d) for s, d in tree.upline_chain(seller_id, on=on)]


def test_uplines_come_with_their_distance(world):
    assert names_of_uplines(world.NS.id) == [("SZ", 1), ("GD", 2), ("N1", 3)]


def test_subtree_is_one_query_over_the_closure(world):
    members = set(db.session.scalars(tree.subtree_ids(world.GD.id)))
    assert members == {world.GD.id, world.SZ.id, world.GZ.id, world.NS.id, world.TH.id}
    assert tree.downline_size(world.GD.id) == 4


def test_a_move_carries_the_downline_and_keeps_the_history(world):
    moved_on = date(2026, 10, 15)
    tree.move_seller(world.SZ.id, world.ZJ.id, moved_on)
    # today: NS is under SZ under ZJ
    assert names_of_uplines(world.NS.id) == [("SZ", 1), ("ZJ", 2), ("N1", 3)]
    # on the day before the move, the old chain still answers
    assert names_of_uplines(world.NS.id, on=date(2026, 10, 14)) == [("SZ", 1), ("GD", 2), ("N1", 3)]
    assert names_of_uplines(world.NS.id, on=moved_on) == [("SZ", 1), ("ZJ", 2), ("N1", 3)]
    assert db.session.get(Seller, world.SZ.id).parent_id == world.ZJ.id
    assert tree.downline_size(world.GD.id) == 2  # GZ and TH remain


def test_closure_agrees_with_parent_ids_after_moves(world):
    tree.move_seller(world.SZ.id, world.ZJ.id, date(2026, 10, 15))
    tree.move_seller(world.NS.id, world.GZ.id, date(2026, 10, 20))
    parent = dict(db.session.execute(select(Seller.id, Seller.parent_id)).all())
    for seller_id in parent:
        chain, node = [], parent[seller_id]
        while node:
            chain.append(node)
            node = parent[node]
        assert [s.id for s, _d in tree.upline_chain(seller_id)] == chain


def test_refuses_to_make_an_agent_its_own_ancestor(world):
    with pytest.raises(DomainError) as error:
        tree.move_seller(world.GD.id, world.NS.id, date(2026, 10, 15))
    assert error.value.field == "parent"
    db.session.rollback()
    assert names_of_uplines(world.NS.id) == [("SZ", 1), ("GD", 2), ("N1", 3)]


def test_refuses_a_move_dated_before_the_last_change(world):
    tree.move_seller(world.SZ.id, world.ZJ.id, date(2026, 10, 15))
    with pytest.raises(DomainError):
        tree.move_seller(world.SZ.id, world.GD.id, date(2026, 10, 1))


def test_deactivation_moves_the_children_up_so_nobody_is_orphaned(world):
    tree.deactivate_seller(world.SZ.id, date(2026, 11, 1))
    ns = db.session.get(Seller, world.NS.id)
    assert ns.parent_id == world.GD.id
    assert names_of_uplines(world.NS.id) == [("GD", 1), ("N1", 2)]
    assert names_of_uplines(world.NS.id, on=date(2026, 10, 31))[0] == ("SZ", 1)
    assert db.session.get(Seller, world.SZ.id).active is False


def test_deactivating_a_top_level_seller_with_children_is_refused(world):
    with pytest.raises(DomainError):
        tree.deactivate_seller(world.N1.id, date(2026, 11, 1))


def test_overlapping_exclusive_grants_are_refused_nested_ones_included(world):
    # Shenzhen is held exclusively by SZ: a district inside it, or the same city, is refused
    with pytest.raises(DomainError):
        tree.grant_territory(world.GZ.id, 440305, exclusive=True, valid_from=date(2026, 1, 1))
    with pytest.raises(DomainError):
        tree.grant_territory(world.GZ.id, 440000, exclusive=True, valid_from=date(2026, 1, 1))
    # a shared grant there is fine, and so is an exclusive one elsewhere or after SZ's ends
    tree.grant_territory(world.GZ.id, 440305, exclusive=False, valid_from=date(2026, 1, 1))
    tree.grant_territory(world.GZ.id, 440600, exclusive=True, valid_from=date(2026, 1, 1))


def test_exclusive_grant_after_the_other_ends_is_accepted(world):
    tree.grant_territory(world.HZ.id, 320100, exclusive=True, valid_from=date(2026, 1, 1), valid_to=date(2026, 7, 1))
    tree.grant_territory(world.SZ.id, 320100, exclusive=True, valid_from=date(2026, 7, 1))
    with pytest.raises(DomainError):
        tree.grant_territory(world.GZ.id, 320102, exclusive=True, valid_from=date(2026, 6, 1), valid_to=date(2026, 8, 1))


def test_the_database_refuses_an_agent_as_its_own_parent(world):
    with pytest.raises(Exception):
        db.session.execute(text("update seller set parent_id = id where id = :id"), {"id": world.SZ.id})
        db.session.flush()
    db.session.rollback()


def test_closure_rows_never_start_after_they_end(world):
    tree.move_seller(world.SZ.id, world.ZJ.id, date(2026, 10, 15))
    tree.move_seller(world.SZ.id, world.GD.id, date(2026, 10, 15))  # same-day correction
    rows = db.session.scalars(select(SellerClosure).where(SellerClosure.valid_to.is_not(None))).all()
    assert all(r.valid_from < r.valid_to for r in rows)
    assert names_of_uplines(world.NS.id, on=date(2026, 10, 15)) == [("SZ", 1), ("GD", 2), ("N1", 3)]


def test_an_exclusive_grant_is_checked_against_every_level_the_country_included(world):
    # the country holds the exclusive city grants of SZ, GZ and HZ: refused, whoever asks
    with pytest.raises(DomainError):
        tree.grant_territory(world.TH.id, 100000, exclusive=True, valid_from=date(2026, 1, 1))
    # once they end (deactivation ends them; N1's shared grant does not count) it can be ...
    for seller in (world.SZ, world.GZ, world.HZ):
        tree.deactivate_seller(seller.id, date(2026, 6, 1))
    tree.grant_territory(world.ZJ.id, 100000, exclusive=True, valid_from=date(2027, 1, 1))
    # ... and then a province, a city or a district inside it is refused in that period
    for code in (440000, 320100, 310115):
        with pytest.raises(DomainError):
            tree.grant_territory(world.GD.id, code, exclusive=True, valid_from=date(2027, 3, 1))
    tree.grant_territory(world.GD.id, 320100, exclusive=True, valid_from=date(2026, 7, 1), valid_to=date(2027, 1, 1))


def test_deactivation_ends_open_grants_and_refuses_later_moves_and_grants(world):
    tree.grant_territory(world.HZ.id, 330200, exclusive=True, valid_from=date(2027, 1, 1))  # starts after
    tree.deactivate_seller(world.HZ.id, date(2026, 11, 1))
    grants = tree.grants_of(world.HZ.id)
    assert [(g.territory_id, g.valid_to) for g in grants] == [(330100, date(2026, 11, 1))]
    with pytest.raises(DomainError):
        tree.move_seller(world.HZ.id, world.GD.id, date(2026, 11, 2))
    with pytest.raises(DomainError):
        tree.grant_territory(world.HZ.id, 330100, exclusive=False, valid_from=date(2026, 11, 2))


def test_a_move_or_deactivation_dated_after_today_is_refused_and_changes_nothing(world, monkeypatch):
    """Today's tree decides who sees whom: a change dated ahead would hand the downline over at
    once, before the day it names (and take it from the old upline as early)."""
    from datetime import datetime

    import models
    from channel.domain.errors import DomainError
    from models.tree import SellerClosure

    monkeypatch.setattr(models, "utcnow", lambda: datetime(2026, 11, 30, 17, 0))  # 1 December in Beijing
    rows = db.session.scalar(select(func.count()).select_from(SellerClosure))
    for change in (lambda: tree.move_seller(world.SZ.id, world.ZJ.id, date(2026, 12, 2)),
                   lambda: tree.deactivate_seller(world.HZ.id, date(2026, 12, 2))):
        with pytest.raises(DomainError, match="不能晚于今天（2026-12-01）") as refused:
            change()
        assert refused.value.field == "effective_on"
        db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(SellerClosure)) == rows
    assert db.session.get(Seller, world.SZ.id).parent_id == world.GD.id and db.session.get(Seller, world.HZ.id).active
    tree.move_seller(world.SZ.id, world.ZJ.id, date(2026, 12, 1))  # today itself is fine
