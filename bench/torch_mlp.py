#!/usr/bin/python3
"""PyTorch contender for the sparknn benchmark: a plain single-process MLP trainer on MNIST.

Runs on Debian's python3-torch (1.13, /usr/bin/python3) and on PyPI's current torch (bench/.venv, made by
scripts/bench.sh):
    /usr/bin/python3 bench/torch_mlp.py --mode time-to-acc --data data/mnist --layers 784,100,50,10 \
        --optimizer sgd --lr 0.1 --momentum 0.9 --batch-size 128 --eval-every 50
    /usr/bin/python3 bench/torch_mlp.py --mode throughput
    /usr/bin/python3 bench/torch_mlp.py --mode grid --data data/mnist

Modes
  time-to-acc  train until the test accuracy, checked every --eval-every optimizer steps (0 = at the end of
               each epoch), first reaches --target, or --max-epochs pass. The clock covers training steps
               only: data loading and evaluation are timed separately.
  throughput   784-1024-1024-10 (--layers is ignored) at --batch-size (default 1024 here) on random data:
               --warmup-iters untimed steps, then --iters timed steps of forward + backward + SGD update.
               GFLOP/s counts 6 * batch * sum(in*out) flops per step (2 forward, 4 backward).
  grid         the time-to-acc runs of GRID below, on one loaded copy of the data; reports every row and
               the one with the lowest training time to the target.
  recipe       sparknn's default recipe exactly (784-512-10, batch 128, SGD momentum 0.9, lr 0.1, cosine decay over
               --epochs 5): the training clock of all epochs, the test accuracy after each epoch off the clock.
With --save PATH, time-to-acc and recipe write the trained model (torch.save of the state dict) before exiting, so
that the command's wall time runs from interpreter start to a saved model.

Pixels are value/255 as float32, like sparknn. Weights use PyTorch's default nn.Linear initialisation.
The last line on stdout is one JSON object; logs go to stderr.
"""
import argparse
import json
import math
import os
import platform
import resource
import sys
import time

# Debian's torch runs matrix products on OpenBLAS (libblas.so.3), whose own pthreads work next to libgomp's
# threads (element-wise ops). libgomp's threads spin while idle and take the cores from OpenBLAS's: on this
# 2-core machine PASSIVE doubled the throughput mode's samples/s (measured). PyPI's torch (MKL on OpenMP's
# threads) gained too on this shared machine: 3,801 samples/s against 1,353 with OpenMP's default, at load 10
# (measured 2026-12-06). It must be set before torch loads libgomp; an OMP_WAIT_POLICY already in the
# environment wins.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import numpy as np  # noqa: E402  (after the environment is set)
import torch  # noqa: E402
from torch import nn  # noqa: E402

# Settings known to reach 97% quickly on this 2-core machine (earlier measurements), evaluated every 50 steps:
# SGD momentum 0.9 at batch 128 reached 97% in epoch 3; Nesterov needs ~320-380 steps at batch 512; Adam at
# batch 1024 with a short warm-up; the wider 784-512-10 needs ~220 steps. Two small-batch variants added.
GRID = [
    dict(layers="784,100,50,10", optimizer="sgd", momentum=0.9, lr=0.1, batch_size=128),
    dict(layers="784,100,50,10", optimizer="nesterov", momentum=0.9, lr=0.1, batch_size=128),
    dict(layers="784,100,50,10", optimizer="adam", lr=0.002, batch_size=128),
    dict(layers="784,100,50,10", optimizer="sgd", momentum=0.9, lr=0.2, batch_size=512),
    dict(layers="784,100,50,10", optimizer="nesterov", momentum=0.9, lr=0.2, batch_size=512),
    dict(layers="784,100,50,10", optimizer="adam", lr=0.006, batch_size=1024, warmup_steps=20),
    dict(layers="784,512,10", optimizer="sgd", momentum=0.9, lr=0.2, batch_size=512),
    dict(layers="784,512,10", optimizer="adam", lr=0.003, batch_size=1024),
    dict(layers="784,512,10", optimizer="sgd", momentum=0.9, lr=0.1, batch_size=128, schedule="cosine"),
]
# sparknn's defaults (conf/train.conf): the recipe of the benchmark's goal 2.
RECIPE = dict(layers="784,512,10", optimizer="sgd", momentum=0.9, lr=0.1, batch_size=128, schedule="cosine")
RECIPE_EPOCHS = 5


