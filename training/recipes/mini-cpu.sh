#!/usr/bin/env bash
# Retrain the default backbone (kpfnlp-mini) from ../shared/data with one command, on CPU:
#   bash training/recipes/mini-cpu.sh [RUN_DIR]            (default RUN_DIR: runs/mini)
# Each stage is skipped when its output exists, and pretraining resumes from the newest complete checkpoint,
# so rerunning the command after an interruption continues the run. Pretraining has six stages (release 6 of
# kpfnlp-mini): 2,500 steps with BERT's dropout (release 1), then resumed to 6,000 steps with dropout off (an
# under-trained model does not need the regulariser, and a CPU step is ~1.3x faster without it; release 2),
# then resumed on a new schedule to 8,500 (release 3), 12,000 (release 4), 16,000 (release 5) and 20,000 steps
# (release 6). Extra `section.key=value` overrides for the last stage can be given in PRETRAIN_OVERRIDES (e.g.
# train.max_steps=24000 to go on). A stage whose end step the newest checkpoint has reached is skipped.
# Release 7 continues the result for 90 minutes of wall clock on fresh packings of the lease corpus
# (training/configs/mini-continue.yaml, its own shards and output dir; skipped once RUN/pretrain-7/final exists).
# Release 8 continues release 7 for 90 minutes on the NSMC-review mix (training/configs/mini-nsmc.yaml; skipped
# once RUN/pretrain-8/final exists). Releases 9 and 10 each continue the previous one for 95 and 80 minutes on
# new packings and masks of the same mix (their own data and train seeds).
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
NO_DROPOUT=(model.hidden_dropout_prob=0.0 model.attention_probs_dropout_prob=0.0)
# Newest checkpoint step of the run (0 if none): a stage whose end it has reached is skipped, so a rerun after
# a later stage has started resumes that stage instead of replaying earlier ones from a newer checkpoint.
newest_step() {
  local step
  step=$(find "$RUN/pretrain" -maxdepth 1 -name 'checkpoint-*' 2>/dev/null | sed 's/.*checkpoint-//' | sort -n | tail -1)
  echo "${step:-0}"
}
stage() {  # stage END_STEP [overrides...]
  local end=$1
  shift
  if [ "$(newest_step)" -ge "$end" ]; then
    echo "pretraining stage to step $end: done (newest checkpoint: step $(newest_step)), skipped"
    return
  fi
  kpfnlp pretrain --config $CONFIG "${PATHS[@]}" train.max_steps="$end" "$@" 2>&1 | tee -a "$RUN/pretrain.log"
}
stage 2500
stage 6000 "${NO_DROPOUT[@]}"
stage 8500 "${NO_DROPOUT[@]}"
stage 12000 "${NO_DROPOUT[@]}"
stage 16000 "${NO_DROPOUT[@]}"
# The last stage ends where PRETRAIN_OVERRIDES says (train.max_steps=N), so a longer run is not skipped.
LAST_END=20000
for override in ${PRETRAIN_OVERRIDES:-}; do
  case $override in train.max_steps=*) LAST_END=${override#train.max_steps=} ;; esac
done
# shellcheck disable=SC2086
stage "$LAST_END" "${NO_DROPOUT[@]}" ${PRETRAIN_OVERRIDES:-}
# continuation RELEASE CONFIG INIT_DIR [overrides...]: a new run from INIT_DIR with its own shards
# (RUN/shards-RELEASE) and output (RUN/pretrain-RELEASE), a fresh optimizer and a wall-clock schedule; skipped once
# its final model exists. The overrides apply to both the shard preparation and the run.
continuation() {
  local release=$1 config=$2 init=$3
  shift 3
  local paths=(data.tokenizer=$RUN/tokenizer data.shards=$RUN/shards-$release train.output_dir=$RUN/pretrain-$release "$@")
  if compgen -G "$RUN/pretrain-$release/final/*.safetensors" >/dev/null; then
    echo "continuation (release $release): done, skipped"
    return
  fi
  if [ ! -f "$RUN/shards-$release/train/meta.json" ]; then
    rm -rf "$RUN/shards-$release"
    kpfnlp prepare-pretraining --config "$config" "${paths[@]}" 2>&1 | tee "$RUN/prepare-$release.log"
  fi
  kpfnlp pretrain --config "$config" "${paths[@]}" model.init_from="$init" 2>&1 | tee -a "$RUN/pretrain-$release.log"
}
# Release 7: from stage 6's final weights, on fresh packings of the lease corpus.
continuation 7 training/configs/mini-continue.yaml "$RUN/pretrain/final"
# Release 8: from release 7, on the NSMC-review mix (bf16 autocast on AMX CPUs, length-grouped batches).
continuation 8 training/configs/mini-nsmc.yaml "$RUN/pretrain-7/final"
# Release 9: from release 8, on fresh packings and masks of the NSMC-review mix, 95 minutes.
continuation 9 training/configs/mini-nsmc.yaml "$RUN/pretrain-8/final" data.seed=20261207 train.seed=43 \
  train.max_wall_seconds=5700
# Release 10: from release 9, on fresh packings and masks of the NSMC-review mix again, 80 minutes.
continuation 10 training/configs/mini-nsmc.yaml "$RUN/pretrain-9/final" data.seed=20261208 train.seed=44 \
  train.max_wall_seconds=4800
