"""Reads for the moderators' side: permissions, queues, an item's context and its author's
history. Every queue is filtered to the sites the user may moderate before anything else."""

from __future__ import annotations

import enum
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser, User
from django.db.models import Count, Exists, F, FloatField, Min, OuterRef, Q, QuerySet, TextField, Value
from django.db.models.fields.json import KT
from django.db.models.functions import Cast, Coalesce, Greatest
from django.utils import timezone
from django.utils.translation import gettext as _

from townhall.comments.models import Comment, Report, Site, Status, Thread
from townhall.comments.selectors import site_policy_table
from townhall.core.errors import Forbidden, NotFound
from townhall.moderation import sitemodel
from townhall.moderation.decisions import DESCRIPTIONS, Reason
from townhall.moderation.ml.hostility import Phrase
from townhall.moderation.models import Ban, FlameWar, FlameWarStatus
from townhall.moderation.pipeline import policy_for
from townhall.moderation.selectors import Thresholds, thresholds_for
from townhall.moderators.models import AuditLog, Role, SiteRole

AnyUser = AbstractBaseUser | AnonymousUser
PAGE_SIZE = 50
SIBLINGS = 2  # shown on each side of the comment in its context
HISTORY_RECENT = 5


# ---------------------------------------------------------------------------- permissions

def _site_id(site: Site | int) -> int:
    return site if isinstance(site, int) else site.pk


def _signed_in(user: AnyUser | None) -> bool:
    return user is not None and user.is_authenticated and user.is_active


def _superuser(user: AnyUser) -> bool:
    return bool(getattr(user, "is_superuser", False))


def _roles(user: AnyUser, *, admin: bool) -> Q:
    """The role rows that let `user` act: any role to moderate, the admin role to administer."""
    q = Q(user_id=user.pk)
    return q & Q(role=Role.ADMIN) if admin else q


def _has_role(user: AnyUser | None, site: Site | int, *, admin: bool) -> bool:
    if user is None or not _signed_in(user):
        return False
    if _superuser(user):
        return True
    return SiteRole.objects.filter(_roles(user, admin=admin), site_id=_site_id(site)).exists()


def _sites_with_role(user: AnyUser, *, admin: bool) -> QuerySet[Site]:
    if not _signed_in(user):
        return Site.objects.none()
    if _superuser(user):
        return Site.objects.all()
    return Site.objects.filter(pk__in=SiteRole.objects.filter(_roles(user, admin=admin)).values("site_id"))


def can_moderate(user: AnyUser | None, site: Site | int) -> bool:
    """Whether `user` moderates `site`: a moderator or admin of it, or a superuser."""
    return _has_role(user, site, admin=False)


def is_site_admin(user: AnyUser | None, site: Site | int) -> bool:
    """Whether `user` manages `site`'s moderators and reads its audit log."""
    return _has_role(user, site, admin=True)


def sites_moderated(user: AnyUser) -> QuerySet[Site]:
    return _sites_with_role(user, admin=False)


def sites_administered(user: AnyUser) -> QuerySet[Site]:
    return _sites_with_role(user, admin=True)


@dataclass
class MySites:
    """The sites a user moderates and which of them they administer, read once per page."""

    sites: list[Site]
    administered: set[int]

    @property
    def is_admin(self) -> bool:
        return bool(self.administered)


def my_sites(user: AnyUser) -> MySites:
    """One query: the user's roles with their sites (every site for a superuser)."""
    if not _signed_in(user):
        return MySites([], set())
    if _superuser(user):
        sites = list(Site.objects.order_by("slug"))
        return MySites(sites, {s.pk for s in sites})
    roles = list(SiteRole.objects.filter(_roles(user, admin=False)).select_related("site").order_by("site__slug"))
    return MySites([r.site for r in roles], {r.site_id for r in roles if r.role == Role.ADMIN})


def user_by_username(username: str) -> User | None:
    return User.objects.filter(username=username).first()


