from datetime import date

import pytest

from channel.domain.errors import DomainError
from channel.domain.tree import Node, check_effective_date, check_move, periods_overlap


def test_refuses_a_move_under_its_own_downline():
    seller = Node(2, "agent", 2)
    child = Node(3, "agent", 3)
    with pytest.raises(DomainError) as error:
        check_move(seller, child, {2, 3}, max_level=4)
    assert error.value.field == "parent"


def test_refuses_a_parent_at_the_same_or_a_lower_level():
    with pytest.raises(DomainError):
        check_move(Node(5, "agent", 3), Node(6, "agent", 3), {5}, max_level=4)


def test_refuses_a_parent_in_the_other_channel():
    with pytest.raises(DomainError):
        check_move(Node(5, "agent", 3), Node(6, "direct", 1), {5}, max_level=4)


def test_accepts_a_parent_two_levels_up():
    check_move(Node(5, "agent", 4), Node(1, "agent", 2), {5}, max_level=4)


def test_only_the_top_level_may_have_no_parent():
    check_move(Node(1, "agent", 1), None, {1}, max_level=4)
    with pytest.raises(DomainError):
        check_move(Node(5, "agent", 2), None, {5}, max_level=4)


def test_history_is_appended_never_rewritten():
    check_effective_date(date(2026, 5, 1), date(2026, 5, 1))
    with pytest.raises(DomainError):
        check_effective_date(date(2026, 4, 30), date(2026, 5, 1))


@pytest.mark.parametrize(
    "a,b,overlap",
    [
        ((date(2026, 1, 1), None), (date(2027, 1, 1), None), True),
        ((date(2026, 1, 1), date(2026, 6, 1)), (date(2026, 6, 1), None), False),  # half-open
        ((date(2026, 1, 1), date(2026, 6, 2)), (date(2026, 6, 1), None), True),
        ((date(2026, 3, 1), date(2026, 4, 1)), (date(2026, 1, 1), date(2026, 2, 1)), False),
    ],
)
def test_periods_are_half_open(a, b, overlap):
    assert periods_overlap(*a, *b) is overlap
