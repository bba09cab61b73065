"""Every write to the store: sites, threads, comments (check and insert, status, delete),
votes, stored addresses.

Services own the transaction and the state checks, raise domain errors (townhall.core.errors),
and hand side effects to the named events in townhall.comments.events. Posting a comment
(check, moderate, insert) is townhall.posting.services, the layer above the pipeline.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from townhall.comments import events
from townhall.comments.cache import site_cache
from townhall.comments.locator import is_web_url, normalise_origin
from townhall.comments.models import (
    MAX_DEPTH,
    MAX_NAME,
    MAX_TEXT,
    MAX_TITLE,
    MAX_WEBSITE,
    SITE_POLICY_FIELDS,
    Comment,
    Site,
    SiteOrigin,
    Status,
    Thread,
    Vote,
    path_segment,
)
from townhall.comments.rendering import render_markdown
from townhall.comments.selectors import thread_locate
from townhall.core import tokens
from townhall.core.errors import Conflict, FieldError, Forbidden, NotFound, ValidationFailed
from townhall.core.limits import MAX_EMAIL, id_in_range
from townhall.core.net import ip_hash, truncate_ip
from townhall.core.text import name_clean, short_text_clean

# ---------------------------------------------------------------------------- sites


def site_create(*, slug: str, name: str, origins: list[str], **policy: object) -> Site:
    errors: list[FieldError] = []
    if Site.objects.filter(slug=slug).exists():
        raise Conflict(f"a site with slug {slug!r} already exists", code="site_exists")
    normalised = _normalise_origins(origins, errors)
    unknown = set(policy) - set(SITE_POLICY_FIELDS)
    if unknown:
        errors.append(FieldError("policy", f"unknown policy fields: {', '.join(sorted(unknown))}"))
    site = Site(slug=slug, name=name, **policy)
    try:
        site.full_clean()
    except DjangoValidationError as exc:
        errors.extend(FieldError(f, "; ".join(m)) for f, m in exc.message_dict.items())
    if errors:
        raise ValidationFailed(errors)
    with transaction.atomic():
        site.save()
        SiteOrigin.objects.bulk_create(SiteOrigin(site=site, origin=o) for o in normalised)
    return site


def site_update(*, site: Site, origins: list[str] | None = None, **policy: object) -> Site:
    errors: list[FieldError] = []
    normalised = _normalise_origins(origins, errors) if origins is not None else None
    for key, value in policy.items():
        if key not in (*SITE_POLICY_FIELDS, "name"):
            errors.append(FieldError(key, "is not a site setting"))
        else:
            setattr(site, key, value)
    try:
        site.full_clean()
    except DjangoValidationError as exc:
        errors.extend(FieldError(f, "; ".join(m)) for f, m in exc.message_dict.items())
    if errors:
        raise ValidationFailed(errors)
    with transaction.atomic():
        site.save()
        if normalised is not None:
            site.origins.all().delete()
            SiteOrigin.objects.bulk_create(SiteOrigin(site=site, origin=o) for o in normalised)
        # Policy shows in every cached page of the site (depth, page size, closed state).
        Thread.objects.filter(site=site).update(version=F("version") + 1)
    site_cache.forget(site.slug)
    return site


def site_sso_secret_rotate(*, site: Site) -> str:
    """A new HS256 key for the site's sign-in tokens, replacing the old one (tokens signed with
    it stop working). Returned once, to be shown once; 256 bits, as RFC 7518 asks of HS256."""
    secret = secrets.token_urlsafe(32)
    Site.objects.filter(pk=site.pk).update(sso_secret=secret)
    site.sso_secret = secret
    site_cache.forget(site.slug)
    return secret


def site_article_key(*, site: Site, rotate: bool = False) -> str:
    """The key the site's CMS sends (`Authorization: Bearer KEY`) to set an article's text: made
    on first ask; `rotate` replaces it, and the old one stops working at once."""
    if rotate or not site.article_key:
        site.article_key = secrets.token_urlsafe(32)
        Site.objects.filter(pk=site.pk).update(article_key=site.article_key)
        site_cache.forget(site.slug)
    return site.article_key


def _normalise_origins(origins: list[str], errors: list[FieldError]) -> list[str]:
    result: list[str] = []
    for raw in origins:
        try:
            origin = normalise_origin(raw)
        except ValueError as exc:
            errors.append(FieldError("origins", str(exc)))
            continue
        if origin not in result:
            result.append(origin)
    if not result and not errors:
        errors.append(FieldError("origins", "at least one origin is required", "required"))
    return result


# ---------------------------------------------------------------------------- threads


def thread_set_premoderation(*, thread: Thread, premoderate: bool) -> Thread:
    Thread.objects.filter(pk=thread.pk).update(premoderate=premoderate)
    thread.premoderate = premoderate
    return thread


def thread_set_closed(*, thread: Thread, closed: bool) -> Thread:
    with transaction.atomic():
        Thread.objects.filter(pk=thread.pk).update(closed=closed, version=F("version") + 1)
    thread.refresh_from_db()
    return thread


def _thread_get_or_create(*, site: Site, url: str, title: str) -> Thread:
    thread = Thread.objects.filter(site=site, url=url).first()
    if thread:
        if title and not thread.title:
            thread.title = title
            thread.save(update_fields=["title"])
        return thread
    try:
        with transaction.atomic():
            return Thread.objects.create(site=site, url=url, title=title)
    except IntegrityError:  # created by a concurrent request
        return Thread.objects.get(site=site, url=url)


# ---------------------------------------------------------------------------- locks


def thread_lock(*, thread_id: int | None = None, comment_id: int | None = None) -> None:
    """Take the thread's row lock, the first lock of every write that touches a comment and its
    parent (a reply, a delete, a decision, an edit, a report, a vote). Writers of one thread
    queue here, so none holds a comment while waiting for the thread or another comment: a
    delete and a reply under it used to take the comment and the thread in opposite orders and
    PostgreSQL answered "deadlock detected". NO KEY UPDATE: inserting a comment (which only
    key-shares the thread row through its foreign key) is not held up by it. On SQLite the
    IMMEDIATE transaction already serialises writers; there this is a no-op."""
    if thread_id is None and comment_id is not None:
        thread_id = Comment.objects.filter(pk=comment_id).values_list("thread_id", flat=True).first()
    if thread_id is not None:
        list(Thread.objects.select_for_update(no_key=True).filter(pk=thread_id).values_list("pk", flat=True))


# ---------------------------------------------------------------------------- comments


@dataclass
class CommentDraft:
    """A checked, unsaved comment: what the moderation pipeline judges and comment_insert writes."""

    site: Site
    url: str  # canonical
    title: str
    comment: Comment
    thread: Thread | None  # None: the thread's first comment creates it


def author_key(*, email: str, name: str) -> str:
    """The key of a comment written straight to the store (factories, scripts). Posting passes
    the speaker's key instead (townhall.identity.speakers), which never rests on a typed name."""
    basis = f"email:{email.strip().lower()}" if email.strip() else f"name:{name.strip().lower()}"
    return hmac.new(settings.SECRET_KEY.encode(), basis.encode(), hashlib.sha256).hexdigest()[:32]


