"""Moderator actions: each changes what it says and leaves one audit entry with before and after."""

from __future__ import annotations

import pytest
from django.utils import timezone

from townhall.comments.models import Comment, Site, Status
from townhall.comments.tests.factories import make_comment
from townhall.core.errors import Conflict, NotFound, ValidationFailed
from townhall.core.testing import PAGE
from townhall.moderation.decisions import Verdict
from townhall.moderation.models import Ban, FlameWar, FlameWarStatus
from townhall.moderators import services
from townhall.moderators.models import AuditLog, Role, SiteRole
from townhall.moderators.tests.conftest import People, held
from townhall.posting.services import comment_create, comment_report


def _war(comment: Comment) -> FlameWar:
    now = timezone.now()
    return FlameWar.objects.create(thread=comment.thread, root=comment, participants=["A", "B"], author_keys=[],
                                   first_comment=comment, last_comment=comment, comment_count=8, hostile_count=3,
                                   detected=now, updated=now)


def test_approve_publishes_and_records_before_and_after(site: Site, people: People) -> None:
    comment = held(site, text="Fine words.")
    services.comment_decide(moderator=people.moderator, comment=comment, verdict=Verdict.APPROVE)
    comment.refresh_from_db()
    assert comment.status == Status.PUBLISHED
    assert comment.thread.comment_count == 1
    assert comment.moderation["review"]["decision"] == "approve"
    entry = AuditLog.objects.get(action="comment.approve")
    assert (entry.actor, entry.site, entry.target_type, entry.target_id) == (people.moderator, site, "comment", comment.pk)
    assert entry.before["status"] == "pending" and entry.after["status"] == "published"


def test_reject_and_ban_bans_the_author_for_the_days_given(site: Site, people: People) -> None:
    comment = held(site, text="Abuse.", author_email="troll@example.com")
    services.comment_decide(moderator=people.moderator, comment=comment, verdict=Verdict.BAN, ban_days=30)
    comment.refresh_from_db()
    assert comment.status == Status.REJECTED
    ban = Ban.objects.get(site=site)
    assert ban.value == comment.author_key
    assert ban.until is not None and 29 <= (ban.until - timezone.now()).days <= 30
    assert AuditLog.objects.get(action="comment.ban").after["ban_days"] == 30
    # One verdict all the way down; the record keeps a ban as the rejection it is (the label the
    # site's own model retrains on).
    assert comment.moderation["review"]["decision"] == "reject"


def test_a_ban_without_a_length_takes_the_default(site: Site, people: People) -> None:
    comment = held(site)
    services.comment_decide(moderator=people.moderator, comment=comment, verdict=Verdict.BAN)
    ban = Ban.objects.get(site=site)
    days = services.DEFAULT_BAN_DAYS
    assert ban.until is not None and days - 1 <= (ban.until - timezone.now()).days <= days
    assert AuditLog.objects.get(action="comment.ban").after["ban_days"] == days


@pytest.mark.parametrize("days", [0, -1, 100_000])
def test_a_ban_needs_a_sensible_number_of_days(site: Site, people: People, days: int) -> None:
    comment = held(site)
    with pytest.raises(ValidationFailed):
        services.comment_decide(moderator=people.moderator, comment=comment, verdict=Verdict.BAN, ban_days=days)
    comment.refresh_from_db()
    assert comment.status == Status.PENDING
    assert not AuditLog.objects.filter(action__startswith="comment.").exists()


def test_spam_rejects_with_the_spam_label(site: Site, people: People) -> None:
    comment = held(site, text="Cheap watches.")
    services.comment_decide(moderator=people.moderator, comment=comment, verdict=Verdict.SPAM)
    comment.refresh_from_db()
    assert comment.status == Status.REJECTED and comment.moderation["review"]["decision"] == "spam"


def test_a_decision_resolves_the_comments_open_reports(site: Site, people: People) -> None:
    comment = make_comment(site, text="Reported one.")
    comment_report(comment_id=comment.pk, reader="r1", ip="10.0.0.1", reason="abuse")
    services.comment_decide(moderator=people.moderator, comment=comment, verdict=Verdict.APPROVE)
    assert not comment.reports.filter(resolved=False).exists()


