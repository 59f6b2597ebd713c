/**
 * Training and scoring from a Spark application's own code, on DataFrames: {@link dev.sparknn.ml.NeuralNetClassifier}
 * fits a {@link dev.sparknn.ml.NeuralNetModel}, which adds prediction columns, saves a model file and exports it as
 * ONNX.
 *
 * <p>May use {@code train}, {@code store} and {@code export}. Must not use the command line, the run or the reports.
 */
package dev.sparknn.ml;
