from __future__ import annotations

import json
import os
import stat
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from townhall.comments.models import Comment, Site, Status, Vote
from townhall.comments.services import comment_vote, site_create
from townhall.importers.tests.helpers import FIXTURES, run

KEY = "k" * 50


@pytest.fixture
def data_dir(settings: Any, tmp_path: Path) -> Path:
    data = tmp_path / "data"
    data.mkdir()
    (data / "secret_key").write_text(KEY)
    settings.DATA_DIR = data
    settings.SECRET_KEY = KEY
    return data


def cmd(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.mark.django_db(transaction=True)
def test_backup_and_restore_round_trip(data_dir: Path, tmp_path: Path, settings: Any) -> None:
    site_create(slug="blog", name="A blog", origins=["https://blog.example"])
    run("import", "disqus", str(FIXTURES / "disqus.xml"), "--site", "blog")
    voted = Comment.objects.filter(status=Status.PUBLISHED).order_by("id")[0]
    comment_vote(comment_id=voted.pk, reader="reader-1", ip="192.0.2.1", value=1)
    comment_vote(comment_id=voted.pk, reader="reader-2", ip="192.0.2.2", value=-1)
    before = list(Comment.objects.order_by("id").values_list("id", "path", "status", "text", "author_key", "score"))
    before_votes = list(Vote.objects.order_by("id").values_list("id", "comment_id", "voter", "ip_hash", "value", "created"))
    assert len(before_votes) == 2

    dest = tmp_path / "b1"
    out, err = cmd("backup", str(dest))
    assert "with the secret key" in out and not err
    assert stat.S_IMODE(os.stat(dest).st_mode) == 0o700
    assert stat.S_IMODE(os.stat(dest / "secret_key").st_mode) == 0o600
    manifest = json.loads((dest / "manifest.json").read_text())
    assert manifest["secret_key_included"] and KEY not in (dest / "manifest.json").read_text()

    Comment.objects.all().delete()
    with pytest.raises(CommandError, match="already has sites"):
        cmd("restore", str(dest))
    cmd("restore", str(dest), "--force")
    assert list(Comment.objects.order_by("id").values_list("id", "path", "status", "text", "author_key", "score")) == before
    assert list(Vote.objects.order_by("id").values_list("id", "comment_id", "voter", "ip_hash", "value", "created")) == before_votes
    assert Site.objects.get().slug == "blog"

    # A damaged copy and a missing key are refused before anything changes.
    (dest / "secret_key").unlink()
    with pytest.raises(CommandError, match="secret_key is missing"):
        cmd("restore", str(dest), "--check")
    (dest / "secret_key").write_text("another key")
    with pytest.raises(CommandError, match="does not match the fingerprint"):
        cmd("restore", str(dest), "--check")
    (dest / "secret_key").write_text(KEY)
    data_file = next(p for p in dest.iterdir() if p.name.startswith("townhall."))
    with data_file.open("r+b") as fh:
        fh.seek(5000)
        fh.write(b"garbage")
    with pytest.raises(CommandError, match="does not match its checksum"):
        cmd("restore", str(dest), "--force")
    assert Comment.objects.count() == len(before)


@pytest.mark.django_db(transaction=True)
def test_backup_says_loudly_when_the_key_is_not_in_a_file(data_dir: Path, tmp_path: Path, settings: Any) -> None:
    settings.SECRET_KEY = "from-the-environment"
    out, err = cmd("backup", str(tmp_path / "b2"))
    assert "THE SECRET KEY IS NOT IN THIS BACKUP" in err
    assert not (tmp_path / "b2" / "secret_key").exists()
    assert json.loads((tmp_path / "b2" / "manifest.json").read_text())["secret_key_included"] is False
    with pytest.raises(CommandError, match="not empty"):
        cmd("backup", str(tmp_path / "b2"))
