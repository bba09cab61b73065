"""The fine-tuned sentence encoder (int8 ONNX) that scores hostility on news comments.

Runs with onnxruntime and the `tokenizers` library only: no torch at runtime. One forward
pass gives both the head's logit and the mean-pooled embedding, which the prototype
similarity, a site's own model and the explanations reuse. The files are checked against
the sha256 sums in `manifest.json` when loaded, so a damaged or swapped model never scores.
"""

from __future__ import annotations

import hashlib
import html
import json
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

ENCODER_DIR = Path(__file__).resolve().parent / "models" / "encoder"
# Trained on up to 128 tokens, read on up to 64 at run time: on one quiet core of the machine
# measured here (AVX2, no VNNI) a 128-token pass costs about 13 ms and a 64-token one 6.6 ms, and
# the news ROC-AUC moves from 0.904 to 0.900 (1,500 held-out rows); 56 tokens would cost 0.0035
# more, 48 tokens 0.010. A longer comment is read as its first 3/4 and last 1/4 in one window, so
# its cost is bounded whatever its length.
TRAIN_TOKENS = 128
MAX_TOKENS = 64
FILES = ("model.onnx", "tokenizer.json")
# A text longer than this is tokenized by its two ends only, each END_CHARS long: far more than
# the 46 and 16 tokens read from them (a token is 1 to 10 characters).
WHOLE_CHARS = 1200
END_CHARS = 500

_SPACE = re.compile(r"\s+")
_ARTEFACTS = re.compile(r"newline_token|tab_token", re.I)


def prepare(text: str) -> str:
    """The text exactly as training saw it: entities decoded, dump artefacts gone, one space."""
    return _SPACE.sub(" ", _ARTEFACTS.sub(" ", html.unescape(text))).strip()


class ModelFileError(RuntimeError):
    """A shipped model file is missing or not the one its manifest names."""


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def verified(directory: Path) -> dict[str, str]:
    """The manifest's sums, after checking every file against them."""
    try:
        manifest = json.loads((directory / "manifest.json").read_text())
    except (OSError, ValueError) as exc:
        raise ModelFileError(f"{directory}/manifest.json: {exc}") from exc
    sums: dict[str, str] = manifest["sha256"]
    for name in FILES:
        path = directory / name
        if not path.exists():
            raise ModelFileError(f"{path} is missing")
        if sha256_of(path) != sums.get(name):
            raise ModelFileError(f"{path}: sha256 does not match manifest.json")
    return sums


@dataclass(frozen=True)
class Encoded:
    logit: float  # the fine-tuned head
    raw: np.ndarray  # the mean-pooled embedding as the head reads it (float32, 384)


class Encoder:
    def __init__(self, directory: Path = ENCODER_DIR, threads: int = 1):
        import onnxruntime as ort
        from tokenizers import Tokenizer

        sums = verified(directory)
        self.version = hashlib.sha256("".join(sums[n] for n in FILES).encode()).hexdigest()[:12]
        self._tokenizer = Tokenizer.from_file(str(directory / "tokenizer.json"))
        # No padding at all: one text per call, so every token is real (padding to 128 cost
        # 0.02 ROC-AUC and time); truncation is done by hand, below, to keep the head and the tail.
        self._tokenizer.no_padding()
        self._tokenizer.no_truncation()
        cls, sep = self._tokenizer.token_to_id("[CLS]"), self._tokenizer.token_to_id("[SEP]")
        if cls is None or sep is None:
            raise ModelFileError(f"{directory}/tokenizer.json has no [CLS] or [SEP] token")
        self._cls, self._sep = cls, sep
        options = ort.SessionOptions()
        # One thread: a request is one comment, and the server runs one process per core.
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        self._session = ort.InferenceSession(
            str(directory / "model.onnx"), options, providers=["CPUExecutionProvider"]
        )

    def window(self, text: str) -> list[int]:
        """The tokens read: all of them, or the head and the tail of a long text."""
        text = prepare(text) or "."
        size = MAX_TOKENS - 2
        head = size * 3 // 4
        if len(text) > WHOLE_CHARS:
            # Only the ends are read, so only the ends are tokenized (0.6 ms saved at 2,000
            # characters). Cut at spaces, which every word piece respects, the tokens are the
            # ones the whole text gives; where there is no space to cut at, it is tokenized whole.
            first = text.rfind(" ", 0, END_CHARS)
            last = text.find(" ", len(text) - END_CHARS)
            if first > 0 and last > first:
                # Two calls, not encode_batch: that one starts a thread pool in every worker.
                front = self._tokenizer.encode(text[:first], add_special_tokens=False).ids
                back = self._tokenizer.encode(text[last + 1 :], add_special_tokens=False).ids
                if len(front) >= head and len(back) >= size - head:
                    return [self._cls, *front[:head], *back[len(back) - (size - head) :], self._sep]
        ids = self._tokenizer.encode(text).ids
        cls, body, sep = ids[0], ids[1:-1], ids[-1]
        if len(body) <= size:
            return ids
        return [cls, *body[:head], *body[len(body) - (size - head) :], sep]

    def run(self, ids: list[list[int]]) -> tuple[np.ndarray, np.ndarray]:
        """(embeddings, logits), one forward pass per window.

        Never batched: dynamic int8 quantisation scales activations by the whole batch's
        range, so a text's score would depend on what it was batched with.
        """
        embeddings, logits = [], []
        for window in ids:
            input_ids = np.array([window], dtype=np.int64)
            embedding, logit = self._session.run(
                None, {"input_ids": input_ids, "attention_mask": np.ones_like(input_ids)}
            )
            embeddings.append(embedding[0])
            logits.append(float(logit[0]))
        return np.array(embeddings, dtype=np.float32), np.array(logits, dtype=np.float32)

    def encode(self, text: str) -> Encoded:
        embeddings, logits = self.run([self.window(text)])
        return Encoded(float(logits[0]), embeddings[0].astype(np.float32))
