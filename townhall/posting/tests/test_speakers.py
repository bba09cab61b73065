"""Who is speaking, as posting and imports decide it (townhall.identity.speakers): the seed's
people stay themselves, and a live post never joins them."""

from __future__ import annotations

from django.test import Client

from townhall.comments.models import Comment, Site
from townhall.core.testing import PAGE, post_json
from townhall.moderation.seed import seed_comments
from townhall.posting.services import ImportRow, comment_import


def test_the_seed_keeps_two_people_apart_and_a_live_post_cannot_join_either(site: Site) -> None:
    rows = [ImportRow(ref=c["ref"], parent_ref=c["parent_ref"], text=c["text"], created=c["created"],
                      author_name=c["author"]) for c in seed_comments()]
    comment_import(site=site, url=PAGE, rows=rows, moderate=False, source="seed")
    seeded = Comment.objects.filter(thread__site=site)
    rudy = set(seeded.filter(author_name="Rudy1947").values_list("author_key", flat=True))
    hind = set(seeded.filter(author_name="Hind Abyad").values_list("author_key", flat=True))
    assert len(rudy) == 1 and len(hind) == 1 and rudy != hind
    client = Client()
    for headers in ({}, {"X-Townhall-Token": client.post("/api/v1/tokens").json()["token"]}):
        r = post_json(client, "/api/v1/comments", {"site": "blog", "url": PAGE, "text": f"I am Rudy too {len(headers)}.",
                                                   "author_name": "Rudy1947"}, **headers)
        live = Comment.objects.get(pk=r.json()["id"])
        assert live.author_key not in rudy | hind
    # Two anonymous readers typing one name are two people.
    other = Client(REMOTE_ADDR="10.9.9.9")
    r = post_json(other, "/api/v1/comments", {"site": "blog", "url": PAGE, "text": "Me, the other Rudy.",
                                              "author_name": "Rudy1947"})
    assert Comment.objects.get(pk=r.json()["id"]).author_key != live.author_key