def site_rows(mine: MySites) -> list[tuple[Site, bool, int, Thresholds, list[tuple[str, str, str]]]]:
    """The sites page: each site, whether the user administers it, the slow mode its new flame
    wars start with, the hostility thresholds in force (with a warning when the site's own
    were set for another model), and its policy (label, value, help text, from the model)."""
    rows = []
    for s in mine.sites:
        policy = policy_for(s)
        rows.append((s, s.pk in mine.administered, policy.flamewar_slow_minutes, thresholds_for(policy),
                     site_policy_table(s)))
    return rows


def site_roles(site: Site) -> QuerySet[SiteRole]:
    return SiteRole.objects.filter(site=site).select_related("user", "site").order_by("user__username")


# ---------------------------------------------------------------------------- access
# Each `access_*` fetches an object AND checks that the user may act on it, raising NotFound or
# Forbidden. Views get their objects only through these, so a new view cannot fetch without
# checking. Not-found is answered before forbidden: ids and slugs are not secrets here, and a
# moderator who mistypes one should be told so.

def _check(user: AnyUser, site: Site | int, *, admin: bool = False) -> None:
    if not _has_role(user, site, admin=admin):
        raise Forbidden("only the site's admins may do this" if admin else "you do not moderate this site",
                        code="forbidden")


def access_site(user: AnyUser, slug: str, *, admin: bool = False) -> Site:
    """The site `slug`, which `user` moderates (administers, with `admin`)."""
    site = Site.objects.filter(slug=slug).first()
    if site is None:
        raise NotFound(f"no site {slug!r}", code="site_not_found")
    _check(user, site, admin=admin)
    return site


def access_comment(user: AnyUser, pk: int) -> Comment:
    comment = Comment.objects.select_related("thread__site", "parent").filter(pk=pk).first()
    if comment is None:
        raise NotFound("no such comment", code="comment_not_found")
    _check(user, comment.thread.site_id)
    return comment


def access_comments(user: AnyUser, ids: Sequence[int]) -> list[Comment]:
    """The comments of a bulk action that exist; all of them on sites `user` moderates, or none."""
    comments = list(Comment.objects.select_related("thread__site").filter(pk__in=ids))
    for site_id in {c.thread.site_id for c in comments}:
        _check(user, site_id)
    return comments


def access_thread(user: AnyUser, pk: int) -> Thread:
    thread = Thread.objects.select_related("site").filter(pk=pk).first()
    if thread is None:
        raise NotFound("no such thread", code="thread_not_found")
    _check(user, thread.site_id)
    return thread


def access_flamewar(user: AnyUser, pk: int) -> FlameWar:
    war = FlameWar.objects.select_related("thread__site", "root").filter(pk=pk).first()
    if war is None:
        raise NotFound("no such flame war", code="flamewar_not_found")
    _check(user, war.thread.site_id)
    return war


def access_site_member(user: AnyUser, site: Site, user_id: int) -> User:
    """A user whose role on `site` an admin of it changes (the site was got with `access_site`)."""
    _check(user, site, admin=True)
    member = User.objects.filter(pk=user_id).first()
    if member is None:
        raise NotFound("no such user", code="user_not_found")
    return member


# ---------------------------------------------------------------------------- queues

class Queue(enum.StrEnum):
    PENDING = "pending"
    REPORTED = "reported"
    FLAGGED = "flagged"
    APPROVED = "approved"
    REJECTED = "rejected"

    @property
    def label(self) -> str:
        # Translated when shown (the moderator's language), not at import.
        labels = {"pending": _("Pending"), "reported": _("Reported"), "flagged": _("Flagged"),
                  "approved": _("Approved"), "rejected": _("Rejected")}
        return labels.get(self.value, self.value.capitalize())


QUEUE_FILTERS: dict[Queue, Q] = {
    Queue.PENDING: Q(status=Status.PENDING),
    # Reports still open: once a moderator decides, the reports on the comment are resolved.
    Queue.REPORTED: Q(report_count__gt=0, status__in=[Status.PUBLISHED, Status.PENDING])
    & Q(Exists(Report.objects.filter(comment=OuterRef("pk"), resolved=False))),
    # Published by post-moderation with a signal a moderator should look at.
    Queue.FLAGGED: Q(flagged=True, status=Status.PUBLISHED),
    Queue.APPROVED: Q(status=Status.PUBLISHED),
    Queue.REJECTED: Q(status=Status.REJECTED),
}


