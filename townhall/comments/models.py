"""Sites, threads, comments, votes and reports.

A comment's place in its thread is a materialised path: the zero-padded ids of its ancestors and
itself. Sorting by path gives reading order (each reply after its parent, replies oldest first),
and a subtree is the range [path, next sibling's path), so "this subtree" and "this page of
replies" are index range scans on (thread, path) whatever the thread's size. Paths are digits
only so that they compare the same under every database collation.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

PATH_SEGMENT = 12  # digits per level: ids up to 10^12
MAX_DEPTH = 100  # keeps a path within index key limits (1,212 bytes)
# Field limits every write checks (services) and the API schema declares; the text limit is the
# ceiling of each site's own (moderation policy max_length).
MAX_TEXT = 10_000
MAX_NAME = 100
MAX_WEBSITE = 500
MAX_TITLE = 300
MAX_NOTE = 500


def path_segment(comment_id: int) -> str:
    return f"{comment_id:0{PATH_SEGMENT}d}"


def subtree_end(path: str) -> str:
    """The first path after every descendant of `path`: its last segment plus one."""
    head, last = path[:-PATH_SEGMENT], int(path[-PATH_SEGMENT:])
    return head + path_segment(last + 1)


class SortOrder(models.TextChoices):
    """The orders of a thread's top-level comments (the API's `sort`, the site's default)."""

    OLDEST = "oldest"
    NEWEST = "newest"
    TOP = "top"
    PICKS = "picks"  # featured comments first, then oldest first


class Site(models.Model):
    """A website that embeds Townhall, with the policy its threads follow."""

    slug = models.SlugField(max_length=50, unique=True, help_text=_("the site's short name in the embed snippet and URLs"))
    name = models.CharField(max_length=200, help_text=_("the site's name, shown to moderators"))
    require_name = models.BooleanField(
        _("require name"),default=False, help_text=_("commenters must give a name"))
    require_email = models.BooleanField(
        _("require email"),default=False, help_text=_("commenters must give an email (never shown)"))
    edit_window_minutes = models.PositiveIntegerField(
        _("edit window (minutes)"),
        default=15, validators=[MaxValueValidator(7 * 24 * 60)],
        help_text=_("minutes an author may edit or delete their comment"),
    )
    display_depth = models.PositiveSmallIntegerField(
        _("display depth"),
        default=5, validators=[MinValueValidator(1), MaxValueValidator(20)],
        help_text=_("nesting levels shown before replies continue flat"),
    )
    page_size = models.PositiveSmallIntegerField(
        _("page size"),
        default=20, validators=[MinValueValidator(1), MaxValueValidator(100)],
        help_text=_("top-level comments per page"),
    )
    replies_per_page = models.PositiveSmallIntegerField(
        _("replies per page"),
        default=10, validators=[MinValueValidator(1), MaxValueValidator(100)],
        help_text=_("replies shown per comment before 'more replies'"),
    )
    rules = models.TextField(
        _("rules"),blank=True, default="", help_text=_("rules text shown above the comment form"))
    identity_params = models.JSONField(
        _("identity parameters"),
        default=list, blank=True,
        help_text=_("query parameters that are part of a page's identity (?p=123 on a WordPress blog)"),
    )
    close_after_days = models.PositiveIntegerField(
        _("close after (days)"),
        default=0, validators=[MaxValueValidator(36500)],
        help_text=_("close threads this many days after they start (0: never)"),
    )
    premoderate = models.BooleanField(
        _("pre-moderate"),default=False, help_text=_("hold every new comment for a moderator"))
    mail_sender_name = models.CharField(
        _("mail sender name"),
        max_length=100, blank=True, default="",
        help_text=_("the sender name of this site's mail (the address is TOWNHALL_EMAIL_FROM's); empty: the site's name"),
    )
    language = models.CharField(
        _("language"),
        max_length=10, choices=settings.LANGUAGES, default="en",
        help_text=_("language of the widget, the no-JS pages and the emails when the page names none (its lang)"),
    )
    # Who may speak (issue 10): sign-in through the site's own accounts (single sign-on).
    sign_in_required = models.BooleanField(
        _("sign-in required"),
        default=False, help_text=_("only readers signed in through the site's own login may comment"),
    )
    login_url = models.URLField(
        _("login URL"),
        max_length=500, blank=True, default="",
        help_text=_("the site's login page, linked from the comment form when sign-in is required"),
    )
    erasure_grace_days = models.PositiveIntegerField(
        _("erasure grace period (days)"),
        default=7, validators=[MaxValueValidator(90)],
        help_text=_("days between a reader's confirmed request to erase their comments and the erasure"),
    )
    # The HS256 key the site signs sign-in tokens with (`townhall site sso SLUG`): not policy,
    # never in any response after it is first shown.
    sso_secret = models.CharField(
        max_length=100, blank=True, default="", editable=False,
        help_text=_("the key the site signs sign-in tokens with (`townhall site sso SLUG` shows it once)"),
    )
    default_sort = models.CharField(
        _("default sort"),
        max_length=10, choices=SortOrder.choices, default=SortOrder.OLDEST,
        help_text=_("the order a reader sees first: oldest, newest, top (best score), or picks (editors' picks first)"),
    )
    # Never public: not a policy field.
    article_key = models.CharField(
        max_length=64, blank=True, default="",
        help_text=_("the key the site's CMS sends to set an article's text (townhall site article-key SLUG)"),
    )
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["slug"]

    def __str__(self) -> str:
        return self.slug


