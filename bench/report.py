#!/usr/bin/python3
"""Turns one scripts/bench.sh run folder into results.md and results.json: issue 26's goals, one line each, as the
median over the repetitions of the ratio measured in each repetition (sparknn's run and its contender's run of the
same repetition, one after the other), with the range, and every contender's figures below. Standard library only.
Usage: bench/report.py bench/results/<time>"""
import glob
import json
import os
import re
import statistics
import sys

TARGET = 0.97
TORCHES = ("pypi", "debian")


def last_json(path):
    with open(path) as f:
        lines = [l for l in f.read().splitlines() if l.startswith("{")]
    return json.loads(lines[-1])


def jsonl(path):
    with open(path) as f:
        return [json.loads(l) for l in f if l.strip()]


def gnu_time(run_dir, name):
    """Wall seconds and peak RSS (MiB, the largest single process) from GNU time's -v report."""
    with open(os.path.join(run_dir, name + ".time")) as f:
        text = f.read()
    wall = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (?:(\d+):)?(\d+):([\d.]+)", text)
    kb = re.search(r"Maximum resident set size \(kbytes\): (\d+)", text)
    seconds = int(wall.group(1) or 0) * 3600 + int(wall.group(2)) * 60 + float(wall.group(3))
    return round(seconds, 2), round(int(kb.group(1)) / 1024, 1)


def spread(values):
    """Median, min and max of the values that exist; None if none do."""
    v = [x for x in values if x is not None]
    if not v:
        return None
    return dict(median=round(statistics.median(v), 3), min=round(min(v), 3), max=round(max(v), 3), n=len(v))


def ours_97(run_dir, name):
    out = os.path.join(run_dir, name)
    evals = jsonl(os.path.join(out, "evals.jsonl"))
    metrics = jsonl(os.path.join(out, "metrics.jsonl"))
    hit = next((e for e in evals if e.get("test_accuracy", 0) >= TARGET), None)
    wall, rss = gnu_time(run_dir, name)
    return dict(reached=hit is not None, train_s=hit["train_seconds"] if hit else None,
                steps=hit["global_step"] if hit else None, wall_s=wall, peak_rss_mib=rss,
                startup_s=metrics[0]["startup_seconds"], model_saved=os.path.exists(os.path.join(out, "model.bin")))


def ours_recipe(run_dir, name, flops_per_step):
    out = os.path.join(run_dir, name)
    metrics = jsonl(os.path.join(out, "metrics.jsonl"))
    wall, rss = gnu_time(run_dir, name)
    first = metrics[0]["time_ms"]
    # The median round of the run: the median of the epochs' medians (every epoch has the same rounds).
    median_round = statistics.median(m["time_ms"]["round_median"] for m in metrics)
    # A local step's compute after epoch 1 (the slowest partition's, per step): compute per round / steps per round.
    later = metrics[1:] or metrics
    per_step_ms = statistics.median(m["time_ms"]["compute"] / (m["time_ms"]["round"] / m["time_ms"]["step"])
                                    for m in later)
    return dict(train_s=metrics[-1]["train_seconds"], wall_s=wall, peak_rss_mib=rss,
                startup_s=metrics[0]["startup_seconds"], final_test_acc=metrics[-1]["test_accuracy"],
                weights_sha256=metrics[-1]["weights_sha256"], first_round_ms=round(first["round_first"], 1),
                median_round_ms=round(median_round, 1), first_over_median=round(first["round_first"] / median_round, 3),
                compute_per_step_ms=round(per_step_ms, 3),
                compute_gflops=round(flops_per_step / (per_step_ms / 1e3) / 1e9, 1),
                epoch_seconds=[round(m["epoch_seconds"], 2) for m in metrics])


