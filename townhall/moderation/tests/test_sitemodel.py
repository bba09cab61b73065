from io import StringIO

import numpy as np
import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command

from townhall.comments.models import Site
from townhall.comments.services import comment_check
from townhall.comments.tests.factories import make_comment
from townhall.core.testing import PAGE
from townhall.moderation.decisions import Verdict
from townhall.moderation.models import Policy
from townhall.moderation.pipeline import moderate, policy_for
from townhall.moderation.services import comment_review, policy_update

pytestmark = pytest.mark.django_db

# This site's moderators reject sneering about the paper's rivals, which the shipped model
# reads as harmless, and approve salty praise, which the shipped model reads as hostile.
REJECTED = [
    "The Daily Bugle hacks wrote this better, as usual {i}",
    "Go read the Daily Bugle then, Bugle reader {i}",
    "Another Daily Bugle fan, how original {i}",
]
APPROVED = [
    "Damn good reporting, hell yes {i}",
    "Hell, I have seen worse crap from the ministry {i}",
    "Bloody brilliant piece, the damn council should read it {i}",
]


def run(*args: str) -> str:
    out = StringIO()
    call_command("moderation", *args, stdout=out)
    return out.getvalue()


def reviewed_site(site: Site, n: int = 15) -> User:
    mod = User.objects.create_user("mod")
    for i in range(n):
        for texts, verdict in ((REJECTED, Verdict.REJECT), (APPROVED, Verdict.APPROVE)):
            c = make_comment(site, text=texts[i % 3].format(i=i), author_name=f"a{i}")
            comment_review(comment=c, verdict=verdict, moderator=mod)
    return mod


def test_retrain_learns_the_sites_line_switches_and_rolls_back(site: Site) -> None:
    from townhall.moderation.sitemodel import loaded_model

    loaded_model.cache_clear()  # model ids repeat between tests (rolled back), models never change
    reviewed_site(site)
    out = run("retrain", "--site", "blog")
    assert "shipped model: ROC-AUC" in out and "site model:" in out and "switched to" in out
    policy = Policy.objects.get(site=site)
    assert policy.site_model is not None
    assert policy.site_model.metrics["after"]["roc_auc"] > policy.site_model.metrics["before"]["roc_auc"]
    # The pipeline now scores with the site model.
    policy_update(site=site, toxicity_warn=0.99, toxicity_hold=0.99)
    site.refresh_from_db()
    draft = comment_check(site=site, url=PAGE, text="Go read the Daily Bugle then, Bugle reader 99")
    decision = moderate(site=site, comment=draft.comment, acknowledged_warning=True)
    assert decision.versions["toxicity"].endswith(f"+site{policy.site_model_id}")
    assert decision.scores["toxicity"] > 0.5
    assert "shipped model" in run("retrain", "--site", "blog", "--rollback")
    assert Policy.objects.get(site=site).site_model is None


def test_retrain_refuses_without_enough_decisions(site: Site) -> None:
    reviewed_site(site, n=3)
    with pytest.raises(CommandError, match="need at least"):
        run("retrain", "--site", "blog")
    assert policy_for(site).site_model is None


def test_review_records_the_verdict_and_can_ban(site: Site) -> None:
    mod = User.objects.create_user("mod")
    c = make_comment(site, text="x y z")
    comment_review(comment=c, verdict=Verdict.SPAM, moderator=mod, ban_days=3)
    c.refresh_from_db()
    assert c.status == "rejected" and c.moderation["review"]["decision"] == "spam"
    assert site.bans.get().value == c.author_key


def test_a_model_stored_before_the_words_joined_still_scores(site: Site) -> None:
    from townhall.moderation.ml import hostility_model
    from townhall.moderation.ml.sitefit import BITS, design
    from townhall.moderation.models import SiteModel
    from townhall.moderation.sitemodel import DENSE_ONLY, FEATURES, loaded_model, site_score

    loaded_model.cache_clear()  # model ids repeat between tests (rolled back), models never change

    text = "Go read the Daily Bugle then"
    analysis = hostility_model().analyse(text)
    weights = np.zeros(len(design(analysis, hostility_model())))
    weights[0] = 2.0  # a constant logit of 2, whatever the comment
    old = SiteModel.objects.create(site=site, bits=0, weights=[float(v) for v in weights],
                                   metrics={"features": DENSE_ONLY})
    unknown = SiteModel.objects.create(site=site, bits=0, weights=[1.0], metrics={"features": "something else"})
    other_buckets = SiteModel.objects.create(site=site, bits=BITS + 1, weights={}, metrics={"features": FEATURES})
    assert site_score(old.pk, analysis, text) == pytest.approx(1 / (1 + np.exp(-2.0)))
    assert site_score(unknown.pk, analysis, text) is None
    assert site_score(other_buckets.pk, analysis, text) is None
