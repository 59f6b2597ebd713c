"""One local[2] SparkSession with sparknn's jar for every test, and small real datasets: 2,000 MNIST training rows
and 500 test rows (image-like layout: label int, features array<float> of pixel / 255), and the UCI wine table."""
import os

import numpy as np
import pytest

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
MNIST = os.path.join(ROOT, "data", "mnist")
WINE_TRAIN = os.path.join(ROOT, "examples", "wine-train.csv")
WINE_TEST = os.path.join(ROOT, "examples", "wine-test.csv")

# As the project's scripts: one OpenBLAS thread per task (its rounding depends on the thread count), servers on
# loopback. Set before the JVM starts.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")


def read_idx(name, rows):
    """The first `rows` records of an IDX file of data/mnist: images as float32 [rows, 784] of pixel / 255, or labels."""
    path = os.path.join(MNIST, name)
    if "images" in name:
        pixels = np.fromfile(path, dtype=np.uint8, count=rows * 784, offset=16)
        return (pixels.reshape(rows, 784) / 255).astype(np.float32)
    return np.fromfile(path, dtype=np.uint8, count=rows, offset=8).astype(np.int32)


def spark_conf():
    import sparknn

    return {"spark.jars": sparknn.jar_path(),
            "spark.driver.bindAddress": "127.0.0.1",
            "spark.driver.host": "127.0.0.1",
            "spark.ui.enabled": "false",
            "spark.sql.shuffle.partitions": "2",
            "spark.sql.execution.arrow.pyspark.enabled": "true",
            "spark.driver.extraJavaOptions": "-Dlog4j2.level=warn"}


@pytest.fixture(scope="session")
def spark():
    from pyspark.sql import SparkSession

    builder = SparkSession.builder.master("local[2]").appName("sparknn-python-tests")
    for key, value in spark_conf().items():
        builder = builder.config(key, value)
    session = builder.getOrCreate()
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


def mnist_frame(spark, prefix, rows):
    """The first `rows` of an MNIST split as a cached DataFrame in 2 partitions (through Arrow: a few seconds)."""
    import pandas as pd

    images = read_idx(f"{prefix}-images-idx3-ubyte", rows)
    labels = read_idx(f"{prefix}-labels-idx1-ubyte", rows)
    frame = pd.DataFrame({"label": labels, "features": list(images)})
    return spark.createDataFrame(frame, "label int, features array<float>").repartition(2).cache()


@pytest.fixture(scope="session")
def mnist(spark):
    """(train, test): 2,000 and 500 real MNIST rows, cached."""
    return mnist_frame(spark, "train", 2000), mnist_frame(spark, "t10k", 500)


@pytest.fixture(scope="session")
def wine(spark):
    """(train, test, feature columns) of the UCI wine table, 143 and 37 rows with 13 measurements."""
    train = spark.read.csv(WINE_TRAIN, header=True, inferSchema=True).cache()
    test = spark.read.csv(WINE_TEST, header=True, inferSchema=True).cache()
    return train, test, [c for c in train.columns if c != "label"]
