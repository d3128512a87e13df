"""How much sentiment does a backbone's *frozen* representation carry? A linear probe per layer on NSMC.

Fine-tuning scores mix two things: what pretraining put into the weights, and how fast the weights adapt. This
probe isolates the first: the masked mean of each layer's hidden states (layer 0 = the embedding output) and the
last layer's [CLS] state are fed, frozen, to a standardised logistic regression, trained on a seeded sample of
NSMC train and scored on a seeded sample of the official test set. A backbone whose pretraining helps sentiment
shows middle layers well above its embedding layer and above the same architecture with random weights.

    python benchmarks/bench_nsmc_probe.py --model kpfnlp/models/kpfnlp-mini [--model DIR ...] [--random-init]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
import torch
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import StandardScaler
from transformers import AutoTokenizer, BertConfig, BertModel

from kpfnlp.eval.data import NSMC_LABELS, read_nsmc
from kpfnlp.eval.tasks import _subset
from kpfnlp.paths import shared_data_dir


def layer_features(model: BertModel, tokenizer, texts: list[str], batch_size: int = 128) -> np.ndarray:
    """(n, layers + 2, hidden): masked mean of every hidden-state layer, then the last layer's [CLS] state."""
    rows = []
    with torch.no_grad():
        for start in range(0, len(texts), batch_size):
            enc = tokenizer(texts[start : start + batch_size], padding=True, truncation=True, max_length=128,
                            return_tensors="pt")  # fmt: skip
            states = model(**enc, output_hidden_states=True).hidden_states
            mask = enc["attention_mask"].unsqueeze(-1).float()
            means = [(h * mask).sum(1) / mask.sum(1).clamp(min=1.0) for h in states]
            rows.append(torch.stack([*means, states[-1][:, 0]], dim=1).numpy())
    return np.concatenate(rows)


def probe(train_x: np.ndarray, train_y: np.ndarray, test_x: np.ndarray, test_y: np.ndarray) -> float:
    """Test accuracy (%) of a standardised logistic regression."""
    scaler = StandardScaler().fit(train_x)
    clf = LogisticRegression(max_iter=2000).fit(scaler.transform(train_x), train_y)
    return 100.0 * clf.score(scaler.transform(test_x), test_y)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--model", action="append", required=True, help="BERT directory (repeatable).")
    parser.add_argument("--random-init", action="store_true", help="Also probe the first model's architecture, "
                        "randomly initialised (seed 0).")  # fmt: skip
    parser.add_argument("--train", type=int, default=5000, help="NSMC train reviews (seeded sample).")
    parser.add_argument("--test", type=int, default=5000, help="NSMC test reviews (seeded sample).")
    parser.add_argument("--data-dir", type=Path, default=None)
    args = parser.parse_args()
    torch.set_num_threads(2)
    data = args.data_dir or shared_data_dir()
    train = [ex for ex in read_nsmc(data / "nsmc/ratings_train.txt") if ex.text]
    test = [ex for ex in read_nsmc(data / "nsmc/ratings_test.txt") if ex.text]
    train, test = _subset(train, args.train, 0), _subset(test, args.test, 0)
    train_y = np.array([NSMC_LABELS.index(ex.label) for ex in train])
    test_y = np.array([NSMC_LABELS.index(ex.label) for ex in test])

    candidates = [(str(m), m, False) for m in args.model]
    if args.random_init:
        candidates.append((f"{args.model[0]} (random init)", args.model[0], True))
    print(f"NSMC linear probe: {len(train)} train / {len(test)} test reviews, frozen features")
    header = None
    for name, path, random_init in candidates:
        start = time.perf_counter()
        tokenizer = AutoTokenizer.from_pretrained(path)
        if random_init:
            torch.manual_seed(0)
            model = BertModel(BertConfig.from_pretrained(path), add_pooling_layer=False)
        else:
            model = BertModel.from_pretrained(path, dtype=torch.float32, add_pooling_layer=False)
        model.eval()
        train_f = layer_features(model, tokenizer, [ex.text for ex in train])
        test_f = layer_features(model, tokenizer, [ex.text for ex in test])
        n_layers = train_f.shape[1] - 2
        if header is None:
            header = ["model", *[f"mean L{i}" for i in range(n_layers + 1)], "CLS last"]
            print("| " + " | ".join(header) + " |")
            print("|" + "---|" * len(header))
        scores = [probe(train_f[:, k], train_y, test_f[:, k], test_y) for k in range(train_f.shape[1])]
        print(f"| {name} | " + " | ".join(f"{s:.2f}" for s in scores) + f" |  ({time.perf_counter() - start:.0f} s)",
              flush=True)  # fmt: skip


if __name__ == "__main__":
    main()
