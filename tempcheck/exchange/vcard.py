"""Import the people at each account from an address book export (vCard 3.0 and 4.0).

Every card is read and checked before anything is written: one bad card and
nothing is imported, and every bad card is reported with its number and line.
A card's organisation (ORG) is matched to a customer by the safe rule (exact,
unique prefix, unique substring); unknown organisations are listed, or added
as customers with ``create``. A card's UID makes the import idempotent: the
same card imported again updates the same contact. vobject parses the cards
(folded lines, photos, escaping); it is imported only here.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

from tempcheck.domain.matching import key
from tempcheck.domain.people import safe_match
from tempcheck.store import contacts, customers
from tempcheck.store.connection import StoreError, write
from tempcheck.store.contacts import check_email, check_name, has_control_chars

MAX_FILE_BYTES = 20 * 1024 * 1024
MAX_CARDS = 50_000
MAX_UID = 200


class VCardError(StoreError):
    """The file cannot be imported; ``problems`` lists every bad card."""

    def __init__(self, message: str, problems: list[str] | None = None) -> None:
        super().__init__(message)
        self.problems = problems or []


@dataclass(frozen=True)
class Card:
    number: int  # 1-based position in the file
    line: int  # the line its BEGIN:VCARD is on
    name: str
    organisation: str
    role: str
    email: str
    phone: str
    uid: str


@dataclass
class ImportResult:
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    customers_created: list[str] = field(default_factory=list)
    unknown: dict[str, int] = field(default_factory=dict)  # organisation -> cards
    ambiguous: dict[str, list[str]] = field(default_factory=dict)  # organisation -> customers
    without_organisation: int = 0


def split_cards(text: str) -> list[tuple[int, str]]:
    """The cards of a file as (line number, text), split on BEGIN/END lines (a folded
    line never starts with either, so this is safe before unfolding)."""
    cards: list[tuple[int, str]] = []
    current: list[str] | None = None
    start = 0
    for number, line in enumerate(text.splitlines(), 1):
        word = line.strip().upper()
        if word == "BEGIN:VCARD":
            if current is not None:  # a card that never ended: hand it over as it is
                cards.append((start, "\r\n".join(current)))
            current, start = [line], number
        elif current is not None:
            current.append(line)
            if word == "END:VCARD":
                cards.append((start, "\r\n".join(current)))
                current = None
        elif line.strip():
            cards.append((number, line))  # text outside any card
    if current is not None:
        cards.append((start, "\r\n".join(current)))
    return cards


def _first(card, name: str) -> list:  # noqa: ANN001 - a vobject component
    """The card's lines named ``name``, the preferred (PREF=1 or TYPE=pref) first."""
    lines = list(card.contents.get(name, []))

    def preferred(line) -> int:  # noqa: ANN001
        params = {k.upper(): [str(v).lower() for v in vs] for k, vs in line.params.items()}
        return 0 if "pref" in params.get("TYPE", []) or params.get("PREF", ["99"])[0] == "1" else 1

    return sorted(lines, key=preferred)


def _text(value: object) -> str:
    if isinstance(value, list | tuple):
        return " ".join(str(v) for v in value if str(v).strip())
    return str(value or "")


