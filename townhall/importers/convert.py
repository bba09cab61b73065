"""The per-comment work of the first pass that needs nothing but the comment: HTML to our
Markdown source (htmltext.py) and its rendering (fastmd.py, byte for byte `render_markdown`).
It is most of an import's CPU time, so for big files `converted` hands it to worker processes
while the main one keeps parsing the file and filling the scratch database.
"""

from __future__ import annotations

import multiprocessing
import os
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
        if record.markup == "html":
            record.text = check_text(html_to_markdown(record.text), record.where)
            record.markup = "markdown"
        record.html = fastmd.render(record.text)
    return record


def workers() -> int:
    return max(0, min(4, os.cpu_count() or 1)) if (os.cpu_count() or 1) > 1 else 0


def converted(records: Iterator[R], *, size: int) -> Iterator[R]:
    """`records` with each `finish`ed, in order. Files of PARALLEL_MIN_BYTES or more go through
    a pool of worker processes (forked: they start with this process's code and settings, and
    never touch its database connections); an `ImportFailed` from the reader or a worker comes
    out here, at its place in the order."""
    n = workers()
    if size < PARALLEL_MIN_BYTES or not n:
        for record in records:
            yield finish(record)
        return
    with multiprocessing.get_context("fork").Pool(n) as pool:
        try:
            yield from pool.imap(finish, records, chunksize=CHUNK)
        except ImportFailed:
            pool.terminate()
            raise
