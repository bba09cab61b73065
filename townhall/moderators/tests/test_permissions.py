"""Every moderator page and action, for every kind of visitor: anonymous (sent to sign in), a
moderator of another site (403), a moderator of this site, an admin of this site and a
superuser (allowed, except admin-only pages for a moderator). Allowed actions leave an audit
entry; refused ones change nothing."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from townhall.comments.models import Comment, Site
from townhall.comments.tests.factories import make_comment
from townhall.moderation.models import FlameWar
from townhall.moderators.models import AuditLog
from townhall.moderators.tests.conftest import People, held, make_user, signed_in

ROLES = ["anonymous", "outsider", "moderator", "admin", "superuser"]


@dataclass
class Scene:
    site: Site
    comment: Comment
    war: FlameWar
    people: People
    candidate_id: int  # a user the admin may add or remove


@pytest.fixture
def scene(site: Site, people: People) -> Scene:
    parent = make_comment(site, text="The article is right.", author_name="Ann")
    comment = held(site, parent=parent, text="You are an idiot.", author_name="Bob", author_email="bob@example.com")
    now = timezone.now()
    war = FlameWar.objects.create(
        thread=comment.thread, root=parent, participants=["Ann", "Bob"], author_keys=[parent.author_key],
        first_comment=parent, last_comment=comment, comment_count=2, hostile_count=1, detected=now, updated=now,
    )
    candidate = make_user("candidate")
    return Scene(site, comment, war, people, candidate.pk)


def client_for(scene: Scene, role: str) -> Client:
    if role == "anonymous":
        return Client()
    return signed_in(getattr(scene.people, role))


# (method, url template, data, who may: "mod" = moderators and admins of the site, "admin" = admins)
ENDPOINTS: list[tuple[str, str, dict[str, Any], str]] = [
    ("get", "/moderate/queue/pending/?site=blog", {}, "mod"),
    ("get", "/moderate/queue/reported/?site=blog", {}, "mod"),
    ("get", "/moderate/queue/flagged/?site=blog", {}, "mod"),
    ("get", "/moderate/queue/approved/?site=blog", {}, "mod"),
    ("get", "/moderate/queue/rejected/?site=blog", {}, "mod"),
    ("get", "/moderate/queue/pending/?thread={thread}", {}, "mod"),
    ("get", "/moderate/flamewars/?site=blog", {}, "mod"),
    ("get", "/moderate/flamewars/?thread={thread}", {}, "mod"),
    ("get", "/moderate/threads/{thread}/health/", {}, "mod"),
    ("get", "/moderate/comments/{comment}/edit/", {}, "mod"),
    ("get", "/moderate/sites/blog/roles/", {}, "admin"),
    ("get", "/moderate/audit/?site=blog", {}, "admin"),
    ("post", "/moderate/comments/{comment}/approve/", {}, "mod"),
    ("post", "/moderate/comments/{comment}/reject/", {}, "mod"),
    ("post", "/moderate/comments/{comment}/spam/", {}, "mod"),
    ("post", "/moderate/comments/{comment}/ban/", {"ban_days": "3"}, "mod"),
    ("post", "/moderate/comments/{comment}/feature/", {}, "mod"),
    ("post", "/moderate/comments/{comment}/unfeature/", {}, "mod"),
    ("post", "/moderate/comments/{comment}/edit/", {"text": "[redacted]"}, "mod"),
    ("post", "/moderate/bulk/", {"ids": ["{comment}"], "action": "reject"}, "mod"),
    ("post", "/moderate/threads/{thread}/close/", {}, "mod"),
    ("post", "/moderate/threads/{thread}/reopen/", {}, "mod"),
    ("post", "/moderate/threads/{thread}/lock/", {}, "mod"),
    ("post", "/moderate/threads/{thread}/premoderate/", {}, "mod"),
    ("post", "/moderate/threads/{thread}/postmoderate/", {}, "mod"),
    ("post", "/moderate/threads/{thread}/slow/", {"minutes": "15"}, "mod"),
    ("post", "/moderate/flamewars/{war}/resolve/", {}, "mod"),
    ("post", "/moderate/flamewars/{war}/slow/", {"minutes": "20"}, "mod"),
    ("post", "/moderate/flamewars/{war}/unslow/", {}, "mod"),
    ("post", "/moderate/flamewars/{war}/lock/", {}, "mod"),
    ("post", "/moderate/sites/blog/premoderate/", {"on": "1"}, "mod"),
    ("post", "/moderate/sites/blog/slow/", {"minutes": "5"}, "mod"),
    ("post", "/moderate/sites/blog/roles/", {"username": "candidate", "role": "moderator"}, "admin"),
    ("post", "/moderate/sites/blog/roles/{candidate}/remove/", {}, "admin"),
]


def _fill(value: Any, scene: Scene) -> Any:
    ids = {"thread": scene.comment.thread_id, "comment": scene.comment.pk, "war": scene.war.pk,
           "candidate": scene.candidate_id}
    if isinstance(value, list):
        return [_fill(v, scene) for v in value]
    return value.format(**ids) if isinstance(value, str) else value


def expected_allowed(role: str, who: str) -> bool:
    if role in ("admin", "superuser"):
        return True
    return role == "moderator" and who == "mod"


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("method", "url", "data", "who"), ENDPOINTS, ids=[f"{m} {u}" for m, u, _, _ in ENDPOINTS])
def test_every_page_and_action(scene: Scene, role: str, method: str, url: str, data: dict[str, Any], who: str) -> None:
    if url.endswith("/remove/"):
        from townhall.moderators import services
        from townhall.moderators.models import Role

        candidate = make_user("candidate2")
        services.siterole_grant(actor=None, site=scene.site, user=candidate, role=Role.MODERATOR)
        scene.candidate_id = candidate.pk
    path = _fill(url, scene)
    body = {k: _fill(v, scene) for k, v in data.items()}
    client = client_for(scene, role)
    audit_before = AuditLog.objects.count()
    if method == "get":
        response = client.get(path)
    else:
        response = client.post(path, body, headers={"Accept": "application/json"})

    if role == "anonymous":
        assert response.status_code == 302
        assert response["Location"].startswith("/moderate/login/?next=")
    elif expected_allowed(role, who):
        if method == "get":
            assert response.status_code == 200, response.content[:500]
        elif url.endswith("/roles/"):  # the add-a-moderator form redirects to the list
            assert response.status_code == 302, response.content[:500]
        else:
            assert response.status_code == 200, response.content[:500]
            assert response.json()["ok"] is True
    else:
        assert response.status_code == 403
    if method == "post":
        wrote = AuditLog.objects.count() - audit_before
        allowed = role != "anonymous" and expected_allowed(role, who)
        assert (wrote > 0) == allowed


@pytest.mark.parametrize("role", ROLES)
def test_personal_pages_show_only_the_users_sites(scene: Scene, role: str) -> None:
    """/moderate/, the unfiltered queues and the site list answer every moderator, with their
    own sites only; a signed-in user who moderates nothing gets 403."""
    client = client_for(scene, role)
    home = client.get("/moderate/")
    if role == "anonymous":
        assert home.status_code == 302 and home["Location"].startswith("/moderate/login/")
        return
    assert home.status_code == 302 and home["Location"] == "/moderate/queue/pending/"
    page = client.get("/moderate/queue/pending/")
    sites = client.get("/moderate/sites/")
    assert page.status_code == sites.status_code == 200
    sees_it = f'data-id="{scene.comment.pk}"'.encode() in page.content
    assert sees_it == (role != "outsider")
    assert (b"(blog)" in sites.content) == (role != "outsider")


def test_a_user_without_a_site_gets_403(scene: Scene) -> None:
    client = signed_in(scene.people.nobody)
    for path in ("/moderate/queue/pending/", "/moderate/flamewars/", "/moderate/sites/", "/moderate/audit/"):
        assert client.get(path).status_code == 403, path


def test_the_audit_log_shows_only_administered_sites(scene: Scene, other_site: Site) -> None:
    other_comment = held(other_site, text="Elsewhere.", url="https://other.example/post")
    signed_in(scene.people.outsider).post(f"/moderate/comments/{other_comment.pk}/approve/")
    signed_in(scene.people.moderator).post(f"/moderate/comments/{scene.comment.pk}/approve/")
    outsider_view = signed_in(scene.people.outsider).get("/moderate/audit/").content.decode()
    admin_view = signed_in(scene.people.admin).get("/moderate/audit/").content.decode()
    assert f"comment #{other_comment.pk}" in outsider_view and f"comment #{scene.comment.pk}" not in outsider_view
    assert f"comment #{scene.comment.pk}" in admin_view and f"comment #{other_comment.pk}" not in admin_view


def test_bulk_refuses_if_any_comment_is_from_another_site(scene: Scene, other_site: Site) -> None:
    foreign = held(other_site, text="Not yours.", url="https://other.example/post")
    response = signed_in(scene.people.moderator).post(
        "/moderate/bulk/", {"ids": [scene.comment.pk, foreign.pk], "action": "approve"})
    assert response.status_code == 403
    scene.comment.refresh_from_db()
    assert scene.comment.status == "pending"
    assert AuditLog.objects.filter(action__startswith="comment.").count() == 0


def test_actions_need_a_csrf_token(scene: Scene) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(scene.people.moderator)
    response = client.post(f"/moderate/comments/{scene.comment.pk}/approve/", headers={"Accept": "application/json"})
    assert response.status_code == 403
    scene.comment.refresh_from_db()
    assert scene.comment.status == "pending"
    page = client.get("/moderate/queue/pending/")
    token = page.context["csrf_token"]
    assert f'<meta name="csrf-token" content="{token}">' in page.content.decode()
    ok = client.post(f"/moderate/comments/{scene.comment.pk}/approve/",
                     headers={"Accept": "application/json", "X-CSRFToken": str(token)})
    assert ok.status_code == 200 and ok.json()["status"] == "published"


def test_actions_refuse_get(scene: Scene) -> None:
    client = signed_in(scene.people.admin)
    assert client.get(f"/moderate/comments/{scene.comment.pk}/approve/").status_code == 405
    assert client.get(f"/moderate/flamewars/{scene.war.pk}/resolve/").status_code == 405
