#!/usr/bin/env bash
# Retrain the default backbone (kpfnlp-mini) from ../shared/data with one command, on CPU:
#   bash training/recipes/mini-cpu.sh [RUN_DIR]            (default RUN_DIR: runs/mini)
# Each stage is skipped when its output exists, and pretraining resumes from the newest complete checkpoint,
# so rerunning the command after an interruption continues the run. Extra `section.key=value` overrides for
# the pretraining stage can be given in PRETRAIN_OVERRIDES.
set -euo pipefail
cd "$(dirname "$0")/../.."
RUN=${1:-runs/mini}
CONFIG=training/configs/mini.yaml
PATHS=(data.tokenizer=$RUN/tokenizer data.shards=$RUN/shards train.output_dir=$RUN/pretrain)
mkdir -p "$RUN"
if [ ! -f "$RUN/tokenizer/tokenizer.json" ]; then
  kpfnlp train-tokenizer --corpus training/corpora/pretrain.yaml --vocab-size 24000 --morpheme-aware \
    --out "$RUN/tokenizer" 2>&1 | tee "$RUN/tokenizer.log"
fi
if [ ! -f "$RUN/shards/train/meta.json" ]; then
  rm -rf "$RUN/shards"
  kpfnlp prepare-pretraining --config $CONFIG "${PATHS[@]}" 2>&1 | tee "$RUN/prepare.log"
fi
# shellcheck disable=SC2086
kpfnlp pretrain --config $CONFIG "${PATHS[@]}" ${PRETRAIN_OVERRIDES:-} 2>&1 | tee -a "$RUN/pretrain.log"
