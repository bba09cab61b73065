"""Erasure reaches the mail: no notice or alert about an erased comment is kept or sent, and an
erased address's follows go with it."""

from __future__ import annotations

from datetime import timedelta

import pytest

from townhall.comments.models import Comment, Site, Status
from townhall.moderators.privacy import privacy_erase, whose_email
from townhall.notifications.models import Notice, NoticeKind, ThreadFollow
from townhall.notifications.services import thread_follow
from townhall.notifications.tests.conftest import Handler, Worker
from townhall.notifications.tests.helpers import ANN, BOB, CARL, batch_window, confirmed, post

pytestmark = pytest.mark.django_db


def test_notices_about_an_erased_comment_go_and_its_author_s_follows_too(
    site: Site, smtp: Handler, worker: Worker
) -> None:
    confirmed(site, ANN)
    confirmed(site, BOB)
    first = post(site, "A first comment worth answering.", name="Ann", email=ANN, notify=True)
    thread_follow(site=site, url=first.thread.url, email=BOB)
    bob = post(site, "Bob's private musings about the budget.", name="Bob", email=BOB, parent=first)
    post(site, "Carl answers Bob, so Bob's comment stays as a placeholder.", name="Carl", email=CARL, parent=bob)
    worker.run()
    assert Notice.objects.filter(comment=bob, kind=NoticeKind.REPLY, sent=None).exists()
    assert ThreadFollow.objects.filter(address__email=BOB).exists()

    counts = privacy_erase(whose=whose_email(site=site, email=BOB))

    assert Comment.objects.get(pk=bob.pk).status == Status.DELETED  # kept: it has a reply
    assert counts["mail_notices"] >= 1
    assert not Notice.objects.filter(comment=bob).exists()
    assert not ThreadFollow.objects.filter(address__email=BOB).exists()
    worker.run(later=timedelta(seconds=batch_window()))
    assert all("musings" not in m.text for m in smtp.to(ANN))
