"""Each phase of the pipeline through the API: remove a phase and its test fails."""

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from townhall.comments.models import Comment, Site, Status, Thread
from townhall.comments.services import comment_set_status, site_update
from townhall.core.testing import PAGE, post_json
from townhall.moderation.decisions import Reason
from townhall.moderation.models import Ban, FlameWar
from townhall.moderation.services import ban_create, policy_update

pytestmark = pytest.mark.django_db


def post(client: Client, text: str, token: str | None = None, **fields: Any) -> Any:
    body = {"site": "blog", "url": PAGE, "text": text, "author_name": fields.pop("author_name", "Reader"), **fields}
    headers = {"X-Townhall-Token": token} if token else {}
    return post_json(client, "/api/v1/comments", body, **headers)


def stored(response: Any) -> Comment:
    return Comment.objects.get(pk=response.json()["id"]) if "id" in response.json() else Comment.objects.latest("id")


@pytest.fixture
def strict(site: Site) -> Site:
    """Pre-moderation of soft signals, so each one shows as a 202."""
    policy_update(site=site, post_moderation=False)
    return site


# ---------------------------------------------------------------- hard rules

@pytest.mark.parametrize(
    ("kind", "value", "fields", "ip"),
    [
        ("email", "Troll@Example.com", {"author_email": "troll@example.com"}, "10.0.0.1"),
        ("email_domain", "spam.example", {"author_email": "x@spam.example"}, "10.0.0.1"),
        ("ip_range", "203.0.113.0/24", {}, "203.0.113.9"),
    ],
)
def test_banned_authors_are_rejected_and_kept_for_audit(site: Site, kind: str, value: str, fields: dict[str, str], ip: str) -> None:
    ban_create(site=site, kind=kind, value=value)
    r = post(Client(REMOTE_ADDR=ip), "An ordinary comment about the article.", **fields)
    assert r.status_code == 403 and r.json()["code"] == "rejected" and "banned" in r.json()["message"]
    c = Comment.objects.get()
    assert c.status == Status.REJECTED and Reason.BANNED in c.reasons and c.text.startswith("An ordinary")
    assert Thread.objects.get().comment_count == 0


def test_ban_by_author_key_and_expiry(site: Site, client: Client) -> None:
    first = stored(post(client, "First comment here.", author_name="Known", author_email="known@example.com"))
    ban = ban_create(site=site, kind="author_key", value=first.author_key)
    assert post(client, "Second comment here.", author_name="Known", author_email="KNOWN@example.com").status_code == 403
    Ban.objects.filter(pk=ban.pk).update(until=timezone.now() - timedelta(minutes=1))
    assert post(client, "Third comment here.", author_name="Known", author_email="known@example.com").status_code == 201


def test_length_limits_are_a_422_on_text(site: Site, client: Client) -> None:
    policy_update(site=site, max_length=50)
    r = post(client, "x" * 51)
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "text"
    assert Comment.objects.count() == 0


def test_flood_is_a_429_with_retry_after(site: Site, client: Client) -> None:
    policy_update(site=site, flood_count=2, flood_seconds=60)
    assert post(client, "one comment").status_code == 201
    assert post(client, "two comments").status_code == 201
    r = post(client, "three comments")
    assert r.status_code == 429 and r.json()["code"] == "flood" and int(r["Retry-After"]) == 60
    assert Comment.objects.count() == 2


# ---------------------------------------------------------------- word lists

@pytest.mark.parametrize("text", ["you absolute shit", "you absolute SH1T", "s h 1 t happens", "ſhit", "ѕhit"])
def test_banned_words_survive_disguises(site: Site, client: Client, text: str) -> None:
    policy_update(site=site, banned_words=["shit"])
    r = post(client, text)
    assert r.status_code == 403
    assert stored(r).moderation["evidence"]["banned_words"] == ["shit"]


@pytest.mark.parametrize("text", ["Scunthorpe United played well.", "She shitakes mushrooms? No: shiitake.", "A classic assassin story."])
def test_innocent_words_containing_a_banned_one_pass(site: Site, client: Client, text: str) -> None:
    # The word list alone: the encoder reads "shitakes" as half a swear word (0.92, a known false
    # positive of subword models), which is the hostility phase's business, not this one's.
    policy_update(site=site, banned_words=["shit", "cunt", "ass"], toxicity_warn=0.99, toxicity_hold=0.999)
    r = post(client, text)
    assert r.status_code == 201 and "banned_words" not in stored(r).moderation["evidence"]


def test_suspect_words_hold_or_flag(strict: Site, client: Client) -> None:
    policy_update(site=strict, suspect_words=["casino"])
    r = post(client, "Visit the c4sino tonight")
    assert r.status_code == 202 and Reason.SUSPECT_WORD in stored(r).reasons
    policy_update(site=strict, post_moderation=True)
    r = post(client, "Another CASINO mention", author_name="Other")
    c = stored(r)
    assert r.status_code == 201 and c.flagged and Reason.SUSPECT_WORD in c.reasons


