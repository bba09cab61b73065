"""The shipped hostility model: checked files, windows for long texts, stable scores (no Django)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from townhall.moderation.ml import hostility_model
from townhall.moderation.ml.encoder import (
    ENCODER_DIR,
    FILES,
    MAX_TOKENS,
    WHOLE_CHARS,
    Encoder,
    ModelFileError,
    prepare,
)
from townhall.moderation.ml.linear import MODELS_DIR

CIVIL = "I disagree with the article; the sources it cites are weak and the numbers do not add up."
HOSTILE = "You are a pathetic idiot and a liar, and everyone here can see it."


def test_model_files_are_small_enough_to_ship() -> None:
    total = sum(p.stat().st_size for p in MODELS_DIR.rglob("*") if p.is_file())
    assert total <= 30 * 1024 * 1024, f"model files are {total / 2**20:.1f} MB"


def test_a_changed_model_file_is_refused(tmp_path: Path) -> None:
    copy = tmp_path / "encoder"
    shutil.copytree(ENCODER_DIR, copy)
    Encoder(copy)  # the shipped files load
    data = bytearray((copy / "tokenizer.json").read_bytes())
    data[-3] ^= 1
    (copy / "tokenizer.json").write_bytes(bytes(data))
    with pytest.raises(ModelFileError, match="sha256"):
        Encoder(copy)
    (copy / "model.onnx").unlink()
    with pytest.raises(ModelFileError, match="missing"):
        Encoder(copy)


def test_manifest_names_every_file() -> None:
    sums = json.loads((ENCODER_DIR / "manifest.json").read_text())["sha256"]
    assert set(sums) == set(FILES)


def test_long_texts_are_read_as_their_head_and_tail_in_one_bounded_window() -> None:
    encoder = hostility_model().encoder
    assert len(encoder.window(CIVIL)) < MAX_TOKENS
    assert len(encoder.window("word " * 3000)) == MAX_TOKENS
    # An insult at the very end of a long comment still counts.
    long_tail = " ".join([CIVIL] * 40) + " " + HOSTILE
    assert hostility_model().score(long_tail) > hostility_model().score(" ".join([CIVIL] * 41))


def test_a_long_text_tokenized_by_its_ends_reads_the_tokens_the_whole_text_gives() -> None:
    encoder = hostility_model().encoder
    tokenizer = encoder._tokenizer

    def from_whole(text: str) -> list[int]:
        ids = tokenizer.encode(prepare(text)).ids
        body, size = ids[1:-1], MAX_TOKENS - 2
        if len(body) <= size:
            return ids
        head = size * 3 // 4
        return [ids[0], *body[:head], *body[len(body) - (size - head) :], ids[-1]]

    words = ["council", "budget's", "unbelievable", "naïve", "e-mail", "2,000", "&amp;", "(really?)", "Zürich"]
    long = " ".join(words[(i * 7) % len(words)] for i in range(600))
    assert len(long) > WHOLE_CHARS
    assert encoder.window(long) == from_whole(long)
    # Ends with no space to cut at: tokenized whole, the same window.
    unbroken = "x" * 700 + " middle " + "y" * 700 + " end" * 80
    assert encoder.window(unbroken) == from_whole(unbroken)
    assert len(from_whole(unbroken)) == MAX_TOKENS


def test_hostile_scores_above_civil_and_above_the_hold_threshold() -> None:
    model = hostility_model()
    assert model.score(HOSTILE) > model.hold > model.warn
    assert model.score(CIVIL) < model.warn


def test_a_score_does_not_depend_on_what_was_scored_before() -> None:
    model = hostility_model()
    first = model.score(CIVIL)
    model.score(HOSTILE)
    model.score("word " * 1000)
    assert model.score(CIVIL) == first


def test_analysis_gives_the_embedding_the_site_model_builds_on() -> None:
    analysis = hostility_model().analyse(HOSTILE)
    assert analysis.embedding.shape == (384,)
    assert abs(float(np.linalg.norm(analysis.embedding)) - 1.0) < 1e-4
    assert set(analysis.parts) == {"head", "prototype", "linear"}


def test_explanations_point_at_the_insult() -> None:
    phrases = hostility_model().explain("The numbers were in the third paragraph. " + HOSTILE)
    assert phrases and any(w in phrases[0].text.lower() for w in ("idiot", "pathetic", "liar"))
    assert hostility_model().explain("") == []