# The site's policy, declared once by the fields above (type, default, limits, help text): the
# services accept these, and `townhall site`, the admin, /config (all but identity_params) and the
# moderators' sites page derive from them.
SITE_POLICY_FIELDS = (
    "require_name", "require_email", "edit_window_minutes", "display_depth", "page_size",
    "replies_per_page", "rules", "identity_params", "close_after_days", "premoderate", "mail_sender_name",
    "language", "sign_in_required", "login_url", "erasure_grace_days", "default_sort",
)
SITE_PUBLIC_FIELDS = tuple(f for f in SITE_POLICY_FIELDS if f not in ("identity_params", "mail_sender_name"))


def site_policy_field(name: str) -> models.Field[Any, Any]:
    return Site._meta.get_field(name)  # type: ignore[return-value]


class SiteOrigin(models.Model):
    """An origin (scheme://host[:port]) whose pages may embed a site's widget and own its threads.

    A table rather than a list on Site so the per-request CORS check is one indexed lookup.
    """

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="origins")
    origin = models.CharField(max_length=300, db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["site", "origin"], name="site_origin_unique")]

    def __str__(self) -> str:
        return self.origin


class Thread(models.Model):
    """One page's comments, located by (site, canonical URL)."""

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="threads")
    url = models.CharField(max_length=2000)
    title = models.CharField(max_length=300, blank=True, default="")
    # Equals the number of published comments: maintained by every service that changes status.
    comment_count = models.PositiveIntegerField(default=0)
    # Bumped on every change a reader could see; thread pages are cached and ETagged by it.
    version = models.PositiveBigIntegerField(default=1)
    closed = models.BooleanField(default=False)
    # Hold every new comment of this thread for a moderator, whatever the site's setting.
    premoderate = models.BooleanField(default=False)
    # Readers following the thread by mail (kept by townhall.notifications): a published comment
    # on a thread nobody follows costs no notification task and no query to find that out.
    followers = models.PositiveIntegerField(default=0)
    # A moderator's choice: this thread's conversations start open (as dialogues), not collapsed.
    conversations_open = models.BooleanField(default=False)
    # SHA-256 of the article text the quote check reads (townhall.articles keeps the text); empty
    # until the CMS or the page's first widget load sends it.
    article_hash = models.CharField(max_length=64, blank=True, default="")
    # Some comment here has quote marks: the widget then loads its quote-mark module.
    has_quotes = models.BooleanField(default=False)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["site", "url"], name="thread_site_url")]

    def __str__(self) -> str:
        return self.url


