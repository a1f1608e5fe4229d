"""Meetings from the calendar: which customer a meeting was with, and what to log for it.

Plain rules, no SQL and no calendar library: :mod:`tempcheck.exchange.calendar`
reads the calendars and :mod:`tempcheck.store.calendar` keeps the meetings.

A meeting is matched to a customer by one rule at a time, never by a guess:
an attendee's address equal to a contact's address, else an attendee's domain
equal to a customer's domain, else the customer's exact name as words in the
title. The first rule that finds anyone decides; if it finds several
customers, the meeting waits to be assigned by hand.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from tempcheck.domain import clock
from tempcheck.domain.dates import format_short

# Hosts of video calls: a link to one of these in the location or description
# makes the check-in's channel "video" instead of "meeting".
VIDEO_HOSTS = (
    "zoom.us",
    "zoom.com",
    "meet.google.com",
    "teams.microsoft.com",
    "teams.live.com",
    "webex.com",
    "whereby.com",
    "meet.jit.si",
    "gotomeeting.com",
    "meet.goto.com",
    "chime.aws",
    "bluejeans.com",
    "around.co",
    "facetime.apple.com",
)
_URL = re.compile(r"https?://([A-Za-z0-9.-]+)", re.IGNORECASE)
_EMAIL = re.compile(r"^[^@\s<>]+@([^@\s<>]+\.[^@\s<>]+)$")

MATCHED = "matched"
UNMATCHED = "unmatched"
AMBIGUOUS = "ambiguous"
# Limits on what a calendar may hand us; longer text is cut, not refused.
MAX_TITLE = 500
MAX_LOCATION = 500


def is_video_link(*texts: str | None) -> bool:
    """True when any text holds a link to a known video-call service."""
    for text in texts:
        for host in _URL.findall(text or ""):
            host = host.lower().rstrip(".")
            if any(host == known or host.endswith("." + known) for known in VIDEO_HOSTS):
                return True
    return False


def normalise_email(address: str | None) -> str | None:
    """``MAILTO:Dana@Acme.Example`` → ``dana@acme.example``; None when it is no address."""
    if not address:
        return None
    text = str(address).strip()
    if text.lower().startswith("mailto:"):
        text = text[7:]
    text = text.strip().strip("<>").strip().lower()
    return text if _EMAIL.match(text) else None


def email_domain(address: str) -> str:
    return address.rsplit("@", 1)[1]


def normalise_domain(text: str) -> str:
    """``@ACME.com``, ``https://www.acme.com/`` → ``acme.com``; '' when it is no domain."""
    value = text.strip().lower()
    value = re.sub(r"^[a-z]+://", "", value).split("/", 1)[0].lstrip("@")
    if value.startswith("www."):
        value = value[4:]
    value = value.rstrip(".")
    if not re.fullmatch(r"[a-z0-9-]+(\.[a-z0-9-]+)+", value):
        return ""
    return value


def _words(text: str) -> str:
    folded = unicodedata.normalize("NFKC", text).casefold()
    return " " + " ".join(re.findall(r"\w+", folded)) + " "


def name_in_title(name: str, title: str) -> bool:
    """The customer's exact name appears in the title as whole words ("Acme Corp" in
    "Acme Corp: quarterly review", never "Acme" in "Acmeville")."""
    wanted = _words(name)
    return wanted.strip() != "" and wanted in _words(title)


@dataclass(frozen=True)
class Directory:
    """What meetings are matched against: contacts' addresses, customers' domains and names.

    ``contact_emails`` maps an address to (customer id, contact id); one address can
    belong to contacts of several customers.
    """

    contact_emails: Mapping[str, Sequence[tuple[int, int]]]
    domains: Mapping[str, Sequence[int]]
    names: Mapping[int, str]


@dataclass(frozen=True)
class MatchResult:
    state: str  # MATCHED, UNMATCHED or AMBIGUOUS
    customer_id: int | None = None
    contact_id: int | None = None
    rule: str = ""  # "contact", "domain", "title" or ""
    addresses: tuple[str, ...] = ()  # the attendee addresses that matched (the only ones kept)
    candidates: tuple[int, ...] = ()  # customers found when AMBIGUOUS


