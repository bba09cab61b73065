"""The pages: what they show, how they answer forms and the queue's script, sign in and out."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from townhall.comments.models import Comment, Site, Status
from townhall.comments.tests.factories import make_comment
from townhall.moderators.models import AuditLog, SiteRole
from townhall.moderators.tests.conftest import PASSWORD, People, held, signed_in

PAGES = ["/moderate/queue/pending/", "/moderate/queue/approved/", "/moderate/flamewars/", "/moderate/sites/",
         "/moderate/audit/", "/moderate/login/"]


def test_sign_in_and_out(site: Site, people: People) -> None:
    client = Client()
    page = client.get("/moderate/login/")
    assert page.status_code == 200 and b'name="password"' in page.content
    bad = client.post("/moderate/login/", {"username": "mod", "password": "wrong"})
    assert b"did not match" in bad.content
    ok = client.post("/moderate/login/", {"username": "mod", "password": PASSWORD, "next": "/moderate/flamewars/"})
    assert ok.status_code == 302 and ok["Location"] == "/moderate/flamewars/"
    assert client.get("/moderate/flamewars/").status_code == 200
    out = client.post("/moderate/logout/")
    assert out.status_code == 302 and out["Location"] == "/moderate/login/"
    assert client.get("/moderate/flamewars/").status_code == 302


@pytest.mark.parametrize("path", PAGES)
def test_pages_need_no_inline_script_or_style(site: Site, people: People, path: str) -> None:
    held(site, text="Something *emphatic*.", author_email="x@example.com", ip="203.0.113.9")
    client = Client() if path.endswith("login/") else signed_in(people.superuser)
    html = client.get(path).content.decode()
    assert not re.search(r"<script(?![^>]*\bsrc=)", html), "inline script"
    assert "<style" not in html and " style=" not in html


def test_an_item_explains_itself_in_words(site: Site, people: People) -> None:
    comment = held(site, text="You are a fool.", author_name="Bob", author_email="bob@example.com", ip="203.0.113.9")
    Comment.objects.filter(pk=comment.pk).update(reasons=["toxicity"], moderation={"scores": {"toxicity": 0.91}})
    html = signed_in(people.moderator).get("/moderate/queue/pending/").content.decode()
    assert "Reads as hostile or abusive" in html
    assert "hostility" in html and "91%" in html
    assert "awaiting moderation" in html
    assert "bob@example.com" in html and "203.0.113.9" in html  # staff only: this page is behind a role
    assert 'id="help"' in html and "reject and ban" in html


def test_decisions_answer_json_to_the_script_and_redirect_forms(site: Site, people: People) -> None:
    client = signed_in(people.moderator)
    a, b = held(site, text="A"), held(site, text="B")
    data = client.post(f"/moderate/comments/{a.pk}/approve/", headers={"Accept": "application/json"}).json()
    assert data == {"ok": True, "message": f"#{a.pk} approved", "id": a.pk, "status": "published"}
    back = client.post(f"/moderate/comments/{b.pk}/reject/", {"next": "/moderate/queue/pending/?q=B"})
    assert back.status_code == 302 and back["Location"] == "/moderate/queue/pending/?q=B"
    evil = client.post(f"/moderate/comments/{b.pk}/approve/", {"next": "https://evil.example/"})
    assert evil["Location"] == "/moderate/queue/pending/"


def test_a_refused_decision_answers_json_with_the_reason(site: Site, people: People) -> None:
    comment = held(site)
    response = signed_in(people.moderator).post(f"/moderate/comments/{comment.pk}/ban/", {"ban_days": "0"},
                                                headers={"Accept": "application/json"})
    assert response.status_code == 422
    assert response.json()["ok"] is False and "ban_days" in response.json()["message"]


def test_bulk_from_the_form(site: Site, people: People) -> None:
    client = signed_in(people.moderator)
    ids = [held(site, text=f"c{i}").pk for i in range(3)]
    response = client.post("/moderate/bulk/", {"ids": ids[:2], "action": "approve", "next": "/moderate/"}, follow=True)
    assert "2 comments approved" in response.content.decode()
    assert Comment.objects.filter(status=Status.PUBLISHED).count() == 2
    empty = client.post("/moderate/bulk/", {"action": "approve"}, follow=True)
    assert "select at least one comment" in empty.content.decode()


def test_edit_page_shows_and_keeps_the_original(site: Site, people: People) -> None:
    comment = make_comment(site, text="Call me on 555-1234.")
    client = signed_in(people.moderator)
    assert "555-1234" in client.get(f"/moderate/comments/{comment.pk}/edit/").content.decode()
    client.post(f"/moderate/comments/{comment.pk}/edit/", {"text": "Call me on [redacted]."})
    page = client.get(f"/moderate/comments/{comment.pk}/edit/").content.decode()
    assert "Original text" in page and "555-1234" in page
    blank = client.post(f"/moderate/comments/{comment.pk}/edit/", {"text": "   "})
    assert blank.status_code == 200 and "This field is required" in blank.content.decode()


def test_unknown_queue_and_actions_are_404(site: Site, people: People) -> None:
    client = signed_in(people.admin)
    comment = held(site)
    assert client.get("/moderate/queue/everything/").status_code == 404
    assert client.post(f"/moderate/comments/{comment.pk}/delete/").status_code == 404
    assert client.post("/moderate/comments/999999/approve/").status_code == 404


def test_admins_manage_moderators_in_the_ui(site: Site, people: People) -> None:
    client = signed_in(people.admin)
    missing = client.post("/moderate/sites/blog/roles/", {"username": "ghost", "role": "moderator"})
    assert "no user by that name" in missing.content.decode()
    client.post("/moderate/sites/blog/roles/", {"username": "nobody", "role": "moderator"})
    assert SiteRole.objects.filter(site=site, user=people.nobody).exists()
    assert "nobody" in client.get("/moderate/sites/blog/roles/").content.decode()
    client.post(f"/moderate/sites/blog/roles/{people.nobody.pk}/remove/")
    assert not SiteRole.objects.filter(site=site, user=people.nobody).exists()
    assert AuditLog.objects.filter(action__startswith="role.", actor=people.admin).count() == 2


def test_the_audit_log_shows_what_changed(site: Site, people: People) -> None:
    comment = held(site)
    signed_in(people.moderator).post(f"/moderate/comments/{comment.pk}/approve/")
    html = signed_in(people.admin).get("/moderate/audit/").content.decode()
    row = html[html.index('data-audit="comment.approve"'):]
    row = row[: row.index("</tr>")]
    assert "<b>status</b>: pending → published" in row and "featured" not in row
    assert ">mod<" in row


def test_roles_and_a_read_only_audit_log_in_django_admin(site: Site, people: People) -> None:
    client = signed_in(people.superuser)
    assert b"mod" in client.get("/admin/moderators/siterole/").content
    assert client.get("/admin/moderators/auditlog/").status_code == 200
    assert client.get("/admin/moderators/auditlog/add/").status_code == 403


def test_the_commenter_sees_the_moderators_decision(site: Site, people: People) -> None:
    """Held, then decided here: the author's outcome endpoint (comments app) follows."""
    from townhall.comments.services import site_update
    from townhall.posting.services import comment_create

    site_update(site=site, premoderate=True)
    written = comment_create(site=site, url="https://blog.example/p", text="Hello.", author_name="Ann")
    outcome = f"/api/v1/comments/{written.comment.pk}/outcome"
    headers = {"X-Townhall-Edit-Token": written.edit_token or ""}
    assert Client().get(outcome, headers=headers).json()["status"] == "pending"
    signed_in(people.moderator).post(f"/moderate/comments/{written.comment.pk}/reject/")
    assert Client().get(outcome, headers=headers).json()["status"] == "rejected"


