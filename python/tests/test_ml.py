"""Fitting, scoring, the summary, the weights' hash against a Java fit, ONNX export, and the errors, in a classic
session."""
import os

import numpy as np
import pytest

from sparknn.ml import (NeuralNetClassificationModel, NeuralNetClassifier, NeuralNetError, NeuralNetRegressionModel,
                        NeuralNetRegressor)


def java_int_array(spark, values):
    array = spark.sparkContext._gateway.new_array(spark._jvm.int, len(values))
    for i, v in enumerate(values):
        array[i] = v
    return array


@pytest.fixture(scope="module")
def fitted(mnist):
    """A 784-32-10 classifier fitted on 2,000 MNIST rows: 2 epochs, batch 100, seed 7, 2 partitions."""
    train, _ = mnist
    clf = NeuralNetClassifier(layers=[784, 32, 10], epochs=2, batchSize=100, seed=7, numPartitions=2)
    return clf.fit(train)


def test_fit_transform_and_summary(fitted, mnist):
    _, test = mnist
    assert isinstance(fitted, NeuralNetClassificationModel)
    assert (fitted.numFeatures, fitted.numClasses, fitted.layerSizes) == (784, 10, [784, 32, 10])
    assert (fitted.getEpochs(), fitted.getSeed(), fitted.getLayers()) == (2, 7, "784,32,10")
    scored = fitted.transform(test)
    assert scored.columns == ["label", "features", "rawPrediction", "probability", "prediction"]
    rows = scored.collect()
    accuracy = np.mean([r.prediction == r.label for r in rows])
    assert accuracy > 0.80, accuracy  # 2,000 rows, 2 epochs: chance is 0.10
    assert all(abs(sum(r.probability) - 1) < 1e-6 for r in rows)
    summary = fitted.summary
    assert fitted.hasSummary and len(summary.objectiveHistory) == 2
    assert summary.objectiveHistory[1] < summary.objectiveHistory[0]
    assert summary.totalIterations == 2 * 20  # 2,000 rows in steps of 100
    assert summary.validationHistory == {}


def test_check_input_ranges_names_raw_pixels(fitted, mnist):
    from pyspark.sql import functions as F

    _, test = mnist  # features array<float> in [0, 1], as in training
    assert fitted.hasInputRanges
    assert fitted.checkInputRanges(test) is None
    raw = test.withColumn("features", F.transform("features", lambda x: (x * 255).cast("float")))
    warning = fitted.checkInputRanges(raw)
    assert warning is not None and "[0, 255] against [0, 1]" in warning, warning


def test_python_fit_has_bitwise_the_weights_of_the_java_fit(spark, fitted, mnist):
    train, _ = mnist
    java = (spark._jvm.dev.sparknn.ml.NeuralNetClassifier()
            .setLayers(java_int_array(spark, [784, 32, 10])).setEpochs(2).setBatchSize(100).setSeed(7)
            .setNumPartitions(2).fit(train._jdf))
    assert len(fitted.weightsSha256) == 64
    assert fitted.weightsSha256 == java.weightsSha256()
    other_seed = NeuralNetClassifier(layers=[784, 32, 10], epochs=2, batchSize=100, seed=8, numPartitions=2)
    assert other_seed.fit(train).weightsSha256 != java.weightsSha256()  # the hash tells fits apart


def test_validation_history(mnist):
    from pyspark.sql import functions as F

    train, _ = mnist
    flagged = train.withColumn("isVal", F.rand(seed=3) < 0.2)
    model = NeuralNetClassifier(layers=[784, 16, 10], epochs=2, seed=7, validationIndicatorCol="isVal").fit(flagged)
    history = model.summary.validationHistory
    assert sorted(history) == ["accuracy", "loss"] and len(history["accuracy"]) == 2


def test_regressor_on_the_linear_table(spark):
    from pyspark.ml.feature import VectorAssembler

    root = os.path.join(os.path.dirname(__file__), "..", "..")
    table = spark.read.csv(os.path.join(root, "examples", "linear.csv"), header=True, inferSchema=True)
    data = VectorAssembler(inputCols=["x"], outputCol="features").transform(table)
    model = NeuralNetRegressor(layers=[1, 16, 1], epochs=30, labelCol="y", seed=7).fit(data)
    assert isinstance(model, NeuralNetRegressionModel)
    rows = model.transform(data).select("y", "prediction").collect()
    rmse = float(np.sqrt(np.mean([(r.y - r.prediction) ** 2 for r in rows])))
    assert rmse < 1.0, rmse  # y = 2x + 10 with noise of std 0.5; a constant would score 5.8
    assert model.summary.totalIterations > 0


