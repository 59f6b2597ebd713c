#!/usr/bin/env python3
"""Measures what a round (one Spark job of H local steps) costs on standalone clusters of 1, 2 and 4 one-core
workers on this machine, fits a cost model to it, extrapolates the model to a bigger cluster, and measures the
2-worker cluster's throughput against local[2] on the compute-heavy model. Run by `BENCH_CLUSTER=1 scripts/bench.sh`
or alone:

    python3 bench/cluster_cost.py --out bench/results/cluster-<time>       # ~15 minutes on 2 idle cores

Every run goes through scripts/cluster.sh and scripts/submit.sh, with the cluster's default settings (authentication,
RPC encryption, dynamic allocation). Each run's metrics.jsonl gives, per epoch, the mean milliseconds per round of
(see dev.sparknn.train.round.StepTimes): broadcast (creating the weights' broadcast on the driver), compute (the slowest
partition's local steps, measured inside its task), overhead (the rest of the job: scheduling and launching P tasks,
fetching the broadcast, returning and merging P payloads) and update (the optimizer on the driver). Which epochs
are used is said below.

Each run trains with the defaults' optimizer, SGD with momentum 0.9, whose state is one velocity per parameter. A
synchronous round (H = 1) moves the float32 weights out and the gradient back, S = 4N bytes each way; a round of local
steps (H > 1) moves weights and velocity both ways, S = 8N. The model, for P partitions (one per executor):

    round     = broadcast + overhead + compute + update
    broadcast = d0 + d1 * S                       the driver serialises the S-byte broadcast
    overhead  = a_sync or a_local                 a job (rounds of each kind have their own fixed cost)
                + a1 * P + a2 * 2S * P            each task, and its S bytes in and S bytes out
    compute   = k(P) * (e1 * N                    per round: the task's buffers, sized by the layers
                + H * (c0 + c1 * N * [H > 1]      per local step: fixed cost, and the optimizer's update
                + g * b * N))                     multiply-adds ~ rows x parameters, b = B / P rows per step
    update    = u0 + u1 * S                       the driver's averaging and optimizer step
    k(P)      = max(1, P / cores)                 more busy one-core executors than cores share them

fitted by least squares (each part on its own measured component), with the relative error of the whole round.
The H = 1 runs use the second of 2 epochs; the H > 1 runs train 5 epochs and use the rounds of the last 3, so that
every measured round follows at least 8 others (the executors' JIT warm-up).
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
CORES = os.cpu_count() or 2
MODELS = {"784-64-10": "784,64,10", "784-512-10": "784,512,10", "784-1024-1024-10": "784,1024,1024,10"}


def params(layers):
    sizes = [int(x) for x in layers.split(",")]
    return sum(sizes[i] * sizes[i + 1] + sizes[i + 1] for i in range(len(sizes) - 1))


def sh(cmd, log, env, timeout=900, cwd=None):
    with open(log, "w") as f:
        r = subprocess.run(cmd, stdout=f, stderr=subprocess.STDOUT, env=env, timeout=timeout, cwd=cwd)
    if r.returncode != 0:
        sys.exit(f"{' '.join(map(str, cmd))} failed with {r.returncode}; see {log}")


def epochs(run):
    """The per-epoch records of a run's metrics.jsonl, first to last."""
    return [json.loads(line) for line in (run / "metrics.jsonl").read_text().splitlines()]


def measured(run, last):
    """The mean time_ms per round over the `last` epochs of a run, weighted by their rounds."""
    rows = epochs(run)[-last:]
    rounds = sum(r["rounds"] for r in rows)
    keys = ("round", "broadcast", "compute", "overhead", "update")
    return dict(rounds=rounds, **{k: sum(r["time_ms"][k] * r["rounds"] for r in rows) / rounds for k in keys})


