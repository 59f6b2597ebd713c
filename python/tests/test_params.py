"""The Python Params are the Java ones: generated from them (and not stale), with keyword constructors, getters
and setters, and the version check."""
import os
import subprocess
import sys

import pytest

import sparknn
from sparknn import _generate
from sparknn.ml import NeuralNetClassificationModel, NeuralNetClassifier, NeuralNetRegressor

PARAMS_FILE = _generate.default_output()


def test_generated_params_match_the_jar(spark):
    with open(PARAMS_FILE) as f:
        committed = f.read()
    assert committed == _generate.generate(spark._jvm), (
        "python/sparknn/ml/_params.py is stale: the Java Params changed; run scripts/python-params.sh and commit it")


@pytest.mark.parametrize("python_class, java_class", [
    (NeuralNetClassifier, "dev.sparknn.ml.NeuralNetClassifier"),
    (NeuralNetRegressor, "dev.sparknn.ml.NeuralNetRegressor"),
])
def test_every_java_param_with_its_name_doc_and_default(spark, python_class, java_class):
    stage = spark._jvm
    for part in java_class.split("."):
        stage = getattr(stage, part)
    stage = stage()
    python = python_class()
    java_params = {p.name(): p for p in stage.params()}
    assert sorted(java_params) == sorted(p.name for p in python.params)
    for name, jp in java_params.items():
        p = python.getParam(name)
        assert p.doc == jp.doc(), name
        default = stage.getDefault(jp)
        assert python.hasDefault(p) == default.isDefined(), name
        if default.isDefined():
            value = default.get()
            assert python.getOrDefault(p) == value, name


def test_keyword_constructor_getters_and_setters(spark):
    clf = NeuralNetClassifier(layers=[784, 128, 10], epochs=3, seed=7)
    assert (clf.getLayers(), clf.getEpochs(), clf.getSeed()) == ("784,128,10", 3, 7)
    assert NeuralNetClassifier(layers="1x28x28,conv:4:5,relu,maxpool:2,affine:10").getLayers() \
        == "1x28x28,conv:4:5,relu,maxpool:2,affine:10"
    assert clf.getStepSize() == 0.1 and clf.getOptimizer() == "sgd"  # the declared defaults
    assert clf.setStepSize(0.05).setOptimizer("adam") is clf
    assert (clf.getStepSize(), clf.getOptimizer()) == (0.05, "adam")
    clf.setParams(batchSize=64)
    assert clf.getBatchSize() == 64
    # The Java stage gets every value: explainParams is the JVM's text.
    clf._transfer_params_to_java()
    assert clf._java_obj.getBatchSize() == 64 and clf._java_obj.getLayers() == "784,128,10"
    with pytest.raises(TypeError):
        NeuralNetClassifier(epochs="three")
    with pytest.raises(TypeError):
        NeuralNetClassifier([784, 10])  # keywords only


def test_a_misspelt_keyword_names_the_public_class_and_the_closest_param(spark):
    with pytest.raises(TypeError) as e:
        NeuralNetClassifier(epoch=3)
    assert str(e.value) == "NeuralNetClassifier() got an unexpected keyword argument 'epoch'; did you mean epochs?"
    with pytest.raises(TypeError) as e:
        NeuralNetRegressor().setParams(stepsize=0.1)
    assert str(e.value) == ("NeuralNetRegressor.setParams() got an unexpected keyword argument 'stepsize'; "
                            "did you mean stepSize?")
    with pytest.raises(TypeError) as e:
        NeuralNetClassifier(xyzzy=1)  # nothing close: the Params are listed
    assert str(e.value).startswith("NeuralNetClassifier() got an unexpected keyword argument 'xyzzy'; "
                                   "its Params are activation, batchSize, ")


def test_model_class_has_the_java_models_params(spark):
    java = spark._jvm.dev.sparknn.ml.NeuralNetClassificationModel()
    python = NeuralNetClassificationModel()
    assert sorted(p.name() for p in java.params()) == sorted(p.name for p in python.params)


def test_another_pyspark_minor_version_is_refused_naming_the_supported_ones():
    sparknn.check_pyspark("4.2.0")
    sparknn.check_pyspark("4.2.1")
    with pytest.raises(ImportError) as e:
        sparknn.check_pyspark("4.3.0")
    assert str(e.value) == ("sparknn 0.1.0 supports pyspark 4.2.x (its jar is built for Spark 4.2.0); found pyspark "
                            "4.3.0: pip install 'pyspark==4.2.0'")
    # What an import under pyspark 4.3.0 (the newest on PyPI at the time of writing) shows.
    code = ("import pyspark; pyspark.__version__ = '4.3.0'\n"
            "try:\n    import sparknn.ml\nexcept ImportError as e:\n    print(e)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         env={**os.environ, "PYTHONPATH": os.path.dirname(os.path.dirname(sparknn.__file__))})
    assert out.stdout.strip().startswith("sparknn 0.1.0 supports pyspark 4.2.x")


def test_pip_install_carries_the_jar(tmp_path):
    """pip install ./python puts the built jar into the package; jar_path() finds it there."""
    python_dir = os.path.dirname(os.path.dirname(sparknn.__file__))
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--no-build-isolation",
                    "--target", str(tmp_path / "site"), python_dir], check=True, capture_output=True)
    code = "import sparknn, dev.sparknn.ml; print(sparknn.jar_path())"
    env = {k: v for k, v in os.environ.items() if k != "SPARKNN_JAR"}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         cwd=str(tmp_path), env={**env, "PYTHONPATH": str(tmp_path / "site")})
    jar = out.stdout.strip()
    assert jar == str(tmp_path / "site" / "sparknn" / "jars" / "sparknn-app.jar")
    assert os.path.getsize(jar) == os.path.getsize(os.path.join(python_dir, "..", "driver", "target",
                                                                "sparknn-app.jar"))