@dataclass
class QueueFilter:
    site: Site | None = None
    thread: Thread | None = None
    reason: str = ""
    search: str = ""


def with_reason(qs: QuerySet[Comment], codes: Sequence[str]) -> QuerySet[Comment]:
    """Comments having any of these reason codes. JSON "contains" is not available on SQLite;
    the codes are plain words, so matching the quoted code in the serialised list is exact."""
    q = Q()
    for code in codes:
        q |= Q(reasons_text__contains=f'"{code}"')
    return qs.annotate(reasons_text=Cast("reasons", TextField())).filter(q)


def _harm() -> Any:
    """max(toxicity, spam) from the pipeline's scores; 0 where a comment was never scored."""
    tox = Coalesce(Cast(KT("moderation__scores__toxicity"), FloatField()), Value(0.0))
    spam = Coalesce(Cast(KT("moderation__scores__spam"), FloatField()), Value(0.0))
    return Greatest(tox, spam)


def queue_comments(user: AnyUser, queue: Queue, filters: QueueFilter) -> QuerySet[Comment]:
    """A queue's comments, most likely harmful first: by max(toxicity, spam), then by how many
    readers reported it, then oldest first (the one waiting longest). Approved and rejected
    comments are history, so they read newest first."""
    qs = Comment.objects.filter(thread__site__in=sites_moderated(user)).filter(QUEUE_FILTERS[queue])
    if filters.site is not None:
        qs = qs.filter(thread__site=filters.site)
    if filters.thread is not None:
        qs = qs.filter(thread=filters.thread)
    if filters.reason:
        qs = with_reason(qs, [filters.reason])
    if filters.search:
        qs = qs.filter(Q(text__icontains=filters.search) | Q(author_name__icontains=filters.search))
    qs = qs.annotate(harm=_harm()).select_related("thread__site", "parent")
    if queue in (Queue.APPROVED, Queue.REJECTED):
        return qs.order_by("-created", "-id")
    return qs.order_by(F("harm").desc(), F("report_count").desc(), "created", "id")


def queue_counts(user: AnyUser, site: Site | None = None) -> dict[str, int]:
    """The open queues' sizes for the navigation: one aggregate for the comment queues, one
    count for the flame wars."""
    base = Comment.objects.filter(thread__site__in=sites_moderated(user))
    if site is not None:
        base = base.filter(thread__site=site)
    counted = (Queue.PENDING, Queue.REPORTED, Queue.FLAGGED)
    counts: dict[str, int] = base.aggregate(**{q.value: Count("pk", filter=QUEUE_FILTERS[q]) for q in counted})
    counts["flamewars"] = flamewars_for(user, site=site).filter(status=FlameWarStatus.OPEN).count()
    return counts


def flamewars_for(user: AnyUser, *, site: Site | None = None, thread: Thread | None = None) -> QuerySet[FlameWar]:
    qs = FlameWar.objects.filter(thread__site__in=sites_moderated(user))
    if site is not None:
        qs = qs.filter(thread__site=site)
    if thread is not None:
        qs = qs.filter(thread=thread)
    return qs.select_related("thread__site", "root", "first_comment", "last_comment").order_by(
        # Open wars first, the most hostile on top.
        F("status").desc(), F("hostile_count").desc(), "-updated",
    )


# ---------------------------------------------------------------------------- one item

@dataclass
class ReasonView:
    code: str
    text: str


@dataclass
class AuthorHistory:
    first_seen: datetime | None = None
    approved: int = 0
    rejected: int = 0
    pending: int = 0
    recent: list[Comment] = field(default_factory=list)


@dataclass
class Item:
    comment: Comment
    reasons: list[ReasonView]
    scores: list[tuple[str, int]]  # (name, percent)
    parent: Comment | None
    siblings_before: list[Comment]
    siblings_after: list[Comment]
    history: AuthorHistory
    reports: list[Report]
    review: dict[str, Any] | None
    original_text: str