# ---------------------------------------------------------------- links

def test_too_many_links_hold(strict: Site, client: Client) -> None:
    policy_update(site=strict, max_links=2)
    r = post(client, "see https://a.example https://b.example and https://c.example")
    assert r.status_code == 202 and Reason.TOO_MANY_LINKS in stored(r).reasons
    r = post(client, "see https://a.example and https://b.example", author_name="B")
    assert Reason.TOO_MANY_LINKS not in stored(r).reasons


def test_link_deny_and_allow_lists(strict: Site, client: Client) -> None:
    policy_update(site=strict, link_deny=["bad.example"])
    assert post(client, "look at https://www.bad.example/x").status_code == 403
    policy_update(site=strict, link_deny=[], link_allow=["news.example"])
    assert post(client, "The source is here: https://news.example/a and it says otherwise.", author_name="B").status_code == 201
    r = post(client, "The source is here: https://blog.other/a and it says otherwise.", author_name="C")
    assert r.status_code == 202 and Reason.LINK_NOT_ALLOWED in stored(r).reasons


# ---------------------------------------------------------------- language

def test_confident_other_language_is_held_short_text_never(strict: Site, client: Client) -> None:
    policy_update(site=strict, languages=["en"])
    r = post(client, "Je pense que cet article est très intéressant et bien écrit.")
    assert r.status_code == 202 and stored(r).moderation["evidence"]["language"] == "fr"
    assert post(client, "Merci beaucoup!", author_name="B").status_code == 201
    assert post(client, "I think this article is very interesting and well written.", author_name="C").status_code == 201


# ---------------------------------------------------------------- toxicity

def test_warn_then_acknowledge(site: Site, client: Client) -> None:
    site_update(site=site, rules="Be kind.")
    policy_update(site=site, toxicity_warn=0.3, toxicity_hold=0.9)
    text = "I think you are wrong and a bit silly."
    r = post(client, text)
    assert r.status_code == 422 and r.json()["code"] == "toxicity_warning"
    assert "Be kind." in r.json()["message"] and r.json()["errors"][0]["field"] == "text"
    assert Comment.objects.count() == 0
    r = post(client, text, acknowledge_warning=True)
    c = stored(r)
    assert r.status_code == 201 and c.flagged and Reason.TOXICITY_WARNED in c.reasons
    assert c.moderation["scores"]["toxicity"] >= 0.3 and c.moderation["versions"]["toxicity"]


def test_above_hold_threshold_is_held(site: Site, client: Client) -> None:
    r = post(client, "Yeah, proving your crap to be nothing more than crap, you moron.")
    assert r.status_code == 202 and Reason.TOXICITY in stored(r).reasons
    assert post(client, "It was MAD mag in the states.", author_name="B").status_code == 201


# ---------------------------------------------------------------- spam

def test_spam_is_held(site: Site, client: Client) -> None:
    r = post(client, "Check out my channel http://spam.example subscribe!!! FREE money, click here http://win.example")
    assert r.status_code == 202 and Reason.SPAM in stored(r).reasons


def test_a_regular_citing_a_source_is_only_flagged(site: Site, client: Client) -> None:
    token = client.post("/api/v1/tokens").json()["token"]
    assert post(client, "I have been reading this paper for years.", token=token).status_code == 201
    r = post(client, "Check out this report from Reuters: https://reuters.example/world/mosul", token=token)
    assert r.status_code == 201


# ---------------------------------------------------------------- near-duplicates

LONG = ("In a speech at the conference the intelligence chief said the group was facing the most difficult "
        "situation since its inception and that officials had regularly expressed comfort with the idea.")


def test_the_same_text_again_is_held_even_from_another_author(site: Site, client: Client) -> None:
    assert post(client, LONG, author_name="A").status_code == 201
    r = post(client, LONG.upper(), author_name="B")
    assert r.status_code == 202 and Reason.REPEAT in stored(r).reasons


def test_quoting_inside_a_longer_answer_is_not_a_repeat(site: Site, client: Client) -> None:
    assert post(client, LONG, author_name="A").status_code == 201
    answer = f"> {LONG}\n\nNowhere does the article say that; give me a link to the actual speech and I will read it myself."
    assert post(client, answer, author_name="B").status_code == 201


def test_the_index_is_in_the_database_and_windowed(site: Site, client: Client) -> None:
    first = stored(post(client, LONG, author_name="A"))
    Comment.objects.filter(pk=first.pk).update(created=timezone.now() - timedelta(days=10))
    from townhall.moderation.models import Shingle

    Shingle.objects.filter(comment=first).update(created=timezone.now() - timedelta(days=10))
    assert post(client, LONG, author_name="B").status_code == 201