def _clean_author(
    site: Site, *, name: str, email: str, website: str, errors: list[FieldError]
) -> tuple[str, bool, str, str]:
    """The author's fields as stored, and whether invisible characters left the name."""
    raw_name_length = len(name)
    name, name_cleaned = name_clean(name)
    email = email.strip()
    website = short_text_clean(website)[0]
    if site.require_name and not name:
        message = _("is required on this site") + (_(" (it had only invisible characters)") if name_cleaned else "")
        errors.append(FieldError("author_name", message, "required"))
    if max(raw_name_length, len(name)) > MAX_NAME:
        errors.append(FieldError("author_name", _("is longer than %(n)s characters") % {"n": MAX_NAME}, "too_long"))
    if site.require_email and not email:
        errors.append(FieldError("author_email", _("is required on this site"), "required"))
    if len(email) > MAX_EMAIL:
        errors.append(FieldError("author_email", _("is longer than %(n)s characters") % {"n": MAX_EMAIL}, "too_long"))
    elif email:
        try:
            validate_email(email)
        except DjangoValidationError:
            errors.append(FieldError("author_email", _("is not a valid email address")))
    if website:
        if "://" not in website:
            website = "https://" + website
        if not is_web_url(website):
            errors.append(FieldError("author_website", _("is not a valid http(s) URL")))
        if len(website) > MAX_WEBSITE:
            errors.append(
                FieldError("author_website", _("is longer than %(n)s characters") % {"n": MAX_WEBSITE}, "too_long")
            )
    return name, name_cleaned, email, website


