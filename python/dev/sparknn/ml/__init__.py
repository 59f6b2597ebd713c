"""The Python classes of sparknn's Java stages under their Java names.

PySpark finds the Python class of a stage it loads (PipelineModel.load, CrossValidatorModel.load, Spark Connect's
load) from the stage's Java class name: dev.sparknn.ml.NeuralNetClassifier is looked up as the attribute
NeuralNetClassifier of the Python module dev.sparknn.ml, which this is.
"""
from sparknn.ml import (  # noqa: F401
    NeuralNetClassificationModel,
    NeuralNetClassifier,
    NeuralNetRegressionModel,
    NeuralNetRegressor,
)
