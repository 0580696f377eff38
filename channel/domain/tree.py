"""Rules of the seller trees (both channels), independent of storage."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from channel.domain.errors import DomainError, N_


def code_key(code: str) -> str:
    """What two codes people type are compared by (seller, customer and product codes): trimmed,
    letter case ignored, so 'ag-001 ' and 'AG-001' are one code. The one rule; `code_spellings`
    is its form for a lookup through a unique index, `CodeBook` its form for codes loaded once."""
    return code.strip().upper()


def code_spellings(code: str) -> tuple[str, ...]:
    """How a seller code typed by a person may be stored, in the order tried: as typed, in upper
    case, in lower case (codes are found whatever their letter case)."""
    return tuple(dict.fromkeys((code, code.upper(), code.lower())))


class CodeBook(dict):
    """Stored codes (each → a value, None for a plain set of codes) found as people type them:
    `spelling(code)` is the stored spelling of `code`, the exact one when stored, else the first
    stored code equal to it by `code_key`. Add codes with `book[code] = value` (the only way
    the lookup follows)."""

    def __init__(self, items=()):
        super().__init__()
        self._by_key: dict[str, str] = {}
        for code, value in items.items() if isinstance(items, dict) else items:
            self[code] = value

    @classmethod
    def of(cls, codes) -> CodeBook:
        return cls((code, None) for code in codes)

    def __setitem__(self, code: str, value) -> None:
        super().__setitem__(code, value)
        self._by_key.setdefault(code_key(code), code)

    def spelling(self, code: str) -> str | None:
        return code if code in self else self._by_key.get(code_key(code))


def stored_spelling(code: str, *known) -> str | None:
    """The spelling under which `code` is in one of the `known` containers: the exact one in any
    of them first; then, container by container, any letter case in a `CodeBook` (code_key) or
    a spelling of `code_spellings` in another container. None when in none."""
    if any(code in container for container in known):
        return code
    for container in known:
        if isinstance(container, CodeBook):
            found = container.spelling(code)
        else:
            found = next((spelling for spelling in code_spellings(code) if spelling in container), None)
        if found is not None:
            return found
    return None


@dataclass(frozen=True)
class Node:
    id: int
    channel: str
    level: int
    active: bool = True


def check_move(seller: Node, new_parent: Node | None, subtree_ids: set[int], max_level: int) -> None:
    """Refuse a move of `seller` (with its downline `subtree_ids`, itself included) under
    `new_parent`. Raises DomainError with the reason."""
    if new_parent is None:
        if seller.level != 1:
            raise DomainError(N_("只有最高层级的销售方可以没有上级。"), field="parent")
        return
    if new_parent.id in subtree_ids:
        raise DomainError(
            N_("不能把它移到自己或自己的下级之下：那会让它成为自己的上级。"), field="parent"
        )
    if new_parent.channel != seller.channel:
        raise DomainError(N_("上级必须属于同一渠道。"), field="parent")
    if not new_parent.active:
        raise DomainError(N_("上级已停用。"), field="parent")
    if new_parent.level >= seller.level:
        raise DomainError(
            N_("上级的层级必须高于它（层级 %(parent)s 不能管理层级 %(child)s）。"),
            field="parent",
            parent=new_parent.level,
            child=seller.level,
        )
    if seller.level > max_level:
        raise DomainError(N_("层级 %(level)s 超出了配置的层级数。"), field="level", level=seller.level)


def check_effective_date(effective_on: date, latest_change: date | None) -> None:
    """A tree change cannot be dated before the last change already recorded for the rows it
    touches: history is appended, never rewritten."""
    if latest_change is not None and effective_on < latest_change:
        raise DomainError(
            N_("生效日期不能早于上一次变更（%(latest)s）。"),
            field="effective_on",
            latest=latest_change.isoformat(),
        )


def check_not_ahead(effective_on: date, today: date) -> None:
    """A move or deactivation takes effect from a day not after today: the tree of today (who
    sees whom, whose sales roll up where) changes when it is recorded, so a change dated ahead
    would hand the downline to its new upline before the day it names."""
    if effective_on > today:
        raise DomainError(N_("生效日期不能晚于今天（%(today)s）：调整一登记，谁能看到谁就随之改变；请在生效当天或之后登记。"),
                          field="effective_on", today=today.isoformat())


def periods_overlap(a_from: date, a_to: date | None, b_from: date, b_to: date | None) -> bool:
    """Half-open intervals [from, to) with None meaning open-ended."""
    a_end = a_to or date.max
    b_end = b_to or date.max
    return a_from < b_end and b_from < a_end


@dataclass(frozen=True)
class Place:
    """A territory as the rules see it: its id and the province / city it lies in (itself
    included)."""

    id: int
    level: int
    province_id: int | None
    city_id: int | None

    def ancestry(self) -> set[int]:
        from channel.domain.territory_data import COUNTRY_ID

        return {i for i in (self.id, self.city_id, self.province_id, COUNTRY_ID) if i}

    def contains(self, other: "Place") -> bool:
        return self.id in other.ancestry()


def territories_nest(a: Place, b: Place) -> bool:
    """True when one territory lies inside the other (or they are the same)."""
    return a.contains(b) or b.contains(a)
