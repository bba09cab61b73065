"""Shipped toxicity/spam models: loading, stability, and obvious cases (no Django)."""

import json
import zipfile

import numpy as np
import pytest

from townhall.moderation.ml import LinearTextModel, spam_model, toxicity_model
from townhall.moderation.ml.linear import MODELS_DIR

NEUTRAL = [
    "It was MAD mag in the states.",
    "Supply the link to the ACTUAL quote.",
    "Burmese is a tonal language so the best I can remember is chi sa ba.",
    "The city council approved the new budget on Tuesday.",
    "I disagree with the article; the sources it cites are weak.",
]
INSULTS = [
    "You are a pathetic idiot, poor thing is desperate",
    "you are an idiot",
    "Yes Hind, for the cerebral challenged:",
    "Yeah, proving your crap to be nothing more than crap.",
    "Shut up, you moron.",
]


@pytest.mark.parametrize("name", ["toxicity", "spam"])
def test_model_files_are_plain_arrays_and_json(name):
    meta = json.loads((MODELS_DIR / f"{name}.json").read_text())
    assert meta["name"] == name
    # Every member of the npz is a .npy array; loading must not need pickle.
    with zipfile.ZipFile(MODELS_DIR / f"{name}.npz") as zf:
        assert all(n.endswith(".npy") for n in zf.namelist())
    with np.load(MODELS_DIR / f"{name}.npz", allow_pickle=False) as arrays:
        assert all(arrays[k].dtype != object for k in arrays.files)


def test_models_are_cached_and_versions_stable():
    assert toxicity_model() is toxicity_model()
    assert spam_model() is spam_model()
    fresh = LinearTextModel.load("toxicity")
    assert fresh.version == toxicity_model().version
    assert len(fresh.version) == 12 and fresh.version != spam_model().version
    assert toxicity_model().name == "toxicity" and spam_model().name == "spam"


def test_scores_are_probabilities():
    model = toxicity_model()
    scores = model.score_many(NEUTRAL + INSULTS + ["", "   ", "😀" * 50, "a" * 5000])
    assert all(0.0 <= s <= 1.0 for s in scores)
    assert model.score("") == 0.0
    assert 0.0 < model.threshold < 1.0


def test_insults_score_higher_than_neutral():
    model = toxicity_model()
    assert model.score("You are a pathetic idiot, poor thing is desperate") > model.score(
        "It was MAD mag in the states."
    )
    assert min(model.score_many(INSULTS)) > max(model.score_many(NEUTRAL))
    assert all(model.flag(t) for t in INSULTS)
    assert not any(model.flag(t) for t in NEUTRAL)


def test_toxicity_survives_obfuscation():
    model = toxicity_model()
    plain = model.score("you are an idiot")
    for variant in ["you are an 1d10t", "YOU ARE AN IDIOT", "you are an іdіot"]:  # Cyrillic і
        assert model.score(variant) == pytest.approx(plain, abs=0.05)


def test_spam_catches_channel_promotion():
    model = spam_model()
    spam = "Check out my channel http://youtube.com/c/bestvids subscribe!!!"
    assert model.flag(spam)
    assert model.score(spam) > model.score("It was MAD mag in the states.")


def test_spam_does_not_flag_cited_sources():
    model = spam_model()
    for text in [
        "Assuming you are all on one page, these are called double quotation marks. "
        "http://news.antiwar.com/2016/01/19/israeli-general-we-dont-want-isis-defeated/",
        "Supply the link to the ACTUAL quote.",
        "The council report is here: https://example.org/minutes/2024-03.pdf - see page 4.",
    ]:
        assert not model.flag(text), text


def test_explain_names_the_matched_phrases():
    reasons = toxicity_model().explain("Sweetheart, you are a pathetic idiot. Poor thing is desperate.")
    assert "insult: you are a pathetic idiot" in reasons
    assert "insult: poor thing" in reasons
    assert toxicity_model().explain("It was MAD mag in the states.") == []
    spam_reasons = spam_model().explain("Check out my channel http://a.example/x subscribe!!!")
    assert "promotion: check out my" in spam_reasons and "links: 1" in spam_reasons


@pytest.mark.parametrize("text", ["x" * 200_000, "a1" * 50_000, "$" * 100_000, ("word " * 10 + "\n") * 3000,
                                  "you " * 20_000, "f*" * 20_000])
def test_pathological_input_is_fast(text):
    # Guards against quadratic regexes: every path here once took seconds.
    import time

    t0 = time.perf_counter()
    toxicity_model().score(text)
    spam_model().score(text)
    assert time.perf_counter() - t0 < 0.5
