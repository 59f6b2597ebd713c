/**
 * Training and scoring from a Spark application's own code, on DataFrames: {@link dev.sparknn.ml.NeuralNetClassifier}
 * fits a {@link dev.sparknn.ml.NeuralNetModel}, which adds prediction columns and saves a model file.
 *
 * <p>May use {@code train} and {@code store}. Must not use the command line, the run or the reports.
 */
package dev.sparknn.ml;