class Status(models.TextChoices):
    PUBLISHED = "published"
    PENDING = "pending"
    REJECTED = "rejected"
    DELETED = "deleted"


# What readers see: published comments, and any other comment that still has visible replies,
# as a placeholder without author or text ("deleted", or "awaiting moderation" for a held or
# rejected one) so the conversation under it still reads. So every published comment is
# readable, and the thread's count of published comments is what a reader can see.
VISIBLE = Q(status=Status.PUBLISHED) | Q(reply_count__gt=0)


class Comment(models.Model):
    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="comments")
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.CASCADE, related_name="children")
    # The top-level comment of this branch (null for top-level ones): a branch's recent
    # replies, which flame-war detection reads, are one index range on (root, id).
    root = models.ForeignKey("self", null=True, blank=True, on_delete=models.CASCADE, related_name="branch")
    depth = models.PositiveSmallIntegerField(default=0)
    path = models.CharField(max_length=(MAX_DEPTH + 1) * PATH_SEGMENT, default="", db_index=False)

    author_name = models.CharField(max_length=100, blank=True, default="")
    # Invisible or direction-changing characters were removed from the name as given
    # (townhall.core.text.name_clean): moderators see a marker.
    author_name_cleaned = models.BooleanField(default=False, db_default=False)
    author_website = models.CharField(max_length=500, blank=True, default="")
    author_email = models.EmailField(blank=True, default="")  # private: never in a public response
    # Keyed hash of who is speaking (townhall.identity.speakers): the site's user id when signed
    # in, else a confirmed email, else the server-issued reader token; imports key on their
    # source's author. Never a typed name or email alone: those can be anyone's.
    author_key = models.CharField(max_length=32, db_index=True)
    # The server-issued token of the browser that posted, if it sent one (trust, "my comments").
    author_token = models.CharField(max_length=64, blank=True, default="", db_index=True)
    author_user = models.ForeignKey(
        "auth.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="comments"
    )
    # Signed in through the site's own login (townhall.identity): the name is the site's, not typed.
    author_verified = models.BooleanField(default=False, db_default=False)
    # Staff of the site (an SSO role); a moderator signed in here is `author_user`.
    author_staff = models.BooleanField(default=False, db_default=False)
    # Digest of the avatar Townhall fetched and serves itself (/api/v1/avatars/DIGEST); empty: none.
    author_avatar = models.CharField(max_length=64, blank=True, default="", db_default="")
    notify = models.BooleanField(default=False)

    text = models.TextField()  # Markdown source
    html = models.TextField()  # rendered and sanitised once, at write time

    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PUBLISHED)
    # Direct children that readers see; decides whether a deleted comment keeps its place.
    reply_count = models.PositiveIntegerField(default=0)
    score = models.IntegerField(default=0)
    upvotes = models.PositiveIntegerField(default=0)
    downvotes = models.PositiveIntegerField(default=0)
    report_count = models.PositiveIntegerField(default=0)

    # Moderation writes these beside the status: it flags, it does not add states.
    flagged = models.BooleanField(default=False)
    reasons = models.JSONField(default=list, blank=True)
    moderation = models.JSONField(default=dict, blank=True)
    featured = models.BooleanField(default=False)
    # What the quote check found for each passage this comment quotes (townhall.articles.quotes):
    # written when the comment is written or the article changes, never per page view.
    quotes = models.JSONField(default=list, blank=True)
    # The collapsed dialogue this reply belongs to, if any (townhall.moderation.conversations).
    conversation = models.ForeignKey(
        "Conversation", null=True, blank=True, on_delete=models.SET_NULL, related_name="members"
    )

    ip = models.GenericIPAddressField(null=True, blank=True)  # staff only; truncated after retention
    ip_truncated = models.BooleanField(default=False)
    created = models.DateTimeField(db_index=True)
    edited = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            # Replies and subtrees: range scans in reading order.
            models.Index(fields=["thread", "path"], name="comment_thread_path"),
            # Top-level pages, oldest/newest and top, keyset-paginated.
            models.Index(fields=["thread", "depth", "id"], name="comment_thread_top_id"),
            models.Index(fields=["thread", "depth", "score", "id"], name="comment_thread_top_score"),
            models.Index(fields=["status", "created"], name="comment_status_created"),
            models.Index(fields=["root", "id"], name="comment_root_id"),
            # Picks first, keyset-paginated; and a thread's picks (few) without a scan.
            models.Index(fields=["thread", "depth", "featured", "id"], name="comment_thread_top_featured"),
            models.Index(fields=["thread", "id"], condition=Q(featured=True), name="comment_thread_picks"),
        ]

    # Not stored: the status before the last change `_set_status` made, for that change's event
    # consumers (live readers must drop a published comment that is now held or rejected).
    status_before = ""

    def __str__(self) -> str:
        return f"#{self.pk} by {self.author_name or 'anonymous'}"

    @property
    def is_visible(self) -> bool:
        return self.status == Status.PUBLISHED or self.reply_count > 0