# ---------------------------------------------------------------- reports

def test_reports_from_distinct_readers_hide_the_comment(site: Site, client: Client) -> None:
    policy_update(site=site, report_hide_count=2)
    c = stored(post(client, "A comment some dislike."))
    post_json(Client(REMOTE_ADDR="10.0.0.1"), f"/api/v1/comments/{c.pk}/reports", {"reason": "abuse"})
    post_json(Client(REMOTE_ADDR="10.0.0.1"), f"/api/v1/comments/{c.pk}/reports", {"reason": "abuse"})
    assert Comment.objects.get(pk=c.pk).status == Status.PUBLISHED
    post_json(Client(REMOTE_ADDR="10.0.0.2"), f"/api/v1/comments/{c.pk}/reports", {"reason": "spam"})
    c.refresh_from_db()
    assert c.status == Status.PENDING and Reason.REPORTED in c.reasons and c.flagged
    assert Thread.objects.get().comment_count == 0


# ---------------------------------------------------------------- new and trusted authors

def test_first_comments_of_a_new_author_are_premoderated(site: Site, client: Client) -> None:
    policy_update(site=site, premoderate_first=1)
    token = client.post("/api/v1/tokens").json()["token"]
    r = post(client, "My first comment here.", token=token)
    assert r.status_code == 202 and Reason.NEW_AUTHOR in stored(r).reasons
    comment_set_status(comment=stored(r), status=Status.PUBLISHED)
    assert post(client, "My second comment here.", token=token).status_code == 201
    # No token, no history: a typed name or email earns nothing.
    assert post(Client(), "My second comment here too.").status_code == 202


def test_trusted_authors_skip_soft_holds(strict: Site, client: Client) -> None:
    policy_update(site=strict, trusted_after=2, suspect_words=["casino"])
    token = client.post("/api/v1/tokens").json()["token"]
    for i in range(2):
        assert post(client, f"Ordinary comment number {i}.", token=token).status_code == 201
    r = post(client, "The casino story was good reporting.", token=token)
    assert r.status_code == 201 and stored(r).flagged
    assert post(client, "The casino story was good reporting.", author_name="New").status_code == 202


# ---------------------------------------------------------------- flame wars

INSULTS = ["You are an idiot.", "Poor thing is desperate, you moron.", "Your crap is worthless, idiot.",
           "Stupid troll, nobody cares.", "You are a pathetic liar."]
PLAIN = ["Where is the link?", "I read it twice.", "That is not what it says.", "Read it again.", "Which general?",
         "Supply the quote.", "It is up there.", "No it is not."]


def test_flame_war_is_one_item_then_slow_mode_and_lower_threshold(site: Site) -> None:
    policy_update(site=site, flamewar_min_run=6, flamewar_min_hostile=2, flamewar_slow_minutes=10,
                  toxicity_warn=0.95, toxicity_hold=0.99, flamewar_toxicity_hold=0.3, flood_count=0)
    a, b = Client(REMOTE_ADDR="10.0.0.1"), Client(REMOTE_ADDR="10.0.0.2")
    root = stored(post(a, "The article is about Mosul.", author_name="Opener"))
    parent = stored(post(b, "Replying to the article.", author_name="Bee", parent=root.pk))
    ids = []
    # Alternate two authors, an insult every other reply, with times far apart (no slow mode yet).
    for i in range(8):
        who, name = (a, "Ay") if i % 2 == 0 else (b, "Bee")
        text = INSULTS[i % 5] if i % 2 == 0 else PLAIN[i]
        r = post(who, text, author_name=name, parent=parent.pk, acknowledge_warning=True)
        assert r.status_code in (201, 202), r.content
        ids.append(r.json()["id"])
        Comment.objects.filter(pk=ids[-1]).update(created=timezone.now() - timedelta(hours=10 - i))
    wars = list(FlameWar.objects.all())
    assert len(wars) == 1
    war = wars[0]
    assert set(war.participants) >= {"Ay", "Bee"} and war.comment_count >= 6
    # Slow mode: Bee posts, then posts again at once.
    assert post(b, "One more plain reply.", author_name="Bee", parent=parent.pk).status_code in (201, 202)
    r = post(b, "And another one right away.", author_name="Bee", parent=parent.pk)
    assert r.status_code == 429 and r.json()["code"] == "slow_mode" and 0 < int(r["Retry-After"]) <= 600
    # Lower threshold: a mildly hostile reply from Ay is held now.
    r = post(a, "You are an idiot.", author_name="Ay", parent=parent.pk, acknowledge_warning=True)
    assert r.status_code == 202 and Reason.FLAMEWAR_HOSTILE in stored(r).reasons
    # Still one item.
    assert FlameWar.objects.count() == 1
    # Slow mode is per reader: two anonymous readers share an author key (no name, no email), but
    # their reader tokens tell them apart, so one does not wait for the other.
    first, second = client_token(Client()), client_token(Client())
    assert post(Client(REMOTE_ADDR="10.0.0.3"), "A first anonymous view.", token=first, author_name="",
                parent=parent.pk).status_code in (201, 202)
    r = post(Client(REMOTE_ADDR="10.0.0.4"), "A second anonymous view.", token=second, author_name="",
             parent=parent.pk)
    assert r.status_code in (201, 202), r.content
    r = post(Client(REMOTE_ADDR="10.0.0.4"), "The same reader at once.", token=second, author_name="",
             parent=parent.pk)
    assert r.status_code == 429 and r.json()["code"] == "slow_mode"