def comment_clean_text(text: str, errors: list[FieldError], *, limit: int = MAX_TEXT) -> str:
    """The text rules every write shares; `limit` is the site's (selectors.text_limit)."""
    text = text.strip()
    if not text:
        errors.append(FieldError("text", _("is required"), "required"))
    elif len(text) > limit:
        errors.append(
            FieldError("text", _("is %(n)s characters; the limit is %(limit)s") % {"n": f"{len(text):,}", "limit": f"{limit:,}"},
                       "too_long")
        )
    return text


def comment_check(
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
    created: datetime | None = None,
    text_limit: int = MAX_TEXT,
    replaying: bool = False,
    speaker_key: str | None = None,
    verified: bool = False,
    staff: bool = False,
    avatar: str = "",
) -> CommentDraft:
    """The check step of posting: URL, text, author and parent rules; no write. Every bad field
    is reported at once. `replaying` (imports, replays) accepts a parent that is still held,
    since the parent was published when the reply was written. `speaker_key`, `verified`,
    `staff` and `avatar` say who is speaking (townhall.identity.speakers decides)."""
    errors: list[FieldError] = []
    try:
        canonical = thread_locate(site=site, url=url)
    except ValidationFailed as exc:
        errors.extend(exc.errors)
        canonical = ""
    text = comment_clean_text(text, errors, limit=text_limit)
    name, name_cleaned, email, website = _clean_author(
        site, name=author_name, email=author_email, website=author_website, errors=errors
    )
    parent: Comment | None = None
    if parent_id is not None:
        parent = (
            Comment.objects.select_related("thread").filter(pk=parent_id).first() if id_in_range(parent_id) else None
        )
        allowed = (Status.PUBLISHED, Status.PENDING) if replaying else (Status.PUBLISHED,)
        if parent is None or parent.status not in allowed:
            errors.append(FieldError("parent", "is not a published comment", "not_found"))
            parent = None
        elif canonical and (parent.thread.site_id != site.pk or parent.thread.url != canonical):
            errors.append(FieldError("parent", "belongs to another thread", "wrong_thread"))
        elif parent.depth + 1 > MAX_DEPTH:
            errors.append(
                FieldError("parent", "is nested too deep to reply to; reply further up", "too_deep")
            )
    if errors:
        raise ValidationFailed(errors)
    thread = parent.thread if parent is not None else Thread.objects.filter(site=site, url=canonical).first()
    if thread is not None:
        thread.site = site
    comment = Comment(
        thread=thread,
        parent=parent,
        root_id=(parent.root_id or parent.pk) if parent else None,
        depth=parent.depth + 1 if parent else 0,
        author_name=name,
        author_name_cleaned=name_cleaned,
        author_email=email,
        author_website=website,
        author_key=speaker_key or author_key(email=email, name=name),
        author_verified=verified,
        author_staff=staff,
        author_avatar=avatar,
        author_token=reader or "",
        author_user=user,
        notify=notify and bool(email),
        text=text,
        html=render_markdown(text),
        ip=ip or None,
        created=created or timezone.now(),
        status=Status.PENDING,
    )
    title = short_text_clean(title)[0][:MAX_TITLE]
    return CommentDraft(site=site, url=canonical, title=title, comment=comment, thread=thread)