def match_meeting(title: str, attendees: Iterable[str], directory: Directory) -> MatchResult:
    """Which customer the meeting was with, by the first rule that finds anyone."""
    emails = list(dict.fromkeys(e for a in attendees if (e := normalise_email(a))))
    by_contact: dict[int, list[int]] = {}  # customer -> their contacts present, in order
    contact_addresses: list[str] = []
    for email in emails:
        for customer_id, contact_id in directory.contact_emails.get(email, ()):
            by_contact.setdefault(customer_id, []).append(contact_id)
            contact_addresses.append(email)
    if by_contact:
        found = tuple(sorted(by_contact))
        addresses = tuple(dict.fromkeys(contact_addresses))
        if len(found) > 1:
            return MatchResult(AMBIGUOUS, rule="contact", addresses=addresses, candidates=found)
        # Several of the customer's people in the meeting: the first one listed is "with".
        return MatchResult(MATCHED, found[0], by_contact[found[0]][0], "contact", addresses)
    by_domain: dict[int, list[str]] = {}
    for email in emails:
        for customer_id in directory.domains.get(email_domain(email), ()):
            by_domain.setdefault(customer_id, []).append(email)
    if by_domain:
        found = tuple(sorted(by_domain))
        addresses = tuple(a for cid in found for a in by_domain[cid])
        if len(found) > 1:
            return MatchResult(AMBIGUOUS, rule="domain", addresses=addresses, candidates=found)
        return MatchResult(MATCHED, found[0], None, "domain", addresses)
    named = tuple(
        sorted(cid for cid, name in directory.names.items() if name_in_title(name, title))
    )
    if len(named) == 1:
        return MatchResult(MATCHED, named[0], None, "title")
    if named:
        return MatchResult(AMBIGUOUS, rule="title", candidates=named)
    return MatchResult(UNMATCHED)


@dataclass(frozen=True)
class Meeting:
    """A stored meeting (one occurrence of a calendar event)."""

    id: int
    event_uid: str
    recurrence_id: str
    starts_at: datetime
    ends_at: datetime
    title: str
    location: str
    video: bool
    attendees: tuple[str, ...]
    state: str  # MATCHED, UNMATCHED, AMBIGUOUS
    customer_id: int | None
    customer_name: str | None
    contact_id: int | None
    contact_name: str | None
    assigned: bool
    withdrawn: bool
    dismissed: bool

    @property
    def channel(self) -> str:
        """The check-in's channel: video when there is a video-call link."""
        return "video" if self.video else "meeting"


def time_span(start: datetime, end: datetime) -> str:
    """``Tue 3 Nov 14:00–15:00`` in local time (the end's date when it runs past midnight)."""
    first, last = clock.local(start), clock.local(end)
    text = f"{format_short(first.date(), year=False)} {first:%H:%M}–"
    if last.date() != first.date():
        text += f"{format_short(last.date(), year=False)} "
    return text + f"{last:%H:%M}"


@dataclass(frozen=True)
class Occurrence:
    """One meeting as the calendar has it, before matching (attendees are all addresses:
    only the ones that match a customer are ever stored)."""

    event_uid: str
    recurrence_id: str
    starts_at: datetime
    ends_at: datetime
    title: str
    location: str
    video: bool
    attendees: tuple[str, ...]
    cancelled: bool = False


@dataclass
class Outcome:
    """What an import or sync did, counted for the one-line summary."""

    added: int = 0
    updated: int = 0
    unchanged: int = 0
    withdrawn: int = 0
    skipped_all_day: int = 0
    matched: int = 0
    unmatched: int = 0
    events: list[int] = field(default_factory=list)

    def summary(self, source: str) -> str:
        parts = [f"{self.added} new", f"{self.updated} updated", f"{self.unchanged} unchanged"]
        if self.withdrawn:
            parts.append(f"{self.withdrawn} withdrawn (cancelled or removed)")
        if self.skipped_all_day:
            parts.append(f"{self.skipped_all_day} all-day skipped")
        text = f"{source}: meetings " + ", ".join(parts)
        return text + f"; {self.matched} matched to a customer, {self.unmatched} waiting"
