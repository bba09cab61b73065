"""Sanctions that stick: a ban on a comment's author holds against its reader token (a new email
does not shake it off), the signed-in user and the confirmed email; premoderation holds,
suspensions end; the dashboard adds, changes and lifts them, each audited."""

from __future__ import annotations

from typing import Any

from django.test import Client
from django.utils import timezone

from townhall.comments.models import Comment, Site
from townhall.core.testing import ORIGIN, PAGE, post_json
from townhall.identity import services as identity
from townhall.identity.tests.factories import sso_token
from townhall.moderation.models import Ban, BanAction, BanKind
from townhall.moderators.models import AuditLog
from townhall.moderators.tests.conftest import People, signed_in


def post(client: Client, token: str, **fields: Any) -> Any:
    body = {"site": "blog", "url": PAGE, "text": "An ordinary comment about the article.", "author_name": "Ann", **fields}
    return post_json(client, "/api/v1/comments", body, **{"X-Townhall-Token": token})


def sanction(people: People, site: Site, **form: Any) -> Any:
    return signed_in(people.moderator).post(f"/moderate/sites/{site.slug}/sanctions/", form)


def test_a_ban_by_token_survives_a_new_email_and_a_new_name(site: Site, people: People) -> None:
    reader = Client(REMOTE_ADDR="10.0.0.1")
    token = reader.post("/api/v1/tokens").json()["token"]
    first = post(reader, token, author_email="ann@example.com").json()["id"]
    assert sanction(people, site, comment=first, action="ban", days=7).status_code == 302
    assert set(Ban.objects.values_list("kind", flat=True)) == {BanKind.AUTHOR_KEY, BanKind.READER}
    again = post(reader, token, author_email="new@example.org", author_name="Not Ann")
    assert again.status_code == 403 and "banned" in again.json()["message"]
    # Another browser is another reader: an anonymous ban cannot follow a cleared browser.
    fresh = Client(REMOTE_ADDR="10.0.0.2")
    assert post(fresh, fresh.post("/api/v1/tokens").json()["token"], text="Someone else entirely.").status_code == 201
    entry = AuditLog.objects.get(action="sanction.ban")
    assert entry.target_id == first and "ann@example.com" not in str(entry.after)


def test_a_ban_reaches_the_confirmed_email_and_the_signed_in_user(site: Site, people: People) -> None:
    address, _ = identity.email_address_register(site=site, email="ann@example.com")
    identity.email_address_confirm(token=identity.email_confirmation_token(address=address))
    reader = Client()
    token = reader.post("/api/v1/tokens").json()["token"]
    first = post(reader, token, author_email="ann@example.com").json()["id"]
    sanction(people, site, comment=first, action="ban")
    other_browser = Client().post("/api/v1/tokens").json()["token"]
    assert post(Client(), other_browser, author_email="ANN@example.com").status_code == 403
    assert Ban.objects.get(kind=BanKind.EMAIL).value == address.digest  # never the address
    signed = post_json(reader, "/api/v1/sso", {"site": "blog", "token": sso_token(site, sub="77")}, Origin=ORIGIN)
    sso_first = post(reader, signed.json()["token"]).json()["id"]
    sanction(people, site, comment=sso_first, action="ban")
    assert Ban.objects.filter(kind=BanKind.SSO_USER, value="77").exists()
    later = post_json(Client(), "/api/v1/sso", {"site": "blog", "token": sso_token(site, sub="77")}, Origin=ORIGIN)
    assert post(Client(), later.json()["token"]).status_code == 403


def test_premoderation_holds_and_a_lifted_or_ended_sanction_stops(site: Site, people: People) -> None:
    reader = Client()
    token = reader.post("/api/v1/tokens").json()["token"]
    first = post(reader, token).json()["id"]
    sanction(people, site, comment=first, action="premoderate")
    assert post(reader, token, text="Held now.").status_code == 202
    held = Ban.objects.get(kind=BanKind.READER)
    moderator = signed_in(people.moderator)
    moderator.post(f"/moderate/sanctions/{held.pk}/change/", {"action": "ban", "days": 3})
    held.refresh_from_db()
    assert held.action == BanAction.BAN and held.until is not None
    assert post(reader, token, text="Refused now.").status_code == 403
    for ban in Ban.objects.all():
        moderator.post(f"/moderate/sanctions/{ban.pk}/lift/")
    assert post(reader, token, text="Free again.").status_code == 201
    Ban.objects.update(lifted=None, until=timezone.now())  # a suspension that has run out
    assert post(reader, token, text="Still free.").status_code == 201
    actions = list(AuditLog.objects.order_by("id").values_list("action", flat=True))
    assert actions.count("sanction.lift") == Ban.objects.count() and "sanction.change" in actions
    page = moderator.get(f"/moderate/sites/{site.slug}/sanctions/").content.decode()
    assert "lifted" in page and "refuse their comments" in page


def test_a_queue_item_leads_to_its_authors_sanction(site: Site, people: People) -> None:
    reader = Client()
    first = post(reader, reader.post("/api/v1/tokens").json()["token"]).json()["id"]
    moderator = signed_in(people.moderator)
    queue = moderator.get("/moderate/queue/approved/").content.decode()
    link = f"/moderate/sites/{site.slug}/sanctions/?comment={first}"
    assert link in queue.replace("&amp;", "&")
    assert f'value="{first}"' in moderator.get(link).content.decode()


def test_the_dashboard_refuses_bad_input_and_other_sites(site: Site, people: People, other_site: Site) -> None:
    page = sanction(people, site, action="ban")
    assert page.status_code == 200 and "name a comment" in page.content.decode()
    bad_ip = sanction(people, site, kind="ip_range", value="999.1.1.1", action="ban")
    assert "not an IP address" in bad_ip.content.decode()
    assert sanction(people, site, kind="ip_range", value="203.0.113.0/24", action="ban").status_code == 302
    ban = Ban.objects.get()
    assert signed_in(people.outsider).post(f"/moderate/sanctions/{ban.pk}/lift/").status_code == 403
    assert signed_in(people.outsider).get(f"/moderate/sites/{site.slug}/sanctions/").status_code == 403
    assert Comment.objects.count() == 0
