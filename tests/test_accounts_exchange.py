"""Export and import of the account profile: contacts as their own kind, check-ins with
the person and the linked issue, customers with tags, owner and renewal; the tool's own
export round-trips byte for byte."""

from __future__ import annotations

import io
import shutil
import sqlite3
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from tempcheck.exchange.export import write_export
from tempcheck.exchange.importing import import_checkins, import_contacts, import_customers
from tempcheck.store import open_db
from tempcheck.store.accounts import add_tags, set_owner, set_renewal
from tempcheck.store.checkins import add_checkin
from tempcheck.store.contacts import add_contact, mark_gone
from tempcheck.store.customers import add_customer
from tempcheck.store.issues import open_issue

T0 = datetime(2026, 9, 1, 9, 0, tzinfo=UTC)


def export(conn: sqlite3.Connection, kind: str, **options: object) -> str:
    out = io.StringIO(newline="")
    write_export(conn, kind, out, **options)
    return out.getvalue()


def fill(path: Path) -> sqlite3.Connection:
    conn = open_db(path)
    acme = add_customer(conn, "Acme Corp", contact="Jo Baker", created_at=T0)
    globex = add_customer(conn, 'Globex, "Logistics"', created_at=T0)
    dana = add_contact(
        conn,
        acme.id,
        "Dana Ruiz",
        role="CFO",
        email="dana@acme.example",
        phone="+1 555 0100",
        notes="=prefers calls",
        created_at=T0,
    )
    sam = add_contact(conn, acme.id, "Sam Lee", role="sponsor", created_at=T0)
    mark_gone(conn, sam.id, at=T0 + timedelta(days=5))
    add_contact(conn, globex.id, "Zoë Ärger", role="buyer", primary=True, created_at=T0)
    add_tags(conn, acme.id, ["fintech", "tier-1"])
    add_tags(conn, globex.id, ["emea"])
    set_owner(conn, acme.id, "Kim")
    set_renewal(conn, acme.id, date(2027, 3, 31))
    add_checkin(
        conn, acme.id, 2, note="budget worries", at=T0 + timedelta(days=1), contact_id=dana.id
    )
    add_checkin(conn, acme.id, 4, note="kickoff", at=T0 + timedelta(days=2), contact_id=sam.id)
    add_checkin(conn, globex.id, 5, note="-great", at=T0 + timedelta(days=3))
    return conn


def test_export_columns(db_path: Path) -> None:
    conn = fill(db_path)
    try:
        customers = export(conn, "customers").splitlines()
        assert customers[0].endswith(",owner,renewal_on,tags,uid")
        assert ",Kim,2027-03-31,fintech tier-1," in customers[1]
        contacts = export(conn, "contacts").splitlines()
        assert contacts[0] == (
            "customer,name,role,email,phone,primary,notes,gone_at,created_at,uid"
        )
        assert [line.split(",")[:8] for line in contacts[1:]] == [
            ["Acme Corp", "Jo Baker", "", "", "", "yes", "", ""],
            [
                "Acme Corp",
                "Dana Ruiz",
                "CFO",
                "dana@acme.example",
                "'+1 555 0100",
                "no",
                "'=prefers calls",
                "",
            ],
            ["Acme Corp", "Sam Lee", "sponsor", "", "", "no", "", "2026-09-06T09:00:00+00:00"],
            ['"Globex', ' ""Logistics"""', "Zoë Ärger", "buyer", "", "", "yes", ""],
        ]
        checkins = export(conn, "checkins").splitlines()
        assert checkins[0].endswith(",follow_up,person,issue_uid,uid")
        assert ",budget worries,,,Dana Ruiz,," in checkins[1]
        tagged = export(conn, "contacts", tag="emea").splitlines()
        assert len(tagged) == 2 and "Zoë Ärger" in tagged[1]
    finally:
        conn.close()


def test_round_trip_is_exact(tmp_path: Path) -> None:
    source = fill(tmp_path / "a.db")
    files = {}
    for kind in ("customers", "contacts", "checkins"):
        files[kind] = tmp_path / f"{kind}.csv"
        files[kind].write_text(export(source, kind), encoding="utf-8", newline="")
    target = open_db(tmp_path / "b.db")
    try:
        import_customers(target, files["customers"])
        report = import_contacts(target, files["contacts"])
        # Jo Baker and Zoë came with the customers file (its contact column, the primary
        # contact) and take the file's uids.
        assert (report.added, report.updated, report.already_present) == (2, 2, 0)
        import_checkins(target, files["checkins"])
        for kind in ("customers", "contacts", "checkins"):
            assert export(target, kind) == files[kind].read_text(encoding="utf-8"), kind
        # Importing the same files again changes nothing.
        again = import_contacts(target, files["contacts"])
        assert (again.added, again.updated, again.already_present) == (0, 0, 4)
        assert import_checkins(target, files["checkins"]).already_present == 3
        assert export(target, "contacts") == files["contacts"].read_text(encoding="utf-8")
    finally:
        source.close()
        target.close()