def comment_insert(
    *,
    draft: CommentDraft,
    status: Status,
    flagged: bool = False,
    reasons: list[str] | None = None,
    record: dict[str, Any] | None = None,
    announce: bool = True,
) -> Comment:
    """The write step: store a checked comment with its final status and keep every derived
    number true (thread count and version, the parent's visible replies). Must run inside the
    caller's transaction. `announce=False` (imports, seeds) dispatches no event: an imported
    reply emails nobody."""
    comment = draft.comment
    if draft.thread is not None:
        thread_lock(thread_id=draft.thread.pk)
    thread = draft.thread or _thread_get_or_create(site=draft.site, url=draft.url, title=draft.title)
    if draft.thread is not None and draft.title and not thread.title:
        Thread.objects.filter(pk=thread.pk).update(title=draft.title)
        thread.title = draft.title
    thread.site = draft.site
    comment.thread = thread
    comment.status = status
    comment.flagged = flagged
    comment.reasons = list(reasons or [])
    comment.moderation = record or {}
    comment.save(force_insert=True)
    comment.path = (comment.parent.path if comment.parent else "") + path_segment(comment.pk)
    Comment.objects.filter(pk=comment.pk).update(path=comment.path)
    published = int(status == Status.PUBLISHED)
    Thread.objects.filter(pk=thread.pk).update(
        comment_count=F("comment_count") + published, version=F("version") + 1
    )
    if comment.parent is not None and comment.is_visible:
        # The parent's status now, under the thread lock: the draft's copy is from before
        # moderation, and a delete since then makes the parent visible again only through us.
        parent_status = Comment.objects.filter(pk=comment.parent.pk).values_list("status", flat=True).first()
        if parent_status == Status.PUBLISHED:
            # A published parent stays visible: one UPDATE, no ripple up the chain.
            Comment.objects.filter(pk=comment.parent.pk).update(reply_count=F("reply_count") + 1)
        else:
            _adjust_reply_count(comment.parent.pk, 1)
    if announce:
        events.comment_written(comment)
    return comment


def _owned_comment(*, comment_id: int, edit_token: str | None) -> Comment:
    if not id_in_range(comment_id):
        raise NotFound("no such comment", code="comment_not_found")
    comment = Comment.objects.select_related("thread__site").filter(pk=comment_id).first()
    if comment is None or comment.status == Status.REJECTED:
        raise NotFound("no such comment", code="comment_not_found")
    window = comment.thread.site.edit_window_minutes * 60
    try:
        tokens.edit_token_check(edit_token, comment_id=comment.pk, max_age_seconds=window)
    except tokens.EditTokenExpired:
        raise Forbidden(_("the edit window for this comment has closed"), code="edit_window_closed") from None
    except tokens.EditTokenInvalid:
        raise Forbidden(
            "a valid edit token for this comment is required", code="edit_token_invalid"
        ) from None
    if comment.status == Status.DELETED:
        raise Conflict(_("this comment was deleted"), code="comment_deleted")
    return comment


def comment_delete(*, comment_id: int, edit_token: str | None) -> Comment:
    """The author's delete within the edit window. A comment with replies keeps its place,
    shown as deleted, so the conversation under it still reads; its text stays for moderators."""
    comment = _owned_comment(comment_id=comment_id, edit_token=edit_token)
    with transaction.atomic():
        thread_lock(thread_id=comment.thread_id)
        # The state now, under the lock: a moderator or a second delete may have acted since.
        current = Comment.objects.select_for_update(no_key=True).only("status", "reply_count").get(pk=comment.pk)
        if current.status == Status.DELETED:
            raise Conflict("this comment was deleted", code="comment_deleted")
        if current.status == Status.REJECTED:
            raise NotFound("no such comment", code="comment_not_found")
        # Whether it stays visible as a placeholder depends on the replies it has now.
        comment.status, comment.reply_count = current.status, current.reply_count
        _set_status(comment, Status.DELETED)
        events.comment_deleted(comment)
    return comment


def comment_set_status(*, comment: Comment, status: Status) -> Comment:
    """A moderator's decision (approve, reject, restore)."""
    with transaction.atomic():
        thread_lock(thread_id=comment.thread_id)
        comment = Comment.objects.select_for_update(no_key=True).get(pk=comment.pk)
        if comment.status != status:
            _set_status(comment, status)
            events.comment_status_changed(comment)
    return comment


