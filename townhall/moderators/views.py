"""The moderators' pages under /moderate/. Each view parses input, fetches what it acts on through
`selectors.access_*` (404 unknown, 403 not theirs), and calls one service or selector.

Every page needs a signed-in user (anonymous users are sent to /moderate/login/). Actions are
POST only and CSRF-checked; the queue's script sends `Accept: application/json` and gets JSON
back, plain forms get a redirect to where they came from."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from townhall.articles.selectors import article_for
from townhall.comments.models import Site
from townhall.comments.selectors import thread_locate
from townhall.core.errors import DomainError, Forbidden, NotFound, ValidationFailed
from townhall.identity.sso import staff_ticket_issue
from townhall.moderation.decisions import DESCRIPTIONS, Verdict
from townhall.moderation.models import FlameWarStatus
from townhall.moderators import health, selectors, services
from townhall.moderators.forms import (
    BAN_CHOICES,
    BanForm,
    BulkForm,
    EditForm,
    RoleForm,
    SanctionChangeForm,
    SanctionForm,
    SlowForm,
)
from townhall.moderators.models import Role
from townhall.moderators.selectors import PAGE_SIZE, Queue, QueueFilter

COMMENT_ACTIONS = {"approve", "reject", "spam", "ban", "feature", "unfeature"}
THREAD_ACTIONS = {
    "close", "reopen", "lock", "slow", "premoderate", "postmoderate", "conversations-open", "conversations-close",
    "article",
}
FLAMEWAR_ACTIONS = {"resolve", "slow", "unslow", "lock"}


class LoginView(auth_views.LoginView):
    """GET/POST /moderate/login/ — anyone. Django's sign-in form."""

    template_name = "moderators/login.html"
    redirect_authenticated_user = True


class LogoutView(auth_views.LogoutView):
    """POST /moderate/logout/ — signs out and returns to the sign-in page."""

    next_page = "moderators:login"


# ---------------------------------------------------------------------------- helpers

def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)  # login_required ran first
    return user


View = Callable[..., HttpResponse]