def test_checkins_carry_the_linked_issue(tmp_path: Path) -> None:
    conn = fill(tmp_path / "a.db")
    issue = open_issue(conn, 1, "Invoice wrong")
    linked = add_checkin(
        conn, 1, 2, note="chased the invoice", at=T0 + timedelta(days=4), issue_id=issue.id
    )
    text = export(conn, "checkins")
    conn.close()
    assert f",Jo Baker,{issue.uid},{linked.uid}" not in text  # nobody named on this one
    assert f",chased the invoice,,,,{issue.uid},{linked.uid}" in text
    # The same database without that check-in takes it back with its link.
    copy = tmp_path / "c.db"
    shutil.copyfile(tmp_path / "a.db", copy)
    raw = sqlite3.connect(copy)
    raw.execute("DELETE FROM checkins WHERE uid = ?", (linked.uid,))
    raw.commit()
    raw.close()
    path = tmp_path / "checkins.csv"
    path.write_text(text, encoding="utf-8", newline="")
    target = open_db(copy)
    try:
        report = import_checkins(target, path)
        assert (report.added, report.warnings) == (1, [])
        assert target.execute(
            "SELECT issue_id FROM checkins WHERE uid = ?", (linked.uid,)
        ).fetchone() == (issue.id,)
        assert export(target, "checkins") == text
    finally:
        target.close()
    # A database without the issue imports the check-in and says the link was left out.
    fresh = open_db(tmp_path / "fresh.db")
    try:
        add_customer(fresh, "Acme Corp")
        add_customer(fresh, 'Globex, "Logistics"')
        report = import_checkins(fresh, path)
        assert report.added == 4
        assert report.warnings == [
            "1 check-in(s) name an issue that is not in this database;"
            " they were imported without the link"
        ]
        # People named in check-ins are added by name.
        assert fresh.execute("SELECT name FROM contacts ORDER BY id").fetchall() == [
            ("Dana Ruiz",),
            ("Sam Lee",),
        ]
    finally:
        fresh.close()


def test_import_rejects_bad_account_cells(tmp_path: Path) -> None:
    conn = open_db(tmp_path / "a.db")
    try:
        bad = tmp_path / "customers.csv"
        bad.write_text('name,renewal_on,tags\nAcme,next year,ok\nGlobex,,"a,#b ' + "x" * 41 + '"\n')
        import pytest

        from tempcheck.exchange.importing import ImportFailed

        with pytest.raises(ImportFailed) as failed:
            import_customers(conn, bad)
        assert [str(p) for p in failed.value.problems] == [
            "line 2: renewal_on must be a date like 2027-03-31, not 'next year'",
            "line 3: a tag is at most 40 characters",
        ]
        assert conn.execute("SELECT count(*) FROM customers").fetchone() == (0,)
        people = tmp_path / "contacts.csv"
        people.write_text("customer,name,primary\nNobody Inc,Dana,maybe\n")
        with pytest.raises(ImportFailed) as failed:
            import_contacts(conn, people)
        assert [str(p) for p in failed.value.problems] == [
            "line 2: no customer named 'Nobody Inc' (import customers first);"
            " primary must be yes or no, not 'maybe'"
        ]
    finally:
        conn.close()


def test_spreadsheet_forms_carry_the_accounts_too(tmp_path: Path) -> None:
    import zipfile

    from tempcheck.exchange.export import export_to_path

    source = fill(tmp_path / "a.db")
    files = {}
    for kind in ("customers", "contacts", "checkins"):
        files[kind] = tmp_path / f"{kind}.csv"
        export_to_path(source, kind, files[kind], excel=True)
    head = files["contacts"].read_text(encoding="utf-8-sig").splitlines()[0]
    assert head == (
        "customer,name,role,email,phone,primary,notes,gone_at,gone_at_offset,"
        "created_at,created_at_offset,uid"
    )
    target = open_db(tmp_path / "b.db")
    try:
        import_customers(target, files["customers"])
        import_contacts(target, files["contacts"])
        import_checkins(target, files["checkins"])
        for kind in ("customers", "contacts", "checkins"):
            again = tmp_path / f"again-{kind}.csv"
            export_to_path(target, kind, again, excel=True)
            assert again.read_bytes() == files[kind].read_bytes(), kind
    finally:
        target.close()
    book = tmp_path / "people.xlsx"
    assert export_to_path(source, "contacts", book, tag="fintech") == 3
    source.close()
    assert b'name="People"' in zipfile.ZipFile(book).read("xl/workbook.xml")
