"""What every source reader yields, and the guards every reader shares.

A reader turns a file into a stream of `SourceThread`, `SourceComment` and `Skipped` records,
already normalised (dates aware, text as Markdown source, state one of STATES) and validated;
anything it cannot read raises `ImportFailed` naming the line or item. Readers hold one record
at a time: nothing here grows with the file.
"""

from __future__ import annotations

import re
import sys
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from lxml import etree

MAX_TEXT = 100_000  # imported texts are kept up to this many characters, whatever the live limit
MAX_FIELD = 2_000  # names, URLs, titles: anything longer is not what it says it is

# The source states every reader maps to.
APPROVED, PENDING, SPAM, DELETED = "approved", "pending", "spam", "deleted"
STATES = (APPROVED, PENDING, SPAM, DELETED)


class ImportFailed(Exception):
    """A file that can't be imported; the message names the place (line, item) and the cause."""


@dataclass
class SourceThread:
    key: str  # the source's own thread key
    url: str
    title: str = ""
    extra: dict[str, Any] = field(default_factory=dict)  # townhall format: id, version, closed...


@dataclass
class SourceComment:
    id: str
    thread_key: str
    parent_id: str | None
    created: datetime
    text: str  # Markdown source (HTML sources are converted before this point)
    state: str = APPROVED
    author_id: str = ""
    author_name: str = ""
    author_email: str = ""
    author_website: str = ""
    ip: str = ""
    upvotes: int = 0
    downvotes: int = 0
    where: str = ""  # "line 12" or "row 4", for messages
    extra: dict[str, Any] = field(default_factory=dict)
    # "html": `text` is still the source's HTML, converted by `convert.finish` (which may run in
    # another process); "markdown": `text` is our Markdown source.
    markup: str = "markdown"
    html: str = ""  # the rendered text, set by `convert.finish`


@dataclass
class Skipped:
    reason: str  # pingback, trackback, note, ...
    where: str


@dataclass
class SourceVote:
    """One reader's vote on a comment (Townhall's own export with --include-private)."""

    comment_id: str  # the source's comment id
    voter: str
    ip_hash: str
    value: int  # +1 or -1
    created: datetime
    where: str = ""


Record = SourceThread | SourceComment | SourceVote | Skipped


# ---------------------------------------------------------------------------- XML


def safe_iterparse(path: Path, *, tags: tuple[str, ...] | None = None, events: tuple[str, ...] = ("end",)) -> Any:
    """lxml's iterparse with every dangerous feature off. The prolog is checked first: a
    DOCTYPE (the carrier of XXE and billion laughs) is refused outright, whatever it declares."""
    check_prolog(path)
    return etree.iterparse(
        str(path),
        events=events,
        tag=tags,
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        huge_tree=False,  # libxml2 refuses text nodes over 10 MB: a 50 MB comment is an error
        remove_comments=True,
        remove_pis=True,
        dtd_validation=False,
        recover=False,
    )


_PROLOG_MARKUP = re.compile(rb"<!(DOCTYPE|ENTITY)", re.IGNORECASE)


def check_prolog(path: Path) -> None:
    """Refuse a DOCTYPE or ENTITY declaration before the root element (the only place XML
    allows them), naming its line."""
    with path.open("rb") as fh:
        head = fh.read(64 * 1024)
    if not head.strip():
        raise ImportFailed("the file is empty")
    # The prolog ends where the first element starts: "<" followed by a name character.
    root = re.search(rb"<[A-Za-z_]", head)
    prolog = head[: root.start()] if root else head
    found = _PROLOG_MARKUP.search(prolog)
    if found:
        line = prolog[: found.start()].count(b"\n") + 1
        raise ImportFailed(
            f"line {line}: the file declares a <!{found.group(1).decode().upper()}>; exports never do, "
            "and a DTD is how entity-expansion and external-entity attacks work, so it is refused"
        )


def xml_error(exc: etree.XMLSyntaxError, context: Any = None) -> ImportFailed:
    line = exc.lineno or (exc.position[0] if exc.position else 0)
    message = (exc.msg or str(exc)).split(", line ")[0]
    # libxml2's first error is the cause; the exception sometimes carries only a later one
    # ("no element found", line 0).
    errors = [e for e in getattr(context, "error_log", []) if e.line and e.level_name in ("ERROR", "FATAL")]
    if errors:
        line, message = errors[0].line, errors[0].message.strip()
    if "huge" in message.lower() or "too big" in message.lower():
        message += f" (a single text over 10 MB; imported texts are kept up to {MAX_TEXT:,} characters)"
    return ImportFailed(f"line {line}: the XML is broken or truncated: {message}")


