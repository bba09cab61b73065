"""The shipped hostility score: the fine-tuned encoder combined with the linear word model.

Three standardised parts, weighted by a logistic regression fitted on news comments the
encoder never trained on (`training/train_hostility.py`):
  head       the encoder's fine-tuned head (sarcasm, contempt, insults without swear words);
  prototype  how much closer the comment's embedding is to hand-written hostile comments than
             to civil ones (same forward pass, no extra cost);
  linear     the hashed word/char model with the insult rules (`linear.py`): profanity and the
             seed thread's swear-free insults, which the encoder alone scores low.
The hand-written insult rules (`insults.rule_score`: "for the cerebral challenged", "... is
you", "sweetheart,") then join by noisy-OR, as they do in the linear model: a short insult at
the head of a long quote is diluted in the encoder's mean pooling, and the rules are precise.
The output is a probability for a balanced mix (half hostile); `warn` and `hold` are the
default thresholds, chosen for traffic that is about 5% hostile (see `metrics` in the JSON).

Identity terms: the training data taught the encoder that "gay" or "Muslim" lean hostile (a
known bias of these sources). Before the head and the prototypes read an embedding, its
component along a few "identity directions" is removed (hard debiasing): the directions are
the main differences between sentences that differ only by an identity term, fitted on one
set of sentence frames and checked on another (`training/train_hostility.py`).
"""

from __future__ import annotations

import functools
import hashlib
import json
import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .encoder import ENCODER_DIR, Encoder, prepare
from .features import clean
from .insults import rule_score
from .linear import MODELS_DIR, LinearTextModel

PARTS = ("head", "prototype", "linear")
# Explanations: at most this many occluded variants, scored in one batch.
MAX_OCCLUSIONS = 48
_WORD = re.compile(r"\S+")


def _logit(p: float) -> float:
    p = min(max(p, 1e-6), 1 - 1e-6)
    return math.log(p / (1 - p))


@dataclass(frozen=True)
class Analysis:
    score: float
    embedding: np.ndarray
    parts: dict[str, float]


# (texts, their analyses) -> the scores to explain, for a model built on this one.
Rescore = Callable[[list[str], list[Analysis]], np.ndarray]


@dataclass(frozen=True)
class Phrase:
    text: str
    weight: float  # how much the score drops without it


