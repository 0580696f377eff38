"""Seller codes are found whatever their letter case and surrounding spaces: a code typed as
'sz01 ' names the seller SZ01 in every form, the API and the user admin; and a new seller may not
take a code that differs from an existing one only in case."""
import pytest

from channel.domain.errors import DomainError
from channel.services import sellers, tree
from models.tree import Seller


def test_a_code_is_found_in_any_letter_case(world):
    code = world.SZ.code
    for typed in (code, code.lower(), f"  {code.lower()} ", code.upper()):
        assert sellers.by_code(typed) is world.SZ, typed
    assert sellers.by_code("") is None and sellers.by_code("NO-SUCH") is None


def test_an_exact_match_wins_over_another_spelling(world):
    lower = tree.add_seller(code="mixed-1", name="小写", channel="agent", level=4, parent_id=world.SZ.id,
                            joined_on=world.SZ.joined_on)
    assert tree.seller_by_code("mixed-1") is lower
    assert tree.seller_by_code("MIXED-1") is lower  # found by its lower-case spelling


def test_a_code_differing_only_in_case_is_taken(world):
    with pytest.raises(DomainError) as refused:
        tree.add_seller(code=world.SZ.code.lower(), name="重复", channel="agent", level=4, parent_id=world.SZ.id,
                        joined_on=world.SZ.joined_on)
    assert refused.value.field == "code" and refused.value.params["code"] == world.SZ.code
    assert Seller.query.filter_by(name="重复").count() == 0


def test_a_form_takes_a_lower_case_code(client, auth, world):
    from models.selling import Activity

    auth.login("manager")
    response = client.post("/selling/activities", data={"seller_code": f" {world.REP1.code.lower()} ", "kind": "visit",
                                                        "customer_id": world.cust_rep1.id})
    assert response.status_code == 302
    assert [a.seller_id for a in Activity.query.all()] == [world.REP1.id]


def test_imports_find_sellers_and_uplines_in_any_letter_case(world):
    from channel.domain.tree import code_spellings, stored_spelling

    assert code_spellings("Ab1") == ("Ab1", "AB1", "ab1") and code_spellings("AB1") == ("AB1", "ab1")
    assert stored_spelling("sz", {"SZ": 1}) == "SZ" and stored_spelling("sz", {"XX": 1}) is None


def test_a_code_book_finds_a_stored_code_in_any_letter_case_the_exact_one_first():
    from channel.domain.tree import CodeBook, code_key, stored_spelling

    assert code_key(" ag-001 ") == "AG-001"
    book = CodeBook.of(["Ag-001", "P1", "p1"])
    assert book.spelling("aG-001") == "Ag-001" and book.spelling("AG-001 ") == "Ag-001"
    assert book.spelling("p1") == "p1" and book.spelling("P1") == "P1" and book.spelling("X") is None
    book["Nw-2"] = None  # codes added later are found too
    assert stored_spelling("NW-2", {"other": 1}, book) == "Nw-2" and stored_spelling("nw-3", book) is None
