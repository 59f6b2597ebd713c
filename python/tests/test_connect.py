"""Spark Connect: a server started here on loopback, with sparknn's jar, fits, scores, saves and loads our stages for
a thin client (SparkSession.builder.remote)."""
import json
import os
import socket
import subprocess
import sys
import time

import pyspark
import pytest

import sparknn
from conftest import WINE_TRAIN

SERVER_CLASS = "org.apache.spark.sql.connect.service.SparkConnectServer"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def connect_server(tmp_path_factory):
    """A Spark Connect server (local[2]) on 127.0.0.1, with the jar on its class path; its URL. Stopped by PID."""
    port = free_port()
    log = tmp_path_factory.mktemp("connect") / "server.log"
    submit = os.path.join(os.path.dirname(pyspark.__file__), "bin", "spark-submit")
    command = [submit, "--master", "local[2]", "--class", SERVER_CLASS,
               "--jars", sparknn.jar_path(), "--driver-class-path", sparknn.jar_path(),
               "--conf", "spark.connect.grpc.binding.address=127.0.0.1",
               "--conf", f"spark.connect.grpc.binding.port={port}",
               "--conf", "spark.driver.bindAddress=127.0.0.1", "--conf", "spark.driver.host=127.0.0.1",
               "--conf", "spark.ui.enabled=false", "spark-internal"]
    with open(log, "w") as out:
        server = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT,
                                  env={**os.environ, "SPARK_LOCAL_IP": "127.0.0.1", "OPENBLAS_NUM_THREADS": "1"})
    try:
        # Not a timed assertion: a wait for the port, with a generous bound so that a server that never comes up
        # fails the test instead of hanging it.
        deadline = time.monotonic() + 300
        while True:
            if server.poll() is not None:
                pytest.fail(f"the Connect server exited with {server.returncode}:\n{log.read_text()[-3000:]}")
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    pytest.fail(f"the Connect server did not listen on port {port}:\n{log.read_text()[-3000:]}")
                time.sleep(0.5)
        yield f"sc://127.0.0.1:{port}", log
    finally:
        server.terminate()
        try:
            server.wait(timeout=60)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def test_fit_transform_save_load_over_spark_connect(connect_server, tmp_path):
    url, log = connect_server
    client = os.path.join(os.path.dirname(__file__), "connect_client.py")
    python_dir = os.path.dirname(os.path.dirname(sparknn.__file__))
    run = subprocess.run([sys.executable, client, url, str(tmp_path), WINE_TRAIN], capture_output=True, text=True,
                         env={**os.environ, "PYTHONPATH": python_dir}, timeout=900)
    assert run.returncode == 0, f"{run.stderr[-4000:]}\nserver log:\n{log.read_text()[-3000:]}"
    seen = json.loads(run.stdout.strip().splitlines()[-1])
    assert seen["model_class"] == "NeuralNetClassificationModel"
    assert seen["columns"][-3:] == ["rawPrediction", "probability", "prediction"]
    assert seen["accuracy"] > 0.9
    assert (seen["model_epochs"], seen["num_classes"]) == (20, 3)
    assert seen["loaded_class"] == "NeuralNetClassificationModel" and seen["loaded_layers"] == "13,16,3"
    assert seen["same_probabilities"]
    assert seen["estimator_epochs"] == 20
    assert seen["pipeline_stage"] == "NeuralNetClassificationModel"
    assert seen["bad_param"] == "stepSize must be a positive finite number, got -1.0"
    assert seen["summary"].startswith("summary is not available over Spark Connect")
    # The model was saved by the server, in Spark's layout, with the command line's model file.
    assert os.path.isfile(tmp_path / "model" / "data" / "model.bin")