def torch_run(run_dir, name):
    if not os.path.exists(os.path.join(run_dir, name + ".out")):
        return None
    j = last_json(os.path.join(run_dir, name + ".out"))
    wall, rss = gnu_time(run_dir, name)
    res = j.get("best") if j.get("mode") == "grid" else j["result"]
    return dict(torch=j["torch"], wall_s=wall, peak_rss_mib=rss, result=res,
                rows=j.get("rows"), load=j.get("load_avg_1m_at_start"))


def ratio(a, b):
    return None if a is None or b is None or b == 0 else round(a / b, 3)


def goal(text, target, pairs):
    """A goal line: per-repetition ratios against each PyTorch (or other contender), medians and ranges; met when
    every contender's median ratio meets the target."""
    line = dict(goal=text, target=target, against={})
    for who, values in pairs.items():
        line["against"][who] = dict(ratios=values, **(spread(values) or {}))
    medians = [v.get("median") for v in line["against"].values()]
    line["met"] = bool(medians) and all(m is not None and eval(f"{m} {target}") for m in medians)
    return line


def main(run_dir):
    r = {"run": os.path.basename(os.path.abspath(run_dir))}
    with open(os.path.join(run_dir, "load-at-start.txt")) as f:
        r["load_at_start"] = f.read().strip()
    loads = {}
    with open(os.path.join(run_dir, "loads.txt")) as f:
        for line in f:
            name, one, five, fifteen = line.split()
            loads[name] = float(one)
    r["load_1m_before_runs"] = dict(spread(list(loads.values())), each=loads)
    r["goals"] = []
    if os.path.exists(os.path.join(run_dir, "step.out")):  # not with BENCH_CNN=only
        mlp(run_dir, r)
    cnn(run_dir, r)
    extras(run_dir, r)
    with open(os.path.join(run_dir, "results.json"), "w") as f:
        json.dump(r, f, indent=1)
    with open(os.path.join(run_dir, "results.md"), "w") as f:
        f.write(markdown(r))


