"""``tempcheck contact import``: address book exports (Apple-style 3.0 with a photo, Google-style
3.0 with folded lines, 4.0 with non-ASCII names), the safe ORG rule, --create, UIDs, and bad
cards reported with their positions, nothing imported."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tempcheck.store import contacts, customers

CARDS = Path(__file__).parent / "fixtures" / "vcards"
BOOK = CARDS / "addressbook.vcf"


def people(conn) -> list[tuple]:
    return conn.execute(
        "SELECT c.name, p.name, p.role, p.email, p.phone, p.uid FROM contacts p"
        " JOIN customers c ON c.id = p.customer_id ORDER BY p.id"
    ).fetchall()


def test_cards_go_to_the_customer_their_org_names(run_tc, conn):
    customers.add_customer(conn, "Acme Corp")
    customers.add_customer(conn, "Globex Corporation")  # "Globex" is its unique prefix
    result = run_tc("contact", "import", BOOK)
    assert result.exit_code == 0, result.output
    assert result.output == (
        "addressbook.vcf: contacts 2 new, 0 updated, 0 unchanged\n"
        "Unknown organisations (not imported; --create adds them as customers):\n"
        "  Initech (1 card)\n"
        "  Umbrella Health, Inc. (1 card)\n"
        "Skipped 1 card without an organisation (ORG).\n"
    )
    assert people(conn) == [
        (
            "Acme Corp",
            "Dana Ruiz",
            "Chief Financial Officer",
            "dana@acme.example",
            "+1 (555) 010-0100",
            "8D2C0C1E-5B6A-4C55-9F2B-1A2B3C4D5E6F",
        ),
        (
            "Globex Corporation",
            "Zoë Åström-Müller",
            "Head of Procurement and Vendor Management",
            "zoe@globex.example",
            "+49 30 1234567",
            "google-c7d8e9",
        ),
    ]


def test_create_adds_unknown_organisations_and_a_second_import_changes_nothing(
    run_tc, conn, row_counts, db_path
):
    customers.add_customer(conn, "Acme Corp")
    first = run_tc("contact", "import", BOOK, "--create")
    assert first.output == (
        "addressbook.vcf: contacts 4 new, 0 updated, 0 unchanged\n"
        "  added customer Globex\n"
        "  added customer Initech\n"
        "  added customer Umbrella Health, Inc.\n"
        "Skipped 1 card without an organisation (ORG).\n"
    )
    assert people(conn)[2] == (
        "Initech",
        "渡辺 健",
        "プロジェクトリーダー",
        "ken.watanabe@initech.example",
        "+81-3-1234-5678",
        "urn:uuid:4fbe8971-0bc3-424c-9c26-36c3e1eff6b1",
    )
    before = row_counts(db_path)
    again = run_tc("contact", "import", BOOK, "--create")
    assert again.output.startswith("addressbook.vcf: contacts 0 new, 0 updated, 4 unchanged\n")
    assert row_counts(db_path) == before


def test_the_uid_keeps_a_changed_card_the_same_contact(run_tc, conn, tmp_path):
    customers.add_customer(conn, "Acme Corp")
    run_tc("contact", "import", BOOK)
    changed = (
        BOOK.read_text(encoding="utf-8")
        .replace("FN:Dana Ruiz", "FN:Dana Ruiz-Ortega")
        .replace("TITLE:Chief Financial Officer", "TITLE:CEO")
    )
    path = tmp_path / "newer.vcf"
    path.write_text(changed, encoding="utf-8", newline="")
    result = run_tc("contact", "import", path)
    assert result.output.startswith("newer.vcf: contacts 0 new, 1 updated, 0 unchanged\n")
    assert people(conn) == [
        (
            "Acme Corp",
            "Dana Ruiz-Ortega",
            "CEO",
            "dana@acme.example",
            "+1 (555) 010-0100",
            "8D2C0C1E-5B6A-4C55-9F2B-1A2B3C4D5E6F",
        ),
    ]


def test_an_organisation_matching_several_customers_is_never_guessed(run_tc, conn):
    customers.add_customer(conn, "Globex Labs")
    customers.add_customer(conn, "Globex Logistics")
    result = run_tc("contact", "import", BOOK, "--create")
    assert (
        "Not imported: 'Globex' matches several customers (Globex Labs, Globex Logistics);"
        " rename the ORG or a customer\n"
    ) in result.output
    assert "Zoë Åström-Müller" not in [p[1] for p in people(conn)]
    assert customers.count(conn) == 5  # Acme Corp, Initech, Umbrella added; no third Globex


def test_every_bad_card_is_reported_with_its_position_and_nothing_is_imported(
    conn, db_path, row_counts
):
    customers.add_customer(conn, "Acme Corp")
    before = row_counts(db_path)
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "tempcheck",
            "--db",
            str(db_path),
            "contact",
            "import",
            str(CARDS / "bad.vcf"),
            "--create",
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr == (
        "tempcheck: card 2 (line 29): no name (FN)\n"
        "tempcheck: card 4 (line 47): vCard version 2.1; only 3.0 and 4.0 are read\n"
        "tempcheck: card 5 (line 52): 'not an address' is not an email address\n"
        "tempcheck: 3 bad cards; nothing was imported\n"
    )
    assert row_counts(db_path) == before


def test_files_that_are_not_vcards_are_one_line(run_tc, tmp_path):
    empty = tmp_path / "empty.vcf"
    empty.write_text("hello\n")
    latin = tmp_path / "latin.vcf"
    latin.write_bytes(b"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Zo\xeb\r\nEND:VCARD\r\n")
    unfinished = tmp_path / "cut.vcf"
    unfinished.write_text("BEGIN:VCARD\nVERSION:3.0\nFN:Cut off\n")
    assert run_tc("contact", "import", empty).output == (
        "tempcheck: line 1: text outside a card\ntempcheck: 1 bad card; nothing was imported\n"
    )
    assert run_tc("contact", "import", latin).output == (
        f"tempcheck: {latin} is not UTF-8 text (line 3)\n"
    )
    assert run_tc("contact", "import", unfinished).output == (
        "tempcheck: card 1 (line 1): no END:VCARD\ntempcheck: 1 bad card; nothing was imported\n"
    )
    missing = run_tc("contact", "import", tmp_path / "nope.vcf")
    assert (missing.exit_code, missing.output) == (
        1,
        f"tempcheck: no such file: {tmp_path / 'nope.vcf'}\n",
    )


def test_imported_contacts_match_meetings(run_tc, conn):
    """The address book feeds the calendar: an attendee's address finds the contact."""
    from tempcheck.store.calendar import directory

    customers.add_customer(conn, "Acme Corp")
    run_tc("contact", "import", BOOK)
    dana = contacts.find_by_email(conn, "dana@acme.example")[0]
    assert directory(conn).contact_emails["dana@acme.example"] == [(1, dana.id)]