def describe_reasons(codes: list[str]) -> list[ReasonView]:
    out = []
    for code in codes:
        try:
            out.append(ReasonView(code, str(DESCRIPTIONS[Reason(code)])))
        except ValueError:
            out.append(ReasonView(code, code.replace("_", " ")))
    return out


SCORE_NAMES = {"toxicity": "hostility", "spam": "spam", "repeat": "repeated text"}


def describe_scores(moderation: dict[str, Any]) -> list[tuple[str, int]]:
    """Scores between 0 and 1 as percentages; counts (links, spam signals) are left out."""
    scores = (moderation or {}).get("scores") or {}
    # In SCORE_NAMES' order: PostgreSQL's jsonb does not keep the keys' order.
    return [
        (label, round(float(scores[name]) * 100))
        for name, label in SCORE_NAMES.items()
        if isinstance(scores.get(name), int | float)
    ]


def _histories(comments: list[Comment]) -> dict[tuple[int, str], AuthorHistory]:
    """Each author's history on their site: two queries for the whole page."""
    pairs = {(c.thread.site_id, c.author_key) for c in comments}
    if not pairs:
        return {}
    keys = {k for _, k in pairs}
    sites = {s for s, _ in pairs}
    rows = (
        Comment.objects.filter(author_key__in=keys, thread__site_id__in=sites)
        .values("thread__site_id", "author_key")
        .annotate(
            first=Min("created"),
            approved=Count("id", filter=Q(status=Status.PUBLISHED)),
            rejected=Count("id", filter=Q(status=Status.REJECTED)),
            pending=Count("id", filter=Q(status=Status.PENDING)),
        )
    )
    out: dict[tuple[int, str], AuthorHistory] = {}
    for row in rows:
        key = (row["thread__site_id"], row["author_key"])
        if key in pairs:
            out[key] = AuthorHistory(row["first"], row["approved"], row["rejected"], row["pending"])
    recent = (
        Comment.objects.filter(author_key__in=keys, thread__site_id__in=sites)
        .select_related("thread")
        .only("id", "text", "status", "created", "author_key", "thread__site_id", "thread__title", "thread__url")
        .order_by("-created")[: 20 * len(keys) + 20]
    )
    for c in recent:
        history = out.get((c.thread.site_id, c.author_key))
        if history is not None and len(history.recent) < HISTORY_RECENT + 1:
            history.recent.append(c)
    return out


def _siblings(comments: list[Comment]) -> dict[int, tuple[list[Comment], list[Comment]]]:
    """The SIBLINGS comments on each side of every comment (same thread, parent and depth), in
    one query for the page: one bounded subquery per side and comment, OR-ed together, so each
    side is an index range of a few rows however long the thread is."""
    if not comments:
        return {}
    wanted = Q()
    for c in comments:
        same = Comment.objects.filter(thread_id=c.thread_id, parent_id=c.parent_id, depth=c.depth)
        before = same.filter(created__lt=c.created).order_by("-created", "-id").values("pk")[:SIBLINGS]
        after = same.filter(created__gt=c.created).order_by("created", "id").values("pk")[:SIBLINGS]
        wanted |= Q(pk__in=before) | Q(pk__in=after)
    groups: dict[tuple[int, int | None, int], list[Comment]] = {}
    for s in Comment.objects.filter(wanted).order_by("created", "id"):
        groups.setdefault((s.thread_id, s.parent_id, s.depth), []).append(s)
    out = {}
    for c in comments:
        # The page's windows overlap within a group; the nearest ones on each side are this
        # comment's own window, exactly what a query per comment would have returned.
        group = groups.get((c.thread_id, c.parent_id, c.depth), [])
        before_c = [s for s in group if s.created < c.created][-SIBLINGS:]
        after_c = [s for s in group if s.created > c.created][:SIBLINGS]
        out[c.pk] = (before_c, after_c)
    return out


