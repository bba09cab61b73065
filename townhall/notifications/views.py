"""The pages links in mail open, and the moderators' alert settings.

Every link from a mail opens a page that changes nothing; its button (POST) acts, so mail
scanners that follow links approve, confirm and unsubscribe nothing. The one exception is the
RFC 8058 one-click unsubscribe, which is a POST by definition (from the mail client, without a
CSRF token). A forged, expired, used or someone else's link is a page that says so.
A reader's pages speak the site's language (as its mail does); a moderator's, their browser's."""

from __future__ import annotations

import hmac
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.models import User
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from townhall.comments.rendering import plain_excerpt
from townhall.core.errors import DomainError, ValidationFailed
from townhall.moderation.decisions import Verdict
from townhall.moderators import selectors as moderator_selectors
from townhall.moderators.views import _base_context, staff_view
from townhall.notifications import services
from townhall.notifications.forms import AlertPreferenceForm

MAX_BOUNCE = 1_000_000  # bytes: a bounce with its original attached; anything larger is not one


def _page(request: HttpRequest, *, title: str, message: str, status: int = 200, button: str = "",
          details: dict[str, Any] | None = None, csrf: bool = True) -> HttpResponse:
    return render(request, "notifications/page.html", {
        "title": title, "message": message, "button": button, "details": details or {}, "csrf": csrf,
    }, status=status)


def _refused(request: HttpRequest, title: str, exc: DomainError) -> HttpResponse:
    if isinstance(exc, ValidationFailed):  # the token field: forged or expired
        code, message = exc.errors[0].code, _("this link %(problem)s") % {"problem": exc.errors[0].message}
    else:
        code, message = exc.code, exc.message
    # 410 for a link that was good once (expired, used): the mail is old, not wrong.
    status = {"expired": 410, "used": 410, "invalid": 400}.get(code, exc.status)
    return _page(request, title=title, message=_("Nothing was changed: %(reason)s.") % {"reason": message},
                 status=status)


@require_http_methods(["GET", "POST"])
def confirm(request: HttpRequest, token: str) -> HttpResponse:
    """GET/POST /mail/confirm/<token>/ — anyone holding the link. GET shows a button; POST
    confirms the address, after which the mail it asked for may be sent."""
    try:
        address = services.address_confirm_check(token=token)
    except DomainError as exc:
        return _refused(request, _("Confirm your email address"), exc)
    with translation.override(address.site.language):
        title = _("Confirm your email address")
        try:
            if request.method == "GET":
                return _page(request, title=title, button=_("Confirm my address"),
                             message=_("Press the button to confirm that you want mail from %(site)s.")
                             % {"site": address.site.name})
            address = services.address_confirm(token=token)
        except DomainError as exc:
            return _refused(request, title, exc)
        return _page(request, title=_("Address confirmed"),
                     message=_("Thank you: %(site)s may now send you the mail you asked for. "
                               "Every mail has a link to stop it.") % {"site": address.site.name})


@csrf_exempt  # RFC 8058: the mail client posts "List-Unsubscribe=One-Click" with no cookie or token
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """GET/POST /mail/unsubscribe/<token>/ — anyone holding the link. GET shows what the link
    stops and a button; POST (the button, or a mail client's one-click) stops it."""
    try:
        site = services.unsubscribe_scope(token=token).site
    except DomainError as exc:
        return _refused(request, _("Unsubscribe"), exc)
    with translation.override(site.language):
        try:
            if request.method == "GET":
                scope = services.unsubscribe_scope(token=token)
                return _page(request, title=_("Unsubscribe"), button=_("Unsubscribe"), csrf=False,
                             message=_("Press the button to stop %(what)s.") % {"what": scope.what})
            scope = services.unsubscribe(token=token)
        except DomainError as exc:
            return _refused(request, _("Unsubscribe"), exc)
        return _page(request, title=_("Unsubscribed"), message=_("Done: no more %(what)s.") % {"what": scope.what})


def _signed_in(request: HttpRequest) -> User | None:
    user = request.user
    return user if isinstance(user, User) and user.is_authenticated else None


