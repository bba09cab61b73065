"""`townhall moderation train-site`: a site arriving with a moderation history starts its own model."""

from __future__ import annotations

import csv
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from townhall.comments.models import Site
from townhall.moderation.ml import hostility_model
from townhall.moderation.models import Policy, SiteModel
from townhall.moderation.pipeline import moderate
from townhall.moderation.sitemodel import loaded_model, site_score

pytestmark = pytest.mark.django_db

# This site rejects sneers at its rivals (which the shipped model reads as harmless) and
# approves salty praise (which it reads as hostile).
REJECTED = ["The Daily Bugle hacks wrote this better, as usual {i}", "Go read the Daily Bugle then, Bugle reader {i}",
            "Another Daily Bugle fan, how original {i}"]
APPROVED = ["Damn good reporting, hell yes {i}", "Hell, I have seen worse crap from the ministry {i}",
            "Bloody brilliant piece, the damn council should read it {i}"]


def decisions(tmp_path: Path, n: int = 15) -> Path:
    path = tmp_path / "decisions.csv"
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["text", "label"])
        for i in range(n):
            w.writerow([REJECTED[i % 3].format(i=i), 1])
            w.writerow([APPROVED[i % 3].format(i=i), 0])
    return path


def run(*args: str) -> str:
    out = StringIO()
    call_command("moderation", *args, stdout=out)
    return out.getvalue()


def test_train_site_from_past_decisions_switches_and_scores_with_it(site: Site, tmp_path: Path) -> None:
    loaded_model.cache_clear()  # model ids repeat between tests (rolled back), models never change
    out = run("train-site", "--site", site.slug, "--decisions", str(decisions(tmp_path)))
    assert "30 decisions" in out and "switched to" in out
    model = Policy.objects.get(site=site).site_model
    assert model is not None and model.metrics["source"] == "decisions file"
    text = "Go read the Daily Bugle then, Bugle reader 99"
    sneer = hostility_model().analyse(text)
    score = site_score(model.pk, sneer, text)
    assert score is not None and score > 0.5 > sneer.score


def test_a_site_without_decisions_keeps_the_shipped_score(site: Site) -> None:
    from townhall.comments.services import comment_check
    from townhall.core.testing import PAGE

    draft = comment_check(site=site, url=PAGE, text="The council should publish the budget.")
    decision = moderate(site=site, comment=draft.comment, acknowledged_warning=True)
    assert decision.versions["toxicity"] == hostility_model().version
    assert decision.scores["toxicity"] == round(hostility_model().score("The council should publish the budget."), 4)


@pytest.mark.parametrize(("content", "message"), [
    ("words,verdict\na,1\n", "line 1: the header must name the columns text and label"),
    ("text,label\nfine,0\nbad,maybe\n", "line 3: label must be 0"),
    ("text,label\n,1\n", "line 2: text is empty"),
])
def test_a_bad_decisions_file_names_the_line_and_changes_nothing(
    site: Site, tmp_path: Path, content: str, message: str
) -> None:
    path = tmp_path / "d.csv"
    path.write_text(content)
    with pytest.raises(CommandError, match=message):
        run("train-site", "--site", site.slug, "--decisions", str(path))
    assert not SiteModel.objects.exists()


def test_too_few_decisions_is_refused(site: Site, tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="need at least"):
        run("train-site", "--site", site.slug, "--decisions", str(decisions(tmp_path, n=4)))
    with pytest.raises(CommandError, match="No such file|not found|no such"):
        run("train-site", "--site", site.slug, "--decisions", str(tmp_path / "missing.csv"))