def queue_items(comments: list[Comment]) -> list[Item]:
    histories = _histories(comments)
    reports: dict[int, list[Report]] = {}
    for report in Report.objects.filter(comment__in=comments, resolved=False).order_by("created"):
        reports.setdefault(report.comment_id, []).append(report)
    siblings = _siblings(comments)
    items = []
    for c in comments:
        before, after = siblings[c.pk]
        history = histories.get((c.thread.site_id, c.author_key), AuthorHistory())
        record = c.moderation or {}
        items.append(Item(
            comment=c,
            reasons=describe_reasons(list(c.reasons or [])),
            scores=describe_scores(record),
            parent=c.parent,
            siblings_before=before,
            siblings_after=after,
            history=AuthorHistory(
                history.first_seen, history.approved, history.rejected, history.pending,
                [r for r in history.recent if r.pk != c.pk][:HISTORY_RECENT],
            ),
            reports=reports.get(c.pk, []),
            review=record.get("review"),
            original_text=str(record.get("original_text", "")),
        ))
    return items


HOSTILE = [Reason.TOXICITY, Reason.FLAMEWAR_HOSTILE, Reason.REPEAT, Reason.BANNED_WORD, Reason.TOXICITY_WARNED]


@dataclass
class WarView:
    war: FlameWar
    hostile: list[Comment]
    pending: int


def flamewar_views(wars: list[FlameWar]) -> list[WarView]:
    """Each war with its hostile comments (from the evidence recorded when it was detected, and
    the held or hostile replies since)."""
    out = []
    for war in wars:
        ids: set[int] = set()
        for entry in war.evidence or []:
            ids.update(entry.get("hostile", []))
        members = Comment.objects.filter(thread_id=war.thread_id, path__startswith=war.root.path)
        if war.first_comment is not None:
            members = members.filter(created__gte=war.first_comment.created)
        hostile_ids = set(with_reason(members, HOSTILE).values_list("pk", flat=True)) | ids
        hostile = list(members.filter(pk__in=hostile_ids).order_by("created")[:30])
        pending = members.filter(status=Status.PENDING).count()
        out.append(WarView(war, hostile, pending))
    return out


def audit_entries(user: AnyUser, *, site: Site | None = None) -> QuerySet[AuditLog]:
    qs = AuditLog.objects.select_related("site")
    if not getattr(user, "is_superuser", False):
        qs = qs.filter(site__in=sites_administered(user))
    if site is not None:
        qs = qs.filter(site=site)
    return qs.order_by("-id")


@dataclass
class AuditRow:
    entry: AuditLog
    changes: list[tuple[str, Any, Any]]  # (field, before, after) for the fields that changed


def audit_rows(entries: list[AuditLog]) -> list[AuditRow]:
    """Entries with only what changed, in reading order of the fields."""
    rows = []
    for e in entries:
        before, after = e.before or {}, e.after or {}
        keys = list(dict.fromkeys([*before, *after]))
        rows.append(AuditRow(e, [(k, before.get(k), after.get(k)) for k in keys if before.get(k) != after.get(k)]))
    return rows


def comment_explanation(comment: Comment) -> list[Phrase]:
    """The phrases behind the comment's hostility score, most telling first (on demand only): of
    the site's own model where that is what scored it."""
    version = str(((comment.moderation or {}).get("versions") or {}).get("toxicity", ""))
    scored_by = re.search(r"\+site(\d+)$", version)
    return sitemodel.explanation(text=comment.text, model_id=int(scored_by[1]) if scored_by else None)


# ---------------------------------------------------------------------------- sanctions


def site_sanctions(site: Site, *, limit: int = 200) -> list[Ban]:
    """The site's sanctions, those in force first, then the lifted and ended ones, newest first."""
    now = timezone.now()
    rows = list(Ban.objects.filter(site=site).order_by("-id")[:limit])
    return sorted(rows, key=lambda b: (b.lifted is not None or (b.until is not None and b.until <= now), -b.pk))


def access_sanction(user: AnyUser, pk: int) -> Ban:
    ban = Ban.objects.select_related("site").filter(pk=pk).first()
    if ban is None:
        raise NotFound("no such sanction", code="sanction_not_found")
    _check(user, ban.site)
    return ban
