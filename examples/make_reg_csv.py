#!/usr/bin/env python3
"""Write reg.csv: header x,y; x = -50, -48, ..., 48 (50 rows); y = 2x + 10 + u, u uniform in [-5, 5).

Usage: make_reg_csv.py OUT_DIR [SEED]   (SEED defaults to 42)

The noise comes from random.Random(SEED).random(), whose sequence Python guarantees across versions for a given
seed; y is written with 4 decimals. The noise std is 10/sqrt(12) = 2.887, so no model can beat a test RMSE of
about 2.9 on fresh rows. Also writes a fixed 90/10 split for like-for-like comparisons:
reg-test.csv holds the rows with index % 10 == 5 (x = -40, -20, 0, 20, 40), reg-train.csv the other 45.
"""
import os
import random
import sys


def main():
    if len(sys.argv) not in (2, 3):
        sys.exit(__doc__)
    out_dir = sys.argv[1]
    seed = int(sys.argv[2]) if len(sys.argv) == 3 else 42
    rng = random.Random(seed)
    rows = []
    for i in range(50):
        x = -50 + 2 * i
        y = 2 * x + 10 + (10 * rng.random() - 5)
        rows.append(f"{x},{y:.4f}\n")
    os.makedirs(out_dir, exist_ok=True)
    for name, chosen in (("reg.csv", rows),
                         ("reg-train.csv", [r for i, r in enumerate(rows) if i % 10 != 5]),
                         ("reg-test.csv", [r for i, r in enumerate(rows) if i % 10 == 5])):
        with open(os.path.join(out_dir, name), "w") as f:
            f.write("x,y\n")
            f.writelines(chosen)


if __name__ == "__main__":
    main()
