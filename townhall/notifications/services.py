"""Writes a reader or a moderator causes: asking for mail (which mails a confirmation link the
first time), following an article, unsubscribing, alert preferences, one-click verdicts, and the
bounces that stop mail to an address."""

from __future__ import annotations

import email
import email.policy
import re
from dataclasses import dataclass
from datetime import timedelta

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext

from townhall.comments.models import Comment, Site, Status, Thread
from townhall.comments.selectors import thread_locate
from townhall.comments.services import _thread_get_or_create
from townhall.core.errors import Conflict, FieldError, Forbidden, NotFound, ValidationFailed
from townhall.identity.models import EmailAddress
from townhall.identity.selectors import reader_bound_to
from townhall.identity.services import (
    email_address_confirm,
    email_address_disable,
    email_address_register,
    email_confirmation_check,
)
from townhall.moderation.decisions import Verdict
from townhall.moderators.privacy import Whose
from townhall.moderators.selectors import can_moderate
from townhall.moderators.services import comment_decide
from townhall.notifications import tasks, tokens
from townhall.notifications.delivery import webhook_check
from townhall.notifications.models import (
    ActionUse,
    AddressState,
    Alert,
    AlertMode,
    AlertPreference,
    Notice,
    ThreadFollow,
    ThreadMute,
)
from townhall.notifications.tokens import Unsubscribe

CONFIRMATION_EVERY = timedelta(hours=1)  # at most one confirmation mail per address per hour


def address_request(*, site: Site, email: str, reader: str = "") -> EmailAddress:
    """An address asks for mail. The first time (and again, at most hourly, until it is
    confirmed) a confirmation link is mailed; nothing else goes to it before it is followed.
    `reader`: the browser that asked; its link binds it to the address, so a browser not yet
    bound gets one (at most hourly) even for a confirmed address.
    Asking again after "stop all mail" is asking again: the stop is lifted."""
    address, _ = email_address_register(site=site, email=email)
    with transaction.atomic():
        state, _ = AddressState.objects.select_for_update().get_or_create(address=address)
        now = timezone.now()
        state.unsubscribed = None
        unbound = bool(reader) and not reader_bound_to(site=site, reader=reader, address=address)
        if (address.confirmed is None or unbound) and address.disabled is None and (
            state.confirmation_sent is None or now - state.confirmation_sent > CONFIRMATION_EVERY
        ):
            state.confirmation_sent = now
            tasks.confirmation_send.enqueue(address.pk, 0, reader)
        state.save()
    return address


def _clean_email(value: str) -> str:
    value = value.strip()
    try:
        validate_email(value)
    except DjangoValidationError:
        raise ValidationFailed.one("email", gettext("is not an email address")) from None
    return value


def thread_follow(*, site: Site, url: str, email: str, title: str = "", reader: str = "") -> Thread:
    """Mail every new published comment of an article to `email` (once it is confirmed).
    `reader`: the reader id of the browser that asked (its confirmation link binds it).
    Side effects: a confirmation mail the first time; the thread's follower count."""
    errors: list[FieldError] = []
    try:
        canonical = thread_locate(site=site, url=url)
    except ValidationFailed as exc:
        errors.extend(exc.errors)
    try:
        email = _clean_email(email)
    except ValidationFailed as exc:
        errors.extend(exc.errors)
    if errors:
        raise ValidationFailed(errors)
    thread = _thread_get_or_create(site=site, url=canonical, title=title.strip()[:300])
    address = address_request(site=site, email=email, reader=reader)
    with transaction.atomic():
        ThreadMute.objects.filter(address=address, thread=thread).delete()
        _, created = ThreadFollow.objects.get_or_create(address=address, thread=thread)
        if created:
            Thread.objects.filter(pk=thread.pk).update(followers=F("followers") + 1)
    return thread


def _unfollow(address_id: int, thread_id: int) -> None:
    if ThreadFollow.objects.filter(address_id=address_id, thread_id=thread_id).delete()[0]:
        Thread.objects.filter(pk=thread_id, followers__gt=0).update(followers=F("followers") - 1)


@dataclass
class UnsubscribeScope:
    """What an unsubscribe link stops, in words for its page (no address in it)."""

    what: str
    site: Site


