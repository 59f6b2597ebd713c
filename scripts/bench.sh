#!/usr/bin/env bash
# Side-by-side benchmark on real MNIST, every contender one after another on this machine (see bench/README.md):
#   1. sparknn's step: the sgemm peak of this machine's BLAS, and the bare Spark step against the real step;
#   2. sparknn, time to 97% test accuracy, for each setting of a small grid (train.sh --target-accuracy);
#   3. sparknn's throughput on the compute-heavy 784-1024-1024-10 at global batch 1024 (synchronous and with rounds of
#      16 local steps), and a 10-epoch memory run with the defaults;
#   4. PyTorch CPU with 2 threads (bench/torch_mlp.py): its grid to 97%, and its throughput on the same model;
#   5. Spark MLlib's MultilayerPerceptronClassifier (bench/mllib), to 97%.
# Writes bench/results/<time>/ with every contender's raw output, and results.md / results.json with the table
# and the ratios of the issue's goals. Needs Debian's python3-torch and python3-numpy; libopenblas0-pthread is
# used when present (say so in the table). Installs nothing.
#   scripts/bench.sh            # everything, about 10-15 minutes on 2 cores
#   BENCH_QUICK=1 scripts/bench.sh   # one setting per contender, for trying the script
#   BENCH_SCALING=1 scripts/bench.sh # also: epoch time on 1x, 5x and 20x augmented MNIST from Parquet shards with a
#                                    # 1 GB heap (storage memory smaller than the data), and 5x from cache; about 10
#                                    # more minutes and 6 GB of disk under data/bench (generated once, then reused)
#   BENCH_CLUSTER=1 scripts/bench.sh # also: the cost of a round on standalone clusters of 1, 2 and 4 one-core
#                                    # workers, its fitted model, and the 2-worker cluster's throughput against
#                                    # local[2] (bench/cluster_cost.py; about 15 more minutes)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

