#!/usr/bin/python3
"""Turns one scripts/bench.sh run folder into results.md and results.json: the contenders side by side and the
ratios of issue 3's goals. Standard library only. Usage: bench/report.py bench/results/<time>"""
import glob
import json
import os
import re
import sys

TARGET = 0.97


def last_json(path):
    with open(path) as f:
        lines = [l for l in f.read().splitlines() if l.startswith("{")]
    return json.loads(lines[-1])


def jsonl(path):
    with open(path) as f:
        return [json.loads(l) for l in f if l.strip()]


def peak_rss_mib(run_dir, name):
    with open(os.path.join(run_dir, name + ".time")) as f:
        kb = re.search(r"Maximum resident set size \(kbytes\): (\d+)", f.read())
    return round(int(kb.group(1)) / 1024, 1) if kb else None


def ours_to_target(run_dir, name):
    out = os.path.join(run_dir, "ours-" + name)
    evals = jsonl(os.path.join(out, "evals.jsonl"))
    metrics = jsonl(os.path.join(out, "metrics.jsonl"))
    hit = next((e for e in evals if e.get("test_accuracy", 0) >= TARGET), None)
    with open(os.path.join(out, "config.conf")) as f:
        conf = dict(re.findall(r'^([\w-]+) = "?([^"\n]*)"?$', f.read(), re.M))
    return dict(name=name, layers=conf["layers"], optimizer=conf["optimizer"], lr=float(conf["lr"]),
                batch_size=int(conf["batch-size"]), warmup_steps=int(conf["warmup-steps"]),
                local_steps=int(conf.get("local-steps", 1)), rounds=sum(m.get("rounds", m["steps"]) for m in metrics),
                reached=hit is not None, train_time_s=hit["train_seconds"] if hit else None,
                steps=hit["global_step"] if hit else evals[-1]["global_step"],
                final_test_acc=evals[-1]["test_accuracy"], startup_s=metrics[0]["startup_seconds"],
                step_ms=metrics[-1]["time_ms"], peak_rss_mib=peak_rss_mib(run_dir, "ours-" + name))


