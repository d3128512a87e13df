#!/usr/bin/env bash
# Continue kpfnlp-mini on a lent GPU in ONE device call, within the device tool's limits (64 MiB of working tree
# out, 8 files of 16 MiB back, 10 minutes a command, 15 minutes of device time a session).
#
# Here, before the call (CPU; ~2 min):
#   kpfnlp prepare-pretraining --config training/configs/mini-gpu.yaml      # -> runs/gpu/shards
#   bash training/recipes/gpu-stash.sh out     # move the summarizer and encoder bundles out of the tree
#   kpfnlp gpu-pack runs/gpu/shards            # -> runs/gpu-carry/shards.tar.xz; checks tree + pack < 64 MiB
# The device call (the device tool's `run`):
#   command: bash training/recipes/gpu-lease.sh 300     carry: ["runs/gpu-carry"]     timeout_s: 540
# After it (CPU):
#   bash training/recipes/gpu-stash.sh in      # (or: git checkout -- kpfnlp/models)
#   kpfnlp gpu-import <files_at of the reply> runs/gpu/release
#   kpfnlp pretrain-eval runs/gpu/release      # against: kpfnlp pretrain-eval kpfnlp/models/kpfnlp-mini
#   then, only if it measures better: copy it over kpfnlp/models/kpfnlp-mini and retrain the encoder (it shares
#   the backbone's word embeddings; see docs/model-card.md).
#
# On the device this script: unpacks the shards, trains for SECONDS (argument 1, default 300) of wall clock with
# the learning rate decaying to 0 at the end, and writes the model to $OUT as fp16 shards with its log
# (`kpfnlp gpu-collect`). Further arguments are recipe overrides (section.key=value).
set -euo pipefail
budget=${1:-300}
shift $(( $# > 0 ? 1 : 0 ))
out=${OUT:?OUT is the folder the device tool brings back}
work=${KPFNLP_GPU_WORK:-/tmp/kpfnlp-gpu}
config=${KPFNLP_GPU_CONFIG:-training/configs/mini-gpu.yaml}
archive=${KPFNLP_GPU_ARCHIVE:-runs/gpu-carry/shards.tar.xz}
python=${PYTHON:-python3}
export PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}" PYTHONUNBUFFERED=1 TOKENIZERS_PARALLELISM=false

rm -rf "$work" && mkdir -p "$work"
tar -xJf "$archive" -C "$work"
"$python" -c "import torch, transformers; print('torch', torch.__version__, 'transformers', transformers.__version__,
      torch.cuda.get_device_name(0) if torch.cuda.is_available() else 'no GPU')"
"$python" -m kpfnlp pretrain --config "$config" --no-resume data.shards="$work/shards" \
    train.output_dir="$work/pretrain" train.max_wall_seconds="$budget" "$@"
"$python" -m kpfnlp gpu-collect "$work/pretrain" "$out"
