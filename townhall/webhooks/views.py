"""The webhooks pages of the moderators' dashboard, for a site's admins, under
/moderate/sites/<slug>/webhooks/ (linked from the sites page). Each view fetches through
`selectors.access_*` (404 unknown, 403 not an admin of the site) and calls one service; actions
are POST only and CSRF-checked, and answer with a redirect and a message."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.models import User
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from townhall.comments.models import Site
from townhall.core.errors import DomainError, ValidationFailed
from townhall.moderators.selectors import Queue, my_sites, queue_counts
from townhall.moderators.views import staff_view
from townhall.webhooks import selectors, services
from townhall.webhooks.forms import EndpointForm
from townhall.webhooks.models import Endpoint


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)  # staff_view signed them in
    return user


def _context(request: HttpRequest, site: Site, **extra: Any) -> dict[str, Any]:
    counts = queue_counts(request.user)
    return {
        "counts": counts, "nav": [(q, counts.get(q.value)) for q in Queue], "is_admin": my_sites(request.user).is_admin,
        "site": site, **extra,
    }


@staff_view
@require_http_methods(["GET", "POST"])
def endpoints(request: HttpRequest, slug: str) -> HttpResponse:
    """GET/POST /moderate/sites/<slug>/webhooks/ — an admin of the site. Lists the endpoints and
    adds one (url, description, events); the new endpoint's page shows its secret."""
    site = selectors.access_site_webhooks(request.user, slug)
    form = EndpointForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            endpoint = services.endpoint_create(
                actor=_user(request), site=site, url=form.cleaned_data["url"],
                events=form.cleaned_data["events"], description=form.cleaned_data["description"],
            )
        except ValidationFailed as exc:
            for error in exc.errors:
                form.add_error(error.field if error.field in form.fields else None, error.message)
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("added %(url)s: copy its secret below into the receiver") % {"url": endpoint.url})
            return redirect("webhooks:endpoint", slug=slug, pk=endpoint.pk)
    return render(request, "webhooks/endpoints.html", _context(
        request, site, endpoints=selectors.endpoints_of(site), form=form,
    ))


@staff_view
@require_http_methods(["GET"])
def endpoint(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """GET /moderate/sites/<slug>/webhooks/<id>/ — an admin of the site. The endpoint, its
    secret, its actions and its delivery log (newest 50, each attempt with its answer)."""
    site = selectors.access_site_webhooks(request.user, slug)
    found = selectors.access_endpoint(site, pk)
    return render(request, "webhooks/endpoint.html", _context(
        request, site, endpoint=found, log=selectors.endpoint_log(found),
        retries=len(services.retry_schedule()),
    ))


ACTIONS = {"test", "rotate", "disable", "enable", "remove"}


def _act(request: HttpRequest, endpoint: Endpoint, action: str) -> str:
    actor = _user(request)
    if action == "test":
        services.endpoint_send_test(actor=actor, endpoint=endpoint)
        return _("test event queued: it shows in the log below once the worker has sent it")
    if action == "rotate":
        services.endpoint_rotate_secret(actor=actor, endpoint=endpoint)
        return _("new secret: deliveries carry a signature with the old one too for a while")
    if action in ("disable", "enable"):
        services.endpoint_set_enabled(actor=actor, endpoint=endpoint, enabled=action == "enable")
        return _("endpoint enabled") if action == "enable" else _("endpoint disabled")
    services.endpoint_remove(actor=actor, endpoint=endpoint)
    return _("removed %(url)s") % {"url": endpoint.url}


@staff_view
@require_POST
def endpoint_action(request: HttpRequest, slug: str, pk: int, action: str) -> HttpResponse:
    """POST /moderate/sites/<slug>/webhooks/<id>/<test|rotate|disable|enable|remove>/ — an admin
    of the site. Queues a test event, rotates the secret, disables or enables the endpoint, or
    removes it with its log; each is written to the audit log."""
    site = selectors.access_site_webhooks(request.user, slug)
    found = selectors.access_endpoint(site, pk)
    if action not in ACTIONS:
        messages.error(request, _("unknown action %(action)r") % {"action": action})
        return redirect("webhooks:endpoint", slug=slug, pk=pk)
    try:
        messages.success(request, _act(request, found, action))
    except DomainError as exc:
        messages.error(request, exc.message)
    if action == "remove":
        return redirect("webhooks:endpoints", slug=slug)
    return redirect("webhooks:endpoint", slug=slug, pk=pk)
