#!/usr/bin/env bash
# The evaluation-suite table row of one checkpoint, with the CPU recipe of docs/benchmarks.md ("Evaluation suite"):
# lr 1e-4, batch 32 (KorQuAD 12), seed 42; NSMC on a 30k training subset for 1 epoch, YNAT and KLUE-NLI 1 epoch,
# KLUE-STS 3, KorQuAD (offline title split) 2. About 30 min on a 2-core CPU for the 4 x 256 mini model. Then
# `kpfnlp eval table --results OUT` (or copy the JSONs into docs/eval-results) renders the table.
#   bash training/recipes/eval-table.sh MODEL_DIR "ROW NAME" [OUT]   (default OUT: runs/eval-table)
#   bash training/recipes/eval-table.sh kpfnlp/models/kpfnlp-mini "kpfnlp-mini release 7 (pretrained)"
#   RANDOM_INIT=1 bash training/recipes/eval-table.sh kpfnlp/models/kpfnlp-mini "kpfnlp-mini architecture, random init"
set -euo pipefail
model=${1:?usage: eval-table.sh MODEL_DIR "ROW NAME" [OUT]}
name=${2:?usage: eval-table.sh MODEL_DIR "ROW NAME" [OUT]}
out=${3:-runs/eval-table}
extra=()
[ -n "${RANDOM_INIT:-}" ] && extra=(--random-init)
common=(--model "$model" --name "$name" --output "$out" --learning-rate 1e-4 "${extra[@]}")
kpfnlp eval nsmc "${common[@]}" --epochs 1 --max-train-samples 30000
kpfnlp eval ynat "${common[@]}" --epochs 1
kpfnlp eval klue-sts "${common[@]}" --epochs 3
kpfnlp eval klue-nli "${common[@]}" --epochs 1
kpfnlp eval korquad "${common[@]}" --epochs 2 --batch-size 12
kpfnlp eval table --results "$out" --out "$out/table.md"
