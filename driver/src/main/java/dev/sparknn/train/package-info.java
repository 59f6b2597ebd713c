/**
 * The training step on Spark, and what configures it. The stages of a step, in {@link dev.sparknn.train.Trainer}:
 * <ol>
 *   <li>broadcast of the flat parameter vector ({@code Trainer.gradientStep});</li>
 *   <li>the work inside a partition: forward and backward over its slice of the step's batch
 *       ({@code Trainer.partitionGradient}, with per-thread buffers from {@code TaskBuffers});</li>
 *   <li>the payloads added in a fixed order over partition indices ({@code Trainer.aggregate},
 *       {@link dev.sparknn.train.OrderedSum});</li>
 *   <li>the update on the driver ({@code Trainer.trainEpoch} calling {@link dev.sparknn.train.Optimizer} with the
 *       learning rate of {@link dev.sparknn.train.Schedule}).</li>
 * </ol>
 * Also here: every training option, declared once ({@link dev.sparknn.train.TrainOptions}), and the validated
 * configuration built from them ({@link dev.sparknn.train.TrainConfig}, {@link dev.sparknn.train.DataConfig}),
 * the data as cached row blocks ({@link dev.sparknn.train.TrainingData}), the Spark session's defaults
 * ({@link dev.sparknn.train.SparkSessions}) and the step's micro-benchmark ({@link dev.sparknn.train.StepBenchmark}).
 *
 * <p>May use {@code dev.sparknn.ops}, {@code dev.sparknn.data} and Spark. Must not use the command line, the run, the
 * stores, the reports or the Spark ML API: they all build on this package.
 */
package dev.sparknn.train;
