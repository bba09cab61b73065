"""A moderator signed in on this server comments as staff from the widget: a one-time ticket in
the page's fragment signs them in, and their post carries the staff badge and is audited."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from django.test import Client

from townhall.comments.models import Site
from townhall.core.testing import ORIGIN, PAGE, post_json
from townhall.moderators.models import AuditLog
from townhall.moderators.tests.conftest import People, signed_in


def test_a_moderator_comments_as_staff_through_a_one_time_ticket(
    site: Site, other_site: Site, people: People, django_capture_on_commit_callbacks: Any
) -> None:
    moderator = signed_in(people.moderator)
    opened = moderator.post(f"/moderate/sites/{site.slug}/comment-as-staff/", {"url": PAGE + "?utm=x"})
    assert opened.status_code == 302
    target = urlsplit(opened["Location"])
    assert f"{target.scheme}://{target.netloc}{target.path}" == PAGE and target.fragment.startswith("townhall-sign-in=")
    ticket = target.fragment.removeprefix("townhall-sign-in=")
    widget = Client()
    signed = post_json(widget, "/api/v1/sso", {"site": "blog", "token": ticket}, Origin=ORIGIN)
    assert signed.status_code == 200 and signed.json()["staff"] and signed.json()["name"] == "mod"
    with django_capture_on_commit_callbacks(execute=True):
        r = post_json(widget, "/api/v1/comments", {"site": "blog", "url": PAGE, "text": "From the desk: corrected."},
                      **{"X-Townhall-Token": signed.json()["token"]})
    assert r.status_code == 201 and r.json()["comment"]["badges"] == ["verified", "staff"]
    assert AuditLog.objects.filter(action="comment.staff_post", target_id=r.json()["id"]).exists()
    again = post_json(Client(), "/api/v1/sso", {"site": "blog", "token": ticket}, Origin=ORIGIN)
    assert again.json()["code"] == "token_replayed"
    elsewhere = post_json(Client(), "/api/v1/sso", {"site": "other", "token": ticket},
                          Origin="https://other.example")
    assert elsewhere.json()["code"] == "token_wrong_audience"
    # Only a moderator of the site gets a ticket, and only for one of its pages.
    assert signed_in(people.outsider).post(f"/moderate/sites/{site.slug}/comment-as-staff/", {"url": PAGE}).status_code == 403
    foreign = moderator.post(f"/moderate/sites/{site.slug}/comment-as-staff/", {"url": "https://evil.example/x"})
    assert foreign.status_code == 302 and "townhall-sign-in" not in foreign["Location"]