def test_a_bad_ban_length_is_a_422_naming_the_field(site: Site, people: People) -> None:
    comment = held(site, text="Banned?")
    client = signed_in(people.moderator)
    bad = client.post(f"/moderate/comments/{comment.pk}/ban/", {"ban_days": "forever"},
                      headers={"Accept": "application/json"})
    assert bad.status_code == 422 and "ban_days" in bad.json()["message"]
    ok = client.post(f"/moderate/comments/{comment.pk}/ban/", headers={"Accept": "application/json"})
    assert ok.json()["message"] == f"#{comment.pk} rejected, author banned for 7 days"


def test_unknown_objects_are_404_not_403_and_others_sites_403(site: Site, other_site: Site, people: People) -> None:
    client = signed_in(people.moderator)
    assert client.get("/moderate/threads/999999/health/").status_code == 404
    assert client.get(f"/moderate/queue/pending/?thread={10**30}").status_code == 404
    assert client.post("/moderate/sites/nope/premoderate/", {"on": "1"}).status_code == 404
    theirs = held(other_site, text="Not yours.", url="https://other.example/a")
    assert client.post(f"/moderate/comments/{theirs.pk}/approve/").status_code == 403
    assert client.get(f"/moderate/threads/{theirs.thread_id}/health/").status_code == 403


def test_sites_page_shows_the_policy_with_the_models_help(site: Site, people: People) -> None:
    from townhall.comments.services import site_update

    site_update(site=site, page_size=7, identity_params=["p"])
    html = signed_in(people.moderator).get("/moderate/sites/").content.decode()
    assert "<dt>Page size</dt><dd>7 <span" in html and "top-level comments per page" in html
    assert "<dt>Identity parameters</dt><dd>p <span" in html
    assert "Another site" not in html


def test_after_a_model_change_the_sites_page_warns_and_an_admin_keeps_or_resets(
    site: Site, people: People, monkeypatch: pytest.MonkeyPatch
) -> None:
    from townhall.moderation.ml import hostility_model
    from townhall.moderation.selectors import policy_for, thresholds_for
    from townhall.moderation.services import policy_update

    policy_update(site=site, toxicity_warn=0.9, toxicity_hold=0.97)
    assert b"chosen for an earlier" not in signed_in(people.admin).get("/moderate/sites/").content
    monkeypatch.setattr(hostility_model(), "version", "a-newer-model")
    page = signed_in(people.admin).get("/moderate/sites/").content.decode()
    assert "chosen for an earlier hostility model" in page and "Keep the site" in page
    # A moderator who is not an admin of the site may not choose.
    assert signed_in(people.moderator).post(f"/moderate/sites/{site.slug}/thresholds/", {"keep": "1"}).status_code == 403
    r = signed_in(people.admin).post(f"/moderate/sites/{site.slug}/thresholds/", {"keep": "0"})
    assert r.status_code == 302
    limits = thresholds_for(policy_for(Site.objects.get(pk=site.pk)))
    assert not limits.own and not limits.stale and limits.hold == hostility_model().hold
    entry = AuditLog.objects.get(action="site.thresholds_reset")
    assert entry.before["hold"] == 0.97 and entry.after["own"] is False
    assert "chosen for an earlier" not in signed_in(people.admin).get("/moderate/sites/").content.decode()
