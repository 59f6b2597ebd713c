"""The Spark ML workflow from Python: Pipeline, CrossValidator and TrainValidationSplit over our Params, evaluators,
and PipelineModel save/load of pipelines saved from Python and from Java."""
import pytest
from pyspark.ml import Pipeline, PipelineModel
from pyspark.ml.evaluation import MulticlassClassificationEvaluator
from pyspark.ml.feature import VectorAssembler
from pyspark.ml.tuning import CrossValidator, ParamGridBuilder, TrainValidationSplit

from sparknn.ml import NeuralNetClassificationModel, NeuralNetClassifier



def accuracy():
    return MulticlassClassificationEvaluator(metricName="accuracy")


def wine_pipeline(features):
    assembler = VectorAssembler(inputCols=features, outputCol="features")
    classifier = NeuralNetClassifier(layers=[13, 16, 3], epochs=20, batchSize=32, seed=7, numPartitions=2)
    return Pipeline(stages=[assembler, classifier]), classifier


def probabilities(scored):
    return [r.probability.toArray().tolist() for r in scored.orderBy("proline", "alcohol").collect()]


def test_pipeline_fit_save_load(wine, tmp_path):
    train, test, features = wine
    pipeline, _ = wine_pipeline(features)
    model = pipeline.fit(train)
    assert isinstance(model.stages[-1], NeuralNetClassificationModel)
    scored = model.transform(test)
    assert accuracy().evaluate(scored) > 0.9  # UCI wine, standardised inside: 1.0 with the command line's defaults
    model.write().overwrite().save(str(tmp_path / "model"))
    loaded = PipelineModel.load(str(tmp_path / "model"))
    assert isinstance(loaded.stages[-1], NeuralNetClassificationModel)
    assert loaded.stages[-1].getEpochs() == 20 and loaded.stages[-1].uid == model.stages[-1].uid
    assert probabilities(loaded.transform(test)) == probabilities(scored)  # bitwise
    assert loaded.stages[-1].summary.totalIterations == model.stages[-1].summary.totalIterations
    # The unfitted pipeline, with the estimator's Params.
    pipeline.write().overwrite().save(str(tmp_path / "pipeline"))
    stage = Pipeline.load(str(tmp_path / "pipeline")).getStages()[-1]
    assert isinstance(stage, NeuralNetClassifier)
    assert (stage.getLayers(), stage.getEpochs(), stage.getSeed()) == ("13,16,3", 20, 7)


def test_pipeline_saved_from_java_loads_in_python(spark, wine, tmp_path):
    train, test, features = wine
    jvm, gateway = spark._jvm, spark.sparkContext._gateway
    columns = gateway.new_array(jvm.String, len(features))
    for i, name in enumerate(features):
        columns[i] = name
    layers = gateway.new_array(jvm.int, 3)
    for i, width in enumerate([13, 16, 3]):
        layers[i] = width
    stages = gateway.new_array(jvm.org.apache.spark.ml.PipelineStage, 2)
    stages[0] = jvm.org.apache.spark.ml.feature.VectorAssembler().setInputCols(columns).setOutputCol("features")
    stages[1] = jvm.dev.sparknn.ml.NeuralNetClassifier().setLayers(layers).setEpochs(20).setBatchSize(32).setSeed(7)
    java_model = jvm.org.apache.spark.ml.Pipeline().setStages(stages).fit(train._jdf)
    path = str(tmp_path / "java-saved")
    java_model.write().overwrite().save(path)

    loaded = PipelineModel.load(path)
    assert isinstance(loaded.stages[-1], NeuralNetClassificationModel)
    assert loaded.stages[-1].getLayers() == "13,16,3" and loaded.stages[-1].getEpochs() == 20
    from pyspark.sql import DataFrame

    java_scored = DataFrame(java_model.transform(test._jdf), spark)
    assert probabilities(loaded.transform(test)) == probabilities(java_scored)
    assert loaded.stages[-1].weightsSha256 == java_model.stages()[1].weightsSha256()


@pytest.mark.parametrize("tuner", ["cross-validation", "train-validation split"])
def test_tuning_over_our_params(wine, tuner):
    train, test, features = wine
    pipeline, classifier = wine_pipeline(features)
    grid = ParamGridBuilder().addGrid(classifier.epochs, [1, 20]).build()
    if tuner == "cross-validation":
        search = CrossValidator(estimator=pipeline, estimatorParamMaps=grid, evaluator=accuracy(), numFolds=2, seed=7)
    else:
        search = TrainValidationSplit(estimator=pipeline, estimatorParamMaps=grid, evaluator=accuracy(),
                                      trainRatio=0.7, seed=7)
    model = search.fit(train)
    metrics = model.avgMetrics if tuner == "cross-validation" else model.validationMetrics
    assert len(metrics) == 2 and metrics[1] > metrics[0]  # 20 epochs beat 1
    assert model.bestModel.stages[-1].getEpochs() == 20