@require_http_methods(["GET", "POST"])
def act(request: HttpRequest, token: str) -> HttpResponse:
    """GET/POST /mail/act/<token>/ — the moderator the link was mailed to (signed in as them,
    or not signed in). GET shows the comment and the verdict; POST applies it once, audited as
    that moderator."""
    title = _("Moderate a comment")
    try:
        if request.method == "GET":
            pending = services.action_check(token=token, signed_in=_signed_in(request))
            c = pending.comment
            question = {
                Verdict.APPROVE: _("%(moderator)s: approve comment #%(id)s on “%(article)s”?"),
                Verdict.REJECT: _("%(moderator)s: reject comment #%(id)s on “%(article)s”?"),
                Verdict.SPAM: _("%(moderator)s: mark comment #%(id)s on “%(article)s” as spam?"),
            }[pending.action.verdict]
            button = {Verdict.APPROVE: _("Approve this comment"), Verdict.REJECT: _("Reject this comment"),
                      Verdict.SPAM: _("Spam this comment")}[pending.action.verdict]
            return _page(request, title=title, button=button,
                         message=question % {"moderator": pending.moderator.get_username(), "id": c.pk,
                                             "article": c.thread.title or c.thread.url},
                         details={"author": c.author_name or _("anonymous"), "text": plain_excerpt(c.html, 2000),
                                  "status": c.status})
        pending = services.action_take(token=token, signed_in=_signed_in(request))
    except DomainError as exc:
        return _refused(request, title, exc)
    return _page(request, title=_("Done"), message=_("Comment #%(id)s is now %(status)s (%(verdict)s by %(moderator)s).") % {
        "id": pending.comment.pk, "status": pending.comment.status, "verdict": pending.action.verdict,
        "moderator": pending.moderator.get_username()})


@csrf_exempt  # a mail provider's server posts here; the secret in the path authenticates it
@require_POST
def bounces(request: HttpRequest, secret: str) -> HttpResponse:
    """POST /mail/bounces/<secret>/ — a mail provider (or an MTA pipe) with the configured
    TOWNHALL_MAIL_BOUNCE_SECRET; the body is the raw bounce message. A permanent failure stops
    mail to the address its VERP recipient names. 404 while no secret is configured."""
    expected = settings.MAIL_BOUNCE_SECRET
    if not expected or not hmac.compare_digest(secret.encode(), expected.encode()):
        raise Http404("no such endpoint")
    if len(request.body) > MAX_BOUNCE:
        return JsonResponse({"code": "too_large", "message": f"a bounce is at most {MAX_BOUNCE} bytes"}, status=413)
    bounce = services.bounce_process(raw=request.body)
    return JsonResponse({"recognised": bounce.address_id is not None, "status": bounce.status,
                         "permanent": bounce.permanent, "disabled": bounce.disabled})


@staff_view
@require_http_methods(["GET", "POST"])
def alerts(request: HttpRequest) -> HttpResponse:
    """GET/POST /moderate/alerts/ — a moderator: their alerts per site (when, what, by mail and
    to a Slack-compatible webhook). POST saves one site's form (`site` names it)."""
    user = _signed_in(request)
    assert user is not None  # staff_view requires a signed-in user
    mine = moderator_selectors.my_sites(user)
    if request.method == "POST":
        site = moderator_selectors.access_site(user, request.POST.get("site", ""))
        form = AlertPreferenceForm(request.POST, prefix=site.slug)
        if form.is_valid():
            try:
                services.alert_preference_save(user=user, site=site, **form.cleaned_data)
            except DomainError as exc:
                for error in getattr(exc, "errors", []):
                    form.add_error(error.field if error.field in form.fields else None, error.message)
                if not getattr(exc, "errors", None):
                    form.add_error(None, exc.message)
            else:
                messages.success(request, _("Alerts for %(site)s saved.") % {"site": site.name})
                return redirect("notifications:alerts")
        forms = [(s, form if s.pk == site.pk else AlertPreferenceForm(
            instance=services.alert_preference_get(user=user, site=s), prefix=s.slug)) for s in mine.sites]
        status = 422
    else:
        forms = [(s, AlertPreferenceForm(instance=services.alert_preference_get(user=user, site=s), prefix=s.slug))
                 for s in mine.sites]
        status = 200
    return render(request, "notifications/alerts.html", {
        **_base_context(request, mine=mine), "active": "alerts", "forms": forms, "has_email": bool(user.email),
    }, status=status)