def log(*a):
    print(*a, file=sys.stderr, flush=True)


class Stopwatch:
    """Accumulates wall time and this process's CPU time (all threads) over start()/stop() intervals."""

    def __init__(self):
        self.wall = self.cpu = 0.0

    def start(self):
        self._w, self._c = time.perf_counter(), time.process_time()

    def stop(self):
        self.wall += time.perf_counter() - self._w
        self.cpu += time.process_time() - self._c


def loaded_blas():
    """The BLAS shared libraries this process has loaded (torch's BLAS_INFO is only 'generic')."""
    with open("/proc/self/maps") as f:
        return sorted({line.split()[-1] for line in f if "blas" in line.lower() and "/" in line})


def read_idx(path):
    """An IDX file as a numpy uint8 array: magic 0x0000_08_<ndim>, then ndim big-endian int32 sizes."""
    with open(path, "rb") as f:
        data = f.read()
    if data[0:3] != b"\x00\x00\x08":
        raise ValueError(f"{path}: not an unsigned-byte IDX file")
    ndim = data[3]
    shape = tuple(np.frombuffer(data, dtype=">i4", count=ndim, offset=4))
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim).reshape(shape)


def load_mnist(d):
    def images(name):
        x = read_idx(f"{d}/{name}")
        return torch.from_numpy(x.reshape(len(x), -1).astype(np.float32) / 255.0)

    def labels(name):
        return torch.from_numpy(read_idx(f"{d}/{name}").astype(np.int64))

    return (images("train-images-idx3-ubyte"), labels("train-labels-idx1-ubyte"),
            images("t10k-images-idx3-ubyte"), labels("t10k-labels-idx1-ubyte"))


def mlp(widths):
    """Affine layers with ReLU between them; the softmax lives in the loss (cross_entropy)."""
    layers = []
    for i, (n_in, n_out) in enumerate(zip(widths, widths[1:])):
        layers.append(nn.Linear(n_in, n_out))
        if i < len(widths) - 2:
            layers.append(nn.ReLU())
    return nn.Sequential(*layers)


def make_optimizer(params, name, lr, momentum):
    if name == "sgd":
        return torch.optim.SGD(params, lr=lr, momentum=momentum)
    if name == "nesterov":
        return torch.optim.SGD(params, lr=lr, momentum=momentum, nesterov=True)
    if name == "adam":
        return torch.optim.Adam(params, lr=lr)
    raise ValueError(f"unknown optimizer {name}")


@torch.no_grad()
def accuracy(model, x, y):
    """Test accuracy, exact: a count over an int. In chunks of 1,000 rows, which bound a convolution's memory."""
    correct = 0
    for i in range(0, len(y), 1000):
        correct += (model(x[i:i + 1000]).argmax(dim=1) == y[i:i + 1000]).sum().item()
    return correct / len(y)


def train_step(model, opt, sched, x, y):
    """One optimizer step on the batch (x, y): cross-entropy, backward, the optimizer, the schedule; its loss."""
    loss = nn.functional.cross_entropy(model(x), y)
    opt.zero_grad(set_to_none=True)
    loss.backward()
    opt.step()
    sched.step()
    return loss