def main(run_dir):
    r = {"run": os.path.basename(run_dir)}
    with open(os.path.join(run_dir, "load-at-start.txt")) as f:
        r["load_at_start"] = f.read().strip()
    step = last_json(os.path.join(run_dir, "step.out"))
    r["blas"] = step["blas"]
    r["sgemm"] = step["sgemm"]
    r["steps"] = step["steps"]

    names = [os.path.basename(p)[5:] for p in sorted(glob.glob(os.path.join(run_dir, "ours-*")))
             if os.path.isdir(p) and os.path.basename(p) != "ours-memory"]
    ours = [ours_to_target(run_dir, n) for n in names]
    r["ours_grid"] = ours
    reached = [o for o in ours if o["reached"]]
    r["ours_best"] = min(reached, key=lambda o: o["train_time_s"]) if reached else None

    layers = [784, 1024, 1024, 10]
    flops_per_step = 6 * 1024 * sum(a * b for a, b in zip(layers, layers[1:]))
    r["ours_throughput"] = {}
    for h in ("h1", "h16"):
        # The second epoch: the first one's rounds include the JIT's warm-up.
        thr = jsonl(os.path.join(run_dir, "throughput-" + h, "metrics.jsonl"))[-1]
        steps_per_round = thr["time_ms"]["round"] / thr["time_ms"]["step"]
        # Compute is the slowest partition's; each partition does 1/2 of every step's work on one core.
        compute_gflops = flops_per_step * steps_per_round / (thr["time_ms"]["compute"] / 1e3) / 1e9
        r["ours_throughput"][h] = dict(samples_per_s=thr["samples_per_second"], time_ms=thr["time_ms"],
                                       compute_gflops=round(compute_gflops, 1),
                                       compute_vs_sgemm_peak=round(compute_gflops / step["sgemm"]["gflops_all_cores"], 3),
                                       peak_rss_mib=peak_rss_mib(run_dir, "throughput-" + h))
    mem = jsonl(os.path.join(run_dir, "ours-memory", "metrics.jsonl"))
    heap = [m["heap_after_gc_mb"] for m in mem]
    r["ours_memory"] = dict(epochs=len(mem), heap_after_gc_mb=[round(h, 1) for h in heap],
                            growth_after_epoch_1=round(max(heap[1:]) / heap[1], 3) if len(heap) > 2 else None,
                            final_test_acc=mem[-1]["test_accuracy"], peak_rss_mib=peak_rss_mib(run_dir, "ours-memory"))

    tg = last_json(os.path.join(run_dir, "torch-grid.out"))
    r["torch_grid"] = tg.get("rows") or [tg["result"]]
    r["torch_best"] = tg.get("best") or (tg["result"] if tg["result"]["reached"] else None)
    r["torch_version"] = tg["torch"]
    r["torch_throughput"] = last_json(os.path.join(run_dir, "torch-throughput.out"))["result"]
    r["mllib"] = last_json(os.path.join(run_dir, "mllib.out"))

    ob, tb, ml = r["ours_best"], r["torch_best"], r["mllib"]
    goals = r["goals"] = {}
    if ob and tb:
        goals["1_time_to_97_vs_torch"] = dict(ratio=round(ob["train_time_s"] / tb["train_time_s"], 2), goal="<= 1.0")
    if ob and ml.get("reached"):
        goals["2_mllib_vs_ours_time_to_97"] = dict(ratio=round(ml["time_to_target_s"] / ob["train_time_s"], 2),
                                                  goal=">= 5.0")
    for h, thr in r["ours_throughput"].items():
        goals["3a_throughput_vs_torch_" + h] = dict(
            ratio=round(thr["samples_per_s"] / r["torch_throughput"]["samples_per_s"], 2), goal=">= 1.0")
    goals["3b_compute_vs_sgemm_peak"] = dict(ratio=r["ours_throughput"]["h1"]["compute_vs_sgemm_peak"], goal=">= 0.60")
    goals["4_overhead_vs_bare_step"] = dict(ratio=round(r["steps"]["overhead_vs_bare"], 2), goal="<= 1.5")
    goals["5_heap_growth_after_epoch_1"] = dict(ratio=r["ours_memory"]["growth_after_epoch_1"], goal="<= 1.2")
    for g in goals.values():
        g["met"] = eval(f"{g['ratio']} {g['goal']}") if g["ratio"] is not None else False

    scaling = []
    for name in ("x1", "x5", "x20", "x5-cached"):
        d = os.path.join(run_dir, "scale-" + name)
        if os.path.isdir(d):
            m = jsonl(os.path.join(d, "metrics.jsonl"))
            last = m[-1]
            scaling.append(dict(name=name, rows=round(last["samples_per_second"] * last["epoch_seconds"]),
                                epoch_seconds=last["epoch_seconds"], samples_per_s=last["samples_per_second"],
                                startup_s=last["startup_seconds"], heap_after_gc_mb=[round(x["heap_after_gc_mb"])
                                                                                     for x in m],
                                test_accuracy=last["test_accuracy"],
                                peak_rss_mib=peak_rss_mib(run_dir, "scale-" + name)))
    if scaling:
        r["scaling"] = scaling
    with open(os.path.join(run_dir, "results.json"), "w") as f:
        json.dump(r, f, indent=1)
    with open(os.path.join(run_dir, "results.md"), "w") as f:
        f.write(markdown(r))


def fmt(v, spec=".2f"):
    return "–" if v is None else format(v, spec)


