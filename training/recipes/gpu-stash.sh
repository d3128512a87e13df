#!/usr/bin/env bash
# Move the bundled summarizer and encoder out of the working tree for a GPU call (`out`) and back (`in`), so that
# the tree plus the packed shards fit the 64 MiB the device tool sends (see gpu-lease.sh). The backbone stays:
# the GPU run continues from it. If a session ends in between, `git checkout -- kpfnlp/models` restores them.
set -euo pipefail
stash=${KPFNLP_STASH:-/tmp/kpfnlp-model-stash}
models=(kpfnlp-mini-summarizer kpfnlp-mini-sbert)
case "${1:-}" in
    out)
        mkdir -p "$stash"
        for m in "${models[@]}"; do
            if [ -d "kpfnlp/models/$m" ]; then rm -rf "${stash:?}/$m"; mv "kpfnlp/models/$m" "$stash/"; fi
        done ;;
    in)
        for m in "${models[@]}"; do
            if [ -d "$stash/$m" ]; then rm -rf "kpfnlp/models/$m"; mv "$stash/$m" kpfnlp/models/; fi
        done
        git status --short kpfnlp/models ;;
    *) echo "usage: $0 out|in" >&2; exit 2 ;;
esac
