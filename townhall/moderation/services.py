"""Writes to moderation state: site policies, bans, moderators' verdicts, flame wars."""

from __future__ import annotations

import ipaddress
from datetime import datetime, timedelta

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from townhall.comments import events
from townhall.comments.models import Comment, Site, Status, Thread
from townhall.comments.rendering import render_markdown
from townhall.comments.services import comment_set_status
from townhall.core.errors import Conflict, FieldError, ValidationFailed
from townhall.identity.selectors import email_digest, email_is_confirmed
from townhall.identity.speakers import session_identity
from townhall.moderation.decisions import Verdict
from townhall.moderation.ml import hostility_model
from townhall.moderation.models import Ban, BanAction, BanKind, FlameWar, FlameWarStatus, Policy
from townhall.moderation.selectors import policy_for, thresholds_for

POLICY_FIELDS = {f.name for f in Policy._meta.get_fields() if f.concrete and f.name not in ("id", "site")}
THRESHOLDS = {"toxicity_warn", "toxicity_hold", "spam_hold", "duplicate_containment", "flamewar_toxicity_hold"}


HOSTILITY_THRESHOLDS = {"toxicity_warn", "toxicity_hold", "flamewar_toxicity_hold"}


def policy_update(*, site: Site, **changes: object) -> Policy:
    """Change a site's moderation settings. A hostility threshold set here is the site's own
    (recorded against the model version it was chosen for); None gives it back to the model."""
    policy = policy_for(site)
    errors: list[FieldError] = []
    for name, value in changes.items():
        if name not in POLICY_FIELDS:
            errors.append(FieldError(name, "is not a moderation setting"))
            continue
        if name in HOSTILITY_THRESHOLDS and value is None:
            setattr(policy, name, None)
            continue
        if name in THRESHOLDS and not (
            isinstance(value, int | float) and not isinstance(value, bool) and 0 <= float(value) <= 1
        ):
            errors.append(FieldError(name, "must be a number between 0 and 1"))
            continue
        setattr(policy, name, value)
    limits = thresholds_for(policy)
    if limits.warn > limits.hold:
        errors.append(FieldError("toxicity_warn", f"must not be above the hold threshold ({limits.hold:.2f})"))
    if HOSTILITY_THRESHOLDS & changes.keys():
        policy.thresholds_model = hostility_model().version if limits.own else ""
    try:
        policy.full_clean(exclude=["site"])
    except DjangoValidationError as exc:
        errors.extend(FieldError(f, "; ".join(m)) for f, m in exc.message_dict.items())
    if errors:
        policy.refresh_from_db()
        raise ValidationFailed(errors)
    with transaction.atomic():
        policy.save()
    return policy


def policy_thresholds_settle(*, site: Site, keep: bool) -> Policy:
    """After a model change: keep the site's own hostility thresholds for the new model, or
    reset them to the model's calibrated defaults. Either way the sites page stops warning."""
    policy = policy_for(site)
    if keep:
        policy.thresholds_model = hostility_model().version if thresholds_for(policy).own else ""
    else:
        policy.toxicity_warn = policy.toxicity_hold = policy.flamewar_toxicity_hold = None
        policy.thresholds_model = ""
    with transaction.atomic():
        policy.save(update_fields=["toxicity_warn", "toxicity_hold", "flamewar_toxicity_hold", "thresholds_model"])
    return policy


def ban_create(
    *, site: Site, kind: str, value: str, reason: str = "", until: datetime | None = None,
    action: str = BanAction.BAN, message: str = "",
) -> Ban:
    """A sanction: ban (a suspension with `until`), always-premoderate, or a warning. An email
    is stored as its keyed digest, never in clear."""
    errors: list[FieldError] = []
    if kind not in BanKind.values:
        errors.append(FieldError("kind", f"must be one of: {', '.join(BanKind.values)}"))
    if action not in BanAction.values:
        errors.append(FieldError("action", f"must be one of: {', '.join(BanAction.values)}"))
    value = value.strip()
    if not value:
        errors.append(FieldError("value", "is required", "required"))
    if action == BanAction.WARN and not (message.strip() or reason.strip()):
        errors.append(FieldError("message", "is required for a warning: it is what the commenter reads", "required"))
    if len(message) > 500:
        errors.append(FieldError("message", "is longer than 500 characters", "too_long"))
    if errors:
        raise ValidationFailed(errors)
    if kind == BanKind.IP_RANGE:
        try:
            value = str(ipaddress.ip_network(value, strict=False))
        except ValueError:
            raise ValidationFailed.one("value", "is not an IP address or range (CIDR)") from None
    if kind == BanKind.EMAIL_DOMAIN:
        value = value.lower().lstrip("@")
    if kind == BanKind.EMAIL and "@" in value:
        value = email_digest(value)
    return Ban.objects.create(
        site=site, kind=kind, value=value[:300], reason=reason[:300], until=until, action=action,
        message=message.strip(),
    )


