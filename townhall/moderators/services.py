"""Every moderator action. Each service owns its transaction and writes one audit entry per
object it changes, with the state before and after, in the same transaction: an action is never
taken without its record, nor recorded without being taken.

Permission is the caller's job (views get every object through `selectors.access_*`); these
functions trust their `moderator`."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, User
from django.db import transaction
from django.db.models import F, QuerySet
from django.utils import timezone

from townhall.articles.models import Article, ArticleSource
from townhall.articles.services import article_submit
from townhall.comments.models import Comment, Report, Site, Thread
from townhall.comments.services import site_update, thread_lock, thread_set_closed, thread_set_premoderation
from townhall.core.errors import Conflict, NotFound, ValidationFailed
from townhall.moderation import services as moderation
from townhall.moderation.decisions import Verdict
from townhall.moderation.models import Ban, FlameWar, FlameWarStatus
from townhall.moderation.selectors import policy_for, thresholds_for
from townhall.moderators.models import AuditLog, Role, SiteRole

MAX_BAN_DAYS = 3650
DEFAULT_BAN_DAYS = 7
MAX_SLOW_MINUTES = 24 * 60
DEFAULT_SLOW_MINUTES = 10  # when neither the moderator nor the site's policy names a pace


def audit_write(
    *, actor: AbstractBaseUser | None, site: Site | None, action: str, target_type: str,
    target_id: int | None, before: dict[str, Any], after: dict[str, Any], actor_name: str = "command line",
) -> AuditLog:
    """`actor_name` names an actor without an account (the command line, a reader)."""
    return AuditLog.objects.create(
        actor=actor if isinstance(actor, User) else None,
        actor_name=actor.get_username() if actor is not None else actor_name,
        site=site, action=action, target_type=target_type, target_id=target_id, before=before, after=after,
    )


# ---------------------------------------------------------------------------- comments


def staff_post_audit(comment: Comment) -> None:
    """A comment posted as staff (the site's staff role through sign-in, or a moderator signed
    in here) speaks for the site and skips soft signals: each one is on the record."""
    if not (comment.author_staff or comment.author_user_id) or comment.edited or "review" in (comment.moderation or {}):
        return
    audit_write(
        actor=comment.author_user, actor_name=f"{comment.author_name} (site staff, signed in)"[:150],
        site=comment.thread.site, action="comment.staff_post", target_type="comment", target_id=comment.pk,
        before={}, after={"status": comment.status, "verified": comment.author_verified},
    )


def _comment_state(c: Comment) -> dict[str, Any]:
    return {"status": c.status, "flagged": c.flagged, "featured": c.featured, "reports_open": c.report_count}


def ban_days_or_default(ban_days: int | None) -> int:
    """The length of a ban when the moderator chose none."""
    return DEFAULT_BAN_DAYS if ban_days is None else ban_days


def comment_decide(*, moderator: User, comment: Comment, verdict: Verdict, ban_days: int | None = None) -> Comment:
    """Approve, reject, mark as spam, or reject and ban the author for `ban_days` (default
    DEFAULT_BAN_DAYS). The comment's open reports are resolved: the queue of reported comments
    is for reports nobody answered."""
    if verdict == Verdict.BAN:
        ban_days = ban_days_or_default(ban_days)
        if ban_days is None or not 1 <= ban_days <= MAX_BAN_DAYS:
            raise ValidationFailed.one("ban_days", f"must be a number of days between 1 and {MAX_BAN_DAYS}")
    else:
        ban_days = None
    with transaction.atomic():
        thread_lock(comment_id=comment.pk)  # the one lock order of comment writes
        current = (
            Comment.objects.select_for_update(no_key=True, of=("self",))
            .select_related("thread__site").filter(pk=comment.pk).first()
        )
        if current is None:
            raise NotFound("no such comment", code="comment_not_found")
        before = _comment_state(current)
        updated = moderation.comment_review(comment=current, verdict=verdict, moderator=moderator, ban_days=ban_days)
        Report.objects.filter(comment=current, resolved=False).update(resolved=True)
        after = {**_comment_state(updated), "reports_open": 0}
        if ban_days:
            after["ban_days"] = ban_days
        audit_write(actor=moderator, site=current.thread.site, action=f"comment.{verdict}",
                    target_type="comment", target_id=current.pk, before=before, after=after)
    updated.thread = current.thread
    return updated


def comments_decide(*, moderator: User, comments: QuerySet[Comment] | list[Comment], verdict: Verdict) -> int:
    """A bulk verdict: all or none, one audit entry per comment."""
    if verdict == Verdict.BAN:
        raise ValidationFailed.one("action", "bulk actions approve, reject or mark spam; ban one author at a time")
    count = 0
    with transaction.atomic():
        for comment in comments:
            comment_decide(moderator=moderator, comment=comment, verdict=verdict)
            count += 1
    return count


def comment_set_featured(*, moderator: User, comment: Comment, featured: bool) -> Comment:
    with transaction.atomic():
        before = {"featured": comment.featured}
        moderation.comment_feature(comment=comment, featured=featured)
        audit_write(actor=moderator, site=comment.thread.site, action="comment.feature" if featured else
                    "comment.unfeature", target_type="comment", target_id=comment.pk, before=before,
                    after={"featured": featured})
    return comment


def comment_edit_text(*, moderator: User, comment: Comment, text: str) -> Comment:
    """A moderator's edit or redaction. The author's original stays in the comment's record
    (moderation["original_text"]) and both versions in the audit log."""
    before = {"text": comment.text}
    with transaction.atomic():
        updated = moderation.comment_redact(comment=comment, text=text, moderator=moderator)
        if updated.text == before["text"]:
            raise Conflict("the text is unchanged", code="unchanged")
        audit_write(actor=moderator, site=comment.thread.site, action="comment.edit", target_type="comment",
                    target_id=comment.pk, before=before, after={"text": updated.text})
    return updated


# ---------------------------------------------------------------------------- threads

def thread_premoderate(*, moderator: User, thread: Thread, premoderate: bool) -> Thread:
    """Hold every new comment of one thread (a hot story) without changing the site's policy."""
    with transaction.atomic():
        before = {"premoderate": thread.premoderate}
        thread = thread_set_premoderation(thread=thread, premoderate=premoderate)
        audit_write(actor=moderator, site=thread.site, action="thread.premoderate" if premoderate else "thread.postmoderate",
                    target_type="thread", target_id=thread.pk, before=before, after={"premoderate": premoderate})
    return thread