def mlp(run_dir, r):
    """Issue 26's goals, on the perceptrons."""
    step = last_json(os.path.join(run_dir, "step.out"))
    r.update(blas=step["blas"], sgemm=step["sgemm"], sgemm_shapes=step["sgemm_shapes"], steps=step["steps"])
    flops = step["sgemm_shapes"]["flops_per_step"]

    reps = sorted({int(m.group(1)) for p in glob.glob(os.path.join(run_dir, "ours-97-*"))
                   if (m := re.search(r"ours-97-(\d+)$", p))})
    rows = []
    for k in reps:
        row = dict(rep=k, ours_97=ours_97(run_dir, f"ours-97-{k}"),
                   ours_recipe=ours_recipe(run_dir, f"ours-recipe-{k}", flops),
                   throughput={h: jsonl(os.path.join(run_dir, f"throughput-{h}-{k}", "metrics.jsonl"))[-1]
                               ["samples_per_second"] for h in ("h1", "h16")},
                   distributor=None)
        for t in TORCHES:
            row[f"torch_grid_{t}"] = torch_run(run_dir, f"torch-grid-{k}-{t}")
            row[f"torch_recipe_{t}"] = torch_run(run_dir, f"torch-recipe-{k}-{t}")
            row[f"torch_save_{t}"] = torch_run(run_dir, f"torch-save-{k}-{t}")
            row[f"torch_throughput_{t}"] = torch_run(run_dir, f"torch-throughput-{k}-{t}")
        d = os.path.join(run_dir, f"distributor-{k}")
        if os.path.exists(d + ".out"):
            j = last_json(d + ".out")
            wall, rss = gnu_time(run_dir, f"distributor-{k}")
            row["distributor"] = dict(wall_s=wall, peak_rss_mib=rss, **(j["result"] or {}))
        rows.append(row)
    r["repetitions"] = rows

    def per_torch(f):
        return {t: [f(row, t) for row in rows] for t in TORCHES}

    def res(row, key):
        x = row.get(key)
        return x["result"] if x and x["result"] else None

    cluster = None
    cj = os.path.join(run_dir, "cluster", "cluster-cost.json")
    if os.path.exists(cj):
        with open(cj) as f:
            cluster = json.load(f)["throughput"]
        r["cluster_throughput"] = cluster
    r["goals"] += [
        goal("1. time to 97%, our defaults (training clock, evaluations excluded) / PyTorch's best grid setting",
             "<= 1.0", per_torch(lambda row, t: ratio(row["ours_97"]["train_s"],
                                                      (res(row, f"torch_grid_{t}") or {}).get("train_time_s")))),
        goal("2. the default recipe, 5 epochs: our training clock / PyTorch's on the same recipe", "<= 1.25",
             per_torch(lambda row, t: ratio(row["ours_recipe"]["train_s"],
                                            (res(row, f"torch_recipe_{t}") or {}).get("train_time_s")))),
        goal("3a. the first round / the run's median round (default run)", "<= 1.5",
             {"itself": [row["ours_recipe"]["first_over_median"] for row in rows]}),
        goal("3b. whole-command wall time to a saved 97% model / a PyTorch script's (interpreter start to saved "
             "model)", "<= 2.0", per_torch(lambda row, t: ratio(row["ours_97"]["wall_s"],
                                                               (row.get(f"torch_save_{t}") or {}).get("wall_s")))),
        goal("4. a local step's compute (default run, epochs 2-5) / the sgemm peak of its shapes", ">= 0.75",
             {"sgemm peak": [ratio(row["ours_recipe"]["compute_gflops"], step["sgemm_shapes"]["gflops_per_thread"])
                             for row in rows]}),
        goal("5. whole-command wall time, default run / TorchDistributor (local mode, 2 processes, the recipe)",
             "<= 0.5", {"TorchDistributor": [ratio(row["ours_recipe"]["wall_s"], (row["distributor"] or {})
                                                   .get("wall_s")) for row in rows]}),
        goal("6a. throughput 784-1024-1024-10, batch 1024, 16 local steps / PyTorch", ">= 1.0",
             per_torch(lambda row, t: ratio(row["throughput"]["h16"],
                                            (res(row, f"torch_throughput_{t}") or {}).get("samples_per_s")))),
        goal("6a'. the same, synchronous (1 local step) / PyTorch (not a goal)", ">= 1.0",
             per_torch(lambda row, t: ratio(row["throughput"]["h1"],
                                            (res(row, f"torch_throughput_{t}") or {}).get("samples_per_s")))),
    ]
    if cluster:
        for h in [h for h in ("h16", "h1") if h in cluster]:
            r["goals"].append(goal(f"6b. 2-worker standalone cluster (secure defaults) / local[2], "
                                   f"784-1024-1024-10, {h[1:]} local step{'s' if h == 'h16' else ''}", ">= 0.9",
                                   {"local[2]": [round(x, 3) for x in cluster[h]["cluster_pair_ratios"]]}))


CNN_TARGET = 0.99


