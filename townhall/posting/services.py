"""Comments coming in: a reader's post and edit, a reader's report, and imports.

Each write is check, then do, then events: `comment_check` (the store's rules) builds a draft,
the moderation pipeline decides on it before the write transaction (scoring must not hold
SQLite's one write lock), `comment_insert` stores it with its final status, the flame-war and
near-duplicate records follow in the same transaction, and townhall.comments.events tells the
consumers (the reply email today).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from townhall.articles.tasks import thread_quotes_refresh
from townhall.comments import events
from townhall.comments.models import MAX_NOTE, Comment, Report, ReportReason, Site, Status
from townhall.comments.rendering import render_markdown
from townhall.comments.selectors import thread_is_closed
from townhall.comments.services import (
    CommentDraft,
    _bump,
    _owned_comment,
    _set_status,
    comment_check,
    comment_clean_text,
    comment_insert,
    thread_lock,
)
from townhall.core import tokens
from townhall.core.errors import Conflict, DomainError, FieldError, Forbidden, NotFound, ValidationFailed
from townhall.core.limits import id_in_range
from townhall.core.net import ip_hash
from townhall.core.text import short_text_clean
from townhall.identity.speakers import imported_author_key, name_reserved, speaker_for
from townhall.moderation import flamewar, pipeline
from townhall.moderation.decisions import Decision, Reason, record_kept
from townhall.moderation.selectors import policy_for, text_limit
from townhall.moderation.services import warnings_acknowledge
from townhall.moderation.tasks import thread_conversations_refresh


@dataclass
class CommentWritten:
    comment: Comment
    edit_token: str | None  # None once rejected: there is nothing of theirs to edit
    published: bool
    decision: Decision | None = None

    @property
    def edit_expires(self) -> datetime | None:
        if not self.edit_token:
            return None
        return timezone.now() + timedelta(minutes=self.comment.thread.site.edit_window_minutes)

    def refusal(self) -> str:
        """Why a rejected comment was not accepted, in words for its author."""
        return "This comment was not accepted: " + "; ".join(self.decision.explain() if self.decision else [])


def _write(draft: CommentDraft, decision: Decision, *, announce: bool) -> Comment:
    with transaction.atomic():
        comment = comment_insert(
            draft=draft, status=decision.status, flagged=decision.flagged, reasons=decision.reasons,
            record=decision.record(), announce=announce,
        )
        flamewar.record_comment(site=draft.site, comment=comment, decision=decision, created=True)
        if announce and (acknowledged := decision.evidence.get("warnings_acknowledged")):
            warnings_acknowledge(ban_ids=acknowledged)
    return comment


def comment_create(
    *,
    site: Site,
    url: str,
    text: str,
    title: str = "",
    parent_id: int | None = None,
    author_name: str = "",
    author_email: str = "",
    author_website: str = "",
    notify: bool = False,
    ip: str | None = None,
    reader: str | None = None,
    user: User | None = None,
    acknowledged_warning: bool = False,
) -> CommentWritten:
    """A reader's comment or reply: published (201), held (202) or rejected (kept for audit).
    Who is speaking decides the author (townhall.identity.speakers): a signed-in reader posts
    under the site's name for them, with no typed name or email; an anonymous name may not look
    like a signed-in reader's or a moderator's. Side effects: the comment_published /
    comment_held event (the reply email); a moderator's warning acknowledged."""
    policy = policy_for(site)
    speaker = speaker_for(site=site, reader=reader, ip=ip, name=author_name, user=user)
    if site.sign_in_required and not speaker.verified and user is None:
        raise Forbidden("sign in to comment on this site", code="sign_in_required")
    if speaker.name is not None:
        author_name, author_email = speaker.name, speaker.email or ""
    elif user is None and author_name.strip() and name_reserved(site=site, name=author_name):
        raise ValidationFailed.one(
            "author_name", "is the name of a signed-in reader or moderator of this site: choose another",
            "name_reserved",
        )
    draft = comment_check(
        site=site, url=url, text=text, title=title, parent_id=parent_id, author_name=author_name,
        author_email=author_email, author_website=author_website, notify=notify, ip=ip, reader=reader,
        user=user, text_limit=text_limit(site, policy), speaker_key=speaker.key, verified=speaker.verified,
        staff=speaker.staff and user is None, avatar=speaker.avatar,
    )
    if draft.thread is not None and thread_is_closed(draft.thread):
        raise Forbidden(_("this thread is closed for new comments"), code="thread_closed")
    decision = pipeline.moderate(site=site, comment=draft.comment, acknowledged_warning=acknowledged_warning)
    comment = _write(draft, decision, announce=True)
    edit_token = tokens.edit_token_issue(comment.pk) if comment.status in (Status.PUBLISHED, Status.PENDING) else None
    return CommentWritten(comment=comment, edit_token=edit_token, published=comment.status == Status.PUBLISHED,
                          decision=decision)