def thread_close(*, moderator: User, thread: Thread, closed: bool, lock: bool = False) -> Thread:
    """Close (or reopen) a thread for new comments. A lock is a close, recorded as such, taken
    when a conversation has to stop now (a flame war)."""
    action = ("thread.lock" if lock else "thread.close") if closed else "thread.reopen"
    with transaction.atomic():
        before = {"closed": thread.closed}
        thread = thread_set_closed(thread=thread, closed=closed)
        audit_write(actor=moderator, site=thread.site, action=action, target_type="thread", target_id=thread.pk,
                    before=before, after={"closed": thread.closed})
    return thread


def thread_set_conversations_open(*, moderator: User, thread: Thread, open_: bool) -> Thread:
    """Show this thread's conversations open (as dialogues) or collapsed to one line each, for
    every reader: a moderator's call where the exchange is the discussion, or is noise."""
    with transaction.atomic():
        before = {"conversations_open": thread.conversations_open}
        Thread.objects.filter(pk=thread.pk).update(conversations_open=open_, version=F("version") + 1)
        thread.conversations_open = open_
        audit_write(actor=moderator, site=thread.site,
                    action="thread.conversations_open" if open_ else "thread.conversations_close",
                    target_type="thread", target_id=thread.pk, before=before, after={"conversations_open": open_})
    return thread


def thread_article_replace(*, moderator: User, thread: Thread, text: str) -> Article:
    """Replace the article text a thread's quotes are checked against (the page's first text was
    wrong, or the CMS sends none). Every comment is checked again (a task); audited by hash."""
    before = {"article_hash": thread.article_hash}
    with transaction.atomic():
        written = article_submit(site=thread.site, url=thread.url, text=text, source=ArticleSource.MODERATOR)
        audit_write(actor=moderator, site=thread.site, action="thread.article", target_type="thread",
                    target_id=thread.pk, before=before, after={"article_hash": written.article.hash})
    thread.article_hash = written.article.hash
    return written.article


def _slow_minutes(minutes: int) -> int:
    if not 0 <= minutes <= MAX_SLOW_MINUTES:
        raise ValidationFailed.one("minutes", f"must be between 0 (off) and {MAX_SLOW_MINUTES}")
    return minutes