def localname(tag: object) -> str:
    return etree.QName(tag).localname if isinstance(tag, str) else ""


def clear(el: Any) -> None:
    """Free a processed element and the siblings before it: memory stays flat."""
    el.clear(keep_tail=False)
    parent = el.getparent()
    while el.getprevious() is not None and parent is not None:
        del parent[0]


def text_of(el: Any, name: str, ns: str | None = None) -> str:
    child = el.find(f"{{{ns}}}{name}" if ns else name)
    return (child.text or "").strip() if child is not None else ""


# ---------------------------------------------------------------------------- values


def parse_date(raw: str, where: str, *, naive_is_utc: bool = True) -> datetime:
    """ISO 8601 with an offset or Z (Disqus, Remark42), or "YYYY-MM-DD HH:MM:SS" taken as UTC
    (WordPress' *_gmt fields). Anything else is an error naming the item."""
    value = raw.strip()
    if not value:
        raise ImportFailed(f"{where}: the date is missing")
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        raise ImportFailed(f"{where}: {value[:40]!r} is not a date") from None
    if parsed.tzinfo is None:
        if not naive_is_utc:
            raise ImportFailed(f"{where}: the date {value[:40]!r} has no time zone")
        parsed = parsed.replace(tzinfo=UTC)
    if not (1990 <= parsed.year <= 2200):
        raise ImportFailed(f"{where}: the date {value[:40]!r} is out of range")
    return parsed.astimezone(UTC)


def from_timestamp(raw: object, where: str) -> datetime:
    try:
        value = float(raw)  # type: ignore[arg-type]
        parsed = datetime.fromtimestamp(value, tz=UTC)
    except (TypeError, ValueError, OverflowError, OSError):
        raise ImportFailed(f"{where}: {str(raw)[:40]!r} is not a timestamp") from None
    if not (1990 <= parsed.year <= 2200):
        raise ImportFailed(f"{where}: the timestamp {raw!r} is out of range")
    return parsed


def bounded(value: str, where: str, what: str, limit: int = MAX_FIELD) -> str:
    value = value.strip()
    if len(value) > limit:
        raise ImportFailed(f"{where}: the {what} is {len(value):,} characters long (at most {limit:,})")
    return value


def check_text(text: str, where: str) -> str:
    if len(text) > MAX_TEXT:
        raise ImportFailed(
            f"{where}: the comment is {len(text):,} characters long; imported texts are kept up to "
            f"{MAX_TEXT:,} characters"
        )
    return text


# ---------------------------------------------------------------------------- progress


class Progress:
    """A one-line bar on a terminal (items, rate, ETA); plain lines every few seconds otherwise."""

    def __init__(self, label: str, *, total: int | None = None, stream: IO[str] | None = None,
                 every_seconds: float = 5.0) -> None:
        self.label, self.total = label, total
        self.stream = stream or sys.stderr
        self.tty = bool(getattr(self.stream, "isatty", lambda: False)())
        self.every = 0.2 if self.tty else every_seconds
        self.started = self.last = time.monotonic()
        self.count = 0

    def step(self, n: int = 1) -> None:
        self.count += n
        now = time.monotonic()
        if now - self.last >= self.every:
            self.last = now
            self._show(now)

    def _show(self, now: float, final: bool = False) -> None:
        elapsed = max(now - self.started, 1e-6)
        rate = self.count / elapsed
        parts = [f"{self.label}: {self.count:,}"]
        if self.total:
            parts[0] += f"/{self.total:,}"
            if not final and rate > 0:
                parts.append(f"ETA {max(self.total - self.count, 0) / rate:,.0f}s")
        parts.insert(1, f"{rate:,.0f}/s")
        line = "  ".join(parts)
        if self.tty:
            width = 30
            if self.total:
                filled = int(width * min(self.count / self.total, 1.0))
                line = f"[{'#' * filled}{'.' * (width - filled)}] {line}"
            self.stream.write("\r" + line + ("\n" if final else ""))
        else:
            self.stream.write(line + "\n")
        self.stream.flush()

    def done(self) -> None:
        self._show(time.monotonic(), final=True)