def staff_view(view: View) -> View:
    """Signed in, and the `access_*` selectors' refusals as Django's 404 and 403 pages. Every
    view here is wrapped: objects come only from `selectors.access_*`, which check as they fetch."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except NotFound as exc:
            raise Http404(exc.message) from None
        except Forbidden as exc:
            raise PermissionDenied(exc.message) from None

    return login_required(wrapped)


def _my_sites(request: HttpRequest) -> selectors.MySites:
    mine = selectors.my_sites(request.user)
    if not mine.sites:
        raise PermissionDenied("you moderate no site")
    return mine


def _wants_json(request: HttpRequest) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def _back(request: HttpRequest, default: str) -> HttpResponseRedirect:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                          require_https=request.is_secure()):
        target = default
    return HttpResponseRedirect(target)


def _done(request: HttpRequest, default: str, message: str, data: dict[str, Any]) -> HttpResponse:
    if _wants_json(request):
        return JsonResponse({"ok": True, "message": message, **data})
    messages.success(request, message)
    return _back(request, default)


def _failed(request: HttpRequest, default: str, exc: DomainError) -> HttpResponse:
    if _wants_json(request):
        return JsonResponse({"ok": False, "code": exc.code, "message": exc.message}, status=exc.status)
    messages.error(request, exc.message)
    return _back(request, default)


MAX_PAGE = 100_000
MAX_ID = 2**63 - 1  # above a database integer, no row can match; the query must not overflow


def _int(value: str | None, default: int) -> int:
    try:
        return int(value or "")
    except ValueError:
        return default


def _minutes(request: HttpRequest, *, optional: bool = False) -> int | None:
    """The `minutes` of a slow-mode form; None when it is optional and left empty."""
    if optional and not request.POST.get("minutes", "").strip():
        return None
    form = SlowForm(request.POST)
    if not form.is_valid():
        raise DomainError(f"minutes must be a whole number between 0 and {services.MAX_SLOW_MINUTES}", code="invalid")
    minutes: int = form.cleaned_data["minutes"]
    return minutes


def _page(request: HttpRequest) -> int:
    # Bounded: an absurd page number must be an empty page, not an integer overflow in SQL.
    return min(max(1, _int(request.GET.get("page"), 1)), MAX_PAGE)


def _base_context(request: HttpRequest, site: Site | None = None,
                  mine: selectors.MySites | None = None) -> dict[str, Any]:
    user = request.user
    counts = selectors.queue_counts(user, site)
    return {
        "counts": counts,
        "nav": [(q, counts.get(q.value)) for q in Queue],
        "is_admin": (mine or selectors.my_sites(user)).is_admin,
        "ban_choices": BAN_CHOICES,
    }


# ---------------------------------------------------------------------------- queues

@staff_view
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """GET /moderate/ — a moderator: the pending queue."""
    return redirect("moderators:queue", queue=Queue.PENDING.value)


def _filters(request: HttpRequest) -> QueueFilter:
    filters = QueueFilter(reason=request.GET.get("reason", "").strip(), search=request.GET.get("q", "").strip()[:200])
    if slug := request.GET.get("site"):
        filters.site = selectors.access_site(request.user, slug)
    if thread_id := _int(request.GET.get("thread"), 0):
        filters.thread = selectors.access_thread(request.user, min(thread_id, MAX_ID))
    return filters


@staff_view
@require_GET
def queue(request: HttpRequest, queue: str) -> HttpResponse:
    """GET /moderate/queue/<pending|reported|flagged|approved|rejected>/?site=&thread=&reason=&q=&page=
    — a moderator of at least one site (403 with none; 403 when filtering by a site or thread
    they do not moderate). Lists the queue, most likely harmful first."""
    try:
        which = Queue(queue)
    except ValueError:
        raise Http404("no such queue") from None
    mine = _my_sites(request)
    filters = _filters(request)
    page = _page(request)
    rows = list(selectors.queue_comments(request.user, which, filters)[(page - 1) * PAGE_SIZE: page * PAGE_SIZE + 1])
    has_more = len(rows) > PAGE_SIZE
    params = {k: v for k, v in request.GET.items() if k != "page" and v}
    return render(request, "moderators/queue.html", {
        **_base_context(request, filters.site, mine),
        "queue": which,
        "items": selectors.queue_items(rows[:PAGE_SIZE]),
        "filters": filters,
        "sites": mine.sites,
        "reasons": sorted((str(r), d) for r, d in DESCRIPTIONS.items()),
        "page": page,
        "has_more": has_more,
        "next_query": urlencode({**params, "page": page + 1}),
        "prev_query": urlencode({**params, "page": page - 1}),
        "filter_query": urlencode(params),
        "here": request.get_full_path(),
    })


@staff_view
@require_GET
def flamewars(request: HttpRequest) -> HttpResponse:
    """GET /moderate/flamewars/?site=&thread=&all=1 — a moderator. Each flame war as one item:
    participants, counts, its hostile comments, and what can be done about it."""
    mine = _my_sites(request)
    filters = _filters(request)
    wars = selectors.flamewars_for(request.user, site=filters.site, thread=filters.thread)
    show_all = request.GET.get("all") == "1"
    if not show_all:
        wars = wars.filter(status=FlameWarStatus.OPEN)
    return render(request, "moderators/flamewars.html", {
        **_base_context(request, filters.site, mine),
        "wars": selectors.flamewar_views(list(wars[:PAGE_SIZE])),
        "filters": filters,
        "sites": mine.sites,
        "show_all": show_all,
        "here": request.get_full_path(),
    })


# ---------------------------------------------------------------------------- comment actions

@staff_view
@require_POST
def comment_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """POST /moderate/comments/<id>/<approve|reject|spam|ban|feature|unfeature>/ — a moderator
    of the comment's site. `ban` also takes ban_days. Writes the audit log."""
    if action not in COMMENT_ACTIONS:
        raise Http404("no such action")
    comment = selectors.access_comment(request.user, pk)
    default = reverse("moderators:queue", args=[Queue.PENDING.value])
    moderator = _user(request)
    try:
        if action in ("feature", "unfeature"):
            services.comment_set_featured(moderator=moderator, comment=comment, featured=action == "feature")
            said = _("#%(id)s featured") if action == "feature" else _("#%(id)s no longer featured")
            return _done(request, default, said % {"id": pk},
                         {"id": pk, "featured": action == "feature"})
        ban_days = None
        if action == "ban":
            form = BanForm(request.POST)
            if not form.is_valid():
                raise ValidationFailed.one("ban_days", f"must be a number of days between 1 and {services.MAX_BAN_DAYS}")
            ban_days = services.ban_days_or_default(form.cleaned_data["ban_days"])
        updated = services.comment_decide(moderator=moderator, comment=comment, verdict=Verdict(action),
                                          ban_days=ban_days)
    except DomainError as exc:
        return _failed(request, default, exc)
    words = {"approve": _("#%(id)s approved"), "reject": _("#%(id)s rejected"), "spam": _("#%(id)s marked as spam"),
             "ban": _("#%(id)s rejected, author banned for %(days)s days")}[action]
    return _done(request, default, words % {"id": pk, "days": ban_days}, {"id": pk, "status": updated.status})