def ban_change(*, ban: Ban, until: datetime | None, action: str, message: str | None = None) -> Ban:
    """Change a sanction's end or what it does (a ban to premoderation, say)."""
    if action not in BanAction.values:
        raise ValidationFailed.one("action", f"must be one of: {', '.join(BanAction.values)}")
    ban.until, ban.action = until, action
    if message is not None:
        ban.message = message.strip()[:500]
    if action == BanAction.WARN and not (ban.message or ban.reason):
        raise ValidationFailed.one("message", "is required for a warning", "required")
    ban.save(update_fields=["until", "action", "message"])
    return ban


def ban_lift(*, ban: Ban) -> Ban:
    """Unban: the row stays, for the record, marked lifted."""
    if ban.lifted is None:
        ban.lifted = timezone.now()
        ban.save(update_fields=["lifted"])
    return ban


def warnings_acknowledge(*, ban_ids: list[int]) -> int:
    """The commenter read and acknowledged these warnings (their comment went through)."""
    return Ban.objects.filter(pk__in=ban_ids, action=BanAction.WARN, acknowledged__isnull=True).update(
        acknowledged=timezone.now()
    )


def author_targets(comment: Comment) -> list[tuple[str, str]]:
    """What a sanction on this comment's author holds against: its author key, the reader token
    it was posted with, the signed-in user, the confirmed email. A ban by token therefore
    outlives a new email, and a ban by confirmed email outlives a new browser."""
    site = comment.thread.site
    targets = [(str(BanKind.AUTHOR_KEY), comment.author_key)]
    if comment.author_token:
        targets.append((str(BanKind.READER), comment.author_token))
        identity = session_identity(site=site, reader=comment.author_token)
        if identity is not None:
            targets.append((str(BanKind.SSO_USER), identity.subject))
    if comment.author_email and email_is_confirmed(site=site, email=comment.author_email):
        targets.append((str(BanKind.EMAIL), email_digest(comment.author_email)))
    return targets


def comment_review(*, comment: Comment, verdict: Verdict, moderator: User, ban_days: int | None = None) -> Comment:
    """A moderator's verdict on a comment. Approve publishes it, reject, spam and ban hide it (the
    text stays for audit); `ban_days` also bans its author key. The verdict is kept on the comment:
    it is the label the site's own model is retrained on (`townhall moderation retrain`)."""
    verdict = Verdict(verdict)
    status = verdict.status
    if comment.status == Status.DELETED:
        # Its author took it down; a moderator may not put it back up.
        raise Conflict("its author deleted this comment", code="comment_deleted")
    with transaction.atomic():
        comment = comment_set_status(comment=comment, status=status)
        record = dict(comment.moderation or {})
        record["review"] = {"decision": str(verdict.label), "by": moderator.pk, "at": timezone.now().isoformat()}
        Comment.objects.filter(pk=comment.pk).update(moderation=record, flagged=False)
        comment.moderation, comment.flagged = record, False
        if ban_days:
            for kind, value in author_targets(comment):
                ban_create(
                    site=comment.thread.site, kind=kind, value=value,
                    reason=f"{verdict.label} of comment #{comment.pk}", until=timezone.now() + timedelta(days=ban_days),
                )
    return comment


def comment_feature(*, comment: Comment, featured: bool) -> Comment:
    """Make a comment an editors' pick, or withdraw it: the one path that sets `featured`.
    Readers see picks only while they are published. Side effect: COMMENT_FEATURED when it
    becomes one (nothing when it already was), which the author's notification consumes."""
    with transaction.atomic():
        changed = Comment.objects.filter(pk=comment.pk).exclude(featured=featured).update(featured=featured)
        Thread.objects.filter(pk=comment.thread_id).update(version=F("version") + 1)
        comment.featured = featured
        if changed and featured:
            events.comment_featured(comment)
    return comment


def comment_redact(*, comment: Comment, text: str, moderator: User) -> Comment:
    """A moderator's edit: the new text is published, the original kept in the record."""
    text = text.strip()
    if not text:
        raise ValidationFailed.one("text", "is required", "required")
    with transaction.atomic():
        record = dict(comment.moderation or {})
        record.setdefault("original_text", comment.text)
        record["redacted"] = {"by": moderator.pk, "at": timezone.now().isoformat()}
        Comment.objects.filter(pk=comment.pk).update(text=text, html=render_markdown(text), moderation=record)
        Thread.objects.filter(pk=comment.thread_id).update(version=F("version") + 1)
        comment.refresh_from_db()
        # Like an author's edit: live pages, webhook receivers and the quote check get the new text.
        events.comment_edited(comment)
    return comment


def flamewar_resolve(*, war: FlameWar) -> FlameWar:
    """Close a war: its branch leaves slow mode and the normal thresholds apply again."""
    FlameWar.objects.filter(pk=war.pk).update(status=FlameWarStatus.RESOLVED, updated=timezone.now())
    war.refresh_from_db()
    return war
