"""`townhall moderator create|add|remove|list`: who moderates which site."""

from __future__ import annotations

import sys
from typing import Any

from django.contrib.auth.models import User
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from townhall.comments.commandline import site_or_error
from townhall.core.errors import DomainError
from townhall.moderators import services
from townhall.moderators.models import Role, SiteRole


def _user(username: str) -> User:
    user = User.objects.filter(username=username).first()
    if user is None:
        raise CommandError(
            f"no user {username!r}: create the account first (`townhall createadmin` for an administrator, "
            "or /admin/ > Users)"
        )
    return user


def _password_from_stdin() -> str:
    # One line, so `echo "$PASSWORD" | townhall moderator create ...` works; the newline is not
    # part of the password.
    password = sys.stdin.readline().rstrip("\r\n")
    if not password:
        raise CommandError("--password-from-stdin: standard input had no password on its first line")
    return password


def _messages(exc: ValidationError) -> str:
    if hasattr(exc, "error_dict"):
        return "; ".join(f"{'user' if field == 'username' else field}: {' '.join(errs)}"
                         for field, errs in exc.message_dict.items())
    return " ".join(exc.messages)


class Command(BaseCommand):
    help = "Manage moderators: create, add, remove, list. Superusers moderate every site without a role."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        new = sub.add_parser("create", help="Create an account (not an administrator of this server) that "
                             "moderates one site.")
        new.add_argument("--site", required=True, help="the site's slug")
        new.add_argument("user", help="user name for the new account")
        new.add_argument("--email", default="", help="the moderator's email address (optional)")
        new.add_argument("--role", choices=Role.values, default=Role.MODERATOR)
        new.add_argument("--password-from-stdin", action="store_true",
                         help="read the password from the first line of standard input; without it the "
                         "account has no password until `townhall changepassword USER`")
        add = sub.add_parser("add", help="Make a user a moderator (or admin) of a site.")
        add.add_argument("--site", required=True, help="the site's slug")
        add.add_argument("user", help="user name")
        add.add_argument("--role", choices=Role.values, default=Role.MODERATOR)
        rm = sub.add_parser("remove", help="Take a user's role on a site away.")
        rm.add_argument("--site", required=True, help="the site's slug")
        rm.add_argument("user", help="user name")
        ls = sub.add_parser("list", help="List moderators and admins.")
        ls.add_argument("--site", help="only this site")

    def handle(self, *args: Any, **opts: Any) -> None:
        action = opts["action"]
        if action == "list":
            self._list(opts.get("site"))
            return
        if action == "create":
            self._create(opts)
            return
        site, user = site_or_error(opts["site"]), _user(opts["user"])
        try:
            if action == "add":
                role = services.siterole_grant(actor=None, site=site, user=user, role=Role(opts["role"]))
                self.stdout.write(f"{user.username} is now {role.role} of {site.slug}")
            else:
                services.siterole_revoke(actor=None, site=site, user=user)
                self.stdout.write(f"{user.username} no longer moderates {site.slug}")
        except DomainError as exc:
            raise CommandError(exc.message) from None

    def _create(self, opts: dict[str, Any]) -> None:
        site, username, email = site_or_error(opts["site"]), opts["user"].strip(), opts["email"].strip()
        if User.objects.filter(username=username).exists():
            raise CommandError(f"user {username!r} already exists: give them a role with "
                               f"`townhall moderator add --site {site.slug} {username}`")
        user = User(username=username, email=email)
        password = _password_from_stdin() if opts["password_from_stdin"] else None
        try:
            user.full_clean(exclude=["password"])  # the user name's and email's own validators
            if password is not None:
                validate_password(password, user)
        except ValidationError as exc:
            raise CommandError(_messages(exc)) from None
        with transaction.atomic():
            if password is None:
                user.set_unusable_password()
            else:
                user.set_password(password)
            user.save()
            try:
                role = services.siterole_grant(actor=None, site=site, user=user, role=Role(opts["role"]))
            except DomainError as exc:
                raise CommandError(exc.message) from None
        self.stdout.write(f"created {user.username}, now {role.role} of {site.slug}")
        if password is None:
            self.stdout.write(f"no password yet: set one with `townhall changepassword {user.username}`, "
                              "then sign in at /moderate/")

    def _list(self, slug: str | None) -> None:
        roles = SiteRole.objects.select_related("site", "user").order_by("site__slug", "user__username")
        if slug:
            roles = roles.filter(site=site_or_error(slug))
        rows = [(r.site.slug, r.user.username, r.role) for r in roles]
        supers = list(User.objects.filter(is_superuser=True, is_active=True).values_list("username", flat=True))
        if not rows and not supers:
            self.stdout.write("no moderators")
            return
        for site, user, role in rows:
            self.stdout.write(f"{site:<20} {user:<30} {role}")
        for name in supers:
            self.stdout.write(f"{'(every site)':<20} {name:<30} admin (superuser)")
