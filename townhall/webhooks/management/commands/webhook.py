"""`townhall webhook add|list|rotate|enable|test|remove`: a site's webhook endpoints."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from townhall.comments.commandline import site_or_error
from townhall.core.errors import DomainError
from townhall.webhooks import services
from townhall.webhooks.models import SUBSCRIBABLE, Endpoint


def _endpoint(pk: int) -> Endpoint:
    endpoint = Endpoint.objects.select_related("site").filter(pk=pk).first()
    if endpoint is None:
        raise CommandError(f"no webhook endpoint {pk} (see `townhall webhook list`)")
    return endpoint


class Command(BaseCommand):
    help = "Manage webhook endpoints: add, list, rotate, enable, test, remove."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        add = sub.add_parser("add", help="Add an endpoint to a site; prints its id and secret.")
        add.add_argument("--site", required=True, help="the site's slug")
        add.add_argument("url", help="the receiver's http(s) URL")
        add.add_argument("--events", default=",".join(SUBSCRIBABLE),
                         help=f"comma-separated events (default: all of {', '.join(SUBSCRIBABLE)})")
        add.add_argument("--description", default="")
        ls = sub.add_parser("list", help="List endpoints with their state.")
        ls.add_argument("--site", help="only this site")
        for name, text in (("rotate", "Give an endpoint a new secret (the old one signs too for a while); prints it."),
                           ("enable", "Enable a disabled endpoint again."),
                           ("test", "Queue a webhook.test event for an endpoint."),
                           ("remove", "Remove an endpoint and its delivery log.")):
            sub.add_parser(name, help=text).add_argument("id", type=int, help="the endpoint's id (see list)")

    def handle(self, *args: Any, **opts: Any) -> None:
        action = opts["action"]
        try:
            if action == "add":
                events = [e.strip() for e in opts["events"].split(",") if e.strip()]
                endpoint = services.endpoint_create(actor=None, site=site_or_error(opts["site"]), url=opts["url"],
                                                    events=events, description=opts["description"])
                self.stdout.write(f"added endpoint {endpoint.pk} for {endpoint.site.slug}: {endpoint.url}")
                self.stdout.write(f"secret: {endpoint.secret}")
            elif action == "list":
                self._list(opts.get("site"))
            elif action == "rotate":
                endpoint = services.endpoint_rotate_secret(actor=None, endpoint=_endpoint(opts["id"]))
                self.stdout.write(f"new secret: {endpoint.secret}")
                self.stdout.write(f"the old one signs too until {endpoint.previous_secret_until:%Y-%m-%d %H:%M} UTC")
            elif action == "enable":
                endpoint = services.endpoint_set_enabled(actor=None, endpoint=_endpoint(opts["id"]), enabled=True)
                self.stdout.write(f"endpoint {endpoint.pk} enabled")
            elif action == "test":
                delivery = services.endpoint_send_test(actor=None, endpoint=_endpoint(opts["id"]))
                self.stdout.write(f"test event {delivery.message_id} queued for the worker")
            else:
                endpoint = _endpoint(opts["id"])
                services.endpoint_remove(actor=None, endpoint=endpoint)
                self.stdout.write(f"removed endpoint {opts['id']} ({endpoint.url})")
        except DomainError as exc:
            raise CommandError(exc.message) from None

    def _list(self, slug: str | None) -> None:
        endpoints = Endpoint.objects.select_related("site").order_by("site__slug", "id")
        if slug:
            endpoints = endpoints.filter(site=site_or_error(slug))
        if not endpoints:
            self.stdout.write("no webhook endpoints")
            return
        for e in endpoints:
            state = "enabled" if e.enabled else f"disabled ({e.disabled_reason})"
            if e.enabled and e.failing_since:
                state = f"failing since {e.failing_since:%Y-%m-%d %H:%M}"
            self.stdout.write(f"{e.pk:<5} {e.site.slug:<20} {e.url}  [{state}] {','.join(e.events)}")