def cnn(run_dir, r):
    """Issue 28's goal (BENCH_CNN): SimpleConvNet, sparknn's time per epoch and time to 99% over PyTorch's."""
    reps = sorted({int(m.group(1)) for p in glob.glob(os.path.join(run_dir, "cnn-ours-*"))
                   if (m := re.search(r"cnn-ours-(\d+)$", p))})
    if not reps:
        return
    rows = []
    for k in reps:
        out = os.path.join(run_dir, f"cnn-ours-{k}")
        metrics = jsonl(os.path.join(out, "metrics.jsonl"))
        hit = next((m for m in metrics if m.get("test_accuracy", 0) >= CNN_TARGET), None)
        wall, rss = gnu_time(run_dir, f"cnn-ours-{k}")
        row = dict(rep=k, ours=dict(epoch_seconds=[round(m["epoch_seconds"], 2) for m in metrics],
                                    train_s=metrics[-1]["train_seconds"],
                                    time_to_target_s=hit["train_seconds"] if hit else None,
                                    test_acc=[m["test_accuracy"] for m in metrics],
                                    heap_after_gc_mb=[round(m["heap_after_gc_mb"]) for m in metrics],
                                    wall_s=wall, peak_rss_mib=rss))
        for t in TORCHES:
            row[f"torch_{t}"] = torch_run(run_dir, f"cnn-torch-{k}-{t}")
        rows.append(row)
    r["cnn"] = rows

    def res(row, t):
        x = row.get(f"torch_{t}")
        return x["result"] if x else {}

    torches = [t for t in TORCHES if any(row.get(f"torch_{t}") for row in rows)]  # PyPI's only with bench/.venv

    # Per epoch: the median epoch of each run, so that epoch 1's start-up (JIT, Spark's first jobs) weighs as one.
    r["goals"] += [
        goal("7a. SimpleConvNet, time per epoch (median epoch of a run): sparknn local[2] / PyTorch", "<= 1.5",
             {t: [ratio(statistics.median(row["ours"]["epoch_seconds"]),
                        statistics.median(res(row, t)["epoch_seconds"]) if res(row, t) else None)
                  for row in rows] for t in torches}),
        goal("7b. SimpleConvNet, time to 99% (training clocks, evaluations per epoch): sparknn / PyTorch", "<= 1.5",
             {t: [ratio(row["ours"]["time_to_target_s"], res(row, t).get("time_to_target_s")) for row in rows]
              for t in torches}),
    ]


def extras(run_dir, r):
    """The optional runs: MLlib and memory (BENCH_EXTRA), scaling (BENCH_SCALING)."""
    if os.path.exists(os.path.join(run_dir, "mllib.out")):
        r["mllib"] = last_json(os.path.join(run_dir, "mllib.out"))
    if os.path.isdir(os.path.join(run_dir, "ours-memory")):
        mem = jsonl(os.path.join(run_dir, "ours-memory", "metrics.jsonl"))
        heap = [m["heap_after_gc_mb"] for m in mem]
        r["ours_memory"] = dict(epochs=len(mem), heap_after_gc_mb=[round(h, 1) for h in heap],
                                growth_after_epoch_1=round(max(heap[1:]) / heap[1], 3) if len(heap) > 2 else None,
                                peak_rss_mib=gnu_time(run_dir, "ours-memory")[1])
    scaling = []
    for name in ("x1", "x5", "x20", "x5-cached"):
        d = os.path.join(run_dir, "scale-" + name)
        if os.path.isdir(d):
            m = jsonl(os.path.join(d, "metrics.jsonl"))
            last = m[-1]
            scaling.append(dict(name=name, rows=round(last["samples_per_second"] * last["epoch_seconds"]),
                                epoch_seconds=last["epoch_seconds"], samples_per_s=last["samples_per_second"],
                                startup_s=last["startup_seconds"],
                                heap_after_gc_mb=[round(x["heap_after_gc_mb"]) for x in m],
                                test_accuracy=last["test_accuracy"], peak_rss_mib=gnu_time(run_dir, "scale-" + name)[1]))
    if scaling:
        r["scaling"] = scaling


def fmt(v, spec=".2f"):
    return "–" if v is None else format(v, spec)


def cell(s):
    return "–" if not s or "median" not in s else f"{s['median']:.2f} ({s['min']:.2f}-{s['max']:.2f})"


