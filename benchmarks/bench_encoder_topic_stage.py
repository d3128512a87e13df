"""Would a topic stage (YNAT train headlines with their topic labels) make the encoder cluster by section?

The clustering bar is purity against the newstrust sections, so the obvious lever is to teach the encoder the
sections. This continues an encoder (default: the bundled one) on YNAT *train* headlines with a batch triplet
loss on cosine distance (same topic = positive), the word embeddings frozen as in the bundled recipe, then scores
KorSTS dev Spearman and the default clustering pipeline (UMAP 5-d, HDBSCAN leaf 5/2, no dedup) on YNAT dev and
the newstrust day, with the share of headlines whose nearest neighbour is in their section. `--steps 0` scores
the encoder as it is. KorSTS test is not used: this is a development experiment.

    python benchmarks/bench_encoder_topic_stage.py --steps 0
    python benchmarks/bench_encoder_topic_stage.py --steps 300 --learning-rate 3e-5 --loss batch-all
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path
from typing import Any

from kpfnlp.cluster.evaluate import load_dataset
from kpfnlp.cluster.metrics import clustering_metrics, knn_agreement
from kpfnlp.cluster.stages import HDBSCANClusterer, UMAPReducer
from kpfnlp.encoder.data import read_sts
from kpfnlp.encoder.model import SentenceEncoder
from kpfnlp.encoder.sts import evaluate_sts
from kpfnlp.eval.data import read_ynat
from kpfnlp.paths import shared_data_dir


def cluster_scores(encoder: SentenceEncoder, name: str, data: Path) -> dict[str, float]:
    """Default-pipeline clustering metrics on one data set, plus 1-NN label agreement."""
    texts, reference = load_dataset(name, data)
    x = encoder.encode(texts, batch_size=128)
    labels = HDBSCANClusterer().fit_predict(UMAPReducer().fit_transform(x))
    scores = clustering_metrics(labels, reference)
    scores["nn1_same_label"] = knn_agreement(x, reference, ks=(1,))["1-NN same section"]
    return {k: round(v, 4) for k, v in scores.items()}


def train_topic_stage(encoder: SentenceEncoder, data: Path, steps: int, lr: float, loss_name: str) -> float:
    """Continue `encoder` on YNAT train (sentence, topic) with a batch triplet loss; return the seconds taken."""
    from datasets import Dataset
    from sentence_transformers import SentenceTransformerTrainer, SentenceTransformerTrainingArguments
    from sentence_transformers.base.sampler import BatchSamplers
    from sentence_transformers.sentence_transformer import losses

    encoder.model[0].auto_model.get_input_embeddings().weight.requires_grad_(False)
    examples = read_ynat(data / "klue/ynat-v1.1_train.tsv")
    topics = {t: i for i, t in enumerate(sorted({str(e.label) for e in examples}))}
    dataset = Dataset.from_dict(
        {"sentence": [e.text for e in examples], "label": [topics[str(e.label)] for e in examples]}
    )
    cosine = losses.BatchHardTripletLossDistanceFunction.cosine_distance
    builders = {
        "batch-all": lambda m: losses.BatchAllTripletLoss(m, distance_metric=cosine, margin=0.3),
        "batch-hard-soft-margin": lambda m: losses.BatchHardSoftMarginTripletLoss(m, distance_metric=cosine),
    }
    args = SentenceTransformerTrainingArguments(
        output_dir="runs/bench-topic-stage", max_steps=steps, per_device_train_batch_size=64, learning_rate=lr,
        warmup_steps=0.1, seed=42, batch_sampler=BatchSamplers.GROUP_BY_LABEL, save_strategy="no",
        logging_steps=50, report_to="none", use_cpu=True, disable_tqdm=True,
    )  # fmt: skip
    start = time.perf_counter()
    trainer = SentenceTransformerTrainer(
        model=encoder.model, args=args, train_dataset=dataset, loss=builders[loss_name](encoder.model)
    )
    trainer.train()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--encoder", type=Path, default=None, help="Encoder directory (default: the bundled one).")
    parser.add_argument("--steps", type=int, default=300, help="Topic-stage steps of 64 headlines (0: none).")
    parser.add_argument("--learning-rate", type=float, default=3e-5)
    parser.add_argument("--loss", choices=["batch-all", "batch-hard-soft-margin"], default="batch-all")
    parser.add_argument("--data-dir", type=Path, default=None)
    args = parser.parse_args()
    data = args.data_dir or shared_data_dir()
    encoder = SentenceEncoder.load(args.encoder)
    result: dict[str, Any] = {"steps": args.steps, "learning_rate": args.learning_rate, "loss": args.loss}
    if args.steps:
        result["train_seconds"] = round(train_topic_stage(encoder, data, args.steps, args.learning_rate, args.loss), 1)
    dev = read_sts(data / "kornlu/KorSTS/sts-dev.tsv")
    result["korsts_dev_spearman"] = round(evaluate_sts(encoder, dev)["spearman"], 2)
    for name in ("ynat", "newstrust"):
        result[name] = cluster_scores(encoder, name, data)
    print(json.dumps(result, ensure_ascii=False))
    print(
        "command: python benchmarks/bench_encoder_topic_stage.py "
        f"--steps {args.steps} --learning-rate {args.learning_rate} --loss {args.loss}"
    )


if __name__ == "__main__":
    main()