def markdown(r):
    s = r["steps"]
    lines = [f"# Benchmark {r['run']}", "",
             f"BLAS: {r['blas']}; sgemm {r['sgemm']['size']}³: {r['sgemm']['gflops_1_thread']:.0f} GFLOP/s on one "
             f"thread, {r['sgemm']['gflops_all_cores']:.0f} on all cores. Load at start: `{r['load_at_start']}`.", "",
             "## Goals (ratios measured in this run)", "", "| goal | ratio | target | met |", "|---|---|---|---|"]
    for k, g in r["goals"].items():
        lines.append(f"| {k} | {fmt(g['ratio'])} | {g['goal']} | {'yes' if g['met'] else 'no'} |")
    lines += ["", "## Time to 97% test accuracy (training time only)", "",
              "| contender | settings | steps | train s | final acc | start-up s | peak RSS MiB |",
              "|---|---|---|---|---|---|---|"]
    for o in r["ours_grid"]:
        lines.append(f"| sparknn local[2] | {o['layers']} {o['optimizer']} lr {o['lr']} batch {o['batch_size']} "
                     f"warm-up {o['warmup_steps']} local steps {o['local_steps']} | {o['steps']} | "
                     f"{fmt(o['train_time_s'])} | "
                     f"{o['final_test_acc']:.4f} | {o['startup_s']:.1f} | {o['peak_rss_mib']} |")
    for t in r["torch_grid"]:
        lines.append(f"| PyTorch {r['torch_version']} 2 threads | {t['layers']} {t['optimizer']} lr {t['lr']} batch "
                     f"{t['batch_size']} warm-up {t['warmup_steps']} | {t['steps']} | "
                     f"{fmt(t['train_time_s']) if t['reached'] else '–'} | {t['final_test_acc']:.4f} | | |")
    m = r["mllib"]
    lines.append(f"| MLlib {m['spark']} l-bfgs local[2] | {m['layers']}, BLAS {m['blas']} | "
                 f"{m.get('max_iter_to_target')} iterations | {fmt(m.get('time_to_target_s'))} | "
                 f"{m['final_test_acc']:.4f} | {m.get('spark_start_s', 0) + m.get('data_load_s', 0):.1f} | |")
    tt = r["torch_throughput"]
    lines += ["", "## Throughput, 784-1024-1024-10 at batch 1024", "",
              "| contender | samples/s | compute GFLOP/s | share of sgemm peak |", "|---|---|---|---|"]
    for h, th in r["ours_throughput"].items():
        lines.append(f"| sparknn local[2], local steps {h[1:]} | {th['samples_per_s']:.0f} | {th['compute_gflops']} | "
                     f"{th['compute_vs_sgemm_peak']:.2f} |")
    lines += [f"| PyTorch 2 threads | {tt['samples_per_s']:.0f} | {tt['gflops']} | "
              f"{tt['gflops'] / r['sgemm']['gflops_all_cores']:.2f} |", ""]
    for h, th in r["ours_throughput"].items():
        lines += [f"sparknn local steps {h[1:]}, breakdown (ms per round, and per step): {th['time_ms']}", ""]
    lines += ["## Per-step overhead, 784-512-10 at batch 512, 2 partitions (medians)", "",
              f"bare step {s['bare_ms']:.1f} ms; real step {s['step_ms']:.1f} ms = compute {s['compute_ms']:.1f} + "
              f"overhead {s['overhead_ms']:.1f}; overhead / bare = {s['overhead_vs_bare']:.2f}", "",
              "## Memory, default settings over 10 epochs", "",
              f"heap after GC per epoch (MiB): {r['ours_memory']['heap_after_gc_mb']}; peak RSS "
              f"{r['ours_memory']['peak_rss_mib']} MiB; final accuracy {r['ours_memory']['final_test_acc']:.4f}", ""]
    if "scaling" in r:
        lines += ["## Scaling: augmented MNIST from Parquet shards, second epoch", "",
                  "| data | heap | epoch s | samples/s | s per 60k rows | load s | heap after GC per epoch MiB | "
                  "peak RSS MiB | test acc |", "|---|---|---|---|---|---|---|---|---|"]
        for x in r["scaling"]:
            lines.append(f"| {x['name']} | {'8 GB' if x['name'].endswith('cached') else '1 GB'} | "
                         f"{x['epoch_seconds']:.1f} | {x['samples_per_s']:.0f} | "
                         f"{x['epoch_seconds'] * 60000 / x['rows']:.2f} | {x['startup_s']:.0f} | "
                         f"{x['heap_after_gc_mb']} | {x['peak_rss_mib']} | {x['test_accuracy']:.4f} |")
        lines.append("")
    return "\n".join(lines)


if __name__ == "__main__":
    main(sys.argv[1])
