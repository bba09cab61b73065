"""Big files convert their comments in worker processes: the same rows, the same errors."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.management.base import CommandError

from townhall.comments.models import Comment, Site, Thread
from townhall.importers import convert
from townhall.importers.models import ImportedComment
from townhall.importers.tests.helpers import FIXTURES, db_state, run
from townhall.importers.tests.test_hostile import DISQUS_HEAD, THREAD, post


def stored() -> list[tuple[object, ...]]:
    return list(Comment.objects.order_by("created", "text").values_list(
        "text", "html", "status", "depth", "author_name", "author_key", "created", "reply_count"))


@pytest.mark.parametrize("source", ["disqus", "wordpress"])
def test_worker_processes_store_what_the_importing_process_would(
    site: Site, monkeypatch: pytest.MonkeyPatch, source: str
) -> None:
    assert convert.workers() >= 1  # the machine has more than one CPU, so the pool really runs
    run("import", source, str(FIXTURES / f"{source}.xml"), "--site", "blog")
    alone = stored()
    ImportedComment.objects.all().delete()
    Thread.objects.all().delete()
    monkeypatch.setattr(convert, "PARALLEL_MIN_BYTES", 0)
    run("import", source, str(FIXTURES / f"{source}.xml"), "--site", "blog")
    assert stored() == alone and len(alone) >= 5


def test_errors_from_the_reader_and_from_a_worker_name_their_place(
    site: Site, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(convert, "PARALLEL_MIN_BYTES", 0)
    path = tmp_path / "x.xml"
    # 60,000 asterisks are 120,000 characters once escaped as Markdown: refused by the worker.
    path.write_text(DISQUS_HEAD + THREAD + post("1") + post("2", "*" * 60_000) + "</disqus>\n")
    with pytest.raises(CommandError, match=r"line 5 \(<post dsq:id=\"2\">\): the comment is 120,000 characters long"):
        run("import", "disqus", str(path), "--site", "blog")
    path.write_text(DISQUS_HEAD + THREAD + post("1") + post("2", created="yesterday") + "</disqus>\n")
    with pytest.raises(CommandError, match=r"line 5 \(<post dsq:id=\"2\">\): 'yesterday' is not a date"):
        run("import", "disqus", str(path), "--site", "blog")
    assert db_state() == (0, 0, 0)
