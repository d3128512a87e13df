"""Pretraining throughput: our setup (MLM logits at masked positions only, batches padded to their longest)
against the naive one (BertForPreTraining's full-vocabulary logits at every position, batches padded to
max_seq_len), plus the two single-change ablations, timed in one run with interleaved rounds. With `--shards`
(prepared instances of a real mix) it adds length-grouped batches, and with `--bf16` bf16 autocast.

    python benchmarks/bench_pretraining.py --tokenizer runs/tok/plain-24k --preset mini
    python benchmarks/bench_pretraining.py --tokenizer kpfnlp/models/kpfnlp-mini --shards runs/mini-nsmc/shards/train \
        --batch-size 64 --dropout 0 --bf16

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
from kpfnlp.pretraining.trainer import EpochShuffleSampler, LengthGroupedEpochSampler

SETUPS = {
    # name: (masked-only logits, batches: "dynamic" / "padded" (to max_seq_len) / "grouped" (by length), bf16)
    "ours: masked-only logits, dynamic padding": (True, "dynamic", False),
    "masked-only logits, padded to max_seq_len": (True, "padded", False),
    "full logits, dynamic padding": (False, "dynamic", False),
    "naive: full logits, padded to max_seq_len": (False, "padded", False),
}
EXTRA_SETUPS = {
    "grouped": {"ours + length-grouped batches": (True, "grouped", False)},
    "bf16": {"ours + bf16 autocast": (True, "dynamic", True)},
    "both": {"ours + length-grouped batches + bf16 autocast": (True, "grouped", True)},
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
    parser.add_argument("--shards", help="time batches of these prepared training instances (adds length grouping)")
    parser.add_argument("--bf16", action="store_true", help="add bf16 autocast setups (fast on AMX CPUs)")
    parser.add_argument("--dropout", type=float, help="override the preset's dropout (later stages train with 0)")
    args = parser.parse_args()
    torch.manual_seed(0)
    # with --shards only our setup and its variants (the logits/padding ablations are the tiny-corpus run's)
    ours = "ours: masked-only logits, dynamic padding"
    setups = {ours: SETUPS[ours]} if args.shards else dict(SETUPS)
    if args.shards:
        setups.update(EXTRA_SETUPS["grouped"])
    if args.bf16:
        setups.update(EXTRA_SETUPS["bf16"])
        if args.shards:
            setups.update(EXTRA_SETUPS["both"])
    dropout = (
        []
        if args.dropout is None
        else [
            f"model.hidden_dropout_prob={args.dropout}",
            f"model.attention_probs_dropout_prob={args.dropout}",
        ]
    )

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
                *dropout,
            ],
        )
        tokenizer = AutoTokenizer.from_pretrained(args.tokenizer)
        special = SpecialIds.from_tokenizer(tokenizer)
        if args.shards:
            dataset = PretrainingDataset(args.shards, special)
        else:
            prepare_pretraining(config)
            dataset = PretrainingDataset(Path(tmp) / "shards" / "train", special)
        batches = _batches(dataset, special, args)
        results = {name: [] for name in setups}
        models = {name: _model(config, special, setup[0]) for name, setup in setups.items()}
        for _ in range(args.rounds):
            for name, (_, layout, bf16) in setups.items():
                results[name].append(_time(models[name], batches[layout], args.steps, bf16))

    best = {name: max(r) for name, r in results.items()}
    baseline = ours if args.shards else "naive: full logits, padded to max_seq_len"
    base = best[baseline]
    print(
        f"\nmodel {args.preset}, vocab {special.vocab_size}, max_seq_len {args.max_seq_len}, batch "
        f"{args.batch_size}, {torch.get_num_threads()} threads, best of {args.rounds} rounds x {args.steps} steps\n"
    )
    print(f"| setup | real tokens/s | vs {baseline.split(':')[0]} | share of padded batch that is real tokens |")
    print("|---|---:|---:|---:|")
    for name, value in best.items():
        print(f"| {name} | {value:,.0f} | {value / base:.2f}x | {_fill(batches[setups[name][1]]):.0%} |")
    print("\ncommand: python " + " ".join(shlex.quote(a) for a in sys.argv))


def _model(config: PretrainConfig, special: SpecialIds, masked: bool) -> torch.nn.Module:
    torch.manual_seed(0)
    model = build_model(config.model.resolved(), special.vocab_size, special.pad)
    if not masked:
        plain = BertForPreTraining(model.config)
        plain.load_state_dict(model.state_dict())
        model = plain
    return model.train()


def _batches(dataset: PretrainingDataset, special: SpecialIds, args: argparse.Namespace) -> dict[str, list]:
    """Batches of `steps` x `batch_size` examples: the first ones of a shuffled epoch, padded to their longest
    ("dynamic") or to max_seq_len ("padded"), and, from `--shards`, the first ones of a length-grouped epoch."""
    n = args.batch_size * args.steps
    if args.shards:
        shuffled = list(EpochShuffleSampler(len(dataset), seed=0))[:n]
        grouped = list(LengthGroupedEpochSampler(dataset.reader.lengths(), args.batch_size, seed=0))[:n]
    else:
        shuffled, grouped = [i % len(dataset) for i in range(n)], []
    features = {"shuffled": [dataset[i] for i in shuffled], "grouped": [dataset[i] for i in grouped]}
    layouts = {"dynamic": ("shuffled", None), "padded": ("shuffled", args.max_seq_len)}
    if args.shards:
        layouts["grouped"] = ("grouped", None)
    out = {}
    for layout, (order, pad_to) in layouts.items():
        collate = PretrainingCollator(special.pad, pad_to_length=pad_to)
        out[layout] = [collate(features[order][i : i + args.batch_size]) for i in range(0, n, args.batch_size)]
    return out


def _fill(batches: list[dict]) -> float:
    """Real tokens over all positions of the padded batches."""
    return sum(int(b["attention_mask"].sum()) for b in batches) / sum(b["attention_mask"].numel() for b in batches)


def _time(model: torch.nn.Module, batches: list[dict], steps: int, bf16: bool) -> float:
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-4)
    _step(model, optimizer, batches[0], bf16)  # warm-up
    tokens = 0
    start = time.perf_counter()
    for batch in batches[:steps]:
        _step(model, optimizer, batch, bf16)
        tokens += int(batch["attention_mask"].sum())
    return tokens / (time.perf_counter() - start)


def _step(model: torch.nn.Module, optimizer: torch.optim.Optimizer, batch: dict, bf16: bool) -> None:
    with torch.autocast("cpu", dtype=torch.bfloat16, enabled=bf16):
        loss = model(**batch).loss
    loss.backward()
    optimizer.step()
    optimizer.zero_grad(set_to_none=True)


if __name__ == "__main__":
    main()
