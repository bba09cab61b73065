"""The fine-tuned sentence encoder (int8 ONNX) that scores hostility on news comments.

Runs with onnxruntime and the `tokenizers` library only: no torch at runtime. One forward
pass gives both the head's logit and the mean-pooled embedding, which the prototype
similarity and a site's own model reuse.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

ENCODER_DIR = Path(__file__).resolve().parent / "models" / "encoder"
MAX_TOKENS = 128

_SPACE = re.compile(r"\s+")
_ARTEFACTS = re.compile(r"newline_token|tab_token", re.I)


def prepare(text: str) -> str:
    """The text exactly as training saw it: entities decoded, dump artefacts gone, one space."""
    return _SPACE.sub(" ", _ARTEFACTS.sub(" ", html.unescape(text))).strip()