def _set_status(comment: Comment, status: Status) -> None:
    """Change a status and keep every derived number true: the thread's count of published
    comments, each ancestor's count of visible replies, and the thread version."""
    was_published, was_visible = comment.status == Status.PUBLISHED, comment.is_visible
    comment.status_before = comment.status
    comment.status = status
    comment.save(update_fields=["status"])
    delta = int(comment.status == Status.PUBLISHED) - int(was_published)
    Thread.objects.filter(pk=comment.thread_id).update(
        comment_count=F("comment_count") + delta, version=F("version") + 1
    )
    if comment.is_visible != was_visible and comment.parent_id:
        _adjust_reply_count(comment.parent_id, 1 if comment.is_visible else -1)


def _adjust_reply_count(comment_id: int, delta: int) -> None:
    # A deleted comment is shown only while it has visible replies, so losing its last one
    # hides it too, and that can ripple up the chain.
    while comment_id:
        node = (
            Comment.objects.select_for_update(no_key=True)
            .only("id", "status", "reply_count", "parent_id")
            .get(pk=comment_id)
        )
        was_visible = node.is_visible
        node.reply_count = max(0, node.reply_count + delta)
        Comment.objects.filter(pk=node.pk).update(reply_count=node.reply_count)
        if node.is_visible == was_visible or not node.parent_id:
            return
        comment_id, delta = node.parent_id, (1 if node.is_visible else -1)


def _bump(thread_id: int) -> None:
    Thread.objects.filter(pk=thread_id).update(version=F("version") + 1)


# ---------------------------------------------------------------------------- votes and reports


def comment_vote(*, comment_id: int, reader: str | None, ip: str, value: int) -> Comment:
    """One vote per reader token per comment (+1, -1, or 0 to take it back), changeable.
    Behind the tokens, at most TOWNHALL_VOTES_PER_IP tokens from one address count per comment,
    so clearing storage to mint tokens gains little."""
    if value not in (-1, 0, 1):
        raise ValidationFailed.one("value", "must be 1, -1 or 0")
    if not reader:
        raise Forbidden("voting needs a reader token", code="reader_token_required")
    if not id_in_range(comment_id):
        raise NotFound("no such comment", code="comment_not_found")
    with transaction.atomic():
        thread_lock(comment_id=comment_id)
        comment = Comment.objects.select_for_update(no_key=True).filter(pk=comment_id).first()
        if comment is None or comment.status != Status.PUBLISHED:
            raise NotFound("no such comment", code="comment_not_found")
        if comment.author_token and comment.author_token == reader:
            raise Forbidden(_("you cannot vote on your own comment"), code="own_comment")
        hashed = ip_hash(ip)
        existing = Vote.objects.filter(comment=comment, voter=reader).first()
        old = existing.value if existing else 0
        if existing is None and value:
            same_ip = Vote.objects.filter(comment=comment, ip_hash=hashed).count()
            if same_ip >= settings.VOTES_PER_IP:
                raise Forbidden(_("too many votes on this comment from your network"), code="ip_vote_limit")
        if value == old:
            return comment
        if existing and value == 0:
            existing.delete()
        elif existing:
            existing.value = value
            existing.save(update_fields=["value"])
        else:
            Vote.objects.create(comment=comment, voter=reader, ip_hash=hashed, value=value)
        up = int(value == 1) - int(old == 1)
        down = int(value == -1) - int(old == -1)
        Comment.objects.filter(pk=comment.pk).update(
            upvotes=F("upvotes") + up, downvotes=F("downvotes") + down, score=F("score") + (value - old)
        )
        _bump(comment.thread_id)
    comment.refresh_from_db()
    return comment


# ---------------------------------------------------------------------------- stored addresses


def comment_ips_truncate(*, now: datetime | None = None) -> int:
    """Truncate stored addresses older than TOWNHALL_IP_RETENTION_DAYS (IPv4 /24, IPv6 /48)."""
    cutoff = (now or timezone.now()) - timedelta(days=settings.IP_RETENTION_DAYS)
    done = 0
    qs = Comment.objects.filter(created__lt=cutoff, ip_truncated=False, ip__isnull=False).only("id", "ip")
    while batch := list(qs[:500]):
        with transaction.atomic():
            for comment in batch:
                Comment.objects.filter(pk=comment.pk).update(ip=truncate_ip(comment.ip or "") or None, ip_truncated=True)
        done += len(batch)
    return done
