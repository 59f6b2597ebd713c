#!/usr/bin/env bash
# One-command start: builds if needed, fetches MNIST if missing, and trains in local mode with the defaults in
# conf/train.conf. Every option is passed through to the trainer (see --help). Without --data, --config or
# --resume it trains on the MNIST it keeps in <repo>/data/mnist, wherever it is run from.
# JVM options: SPARKNN_JAVA_OPTS (default -Xmx4g).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

build_if_needed
args=("$@")
# The command word, if any, stays first; predict, export, datasets and diff read no training data.
command=()
case "${1:-}" in
    train|evaluate|gradcheck) command=("$1"); args=("${@:2}") ;;
    predict|export|datasets|diff) command=("$1"); args=("${@:2}"); no_data=1 ;;
esac
# A --resume takes its data from the checkpoint.
if [[ -z "${no_data:-}" && " ${args[*]} " != *" --data"* && " ${args[*]} " != *" --config"* \
        && " ${args[*]} " != *" --resume"* \
        && ! " ${args[*]} " =~ \ (--help|-h|--version|-V)\  ]]; then
    # The default dataset: the real MNIST, fetched once into the repository.
    SPARKNN_FETCH_QUIET=1 "$ROOT/scripts/fetch-mnist.sh" "$ROOT/data/mnist" >&2
    args=(--data "$ROOT/data/mnist" "${args[@]}")
fi
run_main "${command[@]}" "${args[@]}"