def unsubscribe_scope(*, token: str) -> UnsubscribeScope:
    scope = tokens.unsubscribe_read(token)
    if scope.preference_id:
        pref = AlertPreference.objects.select_related("site").filter(pk=scope.preference_id).first()
        if pref is None:
            raise NotFound(gettext("these alerts no longer exist"), code="not_found")
        return UnsubscribeScope(gettext("moderation alerts for %(site)s") % {"site": pref.site.name}, pref.site)
    address = EmailAddress.objects.select_related("site").filter(pk=scope.address_id).first()
    if address is None:
        raise NotFound(gettext("this address is no longer known here"), code="not_found")
    if scope.thread_id:
        thread = Thread.objects.filter(pk=scope.thread_id, site=address.site).first()
        if thread is None:
            raise NotFound(gettext("this article is no longer known here"), code="not_found")
        return UnsubscribeScope(gettext("mail about “%(article)s”") % {"article": thread.title or thread.url}, address.site)
    return UnsubscribeScope(gettext("all mail from %(site)s") % {"site": address.site.name}, address.site)


def unsubscribe(*, token: str) -> UnsubscribeScope:
    """Apply an unsubscribe link (idempotent): one thread (its replies, follow and outcomes),
    everything for the address, or a moderator's alerts for a site."""
    described = unsubscribe_scope(token=token)
    scope: Unsubscribe = tokens.unsubscribe_read(token)
    with transaction.atomic():
        if scope.preference_id:
            AlertPreference.objects.filter(pk=scope.preference_id).update(mode=AlertMode.OFF)
        elif scope.thread_id:
            ThreadMute.objects.get_or_create(address_id=scope.address_id, thread_id=scope.thread_id)
            _unfollow(scope.address_id, scope.thread_id)
        else:
            state, _ = AddressState.objects.get_or_create(address_id=scope.address_id)
            if state.unsubscribed is None:
                state.unsubscribed = timezone.now()
                state.save(update_fields=["unsubscribed"])
            for thread_id in ThreadFollow.objects.filter(address_id=scope.address_id).values_list("thread_id", flat=True):
                _unfollow(scope.address_id, thread_id)
    return described


def address_confirm_check(*, token: str) -> EmailAddress:
    """The address a confirmation link is for, changing nothing (expired or forged: 422)."""
    return email_confirmation_check(token=token)


def address_confirm(*, token: str) -> EmailAddress:
    """Follow a confirmation link: from now on mail may go to the address."""
    return email_address_confirm(token=token)


# ---------------------------------------------------------------------------- moderators

PREFERENCE_FIELDS = ("mode", "by_mail", "held", "reported", "flamewars", "backlog", "backlog_threshold", "webhook_url")


def alert_preference_get(*, user: User, site: Site) -> AlertPreference:
    """A moderator's alerts for a site, unsaved defaults (off) when they never set them."""
    return AlertPreference.objects.filter(user=user, site=site).first() or AlertPreference(user=user, site=site)


def alert_preference_save(*, user: User, site: Site, **fields: object) -> AlertPreference:
    """Set a moderator's alerts for one of their sites. Mail alerts register the account's
    address on the site, which mails a confirmation link the first time."""
    if not can_moderate(user, site):
        raise Forbidden("you do not moderate this site")
    unknown = set(fields) - set(PREFERENCE_FIELDS)
    if unknown:
        raise ValidationFailed([FieldError(f, "is not an alert setting") for f in sorted(unknown)])
    preference = alert_preference_get(user=user, site=site)
    for name, value in fields.items():
        setattr(preference, name, value)
    errors: list[FieldError] = []
    if preference.mode not in AlertMode.values:
        errors.append(FieldError("mode", f"must be one of: {', '.join(AlertMode.values)}"))
    try:
        preference.webhook_url = webhook_check(preference.webhook_url)
    except ValidationFailed as exc:
        errors.extend(exc.errors)
    wants_mail = preference.mode != AlertMode.OFF and preference.by_mail
    if wants_mail and not user.email:
        errors.append(FieldError("by_mail", "your account has no email address; ask an admin to add one"))
    if errors:
        raise ValidationFailed(errors)
    with transaction.atomic():
        preference.save()
        if wants_mail:
            address_request(site=site, email=user.email)
    return preference


@dataclass
class PendingAction:
    """A one-click verdict link, checked: who, on what, which verdict."""

    action: tokens.Action
    moderator: User
    comment: Comment


