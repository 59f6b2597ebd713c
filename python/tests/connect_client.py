"""The Spark Connect client of test_connect.py, run in its own process (a Connect session switches PySpark's ML
wrappers to remote mode for the whole process). Prints one JSON object of what it saw.

    python connect_client.py sc://127.0.0.1:PORT WORKDIR WINE_TRAIN_CSV
"""
import json
import sys

from pyspark.ml import Pipeline, PipelineModel
from pyspark.ml.feature import VectorAssembler
from pyspark.sql import SparkSession

from sparknn.ml import NeuralNetClassificationModel, NeuralNetClassifier, NeuralNetError

url, workdir, csv = sys.argv[1:4]
spark = SparkSession.builder.remote(url).getOrCreate()
train = spark.read.csv(csv, header=True, inferSchema=True)
features = [c for c in train.columns if c != "label"]
data = VectorAssembler(inputCols=features, outputCol="features").transform(train)
out = {}

clf = NeuralNetClassifier(layers=[13, 16, 3], epochs=20, batchSize=32, seed=7, numPartitions=2)
model = clf.fit(data)
scored = model.transform(data)
rows = scored.select("label", "prediction", "probability").orderBy("proline", "alcohol").collect()
out["model_class"] = type(model).__name__
out["columns"] = scored.columns
out["accuracy"] = sum(r.prediction == r.label for r in rows) / len(rows)
out["model_epochs"] = model.getEpochs()
out["num_classes"] = model.numClasses

model.write().overwrite().save(f"{workdir}/model")
loaded = NeuralNetClassificationModel.load(f"{workdir}/model")
again = loaded.transform(data).select("probability").orderBy("proline", "alcohol").collect()
out["loaded_class"] = type(loaded).__name__
out["loaded_layers"] = loaded.getLayers()
out["same_probabilities"] = [r.probability.toArray().tolist() for r in rows] == \
    [r.probability.toArray().tolist() for r in again]

clf.write().overwrite().save(f"{workdir}/estimator")
out["estimator_epochs"] = NeuralNetClassifier.load(f"{workdir}/estimator").getEpochs()

pipeline = Pipeline(stages=[VectorAssembler(inputCols=features, outputCol="features"), clf]).fit(train)
pipeline.write().overwrite().save(f"{workdir}/pipeline")
out["pipeline_stage"] = type(PipelineModel.load(f"{workdir}/pipeline").stages[-1]).__name__

try:
    NeuralNetClassifier(layers=[13, 3], stepSize=-1.0).fit(data)
except NeuralNetError as e:
    out["bad_param"] = str(e)
try:
    model.summary
except NeuralNetError as e:
    out["summary"] = str(e)

print(json.dumps(out))
spark.stop()
