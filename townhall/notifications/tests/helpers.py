"""Setting up confirmed addresses and comments through the services, as readers cause them."""

from __future__ import annotations

from django.conf import settings

from townhall.comments.models import Comment, Site
from townhall.core.testing import PAGE
from townhall.identity.models import EmailAddress
from townhall.identity.services import email_address_confirm, email_confirmation_token
from townhall.notifications.services import address_request
from townhall.posting.services import comment_create

ANN, BOB, CARL = "ann@readers.example", "bob@readers.example", "carl@readers.example"
FROM = "townhall@news.example"


def confirmed(site: Site, email: str) -> EmailAddress:
    address = address_request(site=site, email=email)
    return email_address_confirm(token=email_confirmation_token(address=address))


def post(site: Site, text: str, *, name: str, email: str = "", parent: Comment | None = None,
         notify: bool = False, url: str = PAGE) -> Comment:
    return comment_create(site=site, url=url, text=text, author_name=name, author_email=email, notify=notify,
                          parent_id=parent.pk if parent else None, ip="10.0.0.1").comment


def batch_window() -> float:
    return float(settings.MAIL_BATCH_SECONDS) + 1
