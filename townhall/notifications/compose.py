"""Every mail this installation sends, built in one place: plain text plus simple HTML from the
templates in notifications/mail/, the site's sender name, List-Unsubscribe (RFC 2369) and
List-Unsubscribe-Post (RFC 8058) headers, and the VERP envelope sender that brings bounces back.

A mail holds what the page would show (author names, published text, the article's title and
link) and one address: its recipient's, in To. Moderators' alerts also carry what the
moderators' queue shows them (held text, the reasons), never the author's email or IP."""

from __future__ import annotations

from dataclasses import dataclass, field
from email.utils import formataddr, parseaddr
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from townhall.comments.models import Comment, Site, Status, Thread
from townhall.comments.rendering import plain_excerpt
from townhall.identity.models import EmailAddress
from townhall.moderation.decisions import Verdict, describe, verdict
from townhall.notifications import tokens
from townhall.notifications.models import Alert, AlertKind, AlertPreference, Notice, NoticeKind
from townhall.notifications.tokens import Unsubscribe

EXCERPT = 400  # characters of a comment quoted in a mail
# The one-click links of an alert, named in the moderator's words (called when the mail is built).
VERDICT_LABELS = {Verdict.APPROVE: lambda: _("Approve"), Verdict.REJECT: lambda: _("Reject"), Verdict.SPAM: lambda: _("Spam")}
DEFAULT_BASE = "http://127.0.0.1:8000"  # `townhall serve`'s own address, when TOWNHALL_PUBLIC_URL is unset


def absolute(path: str) -> str:
    return (settings.PUBLIC_URL or DEFAULT_BASE).rstrip("/") + path


def sender(site: Site) -> str:
    name, address = parseaddr(settings.DEFAULT_FROM_EMAIL)
    return formataddr((site.mail_sender_name or site.name or name, address))


def unsubscribe_url(scope: Unsubscribe) -> str:
    return absolute(reverse("notifications:unsubscribe", args=[tokens.unsubscribe_token(scope)]))


def _build(*, site: Site, address: EmailAddress, subject: str, template: str, context: dict[str, Any],
           unsubscribe: Unsubscribe) -> EmailMultiAlternatives:
    unsub = unsubscribe_url(unsubscribe)
    everything = unsubscribe_url(Unsubscribe(address_id=address.pk)) if not unsubscribe.preference_id else ""
    context = {**context, "site_name": site.mail_sender_name or site.name, "unsubscribe_url": unsub,
               "unsubscribe_all_url": everything if everything != unsub else "", "scope": unsubscribe}
    text = render_to_string(f"notifications/mail/{template}.txt", context)
    html = render_to_string(f"notifications/mail/{template}.html", context)
    message = EmailMultiAlternatives(
        subject=" ".join(subject.split())[:200], body=text,
        # The envelope sender (Return-Path) names the row in a signed tag; the From header is the
        # site's name with the installation's address.
        from_email=tokens.verp_address(address.pk), to=[address.email],
        headers={
            "From": sender(site),
            "List-Unsubscribe": f"<{unsub}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "Auto-Submitted": "auto-generated",  # RFC 3834: no vacation replies to this
        },
    )
    message.attach_alternative(html, "text/html")
    return message


# ---------------------------------------------------------------------------- readers

def confirmation(*, address: EmailAddress, token: str) -> EmailMultiAlternatives:
    """In the site's language, like every mail to a reader (the site's `language`)."""
    site = address.site
    url = absolute(reverse("notifications:confirm", args=[token]))
    with translation.override(site.language):
        return _build(site=site, address=address,
                      subject=_("Confirm your email address for %(site)s") % {"site": site.name},
                      template="confirm", context={"confirm_url": url},
                      unsubscribe=Unsubscribe(address_id=address.pk))


@dataclass
class NoticeView:
    kind: str
    title: str
    author: str
    excerpt: str
    link: str
    reasons: list[str] = field(default_factory=list)


@dataclass
class ThreadGroup:
    title: str
    url: str
    unsubscribe_url: str
    items: list[NoticeView]


def _thread_title(thread: Thread) -> str:
    return thread.title or thread.url


def _notice_view(notice: Notice) -> NoticeView | None:
    """What one notice says, or None when the page would no longer show it."""
    c: Comment = notice.comment
    link = f"{c.thread.url}#comment-{c.pk}"
    kind = NoticeKind(notice.kind)
    if kind == NoticeKind.NOT_APPROVED:
        if c.status != Status.REJECTED:
            return None  # approved after all, or deleted by its author
        reasons = describe(list(c.reasons or []))
        if verdict(c.moderation) == Verdict.SPAM:
            reasons.append(_("a moderator judged it to be spam"))
        # Its text stays out: the page does not show it either. The link is the article's.
        return NoticeView(kind, _("Your comment was not approved"), "", "", c.thread.url, reasons)
    if c.status != Status.PUBLISHED:
        return None
    author = c.author_name or _("Someone")
    title = {
        NoticeKind.REPLY: _("%(author)s replied to your comment") % {"author": author},
        NoticeKind.FOLLOW: _("%(author)s commented") % {"author": author},
        NoticeKind.APPROVED: _("Your comment was approved and is now published"),
        NoticeKind.PICKED: _("Your comment is an editors' pick"),
    }[kind]
    return NoticeView(kind, title, author, plain_excerpt(c.html, EXCERPT), link)


def notices(*, address: EmailAddress, batch: list[Notice]) -> EmailMultiAlternatives | None:
    """One mail for every unsent notice of an address, grouped by article, in the site's
    language; None when nothing in the batch is still true."""
    with translation.override(address.site.language):
        return _notices(address=address, batch=batch)


