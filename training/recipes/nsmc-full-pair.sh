#!/usr/bin/env bash
# The NSMC bar of issue 3, measured the suite's way: all 150k training reviews, 3 epochs, the official test set,
# the bundled backbone (dropout 0, as pretrained since step 2,500) against the same architecture from random init.
# Mean pooling, lr 3e-4 (docs/benchmarks.md, "Session 10"). Both rows run at once, one thread each, at the lowest
# priority: about 4-5 h per row on a 2-core CPU. Resumable: rerun the same command and each row goes on from its
# last checkpoint (every 500 steps, in OUT/ckpt-*). Results: OUT/eval/nsmc__{pretrained,random}-full-3ep__*.json.
#   bash training/recipes/nsmc-full-pair.sh [OUT]     (default runs/nsmc-full)
set -euo pipefail
out=${1:-runs/nsmc-full}
mkdir -p "$out"
[ -f "$out/pretrained-d0/config.json" ] || kpfnlp export-backbone kpfnlp/models/kpfnlp-mini "$out/pretrained-d0" --dropout 0
export OMP_NUM_THREADS=1 MKL_NUM_THREADS=1
common=(--pooling mean --learning-rate 3e-4 --epochs 3 --output "$out/eval")
nice -n 19 kpfnlp eval nsmc --model "$out/pretrained-d0" --name pretrained-full-3ep "${common[@]}" \
    --checkpoint-dir "$out/ckpt-pretrained" >> "$out/pretrained.txt" 2>&1 &
nice -n 19 kpfnlp eval nsmc --model kpfnlp/models/kpfnlp-mini --random-init --name random-full-3ep "${common[@]}" \
    --checkpoint-dir "$out/ckpt-random" >> "$out/random.txt" 2>&1 &
wait
tail -n 1 "$out/pretrained.txt" "$out/random.txt"
