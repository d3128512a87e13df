"""Pretraining throughput: our setup (MLM logits at masked positions only, batches padded to their longest)
against the naive one (BertForPreTraining's full-vocabulary logits at every position, batches padded to
max_seq_len), plus the two single-change ablations, timed in one run with interleaved rounds.

    python benchmarks/bench_pretraining.py --tokenizer runs/tok/plain-24k --preset mini

Throughput counts real (non-padding) tokens per second of training (forward + backward + AdamW step).
"""

from __future__ import annotations

import argparse
import shlex
import sys
import tempfile
import time
from pathlib import Path

import torch
from transformers import AutoTokenizer, BertForPreTraining

from kpfnlp.paths import REPO_ROOT
from kpfnlp.pretraining.config import PretrainConfig
from kpfnlp.pretraining.dataset import PretrainingCollator, PretrainingDataset, SpecialIds
from kpfnlp.pretraining.model import build_model
from kpfnlp.pretraining.prepare import prepare_pretraining

SETUPS = {
    # name: (masked-only logits, pad to max_seq_len)
    "ours: masked-only logits, dynamic padding": (True, False),
    "masked-only logits, padded to max_seq_len": (True, True),
    "full logits, dynamic padding": (False, False),
    "naive: full logits, padded to max_seq_len": (False, True),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tokenizer", required=True, help="HF tokenizer directory")
    parser.add_argument("--corpus", default=str(REPO_ROOT / "training/corpora/tiny.yaml"))
    parser.add_argument("--preset", default="mini")
    parser.add_argument("--max-seq-len", type=int, default=128)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--steps", type=int, default=8, help="timed steps per setup per round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--max-docs", type=int, default=1500)
    args = parser.parse_args()
    torch.manual_seed(0)

    with tempfile.TemporaryDirectory() as tmp:
        config = PretrainConfig.load(
            None,
            [
                f"data.corpus={args.corpus}",
                f"data.tokenizer={args.tokenizer}",
                f"data.shards={tmp}/shards",
                f"data.max_seq_len={args.max_seq_len}",
                f"data.max_docs={args.max_docs}",
                f"model.preset={args.preset}",
            ],
        )
        prepare_pretraining(config)
        tokenizer = AutoTokenizer.from_pretrained(args.tokenizer)
        special = SpecialIds.from_tokenizer(tokenizer)
        dataset = PretrainingDataset(Path(tmp) / "shards" / "train", special)
        batches = _batches(dataset, special, args)
        results = {name: [] for name in SETUPS}
        models = {name: _model(config, special, masked) for name, (masked, _) in SETUPS.items()}
        for _ in range(args.rounds):
            for name, (_, padded) in SETUPS.items():
                results[name].append(_time(models[name], batches[padded], args.steps))

    best = {name: max(r) for name, r in results.items()}
    base = best["naive: full logits, padded to max_seq_len"]
    print(
        f"\nmodel {args.preset}, vocab {special.vocab_size}, max_seq_len {args.max_seq_len}, batch "
        f"{args.batch_size}, {torch.get_num_threads()} threads, best of {args.rounds} rounds x {args.steps} steps\n"
    )
    print("| setup | real tokens/s | vs naive |")
    print("|---|---:|---:|")
    for name, value in best.items():
        print(f"| {name} | {value:,.0f} | {value / base:.2f}x |")
    print("\ncommand: python " + " ".join(shlex.quote(a) for a in sys.argv))


def _model(config: PretrainConfig, special: SpecialIds, masked: bool) -> torch.nn.Module:
    torch.manual_seed(0)
    model = build_model(config.model.resolved(), special.vocab_size, special.pad)
    if not masked:
        plain = BertForPreTraining(model.config)
        plain.load_state_dict(model.state_dict())
        model = plain
    return model.train()


def _batches(dataset: PretrainingDataset, special: SpecialIds, args: argparse.Namespace) -> dict[bool, list]:
    """The same examples, batched both ways: padded to their longest and padded to max_seq_len."""
    n = args.batch_size * args.steps
    features = [dataset[i % len(dataset)] for i in range(n)]
    out = {}
    for padded in (False, True):
        collate = PretrainingCollator(special.pad, pad_to_length=args.max_seq_len if padded else None)
        out[padded] = [collate(features[i : i + args.batch_size]) for i in range(0, n, args.batch_size)]
    return out


def _time(model: torch.nn.Module, batches: list[dict], steps: int) -> float:
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-4)
    _step(model, optimizer, batches[0])  # warm-up
    tokens = 0
    start = time.perf_counter()
    for batch in batches[:steps]:
        _step(model, optimizer, batch)
        tokens += int(batch["attention_mask"].sum())
    return tokens / (time.perf_counter() - start)


def _step(model: torch.nn.Module, optimizer: torch.optim.Optimizer, batch: dict) -> None:
    loss = model(**batch).loss
    loss.backward()
    optimizer.step()
    optimizer.zero_grad(set_to_none=True)


if __name__ == "__main__":
    main()