def markdown(r):
    ld = r["load_1m_before_runs"]
    if "repetitions" not in r:  # BENCH_CNN=only
        lines = [f"# Benchmark {r['run']}", "",
                 f"Load average (1 minute) before each run: median {ld['median']}, {ld['min']} to {ld['max']}; at the "
                 f"start `{r['load_at_start']}`.", ""]
        return "\n".join(lines + goal_table(r) + cnn_lines(r)) + "\n"
    versions = sorted({row[f"torch_recipe_{t}"]["torch"] for row in r["repetitions"] for t in TORCHES
                       if row.get(f"torch_recipe_{t}")})
    lines = [f"# Benchmark {r['run']}", "",
             f"{len(r['repetitions'])} repetitions. Load average (1 minute) before each run: median {ld['median']}, "
             f"{ld['min']} to {ld['max']}; at the start `{r['load_at_start']}`.", "",
             f"BLAS: {r['blas']}; sgemm {r['sgemm']['size']}³: {r['sgemm']['gflops_1_thread']:.0f} GFLOP/s on one "
             f"thread, {r['sgemm']['gflops_all_cores']:.0f} on all cores; the default local step's products "
             f"({r['sgemm_shapes']['rows']} rows, {r['sgemm_shapes']['layers']}): "
             f"{r['sgemm_shapes']['gflops_per_thread']:.1f} GFLOP/s per thread with {r['sgemm_shapes']['threads']} "
             f"threads at once. PyTorch: {', '.join(versions)} (2 threads, OMP_WAIT_POLICY=PASSIVE).", "",
             ] + goal_table(r)
    lines += ["## Each repetition", "",
              "| rep | contender | time to 97% s | recipe train s | wall to saved model s | recipe wall s | "
              "first / median round ms | 784-1024-1024-10 samples/s (H = 1, 16) |", "|---|---|---|---|---|---|---|---|"]
    for row in r["repetitions"]:
        o, rec = row["ours_97"], row["ours_recipe"]
        lines.append(f"| {row['rep']} | sparknn local[2] | {fmt(o['train_s'])} ({o['steps']} steps) | "
                     f"{rec['train_s']:.2f} (acc {rec['final_test_acc']:.4f}) | {o['wall_s']:.1f} | {rec['wall_s']:.1f} "
                     f"| {rec['first_round_ms']:.0f} / {rec['median_round_ms']:.0f} | "
                     f"{row['throughput']['h1']:.0f}, {row['throughput']['h16']:.0f} |")
        for t in TORCHES:
            g, rc, sv, th = (row.get(f"torch_{k}_{t}") for k in ("grid", "recipe", "save", "throughput"))
            best = g and g["result"]
            best_text = (f"{best['train_time_s']:.2f} ({best['layers']} {best['optimizer']} lr {best['lr']} batch "
                         f"{best['batch_size']}{' cosine' if best.get('schedule') == 'cosine' else ''}, "
                         f"{best['steps']} steps)") if best else "–"
            recipe = rc and rc["result"]
            recipe_text = f"{recipe['train_time_s']:.2f} (acc {recipe['final_test_acc']:.4f})" if recipe else "–"
            lines.append(f"| {row['rep']} | PyTorch {rc['torch'] if rc else t} | {best_text} | {recipe_text} | "
                         f"{fmt(sv and sv['wall_s'], '.1f')} | | | {fmt(th and th['result']['samples_per_s'], '.0f')} |")
        d = row["distributor"]
        if d:
            lines.append(f"| {row['rep']} | TorchDistributor, 2 processes | | {fmt(d.get('train_time_s'))} "
                         f"(acc {fmt(d.get('final_test_acc'), '.4f')}) | | {d['wall_s']:.1f} | | |")
    rec = [row["ours_recipe"] for row in r["repetitions"]]
    lines += ["", "Default runs: weights_sha256 " + ", ".join(sorted({x["weights_sha256"][:8] + "…" for x in rec}))
              + "; start-up s " + ", ".join(f"{x['startup_s']:.1f}" for x in rec)
              + "; epoch s " + "; ".join(str(x["epoch_seconds"]) for x in rec)
              + "; a local step's compute " + ", ".join(f"{x['compute_per_step_ms']:.2f} ms ({x['compute_gflops']} "
                                                         f"GFLOP/s)" for x in rec) + ".", ""]
    sh = r["sgemm_shapes"]
    lines += [f"Each product of the default local step alone on one thread (GFLOP/s): "
              + ", ".join(f"{k} {v:.1f}" for k, v in sh["gflops_alone"].items()) + ".", ""]
    s = r["steps"]
    lines += ["Per-step overhead, 784-512-10 at batch 512, 2 partitions (medians): "
              f"bare step {s['bare_ms']:.1f} ms; real step {s['step_ms']:.1f} ms = compute {s['compute_ms']:.1f} + "
              f"overhead {s['overhead_ms']:.1f}; overhead / bare = {s['overhead_vs_bare']:.2f}", ""]
    if "cluster_throughput" in r:
        for h, v in r["cluster_throughput"].items():
            lines.append(f"Cluster {h}: local[2] {[round(x) for x in v['local']]} samples/s, 2-worker cluster "
                         f"{[round(x) for x in v['cluster']]}"
                         + (f", cluster without RPC encryption {[round(x) for x in v['unencrypted']]}"
                            if "unencrypted" in v else "") + ".")
        lines.append("")
    if "mllib" in r:
        m = r["mllib"]
        lines += [f"MLlib {m['spark']} l-bfgs {m['layers']}: {m.get('max_iter_to_target')} iterations to 97%, "
                  f"{fmt(m.get('time_to_target_s'))} s.", ""]
    if "ours_memory" in r:
        lines += [f"Memory, defaults over 10 epochs: heap after GC (MiB) {r['ours_memory']['heap_after_gc_mb']}; "
                  f"peak RSS {r['ours_memory']['peak_rss_mib']} MiB.", ""]
    for x in r.get("scaling", []):
        lines.append(f"Scaling {x['name']}: epoch {x['epoch_seconds']:.1f} s, {x['samples_per_s']:.0f} samples/s, "
                     f"heap after GC {x['heap_after_gc_mb']} MiB, test acc {x['test_accuracy']:.4f}.")
    return "\n".join(lines + ([""] + cnn_lines(r) if "cnn" in r else [])) + "\n"