def submit(out, name, master, env, args):
    """Runs (or, after an interrupted benchmark, reuses) the finished run `name` in out; returns its folder."""
    run = out / name
    if not (run / "metrics.jsonl").exists():
        sh([str(ROOT / "scripts/submit.sh"), "--master", master, "--out", str(run), "--checkpoint-dir",
            str(out / "ckpt" / name), *args], out / f"{name}.log", env)
    return run


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--data", type=Path, default=ROOT / "data/mnist")
    ap.add_argument("--workers", default="1,2,4")
    ap.add_argument("--models", default=",".join(MODELS), help="of " + ", ".join(MODELS))
    ap.add_argument("--rows", type=int, default=8192, help="training rows of the cost runs (a prefix of --data's)")
    ap.add_argument("--batch-size", type=int, default=256)
    ap.add_argument("--local-steps", default="1,8")
    ap.add_argument("--port", type=int, default=17477, help="master port; the web UI uses the next ports")
    ap.add_argument("--throughput-reps", type=int, default=2, help="alternating local[2] / 2-worker pairs")
    ap.add_argument("--throughput-local-steps", default="1,16", help="the H values of the throughput runs")
    ap.add_argument("--throughput-rows", type=int, default=60000,
                    help="training rows of the throughput runs (60,000: rounds of 16, 16, 16 and 11 steps at H = 16)")
    a = ap.parse_args()
    out = a.out.resolve()
    out.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ, SPARKNN_NO_BUILD="1", SPARKNN_JAVA_OPTS="-Xmx2g",
               SPARKNN_CLUSTER_DIR=str(out / "cluster"), SPARKNN_MASTER_PORT=str(a.port),
               SPARKNN_UI_PORT=str(a.port + 1))
    master = f"spark://127.0.0.1:{a.port}"
    cluster = str(ROOT / "scripts/cluster.sh")
    (out / "load-at-start.txt").write_text(subprocess.run(["uptime"], capture_output=True, text=True).stdout)

    data = subset(a.data, out, a.rows)
    rows = []
    for workers in [int(w) for w in a.workers.split(",") if w]:
        sh([cluster, "start", str(workers)], out / f"cluster-start-{workers}.log", env)
        try:
            for model in a.models.split(","):
                layers = MODELS[model]
                for h in [int(x) for x in a.local_steps.split(",")]:
                    name = f"w{workers}-{model}-h{h}"
                    print(f"[cluster cost] {name}", file=sys.stderr, flush=True)
                    trained, used = (2, 1) if h == 1 else (5, 3)
                    run = submit(out, name, master, env, [
                        "--data", str(data), "--layers", layers, "--partitions", str(workers),
                        "--batch-size", str(a.batch_size), "--local-steps", str(h), "--epochs", str(trained),
                        "--optimizer", "sgd", "--momentum", "0.9", "--schedule", "constant", "--lr", "0.05",
                        "--seed", "1"])
                    rows.append(dict(name=name, P=workers, N=params(layers), H=h, b=a.batch_size / workers,
                                     **measured(run, used)))
        finally:
            sh([cluster, "stop"], out / f"cluster-stop-{workers}.log", env)

    fit = fit_model(rows) if rows else None
    throughput = measure_throughput(out, env, a, master, cluster)
    (out / "cluster-cost.json").write_text(json.dumps(dict(runs=rows, fit=fit, throughput=throughput), indent=2))
    (out / "cluster-cost.md").write_text(report(rows, fit, throughput, out))
    print((out / "cluster-cost.md").read_text())


def subset(data, out, rows):
    """The first `rows` training and 1,000 test images of an IDX folder, written once under out."""
    target = out / f"data-{rows}"
    if (target / "train-images-idx3-ubyte").exists():
        return target
    target.mkdir(parents=True)
    def copy(name, header, item, n):
        src = (data / name).read_bytes()
        hdr = bytearray(src[:header])
        hdr[4:8] = n.to_bytes(4, "big")
        body = src[header:header + n * item]
        (target / name).write_bytes(bytes(hdr) + body)
    copy("train-images-idx3-ubyte", 16, 784, rows)
    copy("train-labels-idx1-ubyte", 8, 1, rows)
    copy("t10k-images-idx3-ubyte", 16, 784, 1000)
    copy("t10k-labels-idx1-ubyte", 8, 1, 1000)
    return target


def lstsq(x, y):
    coef, *_ = np.linalg.lstsq(np.array(x, float), np.array(y, float), rcond=None)
    return [float(c) for c in coef]


def transfer_bytes(n, h):
    """S: bytes each way per task in a round, float32 weights out and gradient back (H = 1), or weights and
    momentum both ways (H > 1)."""
    return 4 * n * (2 if h > 1 else 1)


def overhead_terms(p, s, h):
    return [1 if h == 1 else 0, 1 if h > 1 else 0, p, 2 * s * p]


