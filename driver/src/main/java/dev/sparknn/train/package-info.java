/**
 * What configures training, and what a round uses from it: every training option, declared once
 * ({@link dev.sparknn.train.TrainOptions}), and the validated configuration built from them
 * ({@link dev.sparknn.train.TrainConfig}, {@link dev.sparknn.train.DataConfig}); the optimizers
 * ({@link dev.sparknn.train.Optimizer}) and the learning-rate schedule ({@link dev.sparknn.train.Schedule}); the data
 * as cached row blocks ({@link dev.sparknn.train.TrainingData}) and the Spark session's defaults
 * ({@link dev.sparknn.train.SparkSessions}). The rounds themselves run in {@code dev.sparknn.train.round}.
 *
 * <p>May use {@code dev.sparknn.ops}, {@code dev.sparknn.data} and Spark. Must not use the round engine, the command
 * line, the run, the stores, the reports or the Spark ML API: they all build on this package.
 */
package dev.sparknn.train;