def goal_table(r):
    lines = ["## Goals (ratio per repetition; median and range)", "",
             "| goal | against | median (min-max) | target | met |", "|---|---|---|---|---|"]
    for g in r["goals"]:
        for i, (who, s) in enumerate(g["against"].items()):
            label = {"pypi": "PyPI's PyTorch", "debian": "Debian's PyTorch"}.get(who, who)
            lines.append(f"| {g['goal'] if i == 0 else ''} | {label} | {cell(s)} | {g['target'] if i == 0 else ''} | "
                         f"{('yes' if g['met'] else 'no') if i == 0 else ''} |")
    return lines + [""]


def cnn_lines(r):
    """SimpleConvNet's runs, one line per contender and repetition."""
    if "cnn" not in r:
        return []
    lines = ["## SimpleConvNet (conf/examples/simple-convnet.conf)", "",
             "| rep | contender | epoch s | train s | time to 99% s | test accuracy per epoch | peak RSS MiB |",
             "|---|---|---|---|---|---|---|"]
    for row in r["cnn"]:
        o = row["ours"]
        lines.append(f"| {row['rep']} | sparknn local[2] | {o['epoch_seconds']} | {o['train_s']:.1f} | "
                     f"{fmt(o['time_to_target_s'], '.1f')} | {o['test_acc']} | {o['peak_rss_mib']} |")
        for t in TORCHES:
            x = row.get(f"torch_{t}")
            if x:
                res = x["result"]
                lines.append(f"| {row['rep']} | PyTorch {x['torch']} | {res['epoch_seconds']} | "
                             f"{res['train_time_s']:.1f} | {fmt(res['time_to_target_s'], '.1f')} | "
                             f"{[h[2] for h in res['history']]} | {x['peak_rss_mib']} |")
    lines += ["", "sparknn's heap after GC per epoch (MiB): "
              + "; ".join(str(row["ours"]["heap_after_gc_mb"]) for row in r["cnn"]) + ".", ""]
    return lines


if __name__ == "__main__":
    main(sys.argv[1])