def thread_set_slow_mode(*, moderator: User, thread: Thread, minutes: int) -> int:
    """Slow mode on every open flame war of the thread (0 turns it off). Slow mode lives on the
    war: the pipeline limits replies inside a war's branch, not a whole thread. Returns how many
    wars changed."""
    minutes = _slow_minutes(minutes)
    wars = list(FlameWar.objects.filter(thread=thread, status=FlameWarStatus.OPEN))
    if not wars:
        raise Conflict("this thread has no open flame war to slow down", code="no_flamewar")
    with transaction.atomic():
        for war in wars:
            _flamewar_slow(moderator=moderator, war=war, minutes=minutes, site=thread.site)
    return len(wars)


def site_set_premoderation(*, moderator: User, site: Site, premoderate: bool) -> Site:
    """Hold every new comment on the site for a moderator (or stop doing so)."""
    with transaction.atomic():
        before = {"premoderate": site.premoderate}
        site = site_update(site=site, premoderate=premoderate)
        audit_write(actor=moderator, site=site, action="site.premoderate" if premoderate else "site.postmoderate",
                    target_type="site", target_id=site.pk, before=before, after={"premoderate": site.premoderate})
    return site


def site_set_slow_mode(*, moderator: User, site: Site, minutes: int) -> int:
    """The site's default slow mode for new flame wars (0: none); wars already open keep theirs."""
    minutes = _slow_minutes(minutes)
    with transaction.atomic():
        before = {"flamewar_slow_minutes": policy_for(site).flamewar_slow_minutes}
        moderation.policy_update(site=site, flamewar_slow_minutes=minutes)
        audit_write(actor=moderator, site=site, action="site.slow_mode", target_type="site", target_id=site.pk,
                    before=before, after={"flamewar_slow_minutes": minutes})
    return minutes


def site_thresholds_settle(*, actor: User, site: Site, keep: bool) -> None:
    """After a model change: keep the site's own hostility thresholds or take the model's; audited."""
    with transaction.atomic():
        old = thresholds_for(policy_for(site))
        policy = moderation.policy_thresholds_settle(site=site, keep=keep)
        new = thresholds_for(policy)
        audit_write(actor=actor, site=site, action="site.thresholds_keep" if keep else "site.thresholds_reset",
                    target_type="site", target_id=site.pk,
                    before={"warn": old.warn, "hold": old.hold, "flamewar": old.flamewar, "own": old.own},
                    after={"warn": new.warn, "hold": new.hold, "flamewar": new.flamewar, "own": new.own})


# ---------------------------------------------------------------------------- flame wars

def _war_state(war: FlameWar) -> dict[str, Any]:
    return {"status": war.status, "slow_minutes": war.slow_minutes}


def _flamewar_slow(*, moderator: User, war: FlameWar, minutes: int, site: Site) -> FlameWar:
    before = _war_state(war)
    FlameWar.objects.filter(pk=war.pk).update(slow_minutes=minutes, updated=timezone.now())
    war.refresh_from_db()
    audit_write(actor=moderator, site=site, action="flamewar.slow" if minutes else "flamewar.unslow",
                target_type="flamewar", target_id=war.pk, before=before, after=_war_state(war))
    return war


def flamewar_set_slow_mode(*, moderator: User, war: FlameWar, minutes: int | None) -> FlameWar:
    """One reply per `minutes` per participant inside the war's branch; 0 turns it off, None
    takes the site's slow mode for flame wars (or DEFAULT_SLOW_MINUTES when it has none)."""
    if minutes is None:

        minutes = policy_for(war.thread.site).flamewar_slow_minutes or DEFAULT_SLOW_MINUTES
    minutes = _slow_minutes(minutes)
    with transaction.atomic():
        return _flamewar_slow(moderator=moderator, war=war, minutes=minutes, site=war.thread.site)


def flamewar_close(*, moderator: User, war: FlameWar) -> FlameWar:
    """Resolve the war: it leaves the queue, and its branch goes back to the normal thresholds."""
    if war.status == FlameWarStatus.RESOLVED:
        raise Conflict("this flame war is already resolved", code="already_resolved")
    with transaction.atomic():
        before = _war_state(war)
        war = moderation.flamewar_resolve(war=war)
        audit_write(actor=moderator, site=war.thread.site, action="flamewar.resolve", target_type="flamewar",
                    target_id=war.pk, before=before, after=_war_state(war))
    return war


def flamewar_lock_thread(*, moderator: User, war: FlameWar) -> FlameWar:
    """Stop the war by locking its thread; the war is resolved with it (nothing more can be
    posted there)."""
    with transaction.atomic():
        thread_close(moderator=moderator, thread=war.thread, closed=True, lock=True)
        if war.status == FlameWarStatus.OPEN:
            war = flamewar_close(moderator=moderator, war=war)
    return war


