"""Emails to readers speak the site's language: an email has no page around it to name one."""

from __future__ import annotations

import pytest
from django.core import mail

from townhall.comments.models import Site
from townhall.comments.services import site_update
from townhall.comments.tasks import notify_reply
from townhall.comments.tests.factories import make_comment

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("language", "subject", "line"), [
    ("fr", "Nouvelle réponse à votre commentaire sur", "Bob a répondu à votre commentaire sur « A page »"),
    ("de", "Neue Antwort auf Ihren Kommentar zu", "Bob hat auf Ihren Kommentar zu „A page“ geantwortet"),
    ("en", "New reply to your comment on", 'Bob replied to your comment on "A page"'),
])
def test_the_reply_email_is_in_the_site_language(site: Site, language: str, subject: str, line: str) -> None:
    site_update(site=site, language=language)
    parent = make_comment(site, author_email="ann@example.com", notify=True, author_name="Ann", title="A page")
    reply = make_comment(site, parent=parent, author_name="Bob", text="I disagree.")
    assert notify_reply.call(reply.pk) is True
    assert mail.outbox[-1].subject == f"{subject} A page"
    assert line in mail.outbox[-1].body and "I disagree." in mail.outbox[-1].body
