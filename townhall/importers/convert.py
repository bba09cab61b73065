"""The per-comment work of the first pass that needs nothing but the comment: HTML to our
Markdown source (htmltext.py) and its rendering (fastmd.py, byte for byte `render_markdown`).
It is most of an import's CPU time, so for big files `converted` hands it to worker processes
while the main one keeps parsing the file and filling the scratch database.
"""

from __future__ import annotations

import multiprocessing
import os
from collections import deque
from collections.abc import Iterator
from typing import TypeVar

from townhall.importers import fastmd
from townhall.importers.base import ImportFailed, SourceComment, check_text
from townhall.importers.htmltext import html_to_markdown

PARALLEL_MIN_BYTES = 2_000_000  # below this, starting the workers costs more than they save
CHUNK = 128  # records per message to and from a worker

R = TypeVar("R")


def finish(record: R) -> R:
    """A comment's text as Markdown source, checked, and rendered; other records as they are."""
    if isinstance(record, SourceComment):
        record.text, record.html = _finish_text((record.markup, record.text, record.where))
        record.markup = "markdown"
    return record


def _finish_text(item: tuple[str, str, str]) -> tuple[str, str]:
    markup, text, where = item
    if markup == "html":
        text = check_text(html_to_markdown(text), where)
    return text, fastmd.render(text)


def workers() -> int:
    """Worker processes for a big file: one per CPU, at most 4; none on a single CPU."""
    cpus = os.cpu_count() or 1
    return min(4, cpus) if cpus > 1 else 0


def converted(records: Iterator[R], *, size: int) -> Iterator[R]:
    """`records` with each `finish`ed, in order. Files of PARALLEL_MIN_BYTES or more go through
    a pool of worker processes (forked: they start with this process's code and settings, and
    never touch its database connections); only the texts travel to them and back. An
    `ImportFailed` from the reader or a worker comes out here, at its place in the order."""
    n = workers()
    if size < PARALLEL_MIN_BYTES or not n:
        for record in records:
            yield finish(record)
        return
    # The pool's feeding thread runs the reader (so parsing overlaps with converting) and
    # queues each record here; results come back in the same order.
    in_flight: deque[R] = deque()

    def texts() -> Iterator[tuple[str, str, str] | None]:
        for record in records:
            in_flight.append(record)
            yield (record.markup, record.text, record.where) if isinstance(record, SourceComment) else None

    with multiprocessing.get_context("fork").Pool(n) as pool:
        try:
            for result in pool.imap(_finish_any, texts(), chunksize=CHUNK):
                record = in_flight.popleft()
                if isinstance(record, SourceComment) and result is not None:
                    record.text, record.html = result
                    record.markup = "markdown"
                yield record
        except ImportFailed:
            pool.terminate()
            raise


def _finish_any(item: tuple[str, str, str] | None) -> tuple[str, str] | None:
    return None if item is None else _finish_text(item)