def read_cards(text: str) -> list[Card]:
    """Parse and check every card; raise :class:`VCardError` listing every bad one."""
    import vobject

    pieces = split_cards(text)
    if not pieces:
        raise VCardError("no vCards in the file (no BEGIN:VCARD)")
    if len(pieces) > MAX_CARDS:
        raise VCardError(f"more than {MAX_CARDS} cards in one file")
    problems: list[str] = []
    cards: list[Card] = []
    seen_uids: dict[str, int] = {}
    for number, (line, piece) in enumerate(pieces, 1):
        where = f"card {number} (line {line})"
        if not piece.lstrip().upper().startswith("BEGIN:VCARD"):
            problems.append(f"line {line}: text outside a card")
            continue
        if not piece.rstrip().upper().endswith("END:VCARD"):
            problems.append(f"{where}: no END:VCARD")
            continue
        try:
            card = vobject.readOne(piece, validate=False, ignoreUnreadable=False)
        except Exception as exc:  # noqa: BLE001 - vobject raises several kinds
            reason = " ".join(str(exc).split())[:150] or type(exc).__name__
            problems.append(f"{where}: cannot be read ({reason})")
            continue
        version = _text(getattr(card, "version", None) and card.version.value).strip()
        if version not in ("3.0", "4.0"):
            shown = version or "none"
            problems.append(f"{where}: vCard version {shown}; only 3.0 and 4.0 are read")
            continue
        try:
            name = _text(card.fn.value) if "fn" in card.contents else ""
            if not name.strip() and "n" in card.contents:
                n = card.n.value
                name = " ".join(p for p in (n.prefix, n.given, n.additional, n.family) if p)
            if not name.strip():
                raise StoreError("no name (FN)")
            name = check_name(_text(name))
            org_lines = card.contents.get("org", [])
            organisation = ""
            if org_lines:
                value = org_lines[0].value
                organisation = value[0] if isinstance(value, list) and value else _text(value)
                organisation = " ".join(str(organisation).split())
            role = " ".join(_text(card.title.value).split()) if "title" in card.contents else ""
            emails = _first(card, "email")
            email = check_email(_text(emails[0].value)) if emails else ""
            phones = _first(card, "tel")
            phone = _text(phones[0].value).strip() if phones else ""
            if phone.lower().startswith("tel:"):
                phone = phone[4:]
            uid = _text(card.uid.value).strip() if "uid" in card.contents else ""
            for label, value in (
                ("organisation", organisation),
                ("title", role),
                ("phone", phone),
                ("UID", uid),
            ):
                if has_control_chars(value):
                    raise StoreError(f"the {label} holds control characters")
                if len(value) > (MAX_UID if label == "UID" else 200):
                    raise StoreError(f"the {label} is too long")
        except StoreError as exc:
            problems.append(f"{where}: {exc}")
            continue
        if uid:
            if uid in seen_uids:
                problems.append(f"{where}: the same UID as card {seen_uids[uid]}")
                continue
            seen_uids[uid] = number
        cards.append(Card(number, line, name, organisation, role, email, phone, uid))
    if problems:
        count = len(problems)
        raise VCardError(
            f"{count} bad card{'s' if count != 1 else ''}; nothing was imported", problems
        )
    return cards


def read_file(path: Path) -> list[Card]:
    path = Path(path).expanduser()
    if path.is_dir():
        raise VCardError(f"{path} is a folder, not a vCard file")
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            raise VCardError(f"{path} is larger than {MAX_FILE_BYTES // 2**20} MB")
        data = path.read_bytes()
    except FileNotFoundError:
        raise VCardError(f"no such file: {path}") from None
    except OSError as exc:
        raise VCardError(f"cannot read {path}: {exc.strerror}") from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise VCardError(f"{path} is not UTF-8 text (line {line})") from None
    return read_cards(text)


def import_cards(
    conn: sqlite3.Connection, cards: list[Card], *, create: bool = False
) -> ImportResult:
    """Add or update each card's contact at its organisation's customer, in one transaction."""
    result = ImportResult()
    with write(conn):
        names = customers.names(conn)
        resolved: dict[str, int | None] = {}
        for card in cards:
            if not card.organisation:
                result.without_organisation += 1
                continue
            org_key = key(card.organisation)
            if org_key not in resolved:
                found = safe_match(card.organisation, names)
                if found.found is not None:
                    resolved[org_key] = customers.resolve(conn, found.found).id
                elif found.ambiguous:
                    result.ambiguous[card.organisation] = found.candidates
                    resolved[org_key] = None
                elif create:
                    made = customers.add_customer(conn, card.organisation)
                    names.append(made.name)
                    result.customers_created.append(made.name)
                    resolved[org_key] = made.id
                else:
                    resolved[org_key] = None
            customer_id = resolved[org_key]
            if customer_id is None:
                if card.organisation not in result.ambiguous:
                    result.unknown[card.organisation] = result.unknown.get(card.organisation, 0) + 1
                continue
            existing = None
            if card.uid:
                row = conn.execute("SELECT id FROM contacts WHERE uid = ?", (card.uid,)).fetchone()
                existing = contacts.get_contact(conn, row[0]) if row else None
            if existing is None:
                row = conn.execute(
                    "SELECT id FROM contacts WHERE customer_id = ? AND name_key = ?",
                    (customer_id, key(card.name)),
                ).fetchone()
                existing = contacts.get_contact(conn, row[0]) if row else None
            if existing is None:
                contacts.add_contact(
                    conn,
                    customer_id,
                    card.name,
                    role=card.role,
                    email=card.email,
                    phone=card.phone,
                    uid=card.uid or None,
                )
                result.added += 1
                continue
            changes = {
                field_name: value
                for field_name, value, current in (
                    ("name", card.name, existing.name),
                    ("role", card.role, existing.role),
                    ("email", card.email, existing.email),
                    ("phone", card.phone, existing.phone),
                )
                if value and value != current
            }
            if changes:
                contacts.edit_contact(conn, existing.id, **changes)
                result.updated += 1
            else:
                result.unchanged += 1
    return result
