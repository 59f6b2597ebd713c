#!/usr/bin/env python3
"""Measures what a round (one Spark job of H local steps) costs on standalone clusters of 1, 2 and 4 one-core
workers on this machine, fits a cost model to it, extrapolates the model to a bigger cluster, and measures the
2-worker cluster's throughput against local[2] on the compute-heavy model. Run by `BENCH_CLUSTER=1 scripts/bench.sh`
or alone:

    python3 bench/cluster_cost.py --out bench/results/cluster-<time>       # ~15 minutes on 2 idle cores

Every run goes through scripts/cluster.sh and scripts/submit.sh, with the cluster's default settings (authentication,
RPC encryption, dynamic allocation). Each run's metrics.jsonl gives, per epoch, the mean milliseconds per round of
(see dev.sparknn.train.StepTimes): broadcast (creating the weights' broadcast on the driver), compute (the slowest
partition's local steps, measured inside its task), overhead (the rest of the job: scheduling and launching P tasks,
fetching the broadcast, returning and merging P payloads) and update (the optimizer on the driver). The last epoch
is used (the first carries JIT warm-up).

The model, for P partitions (one per executor), N parameters, H local steps of b = B/P rows each:

    round(P, N, H) = broadcast + overhead + compute + update
    broadcast      = d0 + d1 * 4N                      creating a 4N-byte float32 broadcast on the driver
    overhead       = a0 + a1 * P + a2 * (12 N P)       a job, each task, and each task's 4N bytes of weights in and
                                                       8N bytes of float64 payload out
    compute        = H * g * b * N * k(P)              multiply-adds ~ rows x parameters; k(P) = max(1, P / cores)
                                                       when there are more busy executors than cores
    update         = u1 * N

fitted by least squares (each term on its own measured component), with the relative error of the whole round.
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


def last_epoch(run):
    lines = (run / "metrics.jsonl").read_text().splitlines()
    return json.loads(lines[-1])


def submit(out, name, master, env, args):
    """Runs (or, after an interrupted benchmark, reuses) the finished run `name` in out."""
    run = out / name
    if (run / "metrics.jsonl").exists():
        return last_epoch(run)
    sh([str(ROOT / "scripts/submit.sh"), "--master", master, "--out", str(run), "--checkpoint-dir",
        str(out / "ckpt" / name), *args], out / f"{name}.log", env)
    return last_epoch(run)


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
    ap.add_argument("--throughput-rows", type=int, default=20480, help="training rows of the throughput runs")
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
                    m = submit(out, name, master, env, [
                        "--data", str(data), "--layers", layers, "--partitions", str(workers),
                        "--batch-size", str(a.batch_size), "--local-steps", str(h), "--epochs", "2",
                        "--schedule", "constant", "--lr", "0.05", "--seed", "1"])
                    t = m["time_ms"]
                    rows.append(dict(name=name, P=workers, N=params(layers), H=h, b=a.batch_size / workers,
                                     rounds=m["rounds"], **{k: t[k] for k in
                                                            ("round", "broadcast", "compute", "overhead", "update")}))
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


def fit_model(rows):
    a0, a1, a2 = lstsq([[1, r["P"], 12 * r["N"] * r["P"]] for r in rows], [r["overhead"] for r in rows])
    d0, d1 = lstsq([[1, 4 * r["N"]] for r in rows], [r["broadcast"] for r in rows])
    (g,) = lstsq([[r["H"] * r["b"] * r["N"] * max(1, r["P"] / CORES)] for r in rows], [r["compute"] for r in rows])
    (u1,) = lstsq([[r["N"]] for r in rows], [r["update"] for r in rows])
    f = dict(a0=a0, a1=a1, a2=a2, d0=d0, d1=d1, g=g, u1=u1, cores=CORES)
    errors = []
    for r in rows:
        r["predicted"] = predict(f, r["P"], r["N"], r["H"], r["b"])
        errors.append(abs(r["predicted"] - r["round"]) / r["round"])
    f["median_rel_error"] = statistics.median(errors)
    f["max_rel_error"] = max(errors)
    return f


def predict(f, p, n, h, b, cores=None):
    k = max(1, p / (cores or f["cores"]))
    return (f["d0"] + f["d1"] * 4 * n + f["a0"] + f["a1"] * p + f["a2"] * 12 * n * p
            + h * f["g"] * b * n * k + f["u1"] * n)


def extrapolate(f, p=64, n=1_863_690, batch=1024, gbit=10.0):
    """Communication and compute of a round on p one-core executors of their own machines, over a gbit network.

    The measured per-byte cost a2 was paid on one machine for all tasks in turn; on p machines the executors'
    share runs in parallel and the driver's does not, so a2 * 12N * p is kept (an upper bound) and the driver's
    link adds its bytes: 4N of broadcast (executors then serve each other the pieces) and 8N per payload it merges
    (about sqrt(p) of them beyond 8 partitions)."""
    payloads = p if p <= 8 else round(p ** 0.5)
    link_ms = (4 * n + 8 * n * payloads) / (gbit * 1e9 / 8) * 1e3
    comm = f["d0"] + f["d1"] * 4 * n + f["a0"] + f["a1"] * p + f["a2"] * 12 * n * p + link_ms + f["u1"] * n
    step = f["g"] * (batch / p) * n
    # Communication "stops mattering" once it is at most 10% of the round: H * step >= 9 * comm.
    return dict(p=p, n=n, batch=batch, gbit=gbit, link_ms=link_ms, comm_ms=comm, local_step_ms=step,
                h_10pct=int(np.ceil(9 * comm / step)))


def measure_throughput(out, env, a, master, cluster):
    """784-1024-1024-10 at global batch 1024 on a prefix of MNIST's training set: local[2] and a 2-worker standalone
    cluster, one after the other, alternating, for H = 1 and 16; samples/s of the second epoch."""
    data = subset(a.data, out, a.throughput_rows)
    res = {}
    sh([cluster, "start", "2"], out / "cluster-start-throughput.log", env)
    try:
        for h in (1, 16):
            for rep in range(a.throughput_reps):
                for where, m in (("local", "local[2]"), ("cluster", master)):
                    name = f"tp-{where}-h{h}-{rep}"
                    print(f"[cluster cost] {name}", file=sys.stderr, flush=True)
                    e = submit(out, name, m, env, ["--data", str(data), "--layers", "784,1024,1024,10",
                                                   "--batch-size", "1024", "--lr", "0.05", "--local-steps", str(h),
                                                   "--epochs", "2", "--partitions", "2", "--seed", "1"])
                    res.setdefault(f"h{h}", {}).setdefault(where, []).append(e["samples_per_second"])
    finally:
        sh([cluster, "stop"], out / "cluster-stop-throughput.log", env)
    for h, v in res.items():
        v["ratio_of_medians"] = statistics.median(v["cluster"]) / statistics.median(v["local"])
        v["pair_ratios"] = [c / l for c, l in zip(v["cluster"], v["local"])]
    return res


def report(rows, f, tp, out):
    load = (out / "load-at-start.txt").read_text().strip()
    lines = [f"# Cost of a round on standalone clusters of one-core workers ({CORES} cores here)", "",
             f"Load at start: `{load}`", ""]
    if f is not None:
        lines += cost_lines(rows, f)
    lines += ["", "Throughput, 784-1024-1024-10, global batch 1024, 2 partitions (samples/s, second epoch):", ""]
    for h, v in tp.items():
        lines.append(f"- {h}: local[2] {v['local']}, 2-worker cluster {v['cluster']}; cluster/local (medians) "
                     f"{v['ratio_of_medians']:.3f}, per pair {[round(x, 3) for x in v['pair_ratios']]}")
    return "\n".join(lines) + "\n"


def cost_lines(rows, f):
    lines = ["| run | P | N | H | rounds | round ms | broadcast | compute | overhead | update | model ms |",
             "|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        lines.append(f"| {r['name']} | {r['P']} | {r['N']:,} | {r['H']} | {r['rounds']} | {r['round']:.1f} | "
                     f"{r['broadcast']:.1f} | {r['compute']:.1f} | {r['overhead']:.1f} | {r['update']:.1f} | "
                     f"{r['predicted']:.1f} |")
    lines += ["", "Fit (milliseconds; N parameters, P partitions = executors, b rows per local step):", "",
              f"- broadcast = {f['d0']:.2f} + {f['d1'] * 1e6:.3f} ms/MB x 4N",
              f"- overhead  = {f['a0']:.2f} + {f['a1']:.2f} x P + {f['a2'] * 1e6:.3f} ms/MB x 12NP",
              f"- compute   = H x {f['g'] * 1e9:.3f} ns x b x N (x P/{CORES} when P > {CORES})",
              f"- update    = {f['u1'] * 1e6:.3f} ms per million parameters",
              f"- round: median relative error {100 * f['median_rel_error']:.1f}%, "
              f"max {100 * f['max_rel_error']:.1f}%", ""]
    for n in (407_050, 1_863_690):
        e = extrapolate(f, n=n)
        lines.append(f"- 64 executors, 10 Gbit/s, N = {n:,}, global batch 1024 (16 rows each): communication "
                     f"{e['comm_ms']:.0f} ms per round ({e['link_ms']:.1f} ms on the driver's link), a local step "
                     f"{e['local_step_ms']:.2f} ms; communication is under 10% of a round from H = {e['h_10pct']}")
    return lines


if __name__ == "__main__":
    main()