def compute_terms(p, n, h, b, cores):
    k = max(1, p / cores)
    return [k * n, k * h, k * h * n * (1 if h > 1 else 0), k * h * b * n]


def fit_model(rows):
    for r in rows:
        r["S"] = transfer_bytes(r["N"], r["H"])
    f = dict(cores=CORES)
    f["a_sync"], f["a_local"], f["a1"], f["a2"] = lstsq([overhead_terms(r["P"], r["S"], r["H"]) for r in rows],
                                                        [r["overhead"] for r in rows])
    f["e1"], f["c0"], f["c1"], f["g"] = lstsq([compute_terms(r["P"], r["N"], r["H"], r["b"], CORES) for r in rows],
                                              [r["compute"] for r in rows])
    f["d0"], f["d1"] = lstsq([[1, r["S"]] for r in rows], [r["broadcast"] for r in rows])
    f["u0"], f["u1"] = lstsq([[1, r["S"]] for r in rows], [r["update"] for r in rows])
    errors = []
    for r in rows:
        r["predicted"] = predict(f, r["P"], r["N"], r["H"], r["b"])
        errors.append(abs(r["predicted"] - r["round"]) / r["round"])
    f["median_rel_error"] = statistics.median(errors)
    f["max_rel_error"] = max(errors)
    return f


def predict(f, p, n, h, b, cores=None):
    s = transfer_bytes(n, h)
    overhead = np.dot([f["a_sync"], f["a_local"], f["a1"], f["a2"]], overhead_terms(p, s, h))
    compute = np.dot([f["e1"], f["c0"], f["c1"], f["g"]], compute_terms(p, n, h, b, cores or f["cores"]))
    return float(f["d0"] + f["d1"] * s + overhead + compute + f["u0"] + f["u1"] * s)