@staff_view
@require_POST
def bulk(request: HttpRequest) -> HttpResponse:
    """POST /moderate/bulk/ ids=..&action=approve|reject|spam — a moderator of every selected
    comment's site (403 if any is not theirs). One audit entry per comment."""
    form = BulkForm(request.POST)
    default = reverse("moderators:queue", args=[Queue.PENDING.value])
    if not form.is_valid():
        message = "select at least one comment" if "ids" in form.errors else "unknown bulk action"
        if _wants_json(request):
            return JsonResponse({"ok": False, "code": "invalid", "message": message}, status=422)
        messages.error(request, message)
        return _back(request, default)
    comments = selectors.access_comments(request.user, form.cleaned_data["ids"])
    try:
        count = services.comments_decide(moderator=_user(request), comments=comments,
                                         verdict=Verdict(form.cleaned_data["action"]))
    except DomainError as exc:
        return _failed(request, default, exc)
    words = {"approve": ngettext("%(n)s comment approved", "%(n)s comments approved", count),
             "reject": ngettext("%(n)s comment rejected", "%(n)s comments rejected", count),
             "spam": ngettext("%(n)s comment marked as spam", "%(n)s comments marked as spam", count),
             }[form.cleaned_data["action"]]
    return _done(request, default, words % {"n": count}, {"count": count})


@staff_view
@require_http_methods(["GET", "POST"])
def comment_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """GET/POST /moderate/comments/<id>/edit/ — a moderator of the comment's site. Edits or
    redacts the text; the original is kept (shown here) and the audit log has both."""
    comment = selectors.access_comment(request.user, pk)
    form = EditForm(request.POST or None, initial={"text": comment.text})
    if request.method == "POST" and form.is_valid():
        try:
            services.comment_edit_text(moderator=_user(request), comment=comment, text=form.cleaned_data["text"])
        except DomainError as exc:
            form.add_error("text", exc.message)
        else:
            return _done(request, reverse("moderators:queue", args=[Queue.PENDING.value]),
                         _("#%(id)s edited; the original is kept") % {"id": pk}, {"id": pk})
    return render(request, "moderators/edit.html", {
        **_base_context(request),
        "comment": comment,
        "form": form,
        "original": (comment.moderation or {}).get("original_text", ""),
        "next": request.GET.get("next", ""),
    })


@staff_view
@require_GET
def comment_explain(request: HttpRequest, pk: int) -> HttpResponse:
    """GET /moderate/comments/<id>/explain/ — a moderator of the comment's site. The phrases that
    drove the hostility score (occlusion on the model that scored it), computed now, when a moderator
    opens the item: it costs a few dozen forward passes, which the posting path never pays."""
    comment = selectors.access_comment(request.user, pk)
    phrases = selectors.comment_explanation(comment)
    if _wants_json(request):
        return JsonResponse({"id": pk, "phrases": [{"text": p.text, "weight": p.weight} for p in phrases]})
    return render(request, "moderators/explain.html", {
        **_base_context(request), "comment": comment, "phrases": phrases,
    })


# ---------------------------------------------------------------------------- threads and wars