@dataclass
class ImportRow:
    """One comment of a thread being brought in (the demo seed, a replay, an importer)."""

    ref: Any  # its id in the source
    text: str
    created: datetime
    parent_ref: Any = None
    author_name: str = ""
    author_email: str = ""
    author_website: str = ""
    reader: str = ""
    author_id: str = ""  # the source's id for the author, if it has one
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class Imported:
    row: ImportRow
    comment: Comment | None
    decision: Decision | None
    error: str = ""


def comment_import(
    *, site: Site, url: str, rows: Iterable[ImportRow], title: str = "", moderate: bool = True,
    source: str = "import",
) -> list[Imported]:
    """Bring in a past thread, oldest first, through the site's pipeline as if each comment were
    posted at its time: limits (flood, slow mode) and warnings are recorded, not enforced, and
    a reply to a comment that is held still lands under it. `moderate=False` publishes every row
    as it is (a copy of comments already moderated elsewhere). Nobody is emailed. A row the
    rules refuse (empty text, unknown parent) is reported, and the rest go on. Each author keeps
    an identity of the `source` (its author id, else its name), which no live post can join."""
    out: list[Imported] = []
    ids: dict[Any, int] = {}
    limit = text_limit(site, policy_for(site))
    for row in rows:
        parent_id = ids.get(row.parent_ref) if row.parent_ref is not None else None
        try:
            draft = comment_check(
                site=site, url=url, text=row.text, title=title, parent_id=parent_id, author_name=row.author_name,
                author_email=row.author_email, author_website=row.author_website, reader=row.reader or None,
                created=row.created, text_limit=limit, replaying=True,
                speaker_key=imported_author_key(source, row.author_id, row.author_name),
            )
            if row.parent_ref is not None and parent_id is None:
                raise ValidationFailed.one("parent", "is not in this import", "not_found")
            decision = (
                pipeline.moderate(site=site, comment=draft.comment, acknowledged_warning=True, enforce_limits=False)
                if moderate
                else Decision.publish()
            )
        except DomainError as exc:
            out.append(Imported(row, None, None, error=exc.message))
            continue
        comment = _write(draft, decision, announce=False)
        ids[row.ref] = comment.pk
        out.append(Imported(row, comment, decision))
    # No per-comment events were sent: the derived views of the thread are made once, at the end.
    for thread_id in {d.comment.thread_id for d in out if d.comment is not None}:
        thread_quotes_refresh.enqueue(thread_id)
        thread_conversations_refresh.enqueue(thread_id)
    return out


