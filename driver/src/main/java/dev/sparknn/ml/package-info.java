/**
 * Training and scoring from a Spark application's own code, as spark.ml stages: the estimators
 * {@link dev.sparknn.ml.NeuralNetClassifier} and {@link dev.sparknn.ml.NeuralNetRegressor} fit
 * {@link dev.sparknn.ml.NeuralNetClassificationModel} and {@link dev.sparknn.ml.NeuralNetRegressionModel}, which add
 * prediction columns, save Spark's metadata plus the command line's {@code model.bin}, and export ONNX.
 *
 * <p>Inside: the Params, declared once in {@code TrainOptions} ({@code NeuralNetParams}, {@code NeuralNetParamSet});
 * the fit on a DataFrame ({@code Training}); block-wise scoring ({@code Scoring}); what a fitted model holds, shared
 * by both models ({@code TrainedNetwork}); the saved folder ({@code ModelIO}).
 *
 * <p>May use {@code ops}, {@code train}, {@code store} and {@code export}. Must not use the command line, the run or
 * the reports.
 */
package dev.sparknn.ml;