@staff_view
@require_GET
def thread_health(request: HttpRequest, pk: int) -> HttpResponse:
    """GET /moderate/threads/<id>/health/ — a moderator of the thread's site. The thread drawn
    over time (SVG), and its controls: close, lock, slow mode, pre-moderation."""
    thread = selectors.access_thread(request.user, pk)
    stats = health.thread_stats(thread)
    return render(request, "moderators/thread.html", {
        **_base_context(request, thread.site),
        "thread": thread,
        "stats": stats,
        "chart": health.render_svg(stats),
        "wars": selectors.flamewar_views(list(selectors.flamewars_for(request.user, thread=thread))),
        "article": article_for(thread),
        "here": request.get_full_path(),
    })


@staff_view
@require_POST
def thread_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """POST /moderate/threads/<id>/<close|reopen|lock|slow|premoderate|postmoderate|
    conversations-open|conversations-close|article>/ — a moderator of the thread's site. `slow`
    takes minutes (0 = off) and applies to the thread's open flame wars; `article` takes the
    article's `text` (the quote check's reference). Every action is audited."""
    if action not in THREAD_ACTIONS:
        raise Http404("no such action")
    thread = selectors.access_thread(request.user, pk)
    default = reverse("moderators:thread_health", args=[pk])
    moderator = _user(request)
    try:
        if action == "article":
            article = services.thread_article_replace(moderator=moderator, thread=thread,
                                                      text=request.POST.get("text", ""))
            return _done(request, default, f"article text replaced (version {article.version})",
                         {"id": pk, "article_hash": article.hash})
        if action == "slow":
            minutes = _minutes(request) or 0
            n = services.thread_set_slow_mode(moderator=moderator, thread=thread, minutes=minutes)
            message = f"slow mode {'off' if not minutes else f'{minutes} min'} on {n} flame war{'s' if n != 1 else ''}"
        elif action in ("conversations-open", "conversations-close"):
            opened = action == "conversations-open"
            thread = services.thread_set_conversations_open(moderator=moderator, thread=thread, open_=opened)
            message = "conversations shown open" if opened else "conversations shown collapsed"
            return _done(request, default, message, {"id": pk, "conversations_open": opened})
        elif action in ("premoderate", "postmoderate"):
            thread = services.thread_premoderate(moderator=moderator, thread=thread, premoderate=action == "premoderate")
            message = "every new comment here waits for a moderator" if thread.premoderate else "pre-moderation off"
            return _done(request, default, message, {"id": pk, "premoderate": thread.premoderate})
        else:
            thread = services.thread_close(moderator=moderator, thread=thread, closed=action != "reopen",
                                           lock=action == "lock")
            message = {"close": "thread closed", "lock": "thread locked", "reopen": "thread reopened"}[action]
    except DomainError as exc:
        return _failed(request, default, exc)
    return _done(request, default, message, {"id": pk, "closed": thread.closed})


@staff_view
@require_POST
def flamewar_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """POST /moderate/flamewars/<id>/<resolve|slow|unslow|lock>/ — a moderator of the war's site.
    `slow` takes minutes (default: the site's policy); `lock` closes the thread."""
    if action not in FLAMEWAR_ACTIONS:
        raise Http404("no such action")
    war = selectors.access_flamewar(request.user, pk)
    default = reverse("moderators:flamewars")
    moderator = _user(request)
    try:
        if action == "resolve":
            services.flamewar_close(moderator=moderator, war=war)
            message = "flame war resolved"
        elif action == "lock":
            services.flamewar_lock_thread(moderator=moderator, war=war)
            message = "thread locked, flame war resolved"
        else:
            minutes: int | None = 0
            if action == "slow":
                # No number (or 0) on "slow mode on": the service takes the site's pace.
                minutes = _minutes(request, optional=True) or None
            war = services.flamewar_set_slow_mode(moderator=moderator, war=war, minutes=minutes)
            message = f"slow mode {'off' if not war.slow_minutes else f'on: one reply per {war.slow_minutes} min'}"
    except DomainError as exc:
        return _failed(request, default, exc)
    return _done(request, default, message, {"id": pk})


# ---------------------------------------------------------------------------- sites, roles, audit

@staff_view
@require_GET
def sites(request: HttpRequest) -> HttpResponse:
    """GET /moderate/sites/ — a moderator: their sites, with pre-moderation and (for admins) roles."""
    mine = _my_sites(request)
    return render(request, "moderators/sites.html", {
        **_base_context(request, mine=mine),
        "rows": selectors.site_rows(mine),
        "here": request.get_full_path(),
    })


