"""People at a customer in the store: one primary, never deleted, found by the safe rule
or by email; tags as a clean set; the owner and renewal date bounded."""

from __future__ import annotations

from datetime import date

import pytest

from tempcheck.domain.people import clean_tag, safe_match
from tempcheck.store import StoreError
from tempcheck.store.accounts import add_tags, remove_tags, set_owner, set_renewal, tags_of
from tempcheck.store.contacts import (
    AmbiguousContact,
    ContactNotFound,
    add_contact,
    edit_contact,
    find_by_email,
    list_contacts,
    mark_gone,
    primary_contact,
    resolve_contact,
)
from tempcheck.store.customers import add_customer, edit, get_customer


def test_safe_match_is_exact_then_prefix_then_part_and_never_fuzzy() -> None:
    people = ["Dana Ruiz", "Dan Brown", "Zoë Ärger"]
    assert safe_match("dana ruiz", people).found == "Dana Ruiz"
    assert safe_match("DANA", people).found == "Dana Ruiz"
    assert safe_match("brown", people).found == "Dan Brown"
    assert safe_match("zoe", people).found is None  # no folding of accents beyond NFKC
    assert safe_match("Zoë", people).found == "Zoë Ärger"
    several = safe_match("dan", people)
    assert (several.found, several.candidates, several.ambiguous) == (
        None,
        ["Dan Brown", "Dana Ruiz"],
        True,
    )
    assert safe_match("Dnaa", people).found is None  # close, but a guess
    assert safe_match("", people).found is None
    assert safe_match("r", ["Ann", "Bob"]).found is None


def test_clean_tag() -> None:
    assert clean_tag("#Tier 1") == "tier-1"
    assert clean_tag("  FinTech ") == "fintech"
    for bad, message in (
        ("", "a tag cannot be empty"),
        ("#", "a tag cannot be empty"),
        ("x" * 41, "a tag is at most 40 characters"),
        ("a,b", "a tag cannot contain commas, '#' or control characters: 'a,b'"),
        ("a\x1bb", "a tag cannot contain commas, '#' or control characters: 'a\\x1bb'"),
    ):
        with pytest.raises(ValueError) as caught:
            clean_tag(bad)
        assert str(caught.value) == message


def test_one_primary_first_added_and_handed_on_when_gone(conn) -> None:
    acme = add_customer(conn, "Acme Corp")
    dana = add_contact(conn, acme.id, "Dana")
    sam = add_contact(conn, acme.id, "Sam", primary=True)
    kim = add_contact(conn, acme.id, "Kim")
    assert [(c.name, c.is_primary) for c in list_contacts(conn, acme.id)] == [
        ("Sam", True),
        ("Dana", False),
        ("Kim", False),
    ]
    assert get_customer(conn, acme.id).contact == "Sam"
    mark_gone(conn, sam.id)
    assert primary_contact(conn, acme.id).id == dana.id
    assert get_customer(conn, acme.id).contact == "Dana"
    with pytest.raises(StoreError, match="already marked gone"):
        mark_gone(conn, sam.id)
    with pytest.raises(StoreError, match="marked gone and cannot be primary"):
        edit_contact(conn, sam.id, primary=True)
    edit_contact(conn, kim.id, primary=True)
    assert primary_contact(conn, acme.id).id == kim.id
    # Gone people stay (for history) but are not matched for new check-ins.
    assert [c.name for c in list_contacts(conn, acme.id, include_gone=False)] == ["Kim", "Dana"]
    with pytest.raises(ContactNotFound):
        resolve_contact(conn, acme.id, "Sam")
    assert resolve_contact(conn, acme.id, "Sam", include_gone=True).id == sam.id


def test_customer_contact_field_is_the_primary_contact(conn) -> None:
    acme = add_customer(conn, "Acme Corp", contact="  Jo Baker ")
    assert [c.name for c in list_contacts(conn, acme.id)] == ["Jo Baker"]
    edit(conn, acme.id, contact="Dana")
    assert [(c.name, c.is_primary) for c in list_contacts(conn, acme.id)] == [
        ("Dana", True),
        ("Jo Baker", False),
    ]
    edit(conn, acme.id, contact="")
    assert primary_contact(conn, acme.id) is None
    assert get_customer(conn, acme.id).contact == ""


def test_find_by_email_and_ambiguity(conn) -> None:
    acme = add_customer(conn, "Acme Corp")
    globex = add_customer(conn, "Globex")
    add_contact(conn, acme.id, "Dana Ruiz", email="Dana@Acme.example")
    add_contact(conn, acme.id, "Dana Smith")
    add_contact(conn, globex.id, "Dana Ruiz")  # the same name at another customer is fine
    assert [c.name for c in find_by_email(conn, "dana@acme.EXAMPLE")] == ["Dana Ruiz"]
    assert find_by_email(conn, "") == []
    with pytest.raises(AmbiguousContact) as caught:
        resolve_contact(conn, acme.id, "dana")
    assert caught.value.candidates == ["Dana Ruiz", "Dana Smith"]
    with pytest.raises(StoreError, match="already a contact there"):
        add_contact(conn, acme.id, "DANA  smith")
    with pytest.raises(StoreError, match="at most 200 characters"):
        add_contact(conn, acme.id, "x" * 201)
    with pytest.raises(StoreError, match="needs a name"):
        add_contact(conn, acme.id, "   ")


def test_tags_owner_renewal_bounds(conn) -> None:
    acme = add_customer(conn, "Acme Corp")
    assert add_tags(conn, acme.id, ["b", "#A", "a"]) == ["b", "a"]
    assert add_tags(conn, acme.id, ["a"]) == []
    assert tags_of(conn, acme.id) == ["a", "b"]
    assert remove_tags(conn, acme.id, ["a", "zzz"]) == ["a"]
    with pytest.raises(StoreError, match="at most 50 tags"):
        add_tags(conn, acme.id, [f"t{i}" for i in range(50)])
    assert tags_of(conn, acme.id) == ["b"]
    set_owner(conn, acme.id, "  Kim   Novak ")
    assert get_customer(conn, acme.id).owner == "Kim Novak"
    with pytest.raises(StoreError, match="control characters"):
        set_owner(conn, acme.id, "Kim\x1b[2J")
    set_renewal(conn, acme.id, date(2027, 3, 31))
    assert get_customer(conn, acme.id).renewal_on == date(2027, 3, 31)
    with pytest.raises(StoreError, match="between 1970 and 2200"):
        set_renewal(conn, acme.id, date(9999, 1, 1))
    set_renewal(conn, acme.id, None)
    assert get_customer(conn, acme.id).renewal_on is None
