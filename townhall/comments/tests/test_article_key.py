"""The site's article key on the command line (`townhall site article-key`)."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from townhall.comments.models import Site


def test_article_key_is_shown_and_rotated_on_the_command_line(site: Site) -> None:
    out, err = StringIO(), StringIO()
    call_command("site", "article-key", "blog", stdout=out, stderr=err)
    key = out.getvalue().strip()
    assert len(key) >= 40 and "Authorization: Bearer KEY" in err.getvalue()
    again = StringIO()
    call_command("site", "article-key", "blog", stdout=again, stderr=StringIO())
    assert again.getvalue().strip() == key
    rotated = StringIO()
    call_command("site", "article-key", "blog", "--rotate", stdout=rotated, stderr=StringIO())
    assert rotated.getvalue().strip() not in ("", key)
    assert Site.objects.get(pk=site.pk).article_key == rotated.getvalue().strip()
    with pytest.raises(CommandError, match="no site"):
        call_command("site", "article-key", "nope", stdout=StringIO(), stderr=StringIO())
