"""sparknn's spark.ml estimators from Python: thin wrappers of the Java classes in dev.sparknn.ml.

    from sparknn.ml import NeuralNetClassifier
    model = NeuralNetClassifier(layers=[784, 128, 10], epochs=3, seed=7).fit(train)

Every Param is the Java one, with its name, type, default and doc (generated into _params.py from the Java
declarations). Fitting, scoring and persistence run in the JVM, in a classic session (spark.jars holding
sparknn.jar_path()) or over Spark Connect against a server that has the jar. A bad Param or DataFrame raises
NeuralNetError with the Java side's one-line message, not a Py4J trace.
"""
import contextlib
import functools
import os

import sparknn

if not os.environ.get("SPARKNN_SKIP_PYSPARK_CHECK"):
    sparknn.check_pyspark()

from pyspark.ml.classification import (  # noqa: E402
    _JavaProbabilisticClassificationModel,
    _JavaProbabilisticClassifier,
)
from pyspark.ml.regression import _JavaRegressionModel, _JavaRegressor  # noqa: E402
from pyspark.ml.util import JavaMLReadable, JavaMLWritable, is_remote  # noqa: E402

from sparknn.ml._params import (  # noqa: E402
    _NeuralNetClassifierParams,
    _NeuralNetClassifierParamsInit,
    _NeuralNetRegressorParams,
    _NeuralNetRegressorParamsInit,
)

__all__ = ["NeuralNetClassifier", "NeuralNetClassificationModel", "NeuralNetRegressor", "NeuralNetRegressionModel",
           "NeuralNetError", "TrainingSummary"]

# PySpark names a stage's Java class after the Python class's module (Spark Connect's load), and finds the Python
# class of a saved Java stage in the module named after the Java package (PipelineModel.load): both are
# dev.sparknn.ml, which re-exports these classes.
_JAVA_PACKAGE = "dev.sparknn.ml"

# Java exceptions whose message is one of ours, meant for the user as it is.
_OUR_EXCEPTIONS = ("java.lang.IllegalArgumentException", "java.lang.IllegalStateException",
                   "java.util.NoSuchElementException", "java.io.UncheckedIOException",
                   "java.nio.file.FileAlreadyExistsException")


class NeuralNetError(ValueError):
    """A Param, DataFrame or file sparknn refused; the message is the Java side's one line."""


def _our_message(error):
    """The Java message of `error` if it is one of ours (possibly inside a failed Spark job), else None."""
    from py4j.protocol import Py4JJavaError
    from pyspark.errors.exceptions.base import IllegalArgumentException

    if isinstance(error, IllegalArgumentException):  # PySpark's conversion, classic or Connect
        return str(error)
    if isinstance(error, Py4JJavaError):
        cause = error.java_exception
        while cause is not None:
            if cause.getClass().getName() in _OUR_EXCEPTIONS and cause.getMessage():
                return cause.getMessage()
            cause = cause.getCause()
    return None


@contextlib.contextmanager
def _java_errors():
    try:
        yield
    except Exception as e:  # noqa: BLE001 - re-raised unless it carries one of our messages
        message = _our_message(e)
        if message is None:
            raise
        raise NeuralNetError(_first_line(message)) from None


def _first_line(message):
    # A Connect error's message may carry the server's class name and a JVM trace after the first line.
    return message.strip().splitlines()[0]


def _raising_ours(method):
    @functools.wraps(method)
    def wrapped(self, *args, **kwargs):
        with _java_errors():
            return method(self, *args, **kwargs)
    return wrapped


class TrainingSummary:
    """What a fit did, epoch by epoch (the Java model's summary()).

    objectiveHistory: the mean training loss of each epoch; totalIterations: optimizer steps applied;
    validationHistory: per metric ("loss", "accuracy" or "rmse"), its value after each epoch on the
    validationIndicatorCol rows, empty without them.
    """

    def __init__(self, objectiveHistory, totalIterations, validationHistory):
        self.objectiveHistory = objectiveHistory
        self.totalIterations = totalIterations
        self.validationHistory = validationHistory

    def __repr__(self):
        return (f"TrainingSummary(objectiveHistory={self.objectiveHistory!r}, "
                f"totalIterations={self.totalIterations!r}, validationHistory={self.validationHistory!r})")


