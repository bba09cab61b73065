"""`townhall site add|list|show|set|sso|article-key`: manage the sites that embed Townhall."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from townhall.comments.models import SITE_POLICY_FIELDS, Site, site_policy_field
from townhall.comments.selectors import site_by_slug
from townhall.comments.services import site_article_key, site_create, site_sso_secret_rotate, site_update
from townhall.core.errors import DomainError, ValidationFailed


def _kind(name: str) -> type:
    """How an option's text becomes the field's value, from the model field's type."""
    internal = site_policy_field(name).get_internal_type()
    if internal == "BooleanField":
        return bool
    if internal.endswith("IntegerField"):
        return int
    return str


# Every site policy field but the list one (--identity-param, repeatable), with its help text.
POLICY_ARGS: list[tuple[str, type, str]] = [
    (name, _kind(name), str(site_policy_field(name).help_text))
    for name in SITE_POLICY_FIELDS
    if site_policy_field(name).get_internal_type() != "JSONField"
]


def _bool(value: str) -> bool:
    lowered = value.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off"}:
        return False
    raise ValueError(f"expected yes or no, got {value!r}")


def embed_snippet(site: Site, base_url: str) -> str:
    """The HTML a site pastes into its article template; PAGE_URL is the page's canonical URL,
    percent-encoded (the <noscript> link leads readers without JavaScript to the plain thread)."""
    return (
        f'<div id="townhall" data-site="{site.slug}"><noscript><a href="{base_url}/embed/thread?site={site.slug}'
        f'&amp;url=PAGE_URL">Read the comments</a></noscript></div>\n'
        f'<script defer src="{base_url}/static/townhall/embed.js"></script>\n'
        f'<!-- optional: turns <a data-townhall-count href="PAGE_URL">Comments</a> links into "N comments" -->\n'
        f'<script defer src="{base_url}/static/townhall/count.js" data-site="{site.slug}"></script>'
    )


class Command(BaseCommand):
    help = "Manage sites: add, list, show, set, article-key."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        add = sub.add_parser("add", help="Create a site.")
        add.add_argument("slug")
        add.add_argument("--name", required=True)
        add.add_argument("--origin", action="append", default=[], required=True,
                         help="scheme://host[:port] allowed to embed the site and own its threads (repeatable)")
        setp = sub.add_parser("set", help="Change a site's name, origins or policy.")
        setp.add_argument("slug")
        setp.add_argument("--name")
        setp.add_argument("--origin", action="append", help="replaces the origin list (repeatable)")
        for p in (add, setp):
            for name, _type, doc in POLICY_ARGS:
                p.add_argument(f"--{name.replace('_', '-')}", dest=name, help=doc)
            p.add_argument("--identity-param", dest="identity_params", action="append",
                           help=f"{site_policy_field('identity_params').help_text} (repeatable)")
        sub.add_parser("list", help="List sites.")
        show = sub.add_parser("show", help="Print a site's policy and its embed snippet.")
        show.add_argument("slug")
        sso = sub.add_parser("sso", help="Create (or --rotate) the key the site signs sign-in tokens with; shown once.")
        sso.add_argument("slug")
        sso.add_argument("--rotate", action="store_true", help="replace the key: tokens signed with the old one stop working")
        key = sub.add_parser("article-key", help="Print the key the site's CMS sends to set article texts.")
        key.add_argument("slug")
        key.add_argument("--rotate", action="store_true", help="replace it (the old key stops working)")

    def _policy(self, opts: dict[str, Any]) -> dict[str, Any]:
        policy: dict[str, Any] = {}
        for name, kind, _doc in POLICY_ARGS:
            raw = opts.get(name)
            if raw is None:
                continue
            try:
                policy[name] = _bool(raw) if kind is bool else kind(raw)
            except ValueError as exc:
                raise CommandError(f"--{name.replace('_', '-')}: {exc}") from None
        if opts.get("identity_params"):
            policy["identity_params"] = opts["identity_params"]
        return policy

    def handle(self, *args: Any, **opts: Any) -> None:
        action = opts["action"]
        try:
            if action == "add":
                site = site_create(slug=opts["slug"], name=opts["name"], origins=opts["origin"], **self._policy(opts))
                self.stdout.write(f"created site {site.slug}")
                self._show(site)
            elif action == "set":
                changes = self._policy(opts)
                if opts.get("name"):
                    changes["name"] = opts["name"]
                site = site_update(site=site_by_slug(opts["slug"]), origins=opts.get("origin"), **changes)
                self.stdout.write(f"updated site {site.slug}")
                self._show(site)
            elif action == "list":
                sites = list(Site.objects.prefetch_related("origins"))
                if not sites:
                    self.stdout.write("no sites yet: townhall site add SLUG --name NAME --origin URL")
                for site in sites:
                    origins = ", ".join(o.origin for o in site.origins.all())
                    self.stdout.write(f"{site.slug}\t{site.name}\t{origins}")
            elif action == "sso":
                self._sso(site_by_slug(opts["slug"]), rotate=opts["rotate"])
            elif action == "article-key":
                key = site_article_key(site=site_by_slug(opts["slug"]), rotate=opts["rotate"])
                self.stdout.write(key)
                self.stderr.write(
                    "the CMS sends it as `Authorization: Bearer KEY` with PUT /api/v1/articles "
                    "{site, url, text}; keep it secret"
                )
            else:
                self._show(site_by_slug(opts["slug"]))
        except ValidationFailed as exc:
            raise CommandError("; ".join(f"{e.field}: {e.message}" for e in exc.errors)) from None
        except DomainError as exc:
            raise CommandError(exc.message) from None

    def _sso(self, site: Site, *, rotate: bool) -> None:
        if site.sso_secret and not rotate:
            raise CommandError(
                f"site {site.slug} has a sign-in key already; it was shown once, when it was made. "
                f"To make a new one (the old one stops working): townhall site sso {site.slug} --rotate"
            )
        secret = site_sso_secret_rotate(site=site)
        out = self.stdout.write
        out(f"sign-in key of site {site.slug} (shown this once: keep it in your site's server settings):\n")
        out(f"  {secret}\n")
        out("Sign each reader's token with it (JWT, HS256), claims: sub (your user id), name, "
            f'aud="{site.slug}", exp (at most 10 minutes ahead), jti (unique), and optionally email, '
            'avatar (URL), roles (["staff"]). The README has recipes.')

    def _show(self, site: Site) -> None:
        out = self.stdout.write
        out(f"site:     {site.slug} ({site.name})")
        out(f"origins:  {', '.join(o.origin for o in site.origins.all())}")
        for name, _type, doc in POLICY_ARGS:
            out(f"  {name:<20} {getattr(site, name)!s:<10} {doc}")
        out(f"  {'identity_params':<20} {','.join(site.identity_params) or '(none)':<10} "
            f"{site_policy_field('identity_params').help_text}")
        base = settings.PUBLIC_URL.rstrip("/")
        if not base:
            base = "http://127.0.0.1:8000"
            out(
                "\nTOWNHALL_PUBLIC_URL is not set, so this snippet points at " + base + ", which readers\n"
                "cannot reach. Set it to the address readers reach this server at, then run this again:\n"
                "  TOWNHALL_PUBLIC_URL=https://comments.example.com townhall site show " + site.slug
            )
        out("\nembed it with:\n" + embed_snippet(site, base))
