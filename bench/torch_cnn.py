#!/usr/bin/python3
"""PyTorch contender for the sparknn benchmark's convolutional case: the book's SimpleConvNet on MNIST, in one process.

    /usr/bin/python3 bench/torch_cnn.py --data data/mnist --epochs 10

The network is sparknn's `1x28x28,conv:30:5,relu,maxpool:2,affine:100,relu,affine:10` (Conv2d 1->30 5x5, ReLU,
MaxPool2d 2, Linear 4320->100, ReLU, Linear 100->10), trained with the recipe of conf/examples/simple-convnet.conf:
AdamW lr 0.002, weight decay 0.0005, batch 100, cosine decay over --epochs (sparknn's default schedule). Like
bench/torch_mlp.py: pixels value/255 as float32, PyTorch's default initialisation, a fresh shuffle every epoch, the
training clock over optimizer steps only; the test accuracy after every epoch is measured off the clock, and the time
to --target is the training clock at the end of the first epoch that reaches it (sparknn's evaluations are per epoch
too). The last line on stdout is one JSON object; logs go to stderr.
"""
import argparse
import json
import math
import os
import platform
import resource
import sys
import time

# See bench/torch_mlp.py: libgomp's spinning threads take the cores from OpenBLAS's on Debian's torch.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import torch  # noqa: E402  (after the environment is set)
from torch import nn  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from torch_mlp import Stopwatch, accuracy, load_mnist, loaded_blas, log, train_step  # noqa: E402


def simple_conv_net():
    return nn.Sequential(nn.Conv2d(1, 30, 5), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
                         nn.Linear(30 * 12 * 12, 100), nn.ReLU(), nn.Linear(100, 10))


def train(data, epochs, lr, weight_decay, batch_size, target, seed):
    x_train, y_train, x_test, y_test = data
    x_train, x_test = x_train.view(-1, 1, 28, 28), x_test.view(-1, 1, 28, 28)
    torch.manual_seed(seed)
    model = simple_conv_net()
    opt = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=weight_decay)
    n = len(x_train)
    steps_per_epoch = -(-n // batch_size)
    total = epochs * steps_per_epoch
    # sparknn's cosine: lr·½(1 + cos(π·p)), p from 0 to 1 over the run's updates (no warm-up).
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: 0.5 * (1 + math.cos(math.pi * min(1.0, s / total))))
    gen = torch.Generator().manual_seed(seed)
    clock = Stopwatch()
    epoch_seconds, history, reached_at = [], [], None
    for epoch in range(1, epochs + 1):
        before = clock.wall
        clock.start()
        order = torch.randperm(n, generator=gen)
        for b in range(steps_per_epoch):
            idx = order[b * batch_size:(b + 1) * batch_size]
            loss = train_step(model, opt, sched, x_train[idx], y_train[idx])
        clock.stop()
        epoch_seconds.append(round(clock.wall - before, 3))
        model.eval()
        acc = accuracy(model, x_test, y_test)
        model.train()
        history.append([epoch, round(clock.wall, 3), round(acc, 4)])
        log(f"  epoch {epoch}: {epoch_seconds[-1]:.2f}s (train clock {clock.wall:.2f}s), loss {loss.item():.4f}, "
            f"test acc {acc:.4f}")
        if reached_at is None and acc >= target:
            reached_at = round(clock.wall, 3)
    return dict(layers="1x28x28,conv:30:5,relu,maxpool:2,affine:100,relu,affine:10", optimizer="adamw", lr=lr,
                weight_decay=weight_decay, batch_size=batch_size, schedule="cosine", epochs=epochs, seed=seed,
                target=target, time_to_target_s=reached_at, train_time_s=round(clock.wall, 3),
                train_cpu_s=round(clock.cpu, 3), epoch_seconds=epoch_seconds, final_test_acc=history[-1][2],
                history=history)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--data", default="data/mnist", help="folder with the four uncompressed MNIST IDX files")
    p.add_argument("--threads", type=int, default=2, help="torch.set_num_threads")
    p.add_argument("--epochs", type=int, default=10)
    p.add_argument("--lr", type=float, default=0.002)
    p.add_argument("--weight-decay", type=float, default=0.0005)
    p.add_argument("--batch-size", type=int, default=100)
    p.add_argument("--target", type=float, default=0.99)
    p.add_argument("--seed", type=int, default=1)
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    out = dict(program="torch_cnn", torch=torch.__version__, python=platform.python_version(),
               threads=torch.get_num_threads(), omp_wait_policy=os.environ["OMP_WAIT_POLICY"],
               load_avg_1m_at_start=round(os.getloadavg()[0], 2))
    t0 = time.perf_counter()
    data = load_mnist(a.data)
    out["data_load_s"] = round(time.perf_counter() - t0, 3)
    out["result"] = train(data, a.epochs, a.lr, a.weight_decay, a.batch_size, a.target, a.seed)
    out["blas_libraries"] = loaded_blas()
    out["peak_rss_mib"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