def test_deciding_a_vanished_comment_is_not_found(site: Site, people: People) -> None:
    comment = held(site)
    Comment.objects.filter(pk=comment.pk).delete()
    with pytest.raises(NotFound):
        services.comment_decide(moderator=people.moderator, comment=comment, verdict=Verdict.APPROVE)


def test_bulk_decides_all_with_one_entry_each(site: Site, people: People) -> None:
    comments = [held(site, text=f"Comment {i}") for i in range(4)]
    count = services.comments_decide(moderator=people.moderator, comments=comments, verdict=Verdict.REJECT)
    assert count == 4
    assert Comment.objects.filter(status=Status.REJECTED).count() == 4
    assert AuditLog.objects.filter(action="comment.reject").count() == 4


def test_bulk_does_not_ban(site: Site, people: People) -> None:
    with pytest.raises(ValidationFailed):
        services.comments_decide(moderator=people.moderator, comments=[held(site)], verdict=Verdict.BAN)


def test_feature_and_unfeature(site: Site, people: People) -> None:
    comment = Comment.objects.select_related("thread__site").get(pk=make_comment(site).pk)
    services.comment_set_featured(moderator=people.moderator, comment=comment, featured=True)
    assert Comment.objects.get(pk=comment.pk).featured
    services.comment_set_featured(moderator=people.moderator, comment=comment, featured=False)
    assert not Comment.objects.get(pk=comment.pk).featured
    assert list(AuditLog.objects.order_by("id").values_list("action", flat=True).filter(
        target_type="comment")) == ["comment.feature", "comment.unfeature"]


def test_an_edit_keeps_the_original_text(site: Site, people: People) -> None:
    comment = make_comment(site, text="My phone is 555-1234, call me, idiot.")
    services.comment_edit_text(moderator=people.moderator, comment=comment, text="[redacted by a moderator]")
    services.comment_edit_text(moderator=people.moderator, comment=comment, text="[redacted]")
    comment.refresh_from_db()
    assert comment.text == "[redacted]" and "redacted" in comment.html
    assert comment.moderation["original_text"] == "My phone is 555-1234, call me, idiot."
    first = AuditLog.objects.filter(action="comment.edit").order_by("id").first()
    assert first is not None and first.before["text"].startswith("My phone")


def test_an_unchanged_edit_is_refused(site: Site, people: People) -> None:
    comment = make_comment(site, text="Same.")
    with pytest.raises(Conflict):
        services.comment_edit_text(moderator=people.moderator, comment=comment, text="Same.")
    assert not AuditLog.objects.filter(action="comment.edit").exists()


def test_close_lock_and_reopen_a_thread(site: Site, people: People) -> None:
    thread = make_comment(site).thread
    services.thread_close(moderator=people.moderator, thread=thread, closed=True)
    assert thread.closed
    services.thread_close(moderator=people.moderator, thread=thread, closed=False)
    assert not thread.closed
    services.thread_close(moderator=people.moderator, thread=thread, closed=True, lock=True)
    assert thread.closed
    assert list(AuditLog.objects.order_by("id").filter(target_type="thread").values_list("action", flat=True)) == [
        "thread.close", "thread.reopen", "thread.lock"]


def test_thread_slow_mode_applies_to_its_open_wars(site: Site, people: People) -> None:
    comment = make_comment(site)
    war = _war(comment)
    resolved = _war(comment)
    FlameWar.objects.filter(pk=resolved.pk).update(status=FlameWarStatus.RESOLVED)
    assert services.thread_set_slow_mode(moderator=people.moderator, thread=comment.thread, minutes=30) == 1
    war.refresh_from_db()
    resolved.refresh_from_db()
    assert war.slow_minutes == 30 and resolved.slow_minutes == 10
    services.thread_set_slow_mode(moderator=people.moderator, thread=comment.thread, minutes=0)
    war.refresh_from_db()
    assert war.slow_minutes == 0