def time_to_acc(data, layers, optimizer, lr, batch_size, target, max_epochs, eval_every, seed,
                momentum=0.9, warmup_steps=0, schedule="constant", schedule_epochs=RECIPE_EPOCHS, save=None):
    """Trains until test accuracy >= target; the clock runs only during optimizer steps. A cosine schedule decays
    over schedule_epochs (sparknn's: lr·½(1 + cos(π·p)), p from 0 to 1 over the updates after warm-up)."""
    x_train, y_train, x_test, y_test = data
    torch.manual_seed(seed)
    widths = [int(w) for w in layers.split(",")]
    model = mlp(widths)
    opt = make_optimizer(model.parameters(), optimizer, lr, momentum)
    n = len(x_train)
    steps_per_epoch = -(-n // batch_size)  # ceil(N / batch) as in sparknn; the last batch is the short one
    decay_span = max(1, schedule_epochs * steps_per_epoch - warmup_steps)

    def factor(s):
        """The learning rate of update s + 1 over lr, as sparknn's Schedule.at: linear warm-up, then the shape."""
        t = s + 1
        if t <= warmup_steps:
            return t / warmup_steps
        if schedule == "cosine":
            return 0.5 * (1 + math.cos(math.pi * min(1.0, (t - 1 - warmup_steps) / decay_span)))
        return 1.0

    sched = torch.optim.lr_scheduler.LambdaLR(opt, factor)
    gen = torch.Generator().manual_seed(seed)
    train, evaluation = Stopwatch(), Stopwatch()
    step, acc, reached, history = 0, 0.0, False, []
    for _ in range(max_epochs):
        train.start()
        order = torch.randperm(n, generator=gen)
        for b in range(steps_per_epoch):
            idx = order[b * batch_size:(b + 1) * batch_size]
            loss = train_step(model, opt, sched, x_train[idx], y_train[idx])
            step += 1
            last_of_epoch = b == steps_per_epoch - 1
            if (eval_every > 0 and step % eval_every == 0) or (eval_every <= 0 and last_of_epoch):
                train.stop()
                evaluation.start()
                acc = accuracy(model, x_test, y_test)
                evaluation.stop()
                history.append([step, round(train.wall, 3), round(acc, 4)])
                log(f"  step {step} (epoch {step / steps_per_epoch:.2f}) train {train.wall:.2f}s "
                    f"loss {loss.item():.4f} test acc {acc:.4f}")
                if acc >= target:
                    reached = True
                    break
                train.start()
        if reached:
            break
        train.stop()
    if not reached and (not history or history[-1][0] != step):
        acc = accuracy(model, x_test, y_test)  # final accuracy after the last step, not timed
        history.append([step, round(train.wall, 3), round(acc, 4)])
    if save:
        torch.save(model.state_dict(), save)
    samples = (step // steps_per_epoch) * n + (step % steps_per_epoch) * batch_size
    return dict(layers=layers, optimizer=optimizer, lr=lr, schedule=schedule,
                momentum=None if optimizer == "adam" else momentum, batch_size=batch_size,
                warmup_steps=warmup_steps, seed=seed, target=target, reached=reached,
                train_time_s=round(train.wall, 3), train_cpu_s=round(train.cpu, 3),
                eval_time_s=round(evaluation.wall, 3), steps=step,
                epochs=round(step / steps_per_epoch, 3), steps_per_epoch=steps_per_epoch,
                final_test_acc=round(acc, 4), samples_per_s=round(samples / train.wall, 1),
                eval_every_steps=eval_every if eval_every > 0 else steps_per_epoch, history=history)


def throughput(batch_size, warmup_iters, iters, seed):
    widths = [784, 1024, 1024, 10]
    torch.manual_seed(seed)
    model = mlp(widths)
    opt = torch.optim.SGD(model.parameters(), lr=0.01)
    x = torch.rand(batch_size, widths[0])
    y = torch.randint(0, widths[-1], (batch_size,))

    def step():
        loss = nn.functional.cross_entropy(model(x), y)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()

    for _ in range(warmup_iters):
        step()
    clock = Stopwatch()
    clock.start()
    for _ in range(iters):
        step()
    clock.stop()
    secs = clock.wall
    flops_per_step = 6 * batch_size * sum(a * b for a, b in zip(widths, widths[1:]))
    return dict(layers=",".join(map(str, widths)), batch_size=batch_size, data="random",
                warmup_iters=warmup_iters, iters=iters, time_s=round(secs, 3), cpu_s=round(clock.cpu, 3),
                step_ms=round(1000 * secs / iters, 3),
                samples_per_s=round(batch_size * iters / secs, 1),
                gflops=round(flops_per_step * iters / secs / 1e9, 2), flops_per_step=flops_per_step)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--mode", choices=["time-to-acc", "throughput", "grid", "recipe"], default="time-to-acc")
    p.add_argument("--grid", action="store_true", help="same as --mode grid")
    p.add_argument("--data", default="data/mnist", help="folder with the four uncompressed MNIST IDX files")
    p.add_argument("--threads", type=int, default=2, help="torch.set_num_threads; OpenBLAS sizes its own "
                   "thread pool (all cores, or OPENBLAS_NUM_THREADS)")
    p.add_argument("--layers", default="784,100,50,10")
    p.add_argument("--optimizer", choices=["sgd", "nesterov", "adam"], default="sgd")
    p.add_argument("--lr", type=float, default=0.1)
    p.add_argument("--momentum", type=float, default=0.9, help="for sgd and nesterov")
    p.add_argument("--batch-size", type=int, default=None, help="default 128; 1024 for throughput")
    p.add_argument("--warmup-steps", type=int, default=0)
    p.add_argument("--schedule", choices=["constant", "cosine"], default="constant",
                   help="cosine: decays over --epochs (recipe mode: sparknn's default recipe)")
    p.add_argument("--epochs", type=int, default=RECIPE_EPOCHS, help="recipe: epochs; cosine: its span")
    p.add_argument("--save", default=None, help="time-to-acc, recipe: write the trained model's state dict here")
    p.add_argument("--target", type=float, default=0.97)
    p.add_argument("--max-epochs", type=int, default=10)
    p.add_argument("--eval-every", type=int, default=None,
                   help="optimizer steps between test evaluations; 0 = once per epoch (default; grid: 50)")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--grid-rows", default=None, help="grid: the rows of GRID to run, 0-based, e.g. 0,1,3,4")
    p.add_argument("--warmup-iters", type=int, default=10, help="throughput: untimed steps")
    p.add_argument("--iters", type=int, default=50, help="throughput: timed steps")
    a = p.parse_args()
    mode = "grid" if a.grid else a.mode

    torch.set_num_threads(a.threads)
    out = dict(program="torch_mlp", mode=mode, torch=torch.__version__, numpy=np.__version__,
               python=platform.python_version(), threads=torch.get_num_threads(),
               omp_wait_policy=os.environ["OMP_WAIT_POLICY"],
               openblas_num_threads=os.environ.get("OPENBLAS_NUM_THREADS"),
               # other work on the machine skews the timings: compare cpu_s with threads * time_s
               load_avg_1m_at_start=round(os.getloadavg()[0], 2))

    if mode == "throughput":
        out["result"] = throughput(a.batch_size or 1024, a.warmup_iters, a.iters, a.seed)
        log(f"throughput: {out['result']}")
    else:
        t0 = time.perf_counter()
        data = load_mnist(a.data)
        out["data_load_s"] = round(time.perf_counter() - t0, 3)
        log(f"loaded MNIST from {a.data} in {out['data_load_s']}s: train {tuple(data[0].shape)}, "
            f"test {tuple(data[2].shape)}")
        if mode == "time-to-acc":
            out["result"] = time_to_acc(
                data, a.layers, a.optimizer, a.lr, a.batch_size or 128, a.target, a.max_epochs,
                0 if a.eval_every is None else a.eval_every, a.seed, a.momentum, a.warmup_steps, a.schedule,
                a.epochs, a.save)
        elif mode == "recipe":
            # An unreachable target: every epoch runs; the accuracy after each is measured off the clock.
            out["result"] = time_to_acc(data, target=2.0, max_epochs=a.epochs, eval_every=0, seed=a.seed,
                                        schedule_epochs=a.epochs, save=a.save, **RECIPE)
        else:
            eval_every = 50 if a.eval_every is None else a.eval_every
            rows = []
            chosen = [int(i) for i in a.grid_rows.split(",")] if a.grid_rows else range(len(GRID))
            for i, cfg in [(i, GRID[i]) for i in chosen]:
                log(f"grid {i + 1}/{len(GRID)}: {cfg}")
                row = time_to_acc(data, target=a.target, max_epochs=a.max_epochs, eval_every=eval_every,
                                  seed=a.seed, **cfg)
                log(f"  -> reached={row['reached']} train {row['train_time_s']}s steps {row['steps']} "
                    f"acc {row['final_test_acc']}")
                rows.append(row)
            done = [r for r in rows if r["reached"]]
            out.update(eval_every_steps=eval_every, max_epochs=a.max_epochs,
                       eval_granularity=f"test accuracy checked every {eval_every} optimizer steps; time to "
                                        "target = training time up to the first check that reaches it",
                       best=min(done, key=lambda r: r["train_time_s"]) if done else None,
                       rows=rows)
    out["blas_libraries"] = loaded_blas()
    # ru_maxrss is in KiB on Linux
    out["peak_rss_mib"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
