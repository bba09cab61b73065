"""The seed thread through the seed site's policy (English only, post-moderation)."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from townhall.comments.models import Comment
from townhall.moderation.decisions import Reason
from townhall.posting.replay import SEED_POLICY, Replay, replay, seed_comments

pytestmark = pytest.mark.django_db
UNDER_5 = set(range(6, 61))  # the 55 replies the old page stacked under comment 5


@pytest.fixture(scope="module")
def result(django_db_setup: None, django_db_blocker) -> Replay:  # type: ignore[no-untyped-def]
    with django_db_blocker.unblock():
        return replay(comments=seed_comments(), policy=SEED_POLICY, rules="This is an English-only weblog.")


def test_the_exchange_under_5_is_one_flame_war(result: Replay) -> None:
    assert len(result.wars) == 1
    war = result.wars[0]
    assert war.anchor_ref == 5
    assert {"Rudy1947", "Hind Abyad"} <= set(war.participants)
    assert UNDER_5 & set(war.refs) == {r for r in UNDER_5 if r >= min(UNDER_5 & set(war.refs))}
    assert max(war.refs) == 60 and war.comment_count >= 40


def test_repeats_are_caught_and_quotes_are_not(result: Replay) -> None:
    items = result.by_ref()
    assert Reason.REPEAT in items[47].reasons  # the same long quote posted again by its author
    assert Reason.REPEAT in items[29].reasons  # an insult copied back at its author
    for ref in (49, 50, 51):  # quoting the other side inside an answer
        assert Reason.REPEAT not in items[ref].reasons, ref


def test_plainly_abusive_replies_are_held(result: Replay) -> None:
    items = result.by_ref()
    for ref in (15, 50, 53, 54):
        assert items[ref].action == "hold", (ref, items[ref].reasons, items[ref].scores)


def test_ordinary_replies_pass_untouched(result: Replay) -> None:
    items = result.by_ref()
    for ref in (1, 2, 7, 12, 24, 28, 30, 56):
        assert items[ref].action == "publish" and items[ref].reasons == [], (ref, items[ref].reasons)
    held = [i for i in result.items if i.action == "hold"]
    assert len(held) <= 12  # a moderator gets the abuse, not the conversation


def test_hostility_without_insult_words_is_held_or_flagged(result: Replay) -> None:
    # Seed 60: "pretty vague for a creature demanding links from others..haha..the Zionist
    # morality": contempt, no insult word. The word model alone published it untouched.
    item = result.by_ref()[60]
    assert item.action in ("hold", "flag") and item.reasons, (item.action, item.scores)


def test_madness_about_mad_magazine_is_left_alone(result: Replay) -> None:
    mad = next(i for i in result.items if i.text.startswith("It was MAD mag"))
    assert mad.action == "publish" and mad.reasons == []


def test_english_only_holds_no_seed_comment_for_language(result: Replay) -> None:
    assert not [i.ref for i in result.items if Reason.LANGUAGE in i.reasons]


def test_replay_changes_nothing() -> None:
    before = Comment.objects.count()
    out = StringIO()
    call_command("moderation", "replay", "--seed", stdout=out)
    text = out.getvalue()
    assert "flame war under #5" in text and "#47" in text and "repeats text" in text
    assert Comment.objects.count() == before


def test_replay_of_a_stored_thread(site, client) -> None:  # type: ignore[no-untyped-def]
    from townhall.comments.tests.factories import make_comment
    from townhall.core.testing import PAGE

    make_comment(site, text="Yeah, proving your crap to be nothing more than crap, you moron.")
    make_comment(site, text="It was MAD mag in the states.")
    out = StringIO()
    call_command("moderation", "replay", "--site", "blog", "--url", PAGE, "--all", stdout=out)
    assert "hold" in out.getvalue() and "publish" in out.getvalue()
    assert Comment.objects.filter(thread__url=PAGE).count() == 2


@pytest.mark.django_db
def test_replay_of_an_unknown_site_is_a_message() -> None:
    with pytest.raises(CommandError, match="no site 'nope'"):
        call_command("moderation", "replay", "--seed", "--site", "nope", stdout=StringIO())