def test_thread_slow_mode_without_a_war_says_so(site: Site, people: People) -> None:
    with pytest.raises(Conflict):
        services.thread_set_slow_mode(moderator=people.moderator, thread=make_comment(site).thread, minutes=10)


def test_flame_war_actions(site: Site, people: People) -> None:
    war = _war(make_comment(site))
    services.flamewar_set_slow_mode(moderator=people.moderator, war=war, minutes=0)
    assert war.slow_minutes == 0
    with pytest.raises(ValidationFailed):
        services.flamewar_set_slow_mode(moderator=people.moderator, war=war, minutes=-5)
    services.flamewar_lock_thread(moderator=people.moderator, war=war)
    war.refresh_from_db()
    assert war.status == FlameWarStatus.RESOLVED and war.thread.closed
    with pytest.raises(Conflict):
        services.flamewar_close(moderator=people.moderator, war=war)
    assert list(AuditLog.objects.order_by("id").exclude(target_type="user").values_list("action", flat=True)) == [
        "flamewar.unslow", "thread.lock", "flamewar.resolve"]


def test_slow_mode_without_a_pace_takes_the_sites(site: Site, people: People) -> None:
    war = _war(make_comment(site))
    services.site_set_slow_mode(moderator=people.moderator, site=site, minutes=25)
    war.thread.site.refresh_from_db()  # policy_for caches the policy on the Site instance
    assert services.flamewar_set_slow_mode(moderator=people.moderator, war=war, minutes=None).slow_minutes == 25
    services.site_set_slow_mode(moderator=people.moderator, site=site, minutes=0)
    war.thread.site.refresh_from_db()
    assert services.flamewar_set_slow_mode(moderator=people.moderator, war=war, minutes=None).slow_minutes == (
        services.DEFAULT_SLOW_MINUTES)


def test_premoderation_holds_new_comments(site: Site, people: People) -> None:
    services.site_set_premoderation(moderator=people.moderator, site=site, premoderate=True)
    assert comment_create(site=site, url=PAGE, text="Hello there.").comment.status == Status.PENDING
    assert AuditLog.objects.get(action="site.premoderate").after == {"premoderate": True}


def test_the_sites_slow_mode_is_what_new_wars_start_with(site: Site, people: People) -> None:
    from townhall.moderation.pipeline import policy_for

    services.site_set_slow_mode(moderator=people.moderator, site=site, minutes=25)
    assert policy_for(site).flamewar_slow_minutes == 25
    with pytest.raises(ValidationFailed):
        services.site_set_slow_mode(moderator=people.moderator, site=site, minutes=5000)
    entry = AuditLog.objects.get(action="site.slow_mode")
    assert (entry.before, entry.after) == ({"flamewar_slow_minutes": 10}, {"flamewar_slow_minutes": 25})


def test_roles_grant_change_and_revoke(site: Site, people: People) -> None:
    user = people.nobody
    services.siterole_grant(actor=people.admin, site=site, user=user, role=Role.MODERATOR)
    with pytest.raises(Conflict):
        services.siterole_grant(actor=people.admin, site=site, user=user, role=Role.MODERATOR)
    services.siterole_grant(actor=people.admin, site=site, user=user, role=Role.ADMIN)
    assert SiteRole.objects.get(site=site, user=user).role == Role.ADMIN
    services.siterole_revoke(actor=people.admin, site=site, user=user)
    assert not SiteRole.objects.filter(site=site, user=user).exists()
    with pytest.raises(NotFound):
        services.siterole_revoke(actor=people.admin, site=site, user=user)
    entries = AuditLog.objects.filter(target_id=user.pk).order_by("id")
    assert [(e.action, e.before, e.actor_name) for e in entries] == [
        ("role.grant", {}, "boss"), ("role.grant", {"role": "moderator"}, "boss"),
        ("role.revoke", {"role": "admin", "user": "nobody"}, "boss")]