def test_export_onnx_scores_as_transform(fitted, mnist, tmp_path):
    import onnxruntime as ort

    _, test = mnist
    path = tmp_path / "model.onnx"
    fitted.exportOnnx(str(path))
    rows = fitted.transform(test.limit(50)).collect()
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    features = np.array([r.features for r in rows], dtype=np.float32)
    (probabilities,) = session.run(["probabilities"], {"features": features})
    assert np.max(np.abs(probabilities - np.array([r.probability.toArray() for r in rows]))) < 1e-5
    with pytest.raises(NeuralNetError, match="exists"):
        fitted.exportOnnx(str(path))
    fitted.exportOnnx(str(path), overwrite=True)


def assert_one_line(error, expected):
    message = str(error.value)
    assert message == expected
    assert "\n" not in message and "py4j" not in message.lower() and "at org." not in message


def test_bad_params_give_our_one_line_message(mnist):
    train, _ = mnist
    with pytest.raises(NeuralNetError) as e:
        NeuralNetClassifier(layers=[784, 10], stepSize=-1.0).fit(train)
    assert_one_line(e, "stepSize must be a positive finite number, got -1.0")
    with pytest.raises(NeuralNetError) as e:
        NeuralNetClassifier(layers=[784, 10], optimizer="adamm").fit(train)
    assert "optimizer" in str(e.value) and "adamm" in str(e.value)
    assert "\n" not in str(e.value)


def test_bad_dataframes_give_our_one_line_message(spark, mnist):
    from pyspark.sql import functions as F

    train, _ = mnist
    with pytest.raises(NeuralNetError) as e:
        NeuralNetClassifier(layers=[784, 10]).fit(train.limit(5).withColumn("label", F.lit(7)).limit(1)
                                                   .withColumn("label", F.lit(12)))
    assert str(e.value).startswith("column 'label' (labelCol) is not a class index in [0, 10)")
    assert "\n" not in str(e.value)
    with pytest.raises(NeuralNetError) as e:
        NeuralNetClassifier(layers=[784, 10], labelCol="digit").fit(train)
    assert "digit" in str(e.value) and "\n" not in str(e.value)
    with pytest.raises(NeuralNetError) as e:
        NeuralNetClassifier(layers=[784, 10]).fit(train.filter("label > 99"))
    assert_one_line(e, "the DataFrame has no rows to train on")


def test_bad_dataframes_to_transform_give_our_one_line_message(fitted, mnist):
    _, test = mnist
    with pytest.raises(NeuralNetError) as e:
        fitted.transform(test.withColumnRenamed("features", "pixels"))
    assert "'features'" in str(e.value) and "\n" not in str(e.value)
    with pytest.raises(NeuralNetError) as e:
        fitted.transform(fitted.transform(test))
    assert_one_line(e, "output column 'rawPrediction' (rawPredictionCol) already exists in the DataFrame; set "
                       "rawPredictionCol to another name, or to \"\" to leave it out")


def test_convolutional_network_on_flat_vectors_saved_and_loaded(mnist, tmp_path):
    """A CNN with batch normalization and dropout through the layers Param, on flat 784-vectors that its input shape
    1x28x28 reshapes, standardize at its default (auto, which leaves a convolution's pixels as they are)."""
    from pyspark.ml.functions import array_to_vector

    train, test = (frame.withColumn("features", array_to_vector("features")) for frame in mnist)
    layers = "1x28x28,conv:6:5,batchnorm,relu,maxpool:2,dropout:0.25,affine:10"
    model = NeuralNetClassifier(layers=layers, epochs=2, batchSize=50, optimizer="adam", stepSize=0.002,
                                localSteps=4, seed=7).fit(train)
    assert (model.numFeatures, model.getLayers()) == (784, layers)
    rows = model.transform(test).select("label", "rawPrediction", "prediction").collect()
    accuracy = np.mean([r.prediction == r.label for r in rows])
    assert accuracy > 0.70, accuracy  # measured 0.824; chance is 0.10
    model.save(str(tmp_path / "cnn"))
    loaded = NeuralNetClassificationModel.load(str(tmp_path / "cnn"))
    assert loaded.transform(test).select("label", "rawPrediction", "prediction").collect() == rows


def test_a_bad_layer_spelling_gives_our_one_line_message_naming_the_token(mnist):
    train, _ = mnist
    with pytest.raises(NeuralNetError) as e:
        NeuralNetClassifier(layers="1x28x28,conv:30:5,maxpool:30,affine:10").fit(train)
    assert_one_line(e, "layers: token 3 'maxpool:30': a 30x30 window does not fit an input of "
                       "[channels, height, width] = 30x24x24")
