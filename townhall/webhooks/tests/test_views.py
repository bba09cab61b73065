"""The webhooks pages of the dashboard: a site's admins add, test, rotate, disable, enable and
remove endpoints and read the delivery log; nobody else gets in."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client

from townhall.comments.models import Site
from townhall.comments.services import site_create
from townhall.moderators.models import AuditLog, Role
from townhall.moderators.services import siterole_grant
from townhall.webhooks.models import SUBSCRIBABLE, Delivery, DeliveryStatus, Endpoint
from townhall.webhooks.services import endpoint_create
from townhall.webhooks.tests.conftest import Receiver, TaskWorker

pytestmark = pytest.mark.django_db
PAGE = "/moderate/sites/blog/webhooks/"


def as_user(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_an_admin_adds_an_endpoint_sends_a_test_event_and_reads_the_log(
    site: Site, admin: User, receiver: Receiver, worker: TaskWorker,
) -> None:
    client = as_user(admin)
    assert PAGE in client.get("/moderate/sites/").content.decode()  # linked from the sites page
    r = client.post(PAGE, {"url": receiver.url, "description": "Slack bridge", "events": ["comment.held", "comment.reported"]})
    endpoint = Endpoint.objects.get()
    assert r.status_code == 302 and r["Location"] == f"{PAGE}{endpoint.pk}/"
    assert endpoint.events == ["comment.held", "comment.reported"] and endpoint.description == "Slack bridge"
    page = client.get(r["Location"]).content.decode()
    assert endpoint.secret in page and "Nothing sent yet." in page
    receiver.secret = endpoint.secret
    r = client.post(f"{PAGE}{endpoint.pk}/test/")
    assert r.status_code == 302
    worker.drain()
    assert receiver.received[0].verified and receiver.received[0].json["type"] == "webhook.test"
    page = client.get(f"{PAGE}{endpoint.pk}/").content.decode()
    delivery = Delivery.objects.get()
    assert f'data-delivery="{delivery.pk}" data-status="delivered"' in page and "HTTP 200" in page
    assert delivery.message_id in page
    actions = AuditLog.objects.filter(actor=admin).order_by("id").values_list("action", flat=True)
    assert list(actions) == ["webhook.add", "webhook.test"]


def test_rotate_disable_enable_and_remove(site: Site, admin: User, receiver: Receiver) -> None:
    endpoint = endpoint_create(actor=None, site=site, url=receiver.url, events=list(SUBSCRIBABLE))
    client, url = as_user(admin), f"{PAGE}{endpoint.pk}/"
    old = endpoint.secret
    client.post(url + "rotate/")
    endpoint.refresh_from_db()
    assert endpoint.secret != old and endpoint.previous_secret == old
    assert "The previous secret signs too until" in client.get(url).content.decode()
    client.post(url + "disable/")
    endpoint.refresh_from_db()
    assert not endpoint.enabled and "disabled by an admin" in client.get(PAGE).content.decode()
    r = client.post(url + "disable/", follow=True)
    assert "already disabled" in r.content.decode()
    client.post(url + "enable/")
    endpoint.refresh_from_db()
    assert endpoint.enabled
    r = client.post(url + "remove/")
    assert r["Location"] == PAGE and not Endpoint.objects.exists()
    actions = list(AuditLog.objects.filter(actor=admin).order_by("id").values_list("action", flat=True))
    assert actions == ["webhook.rotate", "webhook.disable", "webhook.enable", "webhook.remove"]


def test_a_loopback_url_is_refused_on_the_form(site: Site, admin: User, settings: Any) -> None:
    settings.WEBHOOK_ALLOW_NETWORKS = []
    r = as_user(admin).post(PAGE, {"url": "http://127.0.0.1:9/hooks", "events": ["comment.published"]})
    assert r.status_code == 200 and "private, loopback or link-local" in r.content.decode()
    assert not Endpoint.objects.exists()


def test_only_the_sites_admins_get_in(site: Site, admin: User, receiver: Receiver) -> None:
    endpoint = endpoint_create(actor=None, site=site, url=receiver.url, events=list(SUBSCRIBABLE))
    moderator = User.objects.create_user("mod", password="x" * 12)
    siterole_grant(actor=None, site=site, user=moderator, role=Role.MODERATOR)
    other = site_create(slug="other", name="Other", origins=["https://other.example"])
    outsider = User.objects.create_user("outsider", password="x" * 12)
    siterole_grant(actor=None, site=other, user=outsider, role=Role.ADMIN)
    for user in (moderator, outsider):
        client = as_user(user)
        assert client.get(PAGE).status_code == 403
        assert client.get(f"{PAGE}{endpoint.pk}/").status_code == 403
        assert client.post(f"{PAGE}{endpoint.pk}/remove/").status_code == 403
    # An endpoint of the other site under this site's path: not found, even for a superuser.
    theirs = endpoint_create(actor=None, site=other, url=receiver.url, events=list(SUBSCRIBABLE))
    assert as_user(admin).get(f"{PAGE}{theirs.pk}/").status_code == 404
    assert Client().get(PAGE).status_code == 302  # anonymous: to the sign-in page
    assert as_user(admin).get(f"{PAGE}{endpoint.pk}/test/").status_code == 405  # actions are POST only
    assert Endpoint.objects.count() == 2 and Delivery.objects.filter(status=DeliveryStatus.PENDING).count() == 0