def extrapolate(f, p=64, n=1_863_690, batch=1024, gbit=10.0):
    """A round of local steps on p one-core executors, each on its own machine, over a gbit network.

    What stays serial as executors are added is what one process does for every payload: here the fitted per-task
    cost (a1 + a2 * 2S, both ends of the transfer, paid on this machine's shared cores) is charged once per payload
    the driver takes in, and once per payload each pre-merging executor takes in. Beyond 8 partitions the trainer's
    executors first add aligned groups of g = 2^ceil(log2(sqrt(p))) partitions, so the driver takes in p/g group
    sums and a group's reducer g payloads; up to 8, the driver takes in all p. The work of executors in parallel
    (their own compute) is counted once. The links add their bytes: the driver's carries S of broadcast (executors
    then serve each other the pieces) and S per payload it takes in; a reducer's, S per payload of its group."""
    s = transfer_bytes(n, 2)
    group = 1 if p <= 8 else 2 ** int(np.ceil(np.log2(np.sqrt(p))))
    driver_payloads = -(-p // group)
    serial_payloads = driver_payloads + (group if group > 1 else 0)
    link_ms = (s + s * driver_payloads + (s * group if group > 1 else 0)) / (gbit * 1e9 / 8) * 1e3
    per_round = (f["d0"] + f["d1"] * s + f["a_local"] + (f["a1"] + f["a2"] * 2 * s) * serial_payloads + link_ms
                 + f["u0"] + f["u1"] * s + f["e1"] * n)
    step = f["c0"] + f["c1"] * n + f["g"] * (batch / p) * n
    # Communication and the other per-round costs "stop mattering" at 10% of a round: H * step >= 9 * per_round.
    return dict(p=p, n=n, batch=batch, gbit=gbit, group=group, serial_payloads=serial_payloads, link_ms=link_ms,
                per_round_ms=per_round, local_step_ms=step, h_10pct=int(np.ceil(9 * per_round / step)))


def measure_throughput(out, env, a, master, cluster):
    """784-1024-1024-10 at global batch 1024 on a prefix of MNIST's training set: local[2] and a 2-worker standalone
    cluster, one after the other, alternating, for H = 1 and 16; samples/s of the second epoch. At H = 16, also the
    cluster with RPC encryption off for the application (authentication stays on), to show what encryption costs."""
    data = subset(a.data, out, a.throughput_rows)
    plain = dict(env, SPARK_SUBMIT_ARGS="--conf spark.network.crypto.enabled=false")
    res = {}
    sh([cluster, "start", "2"], out / "cluster-start-throughput.log", env)
    try:
        for h in [int(x) for x in a.throughput_local_steps.split(",")]:
            contenders = [("local", "local[2]", env), ("cluster", master, env)]
            if h == 16:
                contenders.append(("unencrypted", master, plain))
            for rep in range(a.throughput_reps):
                for where, m, e in contenders:
                    name = f"tp-{where}-h{h}-{rep}"
                    print(f"[cluster cost] {name}", file=sys.stderr, flush=True)
                    run = submit(out, name, m, e, ["--data", str(data), "--layers", "784,1024,1024,10",
                                                   "--batch-size", "1024", "--lr", "0.05", "--local-steps", str(h),
                                                   "--epochs", "2", "--partitions", "2", "--seed", "1"])
                    res.setdefault(f"h{h}", {}).setdefault(where, []).append(epochs(run)[-1]["samples_per_second"])
    finally:
        sh([cluster, "stop"], out / "cluster-stop-throughput.log", env)
    for v in res.values():
        local = v["local"]
        for where in [w for w in v if w != "local"]:
            v[f"{where}_ratio_of_medians"] = statistics.median(v[where]) / statistics.median(local)
            v[f"{where}_pair_ratios"] = [c / l for c, l in zip(v[where], local)]
    return res


def report(rows, f, tp, out):
    load = (out / "load-at-start.txt").read_text().strip()
    lines = [f"# Cost of a round on standalone clusters of one-core workers ({CORES} cores here)", "",
             f"Load at start: `{load}`", ""]
    if f is not None:
        lines += cost_lines(rows, f)
    lines += ["", "Throughput, 784-1024-1024-10, global batch 1024, 2 partitions (samples/s, second epoch):", ""]
    names = {"cluster": "2-worker cluster", "unencrypted": "2-worker cluster, RPC encryption off"}
    for h, v in tp.items():
        lines.append(f"- {h}: local[2] {[round(x) for x in v['local']]}")
        for where, name in names.items():
            if where in v:
                lines.append(f"  - {name} {[round(x) for x in v[where]]}; /local[2] (medians) "
                             f"{v[where + '_ratio_of_medians']:.3f}, per pair "
                             f"{[round(x, 3) for x in v[where + '_pair_ratios']]}")
    return "\n".join(lines) + "\n"


def cost_lines(rows, f):
    lines = ["| run | P | N | H | rounds | round ms | broadcast | compute | overhead | update | model ms |",
             "|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        lines.append(f"| {r['name']} | {r['P']} | {r['N']:,} | {r['H']} | {r['rounds']} | {r['round']:.1f} | "
                     f"{r['broadcast']:.1f} | {r['compute']:.1f} | {r['overhead']:.1f} | {r['update']:.1f} | "
                     f"{r['predicted']:.1f} |")
    lines += ["", "Fit (milliseconds; N parameters, P partitions = executors, S bytes each way per task, b rows per "
              "local step):", "",
              f"- broadcast = {f['d0']:.2f} + {f['d1'] * 1e6:.3f} ms/MB x S",
              f"- overhead  = {f['a_sync']:.2f} (H = 1) or {f['a_local']:.2f} (H > 1) + {f['a1']:.2f} x P "
              f"+ {f['a2'] * 1e6:.3f} ms/MB x 2SP",
              f"- compute   = k(P) x ({f['e1'] * 1e6:.3f} ms per million parameters per round + H x "
              f"({f['c0']:.3f} + {f['c1'] * 1e6:.3f} ms per million parameters (H > 1) + {f['g'] * 1e6:.4f} ns x b x N)),"
              f" k(P) = max(1, P/{CORES})",
              f"- update    = {f['u0']:.2f} + {f['u1'] * 1e6:.3f} ms/MB x S",
              f"- round: median relative error {100 * f['median_rel_error']:.1f}%, "
              f"max {100 * f['max_rel_error']:.1f}%", ""]
    for n in (407_050, 1_863_690):
        e = extrapolate(f, n=n)
        lines.append(f"- 64 executors, 10 Gbit/s, N = {n:,}, global batch 1024 (16 rows each): per-round cost "
                     f"{e['per_round_ms']:.0f} ms ({e['serial_payloads']} payloads through one process in turn, "
                     f"{e['link_ms']:.1f} ms on the links), a local step {e['local_step_ms']:.2f} ms; they are under "
                     f"10% of a round from H = {e['h_10pct']}")
    return lines


if __name__ == "__main__":
    main()
