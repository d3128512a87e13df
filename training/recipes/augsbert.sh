#!/usr/bin/env bash
# AugSBERT (Thakur et al., NAACL 2021) for the sentence encoder: a cross-encoder trained on the gold STS pairs
# scores silver pairs (gold training sentences with their nearest neighbours under the current encoder, plus random
# pairs), and the encoder recipe trains on gold + silver. Measured on the mini backbone in docs/benchmarks.md
# ("Session 19: AugSBERT"); about 90 min on a 2-core CPU. Session 19 ran it before encoder-mini gained its weak-pairs
# stage (session 20); PAIRS_CORPUS=null reproduces that, unset keeps the stage.
#   bash training/recipes/augsbert.sh [BACKBONE] [OUT] [SILVER_PAIRS]
#   (defaults: kpfnlp/models/kpfnlp-mini, runs/augsbert, 25000)
set -euo pipefail
backbone=${1:-kpfnlp/models/kpfnlp-mini}
out=${2:-runs/augsbert}
silver=${3:-25000}
kpfnlp train-cross-encoder --config training/configs/cross-encoder-mini.yaml \
  backbone="$backbone" output_dir="$out/cross-encoder"
kpfnlp augment-sts --cross-encoder "$out/cross-encoder/final" -o "$out/silver.tsv" \
  --neighbours 3 --random-pairs 5000 --max-pairs "$silver"
kpfnlp train-encoder --config training/configs/encoder-mini.yaml \
  backbone="$backbone" output_dir="$out/encoder" "silver_files=[$out/silver.tsv]" \
  ${PAIRS_CORPUS:+"pairs_corpus=$PAIRS_CORPUS"}
kpfnlp eval sts --cross-encoder "$out/cross-encoder/final" --output "$out/sts"
kpfnlp eval sts --model "$out/encoder/final" --output "$out/sts"