@staff_view
@require_POST
def site_thresholds(request: HttpRequest, slug: str) -> HttpResponse:
    """POST /moderate/sites/<slug>/thresholds/ keep=1|0 — an admin of the site. After a model
    change: keep the site's own hostility thresholds, or take the new model's defaults."""
    site = selectors.access_site(request.user, slug, admin=True)
    keep = request.POST.get("keep") == "1"
    services.site_thresholds_settle(actor=_user(request), site=site, keep=keep)
    message = "kept the site's own thresholds" if keep else "now using the model's calibrated thresholds"
    return _done(request, reverse("moderators:sites"), message, {"keep": keep})


@staff_view
@require_POST
def site_premoderate(request: HttpRequest, slug: str) -> HttpResponse:
    """POST /moderate/sites/<slug>/premoderate/ on=1|0 — a moderator of the site. Holds every new
    comment for review (or stops)."""
    site = selectors.access_site(request.user, slug)
    on = request.POST.get("on") == "1"
    try:
        services.site_set_premoderation(moderator=_user(request), site=site, premoderate=on)
    except DomainError as exc:
        return _failed(request, reverse("moderators:sites"), exc)
    return _done(request, reverse("moderators:sites"),
                 f"{site.slug}: {'every new comment waits for a moderator' if on else 'pre-moderation off'}",
                 {"premoderate": on})


@staff_view
@require_POST
def site_slow_mode(request: HttpRequest, slug: str) -> HttpResponse:
    """POST /moderate/sites/<slug>/slow/ minutes=N — a moderator of the site. The slow mode new
    flame wars start with (0: none)."""
    site = selectors.access_site(request.user, slug)
    default = reverse("moderators:sites")
    try:
        minutes = services.site_set_slow_mode(moderator=_user(request), site=site, minutes=_minutes(request) or 0)
    except DomainError as exc:
        return _failed(request, default, exc)
    words = f"one reply per {minutes} min" if minutes else "no slow mode"
    return _done(request, default, f"{site.slug}: new flame wars start with {words}", {"minutes": minutes})


@staff_view
@require_http_methods(["GET", "POST"])
def site_roles(request: HttpRequest, slug: str) -> HttpResponse:
    """GET/POST /moderate/sites/<slug>/roles/ — an admin of the site. Lists its moderators and
    adds one (username, role)."""
    site = selectors.access_site(request.user, slug, admin=True)
    form = RoleForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = selectors.user_by_username(form.cleaned_data["username"])
        if user is None:
            form.add_error("username", "no user by that name: create the account in /admin/ first")
        else:
            try:
                services.siterole_grant(actor=_user(request), site=site, user=user, role=Role(form.cleaned_data["role"]))
            except DomainError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, f"{user.username} is now {form.cleaned_data['role']} of {site.slug}")
                return redirect("moderators:site_roles", slug=slug)
    return render(request, "moderators/roles.html", {
        **_base_context(request),
        "site": site,
        "roles": selectors.site_roles(site),
        "form": form,
    })


@staff_view
@require_POST
def site_role_remove(request: HttpRequest, slug: str, user_id: int) -> HttpResponse:
    """POST /moderate/sites/<slug>/roles/<user id>/remove/ — an admin of the site."""
    site = selectors.access_site(request.user, slug, admin=True)
    user = selectors.access_site_member(request.user, site, min(user_id, MAX_ID))
    default = reverse("moderators:site_roles", args=[slug])
    try:
        services.siterole_revoke(actor=_user(request), site=site, user=user)
    except DomainError as exc:
        return _failed(request, default, exc)
    return _done(request, default, f"{user.username} no longer moderates {site.slug}", {})


