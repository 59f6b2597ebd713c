#!/usr/bin/env bash
# Dataset tools, in Spark local mode unless --master says otherwise (see --help):
#   scripts/datasets.sh convert --data data/mnist --out data/mnist-parquet --shards 8
#   scripts/datasets.sh augment --data data/mnist --out data/mnist-x5 --copies 5
#   scripts/datasets.sh inspect --data data/mnist-parquet/train
# JVM options: SPARKNN_JAVA_OPTS (default -Xmx4g).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

build_if_needed
run_main datasets "$@"
