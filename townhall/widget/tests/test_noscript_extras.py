"""The no-JavaScript page's share of issue 15: a conversation as <details>, quote marks, picks."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from townhall.comments.models import Comment, Site, Thread
from townhall.comments.tests.factories import make_comment
from townhall.core.testing import PAGE
from townhall.moderation.conversations import branch_conversations_refresh
from townhall.moderation.services import comment_feature

pytestmark = pytest.mark.django_db


def test_a_conversation_is_a_details_element_with_its_line_and_its_replies(site: Site, client: Client) -> None:
    top = make_comment(site, text="Top.", author_name="Top")
    other = make_comment(site, text="A reply before the exchange.", author_name="Early")
    replies = [make_comment(site, parent=top, text=f"Turn {i}.", author_name=("Ann", "Bob")[i % 2]) for i in range(8)]
    branch_conversations_refresh(root_id=top.pk)
    Comment.objects.filter(pk=replies[2].pk).update(quotes=[{
        "kind": "article", "quote": "one two three four five six seven eight", "passage": "x", "score": 99,
        "comment": None, "author": ""}])
    comment_feature(comment=other, featured=True)
    thread = Thread.objects.get(pk=top.thread_id)
    thread.version += 1
    thread.save(update_fields=["version"])

    html = client.get("/embed/thread", {"site": "blog", "url": PAGE, "sort": "oldest"}).content.decode()
    details = re.search(r'<details class="th-cvd">(.*?)</details>', html, re.S)
    assert details, html
    summary = re.search(r"<summary[^>]*>(.*?)</summary>", details.group(1), re.S)
    assert summary and re.search(r"Ann and Bob, 8 replies over 1 minute", re.sub(r"<[^>]+>", "", summary.group(1)))
    inside = re.findall(r'<article class="th-c[^"]*" id="comment-(\d+)"', details.group(1))
    assert [int(i) for i in inside][:4] == [r.pk for r in replies][:4]  # the first page of replies
    assert 'th-cv-m th-cv-on th-cv-a' in details.group(1) and 'th-cv-b' in details.group(1)
    assert '<span class="th-q-verdict">found in the article</span>' in html
    assert re.search(r'<section class="th-picks".*A reply before the exchange\.', html, re.S)

    # A moderator's choice opens it for every reader.
    Thread.objects.filter(pk=thread.pk).update(conversations_open=True, version=thread.version + 1)
    assert '<details class="th-cvd" open>' in client.get("/embed/thread", {"site": "blog", "url": PAGE}).content.decode()