class HostilityModel:
    name = "hostility"

    def __init__(self, meta: dict, encoder: Encoder, linear: LinearTextModel, json_bytes: bytes):
        self.meta = meta
        self.encoder = encoder
        self.linear = linear
        self.warn: float = float(meta["warn"])
        self.hold: float = float(meta["hold"])
        self.flamewar: float = float(meta["flamewar"])
        # Inside a flame war, replies above this are flagged for the war's moderator (not held).
        self.flamewar_flag: float = float(meta["flamewar_flag"])
        self.threshold = self.hold  # the one threshold of the models' common interface (bench, replays)
        self._mean = np.array(meta["mean"], dtype=np.float64)
        self._std = np.array(meta["std"], dtype=np.float64)
        self._weights = np.array(meta["weights"], dtype=np.float64)
        self._bias = float(meta["bias"])
        self._hostile = np.array(meta["centroids"]["hostile"], dtype=np.float32)
        self._civil = np.array(meta["centroids"]["civil"], dtype=np.float32)
        self._debias = np.array(meta["debias"], dtype=np.float32).reshape(-1, len(self._hostile))
        self._head = np.array(meta["head"]["weights"], dtype=np.float32)
        self._head_bias = float(meta["head"]["bias"])
        digest = hashlib.sha256(json_bytes + encoder.version.encode() + linear.version.encode())
        self.version = digest.hexdigest()[:12]

    @classmethod
    def load(cls, directory: Path = MODELS_DIR) -> HostilityModel:
        json_bytes = (directory / "hostility.json").read_bytes()
        return cls(
            json.loads(json_bytes), Encoder(ENCODER_DIR), LinearTextModel.load("toxicity", directory), json_bytes
        )

    def read(self, raw: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(head logits, unit embeddings) of raw embeddings, identity directions removed."""
        raw = np.atleast_2d(raw)
        debiased = raw - (raw @ self._debias.T) @ self._debias
        norms = np.linalg.norm(debiased, axis=1, keepdims=True).clip(1e-9)
        return debiased @ self._head + self._head_bias, debiased / norms

    def _combine(
        self, head: np.ndarray, embeddings: np.ndarray, linear: np.ndarray, rules: np.ndarray
    ) -> np.ndarray:
        prototype = embeddings @ self._hostile - embeddings @ self._civil
        x = (np.stack([head, prototype, linear], axis=-1) - self._mean) / self._std
        learned = 1 / (1 + np.exp(-(x @ self._weights + self._bias)))
        return np.asarray(1 - (1 - learned) * (1 - rules))

    def analyse(self, text: str) -> Analysis:
        head, unit = self.read(self.encoder.encode(text).raw)
        linear = _logit(self.linear.score(text))
        score = float(self._combine(head, unit, np.array([linear]), np.array([rule_score(clean(text))]))[0])
        return Analysis(score, unit[0], self._parts(head[0], unit[0], linear))

    def _parts(self, head: float, unit: np.ndarray, linear: float) -> dict[str, float]:
        """The three parts of one text, as `Analysis.parts` holds them."""
        return {"head": float(head), "prototype": float(unit @ self._hostile - unit @ self._civil),
                "linear": float(linear)}

    def standardised(self, analysis: Analysis) -> np.ndarray:
        """The three parts as the combination reads them (zero mean, unit spread on news)."""
        return np.asarray((np.array([analysis.parts[p] for p in PARTS]) - self._mean) / self._std)

    def score(self, text: str) -> float:
        return self.analyse(text).score

    def score_many(self, texts: list[str]) -> np.ndarray:
        return np.array([self.score(t) for t in texts])

    def explain(self, text: str, top: int = 3, rescore: Rescore | None = None) -> list[Phrase]:
        """The phrases whose removal lowers the score most (occlusion over word spans).

        Costs one forward pass per occluded variant (at most MAX_OCCLUSIONS): for a moderator opening an item,
        never for the posting path. `rescore` turns the variants' analyses into the scores to
        explain where another model (a site's own) stands on this one's.
        """
        cleaned = prepare(text)
        words = [(m.start(), m.end()) for m in _WORD.finditer(cleaned)]
        if not words:
            return []
        # Three-word spans (an insult is rarely one word: "pathetic little troll"), sliding by
        # one word, or by more on long comments to stay within MAX_OCCLUSIONS passes.
        stride = max(1, math.ceil(len(words) / MAX_OCCLUSIONS))
        groups = [words[i : i + 3] for i in range(0, max(len(words) - 2, 1), stride)]
        variants = [cleaned[: g[0][0]] + cleaned[g[-1][1] :] for g in groups]
        windows = [self.encoder.window(v) for v in [cleaned, *variants]]
        head, unit = self.read(self.encoder.run(windows)[0])
        texts = [cleaned, *variants]
        linear = np.array([_logit(self.linear.score(v)) for v in texts])
        scores = self._combine(head, unit, linear, np.array([rule_score(clean(v)) for v in texts]))
        if rescore is not None:
            scores = rescore(texts, [
                Analysis(float(scores[i]), unit[i], self._parts(head[i], unit[i], linear[i])) for i in range(len(texts))
            ])
        drops = scores[0] - scores[1:]
        if not len(drops) or float(drops.max()) <= 0.02:
            return []
        # Spans that matter (at least half the strongest) are merged where they touch or overlap,
        # so "you are a" + "pathetic idiot and" reads as one phrase, weighted by its best span.
        cutoff = max(0.02, 0.5 * float(drops.max()))
        weight_of_word: dict[int, float] = {}
        for g, drop in zip(groups, drops, strict=True):
            if drop >= cutoff:
                for w in g:
                    i = words.index(w)
                    weight_of_word[i] = max(weight_of_word.get(i, 0.0), float(drop))
        phrases: list[Phrase] = []
        run: list[int] = []
        for i in [*sorted(weight_of_word), -2]:
            if run and i != run[-1] + 1:
                text = cleaned[words[run[0]][0] : words[run[-1]][1]]
                phrases.append(Phrase(text, round(max(weight_of_word[j] for j in run), 3)))
                run = []
            run.append(i)
        return sorted(phrases, key=lambda p: -p.weight)[:top]


@functools.cache
def hostility_model() -> HostilityModel:
    """Hostility score 0..1 for news comments (see module docstring)."""
    return HostilityModel.load()