@staff_view
@require_http_methods(["GET", "POST"])
def site_sanctions(request: HttpRequest, slug: str) -> HttpResponse:
    """GET/POST /moderate/sites/<slug>/sanctions/ — a moderator of the site. Lists its bans,
    suspensions, pre-moderations and warnings; adds one (on the author of a comment, or by
    hand). Audited."""
    site = selectors.access_site(request.user, slug)
    # From a queue item: ?comment=ID fills in the comment whose author is to be sanctioned.
    form = SanctionForm(request.POST or None, initial={"comment": _int(request.GET.get("comment"), 0) or None})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if data.get("comment"):
                comment = selectors.access_comment(request.user, min(data["comment"], MAX_ID))
                if comment.thread.site_id != site.pk:
                    raise ValidationFailed.one("comment", _("is on another site"))
                made = services.sanction_author(moderator=_user(request), comment=comment, action=data["action"],
                                                days=data.get("days"), message=data.get("message", ""))
                done = ngettext("%(action)s: %(count)s identifier of the author of comment #%(id)s",
                                "%(action)s: %(count)s identifiers of the author of comment #%(id)s", len(made)) % {
                    "action": data["action"], "count": len(made), "id": comment.pk}
            else:
                services.sanction_create(moderator=_user(request), site=site, kind=data["kind"], value=data["value"],
                                         action=data["action"], days=data.get("days"), message=data.get("message", ""))
                done = f"{data['action']}: {data['kind']}"
        except NotFound as exc:
            form.add_error("comment", exc.message)
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, done)
            return redirect("moderators:site_sanctions", slug=slug)
    return render(request, "moderators/sanctions.html", {
        **_base_context(request),
        "site": site,
        "rows": selectors.site_sanctions(site),
        "form": form,
        "change_form": SanctionChangeForm(),
        "now": timezone.now(),
    })


@staff_view
@require_POST
def comment_as_staff(request: HttpRequest, slug: str) -> HttpResponse:
    """POST /moderate/sites/<slug>/comment-as-staff/ url=PAGE — a moderator of the site. Opens
    the page with a one-time, 10-minute sign-in ticket in its fragment (never sent to a server):
    the widget signs them in as staff, with the staff badge."""
    site = selectors.access_site(request.user, slug)
    try:
        url = thread_locate(site=site, url=request.POST.get("url", ""))
    except DomainError as exc:
        return _failed(request, reverse("moderators:sites"), exc)
    user = _user(request)
    ticket = staff_ticket_issue(site=site, user_id=user.pk, name=user.get_full_name() or user.get_username())
    return HttpResponseRedirect(f"{url}#townhall-sign-in={ticket}")


@staff_view
@require_POST
def sanction_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """POST /moderate/sanctions/<id>/lift|change/ — a moderator of its site. Lift it, or change
    what it does and for how long (days from now; empty: until lifted). Audited."""
    ban = selectors.access_sanction(request.user, min(pk, MAX_ID))
    default = reverse("moderators:site_sanctions", args=[ban.site.slug])
    try:
        if action == "lift":
            services.sanction_lift(moderator=_user(request), ban=ban)
            return _done(request, default, _("lifted"), {"id": ban.pk})
        if action != "change":
            raise Http404("no such action")
        form = SanctionChangeForm(request.POST)
        if not form.is_valid():
            raise ValidationFailed.one("days", _("must be a number of days up to %(n)s") % {"n": services.MAX_BAN_DAYS})
        services.sanction_change(moderator=_user(request), ban=ban, action=form.cleaned_data["action"],
                                 days=form.cleaned_data.get("days"))
    except DomainError as exc:
        return _failed(request, default, exc)
    return _done(request, default, _("changed"), {"id": ban.pk})


@staff_view
@require_GET
def audit(request: HttpRequest) -> HttpResponse:
    """GET /moderate/audit/?site=&page= — an admin of at least one site (entries of the sites
    they administer; superusers see all)."""
    if not selectors.sites_administered(request.user).exists():
        raise PermissionDenied("only admins read the audit log")
    site = None
    if slug := request.GET.get("site"):
        site = selectors.access_site(request.user, slug, admin=True)
    page = _page(request)
    size = 100
    rows = list(selectors.audit_entries(request.user, site=site)[(page - 1) * size: page * size + 1])
    return render(request, "moderators/audit.html", {
        **_base_context(request),
        "rows": selectors.audit_rows(rows[:size]),
        "site": site,
        "sites": selectors.sites_administered(request.user),
        "page": page,
        "has_more": len(rows) > size,
    })
