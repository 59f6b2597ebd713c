#!/usr/bin/python3
"""The grid behind conf/train.conf's training defaults: every setting on every dataset, through scripts/train.sh,
one run after another. Writes bench/defaults/<time>/results.md and results.json (final test accuracy or RMSE,
training seconds, rounds) and keeps each run's metrics.jsonl. Standard library only.

  bench/defaults_grid.py                      # the whole grid (about 15 minutes on 2 cores)
  bench/defaults_grid.py --settings lr0.1-h64 --datasets wine,cancer

Datasets (fetched by scripts/fetch-datasets.sh into data/): MNIST, Fashion-MNIST (the same IDX layout, harder),
the UCI breast-cancer and wine tables (features 10^-3 to 10^3 apart, shipped in examples/), and the seed's
y = 2x + 10 + uniform noise regression (examples/reg.csv). Each setting is given as options that override the
defaults; the datasets give only what describes the data (layers, label, task) and, for the small tables, epochs.
"""
import argparse
import datetime
import json
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# name -> train.sh options describing the data; None metric = accuracy, else the regression RMSE.
DATASETS = {
    "mnist": ["--data", "data/mnist", "--layers", "784,512,10"],
    "fashion": ["--data", "data/fashion-mnist", "--layers", "784,512,10"],
    "cancer": ["--data", "examples/cancer-train.csv", "--test-data", "examples/cancer-test.csv",
               "--layers", "30,64,2", "--epochs", "50"],
    "wine": ["--data", "examples/wine-train.csv", "--test-data", "examples/wine-test.csv",
             "--layers", "13,64,3", "--epochs", "100"],
    "reg": ["--data", "examples/reg-train.csv", "--test-data", "examples/reg-test.csv", "--task", "regression",
            "--label", "y", "--layers", "1,32,1", "--epochs", "300"],
}

# name -> options; everything not named comes from conf/train.conf.
SETTINGS = {
    "defaults": [],
    "lr0.1-h16": ["--batch-size", "128", "--lr", "0.1", "--momentum", "0.9", "--warmup-steps", "0",
                  "--local-steps", "16", "--schedule", "constant"],
    "lr0.1-h64": ["--batch-size", "128", "--lr", "0.1", "--momentum", "0.9", "--warmup-steps", "0",
                  "--local-steps", "64", "--schedule", "constant"],
    "lr0.05-h64": ["--batch-size", "128", "--lr", "0.05", "--momentum", "0.9", "--warmup-steps", "0",
                   "--local-steps", "64", "--schedule", "constant"],
    "lr0.1-h64-b256": ["--batch-size", "256", "--lr", "0.1", "--momentum", "0.9", "--warmup-steps", "0",
                       "--local-steps", "64", "--schedule", "constant"],
    "lr0.1-h64-cosine": ["--batch-size", "128", "--lr", "0.1", "--momentum", "0.9", "--warmup-steps", "0",
                         "--local-steps", "64", "--schedule", "cosine"],
    "lr0.05-h64-cosine": ["--batch-size", "128", "--lr", "0.05", "--momentum", "0.9", "--warmup-steps", "0",
                          "--local-steps", "64", "--schedule", "cosine"],
    "old-sync-2048": ["--batch-size", "2048", "--lr", "0.8", "--momentum", "0.9", "--warmup-steps", "20",
                      "--local-steps", "1", "--schedule", "constant"],
}


def run(out_dir, dataset, setting):
    out = os.path.join(out_dir, f"{dataset}-{setting}")
    cmd = [os.path.join(ROOT, "scripts", "train.sh")] + DATASETS[dataset] + SETTINGS[setting] + [
        "--out", out, "--checkpoint-dir", out + ".ckpt"]
    with open(out + ".log", "w") as log:
        code = subprocess.call(cmd, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
    subprocess.call(["rm", "-rf", out + ".ckpt"])
    row = dict(dataset=dataset, setting=setting, exit=code)
    if code != 0:
        with open(out + ".log") as f:
            row["error"] = [l for l in f.read().splitlines() if "error" in l or "diverged" in l][-1:]
        return row
    with open(os.path.join(out, "metrics.jsonl")) as f:
        metrics = [json.loads(l) for l in f if l.strip()]
    last = metrics[-1]
    row.update(epochs=len(metrics), train_seconds=round(last["train_seconds"], 2),
               rounds=sum(m["rounds"] for m in metrics), steps=sum(m["steps"] for m in metrics),
               test_loss=last["test_loss"])
    if "test_accuracy" in last:
        row.update(test_accuracy=last["test_accuracy"],
                   accuracy_by_epoch=[round(m["test_accuracy"], 4) for m in metrics][-5:])
    else:
        row.update(train_rmse=last["train_rmse"], test_rmse=last["test_rmse"])
    return row


def markdown(rows, datasets, settings):
    lines = ["| setting | " + " | ".join(datasets) + " |", "|---|" + "---|" * len(datasets)]
    for s in settings:
        cells = []
        for d in datasets:
            r = next(x for x in rows if x["dataset"] == d and x["setting"] == s)
            if r["exit"] != 0:
                cells.append(f"exit {r['exit']}")
            elif "test_accuracy" in r:
                cells.append(f"{100 * r['test_accuracy']:.2f}% ({r['train_seconds']:.1f} s, {r['rounds']} rounds)")
            else:
                cells.append(f"RMSE train {r['train_rmse']:.2f} test {r['test_rmse']:.2f} ({r['train_seconds']:.1f} s)")
        lines.append(f"| {s} `{' '.join(SETTINGS[s])}` | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--datasets", default=",".join(DATASETS))
    p.add_argument("--settings", default=",".join(SETTINGS))
    a = p.parse_args()
    datasets, settings = a.datasets.split(","), a.settings.split(",")
    out_dir = os.path.join(ROOT, "bench", "defaults", datetime.datetime.now().strftime("%Y%m%d-%H%M%S"))
    os.makedirs(out_dir)
    rows = []
    for s in settings:
        for d in datasets:
            print(f"{d} with {s} ...", file=sys.stderr, flush=True)
            rows.append(run(out_dir, d, s))
            print(json.dumps(rows[-1]), file=sys.stderr, flush=True)
    with open(os.path.join(out_dir, "results.json"), "w") as f:
        json.dump(rows, f, indent=1)
    table = markdown(rows, datasets, settings)
    with open(os.path.join(out_dir, "results.md"), "w") as f:
        f.write(f"# Defaults grid {os.path.basename(out_dir)}\n\n{table}")
    print(table)


if __name__ == "__main__":
    main()
