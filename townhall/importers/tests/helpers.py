from __future__ import annotations

from io import StringIO
from pathlib import Path
from typing import Any

from django.core.management import call_command

from townhall.comments.models import Comment, Thread
from townhall.importers.models import ImportedComment

FIXTURES = Path(__file__).parent / "fixtures"


def run(*args: str, **kwargs: Any) -> str:
    out = StringIO()
    call_command(*args, "--no-progress", stdout=out, stderr=StringIO(), **kwargs)
    return out.getvalue()


def imported(source: str, source_id: str) -> Comment:
    row = ImportedComment.objects.select_related("comment").get(source=source, source_id=source_id)
    return row.comment


def db_state() -> tuple[int, int, int]:
    return Comment.objects.count(), Thread.objects.count(), ImportedComment.objects.count()