# ---------------------------------------------------------------------------- roles

def siterole_grant(*, actor: User | None, site: Site, user: User, role: Role) -> SiteRole:
    """Make `user` a moderator or admin of `site` (changing the role they have there)."""
    if role not in Role.values:
        raise ValidationFailed.one("role", f"must be one of: {', '.join(Role.values)}")
    with transaction.atomic():
        existing = SiteRole.objects.select_for_update().filter(site=site, user=user).first()
        if existing is not None and existing.role == role:
            raise Conflict(f"{user.get_username()} is already {role} of {site.slug}", code="role_exists")
        before = {"role": existing.role} if existing else {}
        if existing is None:
            existing = SiteRole.objects.create(site=site, user=user, role=role)
        else:
            existing.role = role
            existing.save(update_fields=["role"])
        audit_write(actor=actor, site=site, action="role.grant", target_type="user", target_id=user.pk,
                    before=before, after={"role": role, "user": user.get_username()})
    return existing


def siterole_revoke(*, actor: User | None, site: Site, user: User) -> None:
    with transaction.atomic():
        existing = SiteRole.objects.select_for_update().filter(site=site, user=user).first()
        if existing is None:
            raise NotFound(f"{user.get_username()} has no role on {site.slug}", code="no_role")
        before = {"role": existing.role, "user": user.get_username()}
        existing.delete()
        audit_write(actor=actor, site=site, action="role.revoke", target_type="user", target_id=user.pk,
                    before=before, after={})


# ---------------------------------------------------------------------------- sanctions


def _sanction_state(ban: Ban) -> dict[str, Any]:
    # The value is a token, a user id, a digest, a network or an author key: never an address.
    return {"kind": ban.kind, "action": ban.action, "until": ban.until.isoformat() if ban.until else None,
            "lifted": bool(ban.lifted), "message": ban.message}


def _until(days: int | None) -> Any:
    if days is None or days == 0:
        return None
    if not 1 <= days <= MAX_BAN_DAYS:
        raise ValidationFailed.one("days", f"must be between 1 and {MAX_BAN_DAYS} (empty: no end)")
    return timezone.now() + timedelta(days=days)


def sanction_author(
    *, moderator: User, comment: Comment, action: str, days: int | None = None, message: str = "",
) -> list[Ban]:
    """Sanction the author of a comment: everything that identifies them (author key, reader
    token, signed-in user, confirmed email) gets the same sanction, so a new email or a new
    name does not shake it off. `days` makes a ban a suspension. Audited."""
    site = comment.thread.site
    until = _until(days)
    with transaction.atomic():
        bans = [
            moderation.ban_create(site=site, kind=kind, value=value, action=action, until=until, message=message,
                                  reason=f"author of comment #{comment.pk}")
            for kind, value in moderation.author_targets(comment)
        ]
        audit_write(actor=moderator, site=site, action=f"sanction.{action}", target_type="comment",
                    target_id=comment.pk, before={}, after={"sanctions": [_sanction_state(b) for b in bans]})
    return bans


def sanction_create(
    *, moderator: User, site: Site, kind: str, value: str, action: str, days: int | None = None,
    reason: str = "", message: str = "",
) -> Ban:
    """A sanction by hand (an IP range, an email domain, an email address, a user id). Audited."""
    with transaction.atomic():
        ban = moderation.ban_create(site=site, kind=kind, value=value, action=action, until=_until(days),
                                    reason=reason, message=message)
        audit_write(actor=moderator, site=site, action=f"sanction.{action}", target_type="sanction",
                    target_id=ban.pk, before={}, after=_sanction_state(ban))
    return ban


def sanction_change(*, moderator: User, ban: Ban, action: str, days: int | None, message: str | None = None) -> Ban:
    """Change what a sanction does, or its end (from now). Audited."""
    with transaction.atomic():
        before = _sanction_state(ban)
        ban = moderation.ban_change(ban=ban, until=_until(days), action=action, message=message)
        audit_write(actor=moderator, site=ban.site, action="sanction.change", target_type="sanction",
                    target_id=ban.pk, before=before, after=_sanction_state(ban))
    return ban


def sanction_lift(*, moderator: User, ban: Ban) -> Ban:
    """Unban (or end a premoderation or warning). Audited."""
    with transaction.atomic():
        before = _sanction_state(ban)
        ban = moderation.ban_lift(ban=ban)
        audit_write(actor=moderator, site=ban.site, action="sanction.lift", target_type="sanction",
                    target_id=ban.pk, before=before, after=_sanction_state(ban))
    return ban
