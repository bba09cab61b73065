"""Index rows of imported comments older than the duplicate window come from a background task."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from django_tasks import task_backends

from townhall.comments.models import Site
from townhall.importers.tasks import index_imported
from townhall.importers.tests.helpers import imported, run
from townhall.importers.tests.test_hostile import DISQUS_HEAD, THREAD, post
from townhall.moderation.duplicates import find_repeat, shingles
from townhall.moderation.models import Shingle
from townhall.moderation.services import policy_update

OLD_TEXT = "the council should publish the full budget report before the vote"
NEW_TEXT = "parking downtown has been a problem for years and nobody fixes it"


def test_older_comments_are_indexed_by_the_task_the_import_enqueued(site: Site, settings: Any, tmp_path: Path) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}  # keep tasks queued
    recent = (datetime.now(tz=UTC) - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    path = tmp_path / "x.xml"
    path.write_text(DISQUS_HEAD + THREAD + post("1", OLD_TEXT) + post("2", NEW_TEXT, created=recent) + "</disqus>\n")
    report = run("import", "disqus", str(path), "--site", "blog")
    assert "put into the near-duplicate index by the background task worker: 1" in report
    old, new = imported("disqus", "1"), imported("disqus", "2")
    # Inside the 72-hour window: indexed with the import, so a live copy is caught at once.
    assert set(Shingle.objects.filter(comment=new).values_list("hash", flat=True)) == shingles(NEW_TEXT)
    assert not Shingle.objects.filter(comment=old).exists()
    [queued] = task_backends["default"].results  # type: ignore[attr-defined]
    assert queued.task.name == "index_imported" and queued.kwargs == {"site_id": site.pk, "comment_ids": [old.pk]}

    assert index_imported.call(**queued.kwargs) == 1
    assert index_imported.call(**queued.kwargs) == 1  # run twice (a retry): the same rows once
    rows = list(Shingle.objects.filter(comment=old).values_list("hash", "created", "site_id"))
    assert sorted(h for h, _, _ in rows) == sorted(shingles(OLD_TEXT))
    assert {(c, s) for _, c, s in rows} == {(old.created, site.pk)}
    match, share = find_repeat(site=site, text=OLD_TEXT, author_key="x", since=datetime(2000, 1, 1, tzinfo=UTC),
                               containment=0.9)
    assert match == old.pk and share == 1.0


def test_the_window_is_the_sites_own(site: Site, settings: Any, tmp_path: Path) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    policy_update(site=site, duplicate_hours=24 * 365 * 30)  # thirty years: 2016 is inside it
    path = tmp_path / "x.xml"
    path.write_text(DISQUS_HEAD + THREAD + post("1", OLD_TEXT) + "</disqus>\n")
    report = run("import", "disqus", str(path), "--site", "blog")
    assert "background task" not in report and not task_backends["default"].results  # type: ignore[attr-defined]
    assert Shingle.objects.filter(comment=imported("disqus", "1")).count() == len(shingles(OLD_TEXT))