def _notices(*, address: EmailAddress, batch: list[Notice]) -> EmailMultiAlternatives | None:
    groups: dict[int, ThreadGroup] = {}
    count = 0
    for notice in batch:
        view = _notice_view(notice)
        if view is None:
            continue
        thread = notice.comment.thread
        if thread.pk not in groups:
            groups[thread.pk] = ThreadGroup(
                _thread_title(thread), thread.url,
                unsubscribe_url(Unsubscribe(address_id=address.pk, thread_id=thread.pk)), [],
            )
        groups[thread.pk].items.append(view)
        count += 1
    if not groups:
        return None
    only = next(iter(groups.values())) if len(groups) == 1 else None
    if only is not None and count == 1:
        subject = _("%(what)s on %(article)s") % {"what": only.items[0].title, "article": only.title}
    elif only is not None:
        subject = ngettext("%(count)s update on %(article)s", "%(count)s updates on %(article)s", count) % {
            "count": count, "article": only.title}
    else:
        subject = ngettext("%(count)s update from %(site)s", "%(count)s updates from %(site)s", count) % {
            "count": count, "site": address.site.name}
    # One thread: the header's one-click unsubscribe stops that thread; several: everything.
    scope = (Unsubscribe(address_id=address.pk, thread_id=next(iter(groups))) if only is not None
             else Unsubscribe(address_id=address.pk))
    return _build(site=address.site, address=address, subject=subject, template="notices",
                  context={"groups": list(groups.values())}, unsubscribe=scope)


# ---------------------------------------------------------------------------- moderators

@dataclass
class AlertItem:
    kind: str
    headline: str
    site: str
    author: str = ""
    excerpt: str = ""
    reasons: list[str] = field(default_factory=list)
    queue_url: str = ""
    actions: list[tuple[str, str]] = field(default_factory=list)  # (label, one-click URL)


@dataclass
class AlertBatch:
    """A moderator's alerts as the destinations send them: `text` is the webhook's message."""

    preference: AlertPreference
    items: list[AlertItem]
    subject: str = ""
    text: str = ""


def _alert_item(alert: Alert, *, user_id: int, with_actions: bool) -> AlertItem | None:
    site = alert.preference.site
    kind = AlertKind(alert.kind)
    if kind == AlertKind.BACKLOG:
        return AlertItem(kind, ngettext("%(n)s comment waits in the pending queue",
                                          "%(n)s comments wait in the pending queue", alert.pending) % {"n": alert.pending},
                         site.name,
                         queue_url=absolute(reverse("moderators:queue", args=["pending"]) + f"?site={site.slug}"))
    if kind == AlertKind.FLAMEWAR:
        war = alert.war
        if war is None:
            return None
        return AlertItem(kind, _("Flame war on %(article)s") % {"article": _thread_title(war.thread)}, site.name,
                         author=", ".join(war.participants),
                         reasons=[_("%(replies)s replies, %(hostile)s hostile") % {
                             "replies": war.comment_count, "hostile": war.hostile_count}],
                         queue_url=absolute(reverse("moderators:flamewars") + f"?thread={war.thread_id}"))
    c = alert.comment
    if c is None or c.status == Status.DELETED:
        return None
    queue = "pending" if kind == AlertKind.HELD else "reported"
    item = AlertItem(
        kind, (_("Held on %(article)s") if kind == AlertKind.HELD else _("Reported on %(article)s"))
        % {"article": _thread_title(c.thread)}, site.name,
        author=c.author_name or _("anonymous"), excerpt=plain_excerpt(c.html, EXCERPT),
        reasons=describe(list(c.reasons or [])),
        queue_url=absolute(reverse("moderators:queue", args=[queue]) + f"?thread={c.thread_id}"),
    )
    if with_actions:
        item.actions = [
            (VERDICT_LABELS[v](), absolute(reverse("notifications:act", args=[
                tokens.action_token(user_id=user_id, comment_id=c.pk, verdict=v)])))
            for v in tokens.ACTION_VERDICTS
        ]
    return item


def alert_batch(*, preference: AlertPreference, alerts: list[Alert]) -> AlertBatch | None:
    """A moderator's alerts in the site's language: a moderator has no language setting of their
    own, and the site's `language` is the one its moderators work in."""
    with translation.override(preference.site.language):
        return _alert_batch(preference=preference, alerts=alerts)


def _alert_batch(*, preference: AlertPreference, alerts: list[Alert]) -> AlertBatch | None:
    items = [i for a in alerts if (i := _alert_item(a, user_id=preference.user_id, with_actions=False))]
    if not items:
        return None
    site = preference.site
    subject = (f"[{site.name}] {items[0].headline}" if len(items) == 1
               else f"[{site.name}] " + ngettext("%(n)s moderation alert", "%(n)s moderation alerts", len(items)) % {
                   "n": len(items)})
    text = "\n".join(f"• {i.headline}" + (f" ({i.author})" if i.author else "") + f" <{i.queue_url}|{_('open')}>"
                     for i in items)
    return AlertBatch(preference, items, subject, text)


def alert_mail(*, batch: AlertBatch, alerts: list[Alert], address: EmailAddress) -> EmailMultiAlternatives:
    """The mail version of a batch: each held or reported comment with its own approve, reject
    and spam links, bound to this moderator, in the site's language like the batch."""
    preference = batch.preference
    with translation.override(preference.site.language):
        items = [i for a in alerts if (i := _alert_item(a, user_id=preference.user_id, with_actions=True))]
        return _build(site=preference.site, address=address, subject=batch.subject, template="alerts",
                      context={"items": items, "preferences_url": absolute(reverse("notifications:alerts"))},
                      unsubscribe=Unsubscribe(preference_id=preference.pk))