def comment_edit(
    *, comment_id: int, edit_token: str | None, text: str, acknowledged_warning: bool = False
) -> CommentWritten:
    """The author's edit within the site's edit window; re-runs moderation on the new text.
    Side effects: comment_edited (and comment_held when the new text is held)."""
    comment = _owned_comment(comment_id=comment_id, edit_token=edit_token)
    site = comment.thread.site
    errors: list[FieldError] = []
    text = comment_clean_text(text, errors, limit=text_limit(site, policy_for(site)))
    if errors:
        raise ValidationFailed(errors)
    if comment.text == text:
        return CommentWritten(comment, edit_token, comment.status == Status.PUBLISHED)
    comment.text = text
    comment.html = render_markdown(text)
    comment.edited = timezone.now()
    # Decided before the write transaction, as in comment_create.
    decision = pipeline.moderate(
        site=site, comment=comment, editing=True, acknowledged_warning=acknowledged_warning, now=timezone.now()
    )
    with transaction.atomic():
        thread_lock(thread_id=comment.thread_id)
        # The state as it is now, not as it was before scoring: a moderator may have acted since.
        current = Comment.objects.select_for_update(no_key=True).only("status", "reply_count", "reasons", "moderation", "flagged").get(pk=comment.pk)
        if current.status == Status.DELETED:
            raise Conflict(_("this comment was deleted"), code="comment_deleted")
        if current.status == Status.REJECTED:
            raise NotFound("no such comment", code="comment_not_found")
        comment.status, comment.reply_count = current.status, current.reply_count
        # An edit may take a published comment down (its new text is held), never publish a
        # held or hidden one: that is a moderator's call.
        new_status = decision.status if current.status == Status.PUBLISHED else Status(current.status)
        # A moderator's verdict and redaction outlive the author's edits.
        comment.moderation = {**decision.record(), **record_kept(current.moderation)}
        comment.reasons = decision.reasons + [
            r for r in current.reasons if r == Reason.REPORTED and r not in decision.reasons
        ]
        comment.flagged = decision.flagged or (current.status == Status.PENDING and current.flagged)
        comment.save(update_fields=["text", "html", "edited", "flagged", "reasons", "moderation"])
        flamewar.record_comment(site=site, comment=comment, decision=decision, created=False)
        if new_status != comment.status:
            _set_status(comment, new_status)
            events.comment_status_changed(comment)
        else:
            _bump(comment.thread_id)
        events.comment_edited(comment)
    return CommentWritten(comment, edit_token, comment.status == Status.PUBLISHED, decision)


def comment_report(*, comment_id: int, reader: str | None, ip: str, reason: str, note: str = "") -> Comment:
    """A reader's report. One per reader (token, else address) per comment; repeats change
    nothing. Reports from enough distinct addresses (the site's policy) hide the comment until a
    moderator looks."""
    if reason not in ReportReason.values:
        raise ValidationFailed.one("reason", f"must be one of: {', '.join(ReportReason.values)}")
    note = short_text_clean(note)[0]
    if len(note) > MAX_NOTE:
        raise ValidationFailed.one("note", _("is longer than %(n)s characters") % {"n": MAX_NOTE}, "too_long")
    if not id_in_range(comment_id):
        raise NotFound("no such comment", code="comment_not_found")
    reporter = reader or f"ip:{ip_hash(ip)}"
    with transaction.atomic():
        thread_lock(comment_id=comment_id)
        comment = (
            Comment.objects.select_for_update(no_key=True, of=("self",))
            .select_related("thread__site").filter(pk=comment_id).first()
        )
        if comment is None or comment.status != Status.PUBLISHED:
            raise NotFound("no such comment", code="comment_not_found")
        _report, created = Report.objects.get_or_create(
            comment=comment, reporter=reporter, defaults={"reason": reason, "note": note.strip(), "ip_hash": ip_hash(ip)}
        )
        if created:
            Comment.objects.filter(pk=comment.pk).update(report_count=F("report_count") + 1)
            comment.refresh_from_db()
            events.comment_reported(comment)
            _hide_if_reported(comment)
    comment.refresh_from_db()
    return comment


def _hide_if_reported(comment: Comment) -> None:
    policy = policy_for(comment.thread.site)
    if comment.status != Status.PUBLISHED or comment.report_count < policy.report_hide_count:
        return
    addresses = Report.objects.filter(comment=comment, resolved=False).values("ip_hash").distinct().count()
    if addresses < policy.report_hide_count:
        return
    reasons = comment.reasons if Reason.REPORTED in comment.reasons else [*comment.reasons, str(Reason.REPORTED)]
    Comment.objects.filter(pk=comment.pk).update(reasons=reasons, flagged=True)
    comment.reasons, comment.flagged = reasons, True
    _set_status(comment, Status.PENDING)
    events.comment_held(comment)