PY=/usr/bin/python3
[[ -x /usr/bin/time ]] || { echo "error: the benchmark reads peak memory from GNU time: sudo apt-get install time" >&2; exit 1; }
missing=()
"$PY" -c 'import torch, numpy' 2>/dev/null || missing+=(python3-torch python3-numpy)
if ((${#missing[@]})); then
    echo "error: the PyTorch contender needs Debian's ${missing[*]}: sudo apt-get install ${missing[*]}" >&2
    exit 1
fi
if ! ldconfig -p 2>/dev/null | grep -q 'libblas.so.3\b'; then
    echo "note: no native BLAS (libblas.so.3); sparknn and MLlib fall back to Java's BLAS." \
        "For the intended setup: sudo apt-get install libopenblas0-pthread" >&2
fi

build_if_needed
"$ROOT/scripts/fetch-mnist.sh" "$ROOT/data/mnist" >&2
OUT="$ROOT/bench/results/$(date +%Y%m%d-%H%M%S)"
mkdir -p "$OUT"
echo "writing to $OUT" >&2
uptime > "$OUT/load-at-start.txt"

# Peak resident memory of a command, from GNU time's report, next to its output.
timed() {
    local name="$1"
    shift
    /usr/bin/time -v -o "$OUT/$name.time" "$@" > "$OUT/$name.out" 2> "$OUT/$name.log"
}

echo "[1/5] sparknn: sgemm peak and bare vs real step (784-512-10, batch 512, 2 partitions)" >&2
# shellcheck disable=SC2086  # the flag lists are meant to split into words
timed step java -Xmx4g $SPARK_JVM_FLAGS "$LOG_FLAG" -cp "$APP_JAR:$SPARK_RUNTIME/jars/*" \
    dev.sparknn.train.round.StepBenchmark "$ROOT/data/mnist" 784,512,10 512 2 40

echo "[2/5] sparknn: time to 97%" >&2
# name | options. Rounds of local steps (one Spark job per round), and the older synchronous large-batch setting.
OURS=(
    "small-h32|--layers 784,100,50,10 --batch-size 128 --optimizer sgd --lr 0.1 --momentum 0.9 --warmup-steps 0 --local-steps 32"
    "small-h64|--layers 784,100,50,10 --batch-size 128 --optimizer sgd --lr 0.1 --momentum 0.9 --warmup-steps 0 --local-steps 64"
    "small-h128|--layers 784,100,50,10 --batch-size 128 --optimizer sgd --lr 0.1 --momentum 0.9 --warmup-steps 0 --local-steps 128"
    "wide-h64|--layers 784,512,10 --batch-size 128 --optimizer sgd --lr 0.1 --momentum 0.9 --warmup-steps 0 --local-steps 64"
    "sync-2048|--layers 784,512,10 --batch-size 2048 --optimizer sgd --lr 0.8 --momentum 0.9 --warmup-steps 20 --local-steps 1"
)
[[ -n "${BENCH_QUICK:-}" ]] && OURS=("${OURS[1]}")
for entry in "${OURS[@]}"; do
    name="${entry%%|*}"
    # shellcheck disable=SC2086
    # An evaluation at the end of every round of up to 32 steps (every 5 steps for the synchronous setting).
    every=32; [[ "$entry" == *"--local-steps 1"* ]] && every=5
    timed "ours-$name" "$ROOT/scripts/train.sh" ${entry#*|} --epochs 8 --eval-every "$every" --target-accuracy 0.97 \
        --seed 42 --data "$ROOT/data/mnist" --out "$OUT/ours-$name" --checkpoint-dir "$OUT/ckpt-$name"
done

echo "[3/5] sparknn: throughput (784-1024-1024-10, batch 1024, H = 1 and 16) and memory over 10 epochs" >&2
for h in 1 16; do
    timed "throughput-h$h" "$ROOT/scripts/train.sh" --layers 784,1024,1024,10 --batch-size 1024 --lr 0.05 \
        --warmup-steps 0 --local-steps "$h" --epochs 2 --data "$ROOT/data/mnist" --out "$OUT/throughput-h$h" \
        --checkpoint-dir "$OUT/ckpt-throughput-h$h"
done
timed ours-memory "$ROOT/scripts/train.sh" --epochs 10 --data "$ROOT/data/mnist" --out "$OUT/ours-memory" \
    --checkpoint-dir "$OUT/ckpt-memory"

echo "[4/5] PyTorch: grid to 97% and throughput" >&2
if [[ -n "${BENCH_QUICK:-}" ]]; then
    timed torch-grid "$PY" "$ROOT/bench/torch_mlp.py" --mode time-to-acc --data "$ROOT/data/mnist" --threads 2 \
        --layers 784,100,50,10 --optimizer sgd --lr 0.1 --momentum 0.9 --batch-size 128 --eval-every 50
else
    timed torch-grid "$PY" "$ROOT/bench/torch_mlp.py" --mode grid --data "$ROOT/data/mnist" --threads 2
fi
timed torch-throughput "$PY" "$ROOT/bench/torch_mlp.py" --mode throughput --threads 2

echo "[5/5] Spark MLlib: MultilayerPerceptronClassifier (l-bfgs, 784-100-10) to 97%" >&2
timed mllib "$ROOT/bench/mllib/run.sh" --layers 784,100,10 --max-iters 40,60,80,100 --target 0.97

if [[ -n "${BENCH_SCALING:-}" ]]; then
    echo "[6/6] sparknn: scaling over 1x, 5x and 20x augmented MNIST (Parquet shards, 1 GB heap)" >&2
    BIG="$ROOT/data/bench"
    mkdir -p "$BIG"
    [[ -d "$BIG/x1" ]] || "$ROOT/scripts/datasets.sh" convert --data "$ROOT/data/mnist" --out "$BIG/x1" --shards 8 >&2
    for k in 5 20; do
        [[ -d "$BIG/x$k" ]] || "$ROOT/scripts/datasets.sh" augment --data "$ROOT/data/mnist" --out "$BIG/x$k" \
            --copies "$k" --shards $((k * 2)) >&2
    done
    # name | data | heap | chunks: a chunk of 2 blocks of 15,000 rows (47 MB each) at 5x and 20x.
    for entry in "x1|x1|1g|2" "x5|x5|1g|10" "x20|x20|1g|40" "x5-cached|x5|8g|10"; do
        IFS='|' read -r name set heap chunks <<< "$entry"
        # --standardize false: the pixels in [0, 1], as in the IDX runs (Parquet tables are standardised by default).
        SPARKNN_JAVA_OPTS="-Xmx$heap" timed "scale-$name" "$ROOT/scripts/train.sh" --data "$BIG/$set/train" \
            --test-data "$BIG/$set/test" --chunks "$chunks" --epochs 2 --standardize false --out "$OUT/scale-$name" \
            --checkpoint-dir "$OUT/ckpt-scale-$name"
    done
fi

if [[ -n "${BENCH_CLUSTER:-}" ]]; then
    echo "[7/7] sparknn: cost of a round on standalone clusters of 1, 2 and 4 workers, and cluster/local throughput" >&2
    "$PY" "$ROOT/bench/cluster_cost.py" --out "$OUT/cluster" --data "$ROOT/data/mnist" > "$OUT/cluster-cost.out"
    rm -rf "$OUT/cluster/ckpt"
fi

rm -rf "$OUT"/ckpt-*
"$PY" "$ROOT/bench/report.py" "$OUT"
echo "wrote $OUT/results.md and $OUT/results.json" >&2
cat "$OUT/results.md"
