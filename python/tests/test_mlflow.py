"""MLflow's autologging for pyspark.ml records our estimator's Params and its evaluation metrics, as for MLlib's."""
from pyspark.ml.evaluation import MulticlassClassificationEvaluator
from pyspark.ml.feature import VectorAssembler

from sparknn.ml import NeuralNetClassifier


def test_mlflow_autolog_records_params_and_metrics(wine, tmp_path, monkeypatch):
    import mlflow
    import mlflow.pyspark.ml

    train, test, features = wine
    assembler = VectorAssembler(inputCols=features, outputCol="features")
    # A local file store, which MLflow 3 keeps behind this switch (a sqlite:/// store works the same).
    monkeypatch.setenv("MLFLOW_ALLOW_FILE_STORE", "true")
    mlflow.set_tracking_uri((tmp_path / "mlruns").as_uri())
    mlflow.pyspark.ml.autolog(log_models=False, silent=True)
    try:
        with mlflow.start_run() as run:
            model = NeuralNetClassifier(layers=[13, 16, 3], epochs=5, seed=7).fit(assembler.transform(train))
            evaluator = MulticlassClassificationEvaluator(metricName="accuracy")
            accuracy = evaluator.evaluate(model.transform(assembler.transform(test)))
    finally:
        mlflow.pyspark.ml.autolog(disable=True)
    recorded = mlflow.get_run(run.info.run_id).data
    assert recorded.params["epochs"] == "5"
    assert recorded.params["seed"] == "7"
    assert recorded.params["stepSize"] == "0.1"  # a default, recorded too
    assert recorded.params["layers"] == "13,16,3"
    assert recorded.tags["estimator_name"] == "NeuralNetClassifier"
    assert recorded.tags["estimator_class"] == "dev.sparknn.ml.NeuralNetClassifier"
    accuracy_metrics = {k: v for k, v in recorded.metrics.items() if "accuracy" in k}
    assert list(accuracy_metrics.values()) == [accuracy], recorded.metrics