def action_check(*, token: str, signed_in: User | None) -> PendingAction:
    """A verdict link from an alert mail, checked without acting: signed by this server, not
    expired, not used, for this moderator (the signed-in one, if anyone is), who still
    moderates the comment's site, and a comment still there to judge."""
    action = tokens.action_read(token)
    if ActionUse.objects.filter(nonce=action.nonce).exists():
        raise Conflict(gettext("this link was already used; each link works once"), code="used")
    moderator = User.objects.filter(pk=action.user_id, is_active=True).first()
    if moderator is None:
        raise Forbidden(gettext("this link's moderator account no longer exists"), code="forbidden")
    if signed_in is not None and signed_in.is_authenticated and signed_in.pk != moderator.pk:
        raise Forbidden(gettext("this link was sent to another moderator; use your own, or the queue"), code="other_moderator")
    comment = Comment.objects.select_related("thread__site").filter(pk=action.comment_id).first()
    if comment is None or comment.status == Status.DELETED:
        raise NotFound(gettext("this comment no longer exists (its author deleted it)"), code="comment_not_found")
    if not can_moderate(moderator, comment.thread.site):
        raise Forbidden(gettext("you no longer moderate this comment's site"), code="forbidden")
    return PendingAction(action, moderator, comment)


def action_take(*, token: str, signed_in: User | None) -> PendingAction:
    """Use a verdict link once: the same checks, then the verdict as its moderator (audited as
    any verdict from the queue). A link used twice, even at the same moment, acts once."""
    pending = action_check(token=token, signed_in=signed_in)
    try:
        with transaction.atomic():
            ActionUse.objects.create(nonce=pending.action.nonce, user=pending.moderator, comment=pending.comment,
                                     verdict=str(pending.action.verdict))
            pending.comment = comment_decide(moderator=pending.moderator, comment=pending.comment,
                                             verdict=Verdict(pending.action.verdict))
    except IntegrityError:
        raise Conflict(gettext("this link was already used; each link works once"), code="used") from None
    return pending


# ---------------------------------------------------------------------------- bounces

VERP_RE = re.compile(r"[\w.!#$%&'*/=?^`{|}~-]+\+b\d+-[0-9a-fA-F]+@[\w.-]+")
STATUS_RE = re.compile(r"^Status:\s*([245])\.(\d{1,3})\.(\d{1,3})", re.IGNORECASE | re.MULTILINE)


@dataclass
class Bounce:
    address_id: int | None
    permanent: bool
    status: str
    disabled: bool = False


def bounce_process(*, raw: bytes) -> Bounce:
    """Read a bounce (a delivery status notification, RFC 3464) sent back to a VERP return
    path. A permanent failure (status 5.x.x) stops mail to the address it names; a delay
    (4.x.x) changes nothing. A message that is not a DSN (an auto-reply) changes nothing."""
    message = email.message_from_bytes(raw, policy=email.policy.default)
    address_id = None
    for header in ("Delivered-To", "X-Original-To", "Envelope-To", "To"):
        for value in message.get_all(header) or []:
            for candidate in VERP_RE.findall(str(value)):
                address_id = tokens.verp_read(candidate)
                if address_id:
                    break
            if address_id:
                break
        if address_id:
            break
    status = ""
    for part in message.walk():
        if part.get_content_type() == "message/delivery-status":
            payload = part.get_payload()
            text = "\n".join(str(p) for p in payload) if isinstance(payload, list) else str(payload)
            found = STATUS_RE.search(text)
            if found:
                status = ".".join(found.groups())
                break
    permanent = status.startswith("5")
    bounce = Bounce(address_id, permanent, status)
    if address_id is None or not permanent:
        return bounce
    address = EmailAddress.objects.filter(pk=address_id).first()
    if address is not None:
        bounce.disabled = email_address_disable(address=address, reason=f"bounced: {status}")
    return bounce


def notices_erase(whose: Whose, ids: list[int]) -> int:
    """Erasure's reach into the mail (a `privacy.register_eraser` eraser, run inside the
    erasure's transaction): unsent notices and moderator alerts about the erased comments go, so
    no mail quotes a comment after its author was erased (a deleted comment's go with it; these
    are the ones kept as placeholders). The reader's address, its follows, mutes and notices go
    with identity's row when the erasure knows the address. Returns the rows deleted."""
    notices = Notice.objects.filter(comment_id__in=ids, comment__thread__site=whose.site).delete()[0]
    alerts = Alert.objects.filter(comment_id__in=ids, comment__thread__site=whose.site).delete()[0]
    return notices + alerts
