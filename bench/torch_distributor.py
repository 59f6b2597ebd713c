"""The data-parallel contender that ships with Spark: pyspark.ml.torch.distributor.TorchDistributor in local mode,
2 processes (torchrun on the driver, gloo, one thread each), training sparknn's default recipe on MNIST and saving
the model. Needs torch and pyspark 4.2.0 in one Python (bench/.venv, made by scripts/bench.sh):

    bench/.venv/bin/python bench/torch_distributor.py --data data/mnist --save /tmp/model.pt

The recipe is sparknn's defaults: 784-512-10, global batch 128 (64 rows per process and step), SGD momentum 0.9,
lr 0.1, cosine decay over 5 epochs, PyTorch's default initialisation; each epoch's order is one seeded permutation
that both processes draw alike, and process r takes rows [r·64, (r+1)·64) of each global batch, as sparknn's
partitions take their slice. DistributedDataParallel averages the gradients, so a step is one synchronous step on the
global batch. The whole command's wall time (interpreter start, Spark session, torchrun, training, evaluation,
save) is what the benchmark compares; the last line on stdout is one JSON object with the training clock of rank 0
and the test accuracy after the last epoch.
"""
import argparse
import json
import os
import sys
import time


def train(data_dir, epochs, seed, save):
    """Runs in each torchrun process: rank and world size come from the environment torchrun sets."""
    import math

    import numpy as np
    import torch
    import torch.distributed as dist
    from torch import nn

    torch.set_num_threads(1)
    dist.init_process_group("gloo")
    rank, world = dist.get_rank(), dist.get_world_size()

    def read_idx(path):
        with open(path, "rb") as f:
            data = f.read()
        ndim = data[3]
        shape = tuple(np.frombuffer(data, dtype=">i4", count=ndim, offset=4))
        return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim).reshape(shape)

    def images(name):
        x = read_idx(os.path.join(data_dir, name))
        return torch.from_numpy(x.reshape(len(x), -1).astype(np.float32) / 255.0)

    x_train = images("train-images-idx3-ubyte")
    y_train = torch.from_numpy(read_idx(os.path.join(data_dir, "train-labels-idx1-ubyte")).astype(np.int64))
    torch.manual_seed(seed)
    model = nn.parallel.DistributedDataParallel(nn.Sequential(nn.Linear(784, 512), nn.ReLU(), nn.Linear(512, 10)))
    opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    batch, n = 128, len(x_train)
    steps_per_epoch = -(-n // batch)
    total = epochs * steps_per_epoch
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: 0.5 * (1 + math.cos(math.pi * min(1.0, s / total))))
    gen = torch.Generator().manual_seed(seed)
    local = batch // world
    dist.barrier()
    t0 = time.perf_counter()
    for _ in range(epochs):
        order = torch.randperm(n, generator=gen)
        for b in range(steps_per_epoch):
            step_rows = order[b * batch:(b + 1) * batch]
            idx = step_rows[rank * local:(rank + 1) * local]
            loss = nn.functional.cross_entropy(model(x_train[idx]), y_train[idx])
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            sched.step()
    train_s = time.perf_counter() - t0
    result = None
    if rank == 0:
        x_test = images("t10k-images-idx3-ubyte")
        y_test = torch.from_numpy(read_idx(os.path.join(data_dir, "t10k-labels-idx1-ubyte")).astype(np.int64))
        with torch.no_grad():
            acc = (model.module(x_test).argmax(dim=1) == y_test).sum().item() / len(y_test)
        torch.save(model.module.state_dict(), save)
        result = dict(train_time_s=round(train_s, 3), steps=total, final_test_acc=round(acc, 4),
                      torch=torch.__version__)
    dist.destroy_process_group()
    return result


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--data", default="data/mnist")
    p.add_argument("--epochs", type=int, default=5)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--save", required=True)
    p.add_argument("--processes", type=int, default=2)
    a = p.parse_args()
    start = time.perf_counter()
    from pyspark.ml.torch.distributor import TorchDistributor
    from pyspark.sql import SparkSession

    spark = (SparkSession.builder.master(f"local[{a.processes}]").config("spark.driver.host", "127.0.0.1")
             .config("spark.driver.bindAddress", "127.0.0.1").config("spark.ui.enabled", "false").getOrCreate())
    spark.sparkContext.setLogLevel("ERROR")
    session_s = time.perf_counter() - start
    result = TorchDistributor(num_processes=a.processes, local_mode=True, use_gpu=False).run(
        train, os.path.abspath(a.data), a.epochs, a.seed, os.path.abspath(a.save))
    spark.stop()
    print(json.dumps(dict(program="torch_distributor", processes=a.processes, epochs=a.epochs,
                          spark_session_s=round(session_s, 3), wall_in_python_s=round(time.perf_counter() - start, 3),
                          load_avg_1m_at_start=round(os.getloadavg()[0], 2), result=result)))


if __name__ == "__main__":
    sys.exit(main())