class _NeuralNetModel:
    """What both models add to PySpark's: the summary, the weights' hash and the ONNX export (classic sessions)."""

    def _java(self, what):
        if is_remote():
            raise NeuralNetError(
                f"{what} is not available over Spark Connect: Spark's Connect server lets a client call only "
                "the model methods it allow-lists (predict, numFeatures, numClasses); save the model and load it "
                "in a classic session (spark.jars), or use the command line on its model.bin")
        return self._java_obj

    @property
    def hasSummary(self):
        """Whether the model carries its training summary (fitted, or loaded from a folder that has one)."""
        return self._java("hasSummary").hasSummary()

    @property
    def summary(self):
        """The TrainingSummary of the fit; NeuralNetError if the model has none."""
        with _java_errors():
            java = self._java("summary").summary()
        history = java.validationHistory()
        return TrainingSummary(
            objectiveHistory=[float(v) for v in java.objectiveHistory()],
            totalIterations=int(java.totalIterations()),
            validationHistory={str(k): [float(v) for v in history.get(k)] for k in history.keySet()})

    @property
    def weightsSha256(self):
        """SHA-256 of the weights, float32 big-endian, as a run's weights_sha256: equal exactly when two fits'
        weights are bitwise equal."""
        return self._java("weightsSha256").weightsSha256()

    @property
    def layerSizes(self):
        """The network's layer widths, input first."""
        return [int(v) for v in self._java("layerSizes").layerSizes()]

    @property
    def hasInputRanges(self):
        """Whether the model keeps each input's training range (fitted, or saved with them and loaded)."""
        return self._java("hasInputRanges").hasInputRanges()

    def checkInputRanges(self, dataset):
        """Counts the values of dataset's featuresCol that lie further outside an input's training range than that
        range's width, in one Spark job (transform itself counts nothing: it is lazy and may run many times).

        Returns the warning, which the JVM also logs, naming the first inputs with the range seen against the
        training range; None when no value is far outside or the model keeps no ranges. Raises NeuralNetError for a
        missing or mistyped features column or a row of another width."""
        with _java_errors():
            found = self._java("checkInputRanges").checkInputRanges(dataset._jdf)
        return found.get() if found.isPresent() else None

    def exportOnnx(self, path, overwrite=False):
        """Writes the model as an ONNX file (see the README's Export to ONNX): input "features", float32 [N, inputs];
        outputs as the command line's export. An existing file is refused unless overwrite is True."""
        from pyspark.core.context import SparkContext

        java = self._java("exportOnnx")

        file = SparkContext._jvm.java.io.File(os.path.abspath(os.fspath(path))).toPath()
        with _java_errors():
            java.exportOnnx(file, bool(overwrite))


class NeuralNetClassifier(_NeuralNetClassifierParamsInit, _NeuralNetClassifierParams,
                          _JavaProbabilisticClassifier["NeuralNetClassificationModel"],
                          JavaMLWritable, JavaMLReadable["NeuralNetClassifier"]):
    """A feed-forward network classifier (softmax cross-entropy), trained by sparknn's data-parallel trainer.

    Input: featuresCol a vector or array<float|double> of layers[0] values; labelCol class indices in
    [0, layers[-1]). Output: rawPrediction (logits), probability, prediction. layers must be set.
    """

    __module__ = _JAVA_PACKAGE

    def _create_model(self, java_model):
        return NeuralNetClassificationModel(java_model)

    _fit = _raising_ours(_JavaProbabilisticClassifier._fit)


class NeuralNetClassificationModel(_NeuralNetModel, _NeuralNetClassifierParams,
                                   _JavaProbabilisticClassificationModel,
                                   JavaMLWritable, JavaMLReadable["NeuralNetClassificationModel"]):
    """A trained network classifier: transform appends rawPrediction, probability and prediction."""

    __module__ = _JAVA_PACKAGE

    _transform = _raising_ours(_JavaProbabilisticClassificationModel._transform)


class NeuralNetRegressor(_NeuralNetRegressorParamsInit, _NeuralNetRegressorParams,
                         _JavaRegressor["NeuralNetRegressionModel"],
                         JavaMLWritable, JavaMLReadable["NeuralNetRegressor"]):
    """A feed-forward network regressor (squared error), trained by sparknn's data-parallel trainer.

    Input: featuresCol a vector or array<float|double> of layers[0] values; labelCol the target. layers must end in 1.
    """

    __module__ = _JAVA_PACKAGE

    def _create_model(self, java_model):
        return NeuralNetRegressionModel(java_model)

    _fit = _raising_ours(_JavaRegressor._fit)


class NeuralNetRegressionModel(_NeuralNetModel, _NeuralNetRegressorParams, _JavaRegressionModel,
                               JavaMLWritable, JavaMLReadable["NeuralNetRegressionModel"]):
    """A trained network regressor: transform appends prediction, in the label's units."""

    __module__ = _JAVA_PACKAGE

    _transform = _raising_ours(_JavaRegressionModel._transform)