def client_token(client: Client) -> str:
    return str(post_json(client, "/api/v1/tokens", {}).json()["token"])


def test_a_calm_exchange_is_no_flame_war(site: Site) -> None:
    policy_update(site=site, flamewar_min_run=6, flood_count=0)
    a, b = Client(REMOTE_ADDR="10.0.0.1"), Client(REMOTE_ADDR="10.0.0.2")
    root = stored(post(a, "The article is about Mosul.", author_name="Opener"))
    for i in range(10):
        who, name = (a, "Ay") if i % 2 == 0 else (b, "Bee")
        assert post(who, PLAIN[i % len(PLAIN)] + f" ({i})", author_name=name, parent=root.pk).status_code == 201
    assert FlameWar.objects.count() == 0


def test_policy_validation(site: Site) -> None:
    from townhall.core.errors import ValidationFailed

    with pytest.raises(ValidationFailed) as exc:
        policy_update(site=site, toxicity_warn=1.5, nonsense=1)
    assert {e.field for e in exc.value.errors} == {"toxicity_warn", "nonsense"}
    with pytest.raises(ValidationFailed):
        ban_create(site=site, kind="ip_range", value="999.1.1.1")


def test_a_premoderated_thread_holds_while_the_site_does_not(site: Site, client: Client) -> None:
    from townhall.comments.services import thread_set_premoderation

    first = stored(post(client, "An ordinary first comment."))
    thread_set_premoderation(thread=first.thread, premoderate=True)
    r = post(client, "An ordinary second comment.", author_name="B")
    assert r.status_code == 202 and Reason.PREMODERATED_SITE in stored(r).reasons
    other = post(client, "Elsewhere on the site.", author_name="C", url="https://blog.example/other")
    assert other.status_code == 201


def test_one_reader_minting_tokens_cannot_hide_a_comment(site: Site, client: Client) -> None:
    policy_update(site=site, report_hide_count=3)
    c = stored(post(client, "A comment one reader dislikes."))
    troll = Client(REMOTE_ADDR="10.6.6.6")
    for _ in range(5):
        token = troll.post("/api/v1/tokens").json()["token"]
        post_json(troll, f"/api/v1/comments/{c.pk}/reports", {"reason": "spam"}, **{"X-Townhall-Token": token})
    c.refresh_from_db()
    assert c.status == Status.PUBLISHED and c.report_count == 5


def test_editing_never_publishes_a_hidden_comment(site: Site, client: Client) -> None:
    policy_update(site=site, report_hide_count=2)
    written = post(client, "A comment readers report.").json()
    for ip in ("10.0.0.1", "10.0.0.2"):
        post_json(Client(REMOTE_ADDR=ip), f"/api/v1/comments/{written['id']}/reports", {"reason": "abuse"})
    assert Comment.objects.get(pk=written["id"]).status == Status.PENDING
    r = Client().patch(f"/api/v1/comments/{written['id']}", data={"text": "A comment readers report (edited)."},
                       content_type="application/json", headers={"X-Townhall-Edit-Token": written["edit_token"]})
    assert r.status_code == 202
    c = Comment.objects.get(pk=written["id"])
    assert c.status == Status.PENDING and Reason.REPORTED in c.reasons
    assert Thread.objects.get().comment_count == 0


def test_a_moderator_cannot_bring_back_a_comment_its_author_deleted(site: Site, client: Client) -> None:
    from django.contrib.auth.models import User

    from townhall.core.errors import Conflict
    from townhall.moderation.decisions import Verdict
    from townhall.moderation.services import comment_review

    written = post(client, "Posted, then thought better of it.").json()
    client.delete(f"/api/v1/comments/{written['id']}", headers={"X-Townhall-Edit-Token": written["edit_token"]})
    with pytest.raises(Conflict):
        comment_review(comment=Comment.objects.get(pk=written["id"]), verdict=Verdict.APPROVE,
                       moderator=User.objects.create_user("m"))
    assert Comment.objects.get(pk=written["id"]).status == Status.DELETED