class QuoteKind(models.TextChoices):
    """What the quote check found for a passage a comment quotes (Comment.quotes)."""

    ARTICLE = "article"  # found in the article
    MISSING = "missing"  # not in this article (nor in an earlier comment)
    COMMENT = "comment"  # quoting an earlier comment of the thread


class Conversation(models.Model):
    """A run of replies in one branch alternating between the same two or three authors, shown
    collapsed as one line that opens as a dialogue. Found, and rewritten whenever its branch
    changes, by townhall.moderation.conversations; its members point here."""

    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="conversations")
    # The comment the run's replies answer: the line is drawn among its replies.
    anchor = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="conversations_anchored")
    first_id = models.PositiveBigIntegerField()
    # [{"name", "key", "count"}], most replies first: authors told apart by author_key.
    authors = models.JSONField(default=list)
    count = models.PositiveIntegerField()
    started = models.DateTimeField()
    ended = models.DateTimeField()
    # Share of the run's replies that moderation found hostile (0..1): the line's heat mark.
    heat = models.FloatField(default=0.0)

    class Meta:
        indexes = [models.Index(fields=["thread", "first_id"], name="conversation_thread_first")]

    def __str__(self) -> str:
        return f"conversation of {self.count} under #{self.anchor_id}"


class Vote(models.Model):
    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="votes")
    voter = models.CharField(max_length=64)  # id inside the server-issued reader token
    ip_hash = models.CharField(max_length=32)
    value = models.SmallIntegerField()  # +1 or -1
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["comment", "voter"], name="vote_once_per_voter")]
        indexes = [models.Index(fields=["comment", "ip_hash"], name="vote_comment_ip")]

    def __str__(self) -> str:
        return f"{self.value:+d} on #{self.comment_id}"


class ReportReason(models.TextChoices):
    SPAM = "spam"
    ABUSE = "abuse"
    OFF_TOPIC = "off_topic"
    PERSONAL_INFO = "personal_info"
    OTHER = "other"


class Report(models.Model):
    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="reports")
    reason = models.CharField(max_length=20, choices=ReportReason.choices)
    note = models.CharField(max_length=500, blank=True, default="")
    reporter = models.CharField(max_length=64)  # reader token id, else an IP hash
    # Tokens are free to mint, addresses are not: hiding counts distinct addresses.
    ip_hash = models.CharField(max_length=32, default="")
    created = models.DateTimeField(auto_now_add=True)
    resolved = models.BooleanField(default=False)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["comment", "reporter"], name="report_once_per_reporter")]

    def __str__(self) -> str:
        return f"{self.reason} on #{self.comment_id}"
