"""The README's Python code runs as written: the quick start (on a small MNIST Parquet in the layout it reads, in a
Python and JVM of its own), then the ONNX Runtime snippet on the file the quick start exported."""
import os
import re
import subprocess
import sys

import sparknn
from conftest import MNIST, ROOT, read_idx

README = os.path.join(ROOT, "README.md")


def python_block_after(marker):
    """The first ```python block after the line containing `marker`."""
    with open(README) as f:
        text = f.read()
    start = text.index(marker)
    match = re.search(r"```python\n(.*?)```", text[start:], re.S)
    assert match, f"no python block after {marker!r} in README.md"
    return match.group(1)


def test_quick_start_then_onnx_snippet(spark, mnist, tmp_path):
    train, test = mnist
    train.write.parquet(str(tmp_path / "data" / "mnist-parquet" / "train"))
    test.write.parquet(str(tmp_path / "data" / "mnist-parquet" / "test"))
    os.symlink(MNIST, tmp_path / "data" / "mnist")

    # The quick start, as a script run where its relative paths are (a JVM of its own: the JVM resolves them).
    env = {**os.environ, "PYTHONPATH": os.path.dirname(os.path.dirname(os.path.abspath(sparknn.__file__)))}
    quick_start = subprocess.run([sys.executable, "-c", python_block_after("### Quick start in Python")],
                                 cwd=tmp_path, env=env, capture_output=True, text=True)
    assert quick_start.returncode == 0, quick_start.stderr[-3000:]
    accuracy = float(re.search(r"test accuracy (\S+)", quick_start.stdout).group(1))
    assert accuracy > 0.75, quick_start.stdout  # 48 steps on 2,000 rows: 0.836 measured; chance is 0.10
    assert os.path.isfile(tmp_path / "runs" / "mnist-python" / "data" / "model.bin")
    assert os.path.isfile(tmp_path / "runs" / "model.onnx")

    # The ONNX snippet, as written, with onnxruntime from PyPI, on the quick start's model.onnx.
    snippet = python_block_after("From Python, with `pip install onnxruntime numpy`")
    run = subprocess.run([sys.executable, "-c", snippet], cwd=tmp_path, capture_output=True, text=True, check=True)
    digits = [int(d) for d in re.search(r"\[([0-9 ]+)\]", run.stdout).group(1).split()]

    # The same model's predictions for the first five test images, through transform.
    from sparknn.ml import NeuralNetClassificationModel

    model = NeuralNetClassificationModel.load(str(tmp_path / "runs" / "mnist-python"))
    first = spark.createDataFrame([(x.tolist(),) for x in read_idx("t10k-images-idx3-ubyte", 5)],
                                  "features array<float>")
    expected = [int(r.prediction) for r in model.transform(first).collect()]
    assert digits == expected
