"""A reader's own data (GDPR articles 15, 17 and 20): their comments, a JSON copy of everything,
and erasure after the site's grace period.

Whose data: a signed-in reader (every comment under the site's user id, and every browser they
signed in from), a browser's reader token, or (from the command line) an email address. The
audit log records each step with the address's keyed digest, never the address.

Erasure reaches every copy this server keeps: the comments (a comment with replies stays as a
"deleted" placeholder with no author and no text, the rest go), the near-duplicate index, texts
kept for redactions (in the comment's record and in the audit log), the moderators' verdicts the
site's model is retrained on, names in flame-war records and conversation lines, votes and reports (kept for the
counts, with nothing left that points at the reader), the signed-in identity with its picture
and sessions, the confirmed address, and addresses typed on the comments but never
confirmed. Other apps' copies (mail and webhook logs) join through
`register_eraser`.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone
from django_tasks import task

from townhall.comments import events
from townhall.comments.models import Comment, Conversation, Report, Site, Status, Thread, Vote
from townhall.comments.services import _set_status
from townhall.core.errors import NotFound, ValidationFailed
from townhall.identity.models import Avatar, EmailAddress, ErasureRequest, ErasureState, Identity
from townhall.identity.selectors import email_digest, email_normalise
from townhall.identity.speakers import identity_key, session_identity
from townhall.moderation.conversations import branch_conversations_refresh
from townhall.moderation.models import FlameWar, Shingle
from townhall.moderators.models import AuditLog
from townhall.moderators.services import audit_write

ERASED = "(erased)"


@dataclass
class Whose:
    """The reader whose data is asked for, by what the server can check."""

    site: Site
    identity: Identity | None = None
    readers: list[str] = field(default_factory=list)
    email: str = ""  # only from the command line; kept in memory, never stored
    digest: str = ""

    def describe(self) -> dict[str, Any]:
        """What the audit log may say about whom: no address, no token."""
        return {
            "signed_in": self.identity is not None,
            "email_digest": self.digest or None,
            "readers": len(self.readers),
        }

    def comments(self) -> QuerySet[Comment]:
        q = Q(pk__in=[])
        if self.identity is not None:
            q |= Q(author_key=identity_key(self.identity))
        if self.readers:
            q |= Q(author_token__in=self.readers)
        if self.email:
            q |= Q(author_email__iexact=self.email)
        return Comment.objects.filter(thread__site=self.site).filter(q)


def whose_reader(*, site: Site, reader: str | None) -> Whose:
    """The reader behind a reader token: signed in (all their browsers), or that browser."""
    if not reader:
        raise NotFound("a reader token is needed to find your comments", code="reader_token_required")
    identity = session_identity(site=site, reader=reader)
    if identity is None:
        return Whose(site=site, readers=[reader])
    readers = list(identity.sessions.values_list("reader", flat=True))
    return Whose(site=site, identity=identity, readers=sorted(set(readers) | {reader}),
                 digest=identity.email.digest if identity.email else "")


def whose_email(*, site: Site, email: str) -> Whose:
    """Everything posted with an address on a site, and the browsers that posted it."""
    email = email_normalise(email)
    if "@" not in email:
        raise ValidationFailed.one("email", "is not an email address")
    readers = set(
        Comment.objects.filter(thread__site=site, author_email__iexact=email).exclude(author_token="")
        .values_list("author_token", flat=True)
    )
    identity = Identity.objects.filter(site=site, email__digest=email_digest(email)).first()
    if identity is not None:
        readers.update(identity.sessions.values_list("reader", flat=True))
    return Whose(site=site, identity=identity, readers=sorted(readers), email=email, digest=email_digest(email))


# ---------------------------------------------------------------------------- reading


def my_comments(*, whose: Whose, limit: int = 50, before: int | None = None) -> list[Comment]:
    """The reader's comments on the site, newest first (what they wrote, whatever its state
    but rejected ones show as such: it is their own text)."""
    qs = whose.comments().select_related("thread").order_by("-id")
    if before:
        qs = qs.filter(id__lt=before)
    return list(qs[:limit])


def _comment_record(c: Comment) -> dict[str, Any]:
    return {
        "id": c.pk, "url": c.thread.url, "title": c.thread.title, "parent": c.parent_id,
        "created": c.created.isoformat(), "edited": c.edited.isoformat() if c.edited else None,
        "status": c.status, "author_name": c.author_name, "author_website": c.author_website,
        "text": c.text, "score": c.score, "upvotes": c.upvotes, "downvotes": c.downvotes,
    }


def privacy_export(*, whose: Whose, actor_name: str = "reader") -> dict[str, Any]:
    """Everything the server holds that is the reader's, as JSON (GDPR art. 15 and 20): their
    comments with their texts, the votes and reports they made, their sign-in identity. Never
    an IP address or an email address: a token can sit on a shared computer. Audited."""
    comments = [_comment_record(c) for c in whose.comments().select_related("thread").order_by("id")]
    votes = [
        {"comment": v.comment_id, "value": v.value, "created": v.created.isoformat()}
        for v in Vote.objects.filter(voter__in=whose.readers, comment__thread__site=whose.site).order_by("id")
    ] if whose.readers else []
    reports = [
        {"comment": r.comment_id, "reason": r.reason, "note": r.note, "created": r.created.isoformat()}
        for r in Report.objects.filter(reporter__in=whose.readers, comment__thread__site=whose.site).order_by("id")
    ] if whose.readers else []
    identity = whose.identity
    audit_write(actor=None, actor_name=actor_name, site=whose.site, action="privacy.export", target_type="reader",
                target_id=identity.pk if identity else None, before={},
                after={**whose.describe(), "comments": len(comments)})
    return {
        "site": whose.site.slug,
        "exported": timezone.now().isoformat(),
        "identity": {"provider": identity.provider, "user_id": identity.subject, "name": identity.name,
                     "staff": identity.staff,
                     "mutes": [{"key": m.author_key, "name": m.name} for m in identity.mutes.order_by("id")]}
        if identity else None,
        "comments": comments,
        "votes": votes,
        "reports": reports,
    }


# ---------------------------------------------------------------------------- erasing


def erasure_pending(*, whose: Whose) -> ErasureRequest | None:
    qs = ErasureRequest.objects.filter(site=whose.site, state=ErasureState.SCHEDULED)
    q = Q(pk__in=[])
    if whose.identity is not None:
        q |= Q(identity=whose.identity)
    if whose.readers:
        q |= Q(reader__in=whose.readers)
    if whose.digest:
        q |= Q(email_digest=whose.digest)
    return qs.filter(q).order_by("id").first()


def erasure_request(*, whose: Whose, actor_name: str = "reader", now: datetime | None = None) -> ErasureRequest:
    """Schedule the erasure of the reader's data after the site's grace period (a change of
    mind is possible until then: `erasure_cancel`). The caller has confirmed who asks (their
    session, or the operator at the command line). Audited."""
    now = now or timezone.now()
    pending = erasure_pending(whose=whose)
    if pending is not None:
        return pending
    with transaction.atomic():
        request = ErasureRequest.objects.create(
            site=whose.site, identity=whose.identity, reader=whose.readers[0] if len(whose.readers) == 1 else "",
            email_digest=whose.digest, state=ErasureState.SCHEDULED,
            due=now + timedelta(days=whose.site.erasure_grace_days),
        )
        # Readers of a signed-in identity are found again from it; an email request keeps none.
        audit_write(actor=None, actor_name=actor_name, site=whose.site, action="privacy.erasure_requested",
                    target_type="erasure", target_id=request.pk, before={},
                    after={**whose.describe(), "due": request.due.isoformat()})
        # The worker carries it out when it falls due (a backend that cannot defer, as in
        # tests, leaves it to `townhall privacy run`).
        if erasures_run.get_backend().supports_defer:
            due = request.due
            transaction.on_commit(lambda: erasures_run.using(run_after=due).enqueue())
    return request


def erasure_cancel(*, whose: Whose, actor_name: str = "reader") -> ErasureRequest:
    request = erasure_pending(whose=whose)
    if request is None:
        raise NotFound("no erasure is scheduled for you", code="erasure_not_found")
    with transaction.atomic():
        ErasureRequest.objects.filter(pk=request.pk).update(state=ErasureState.CANCELLED)
        request.state = ErasureState.CANCELLED
        audit_write(actor=None, actor_name=actor_name, site=whose.site, action="privacy.erasure_cancelled",
                    target_type="erasure", target_id=request.pk, before={"state": "scheduled"},
                    after={"state": "cancelled"})
    return request


Eraser = Callable[["Whose", list[int]], int]
# Other apps' copies of a reader's data (mail logs, webhook deliveries): each is called with
# the reader and the ids of their comments, inside the erasure's transaction, and returns how
# many rows it erased. Registered from the app's AppConfig.ready().
ERASERS: dict[str, Eraser] = {}


def register_eraser(name: str, eraser: Eraser) -> None:
    ERASERS[name] = eraser


def _anonymous() -> str:
    return "erased:" + secrets.token_hex(8)


def privacy_erase(*, whose: Whose, actor_name: str = "command line") -> dict[str, int]:
    """Carry out an erasure now. Returns what was erased, as counts (also what the audit says)."""
    counts: dict[str, int] = {"comments_deleted": 0, "placeholders": 0}
    with transaction.atomic():
        # Deepest first: a reader's own chain of replies goes from the bottom up.
        mine = list(whose.comments().select_for_update().order_by("-depth", "-id"))
        ids = [c.pk for c in mine]
        keys = {c.author_key for c in mine}
        names = {c.author_name for c in mine if c.author_name}
        roots = {c.root_id or c.pk for c in mine}
        typed = {email_normalise(c.author_email) for c in mine if c.author_email}
        counts["near_duplicate_entries"] = Shingle.objects.filter(comment_id__in=ids).delete()[0]
        for comment in mine:
            comment.refresh_from_db()
            if comment.status != Status.DELETED:
                _set_status(comment, Status.DELETED)
                # Live pages and webhook receivers drop it as they do an author's delete (the
                # event's consumers read the comment as deleted: no author, no text).
                events.comment_deleted(comment)
            if Comment.objects.filter(parent_id=comment.pk).exists():
                Comment.objects.filter(pk=comment.pk).update(
                    author_name="", author_email="", author_website="", author_key="erased", author_token="",
                    author_user=None, author_verified=False, author_staff=False, author_avatar="", notify=False,
                    text="", html="", reasons=[], moderation={"erased": True}, flagged=False, ip=None,
                    ip_truncated=True, edited=None,
                )
                counts["placeholders"] += 1
            else:
                Comment.objects.filter(pk=comment.pk).delete()
                counts["comments_deleted"] += 1
        Thread.objects.filter(comments__in=ids).update(version=F("version") + 1)
        # Conversations name their authors: their branches are read again without the reader,
        # and one older than a refresh reads keeps its replies but loses the name.
        for root_id in sorted(roots):  # a branch whose root went has nothing left to refresh
            branch_conversations_refresh(root_id=root_id)
        counts["conversations"] = 0
        for conv in Conversation.objects.filter(thread_id__in={c.thread_id for c in mine}):
            if any(a.get("key") in keys for a in conv.authors):
                conv.authors = [{**a, "name": ERASED, "key": "erased"} if a.get("key") in keys else a for a in conv.authors]
                conv.save(update_fields=["authors"])
                counts["conversations"] += 1
        if whose.readers:
            counts["votes_anonymised"] = 0
            for vote in Vote.objects.filter(voter__in=whose.readers, comment__thread__site=whose.site):
                Vote.objects.filter(pk=vote.pk).update(voter=_anonymous(), ip_hash="")
                counts["votes_anonymised"] += 1
            counts["reports_anonymised"] = 0
            for report in Report.objects.filter(reporter__in=whose.readers, comment__thread__site=whose.site):
                Report.objects.filter(pk=report.pk).update(reporter=_anonymous(), ip_hash="", note="")
                counts["reports_anonymised"] += 1
        counts["flamewar_records"] = 0
        for war in FlameWar.objects.filter(thread__site=whose.site):
            if keys & set(war.author_keys):
                war.author_keys = [k for k in war.author_keys if k not in keys]
                war.participants = [ERASED if p in names else p for p in war.participants]
                war.evidence = [e for e in war.evidence if not (isinstance(e, dict) and e.get("id") in ids)]
                war.save(update_fields=["author_keys", "participants", "evidence"])
                counts["flamewar_records"] += 1
        # Texts kept for redactions live in the audit log too.
        counts["audit_texts"] = 0
        for entry in AuditLog.objects.filter(target_type="comment", target_id__in=ids):
            before = {k: (ERASED if k == "text" else v) for k, v in entry.before.items()}
            after = {k: (ERASED if k == "text" else v) for k, v in entry.after.items()}
            if before != entry.before or after != entry.after:
                AuditLog.objects.filter(pk=entry.pk).update(before=before, after=after)
                counts["audit_texts"] += 1
        for name, eraser in ERASERS.items():
            counts[name] = eraser(whose, ids)
        if whose.identity is not None:
            avatar_id = whose.identity.avatar_id
            whose.identity.delete()  # its sessions go with it
            if avatar_id and not Identity.objects.filter(avatar_id=avatar_id).exists():
                Avatar.objects.filter(pk=avatar_id).delete()
            counts["identities"] = 1
        if whose.digest:
            counts["addresses"] = EmailAddress.objects.filter(site=whose.site, digest=whose.digest).delete()[0]
        # An address typed on the erased comments and never confirmed is theirs too (with what
        # mail kept for it), unless comments still carry it. A confirmed one is left to its owner,
        # who may not be who typed it.
        counts["unconfirmed_addresses"] = 0
        for email in sorted(typed):
            if not Comment.objects.filter(thread__site=whose.site, author_email__iexact=email).exists():
                counts["unconfirmed_addresses"] += EmailAddress.objects.filter(
                    site=whose.site, digest=email_digest(email), confirmed__isnull=True
                ).delete()[1].get(EmailAddress._meta.label, 0)
        audit_write(actor=None, actor_name=actor_name, site=whose.site, action="privacy.erased",
                    target_type="reader", target_id=None, before=whose.describe(), after=counts)
    return counts


def erasures_due(*, now: datetime | None = None) -> int:
    """Carry out every scheduled erasure whose grace period is over (hourly housekeeping, or
    `townhall privacy run`). Returns how many were carried out."""
    now = now or timezone.now()
    done = 0
    for request in ErasureRequest.objects.filter(state=ErasureState.SCHEDULED, due__lte=now).select_related("site"):
        whose = _whose_of(request)
        counts = privacy_erase(whose=whose, actor_name="erasure request")
        ErasureRequest.objects.filter(pk=request.pk).update(state=ErasureState.DONE, done=now, summary=counts)
        done += 1
    return done


@task()
def erasures_run() -> int:
    """Carry out the erasures that have fallen due."""
    return erasures_due()


def _whose_of(request: ErasureRequest) -> Whose:
    site = request.site
    identity = request.identity
    readers = {request.reader} if request.reader else set()
    if identity is not None:
        readers.update(identity.sessions.values_list("reader", flat=True))
    whose = Whose(site=site, identity=identity, readers=sorted(readers), digest=request.email_digest)
    if request.email_digest:
        # The address itself was never stored with the request: find it again by its digest.
        address = EmailAddress.objects.filter(site=site, digest=request.email_digest).first()
        email = address.email if address else _email_by_digest(site, request.email_digest)
        if email:
            whose.email = email
            whose.readers = sorted(set(whose.readers) | set(
                Comment.objects.filter(thread__site=site, author_email__iexact=email).exclude(author_token="")
                .values_list("author_token", flat=True)
            ))
    return whose


def _email_by_digest(site: Site, digest: str) -> str:
    emails = (
        Comment.objects.filter(thread__site=site).exclude(author_email="")
        .values_list("author_email", flat=True).distinct().iterator()
    )
    return next((e for e in emails if email_digest(e) == digest), "")
