/**
 * The round engine: data-parallel training in <em>rounds</em>, one Spark job each, one stage per file. A round of
 * the default local SGD ({@code --local-steps H > 1}, periodic model averaging):
 * <ol>
 *   <li>the plan: which steps the round takes and which rows each partition reads for them, pure arithmetic
 *       ({@link dev.sparknn.train.round.RoundPlan}), written into one serializable task record on the driver
 *       ({@link dev.sparknn.train.round.RoundTask});</li>
 *   <li>the broadcast of {@code [weights..., optimizer state...]} and the job
 *       ({@link dev.sparknn.train.round.RoundEngine#trainEpoch});</li>
 *   <li>the work in each partition ({@link dev.sparknn.train.round.PartitionWork}, with per-thread buffers from
 *       {@link dev.sparknn.train.round.TaskBuffers}): {@code H} optimizer steps of its own, one per slice, each the
 *       mean gradient and the optimizer in one float32 pass ({@link dev.sparknn.train.round.MeanGradient}); it
 *       returns its weights and optimizer state multiplied by its sample count {@code n_p}, with its loss sum and
 *       {@code n_p}
 *       ({@link dev.sparknn.train.round.Partial});</li>
 *   <li>the payloads added in a fixed order over partition indices ({@link dev.sparknn.train.round.Aggregation},
 *       {@link dev.sparknn.train.round.OrderedSum}), so results are bitwise reproducible, and divided by the total
 *       sample count, so every sample weighs the same whatever the partition sizes (with row weights, by the summed
 *       weight);</li>
 *   <li>the update on the driver ({@link dev.sparknn.train.round.DriverUpdate}): the means replace the weights and
 *       the optimizer state (plain averaging), or an outer SGD step with momentum treats {@code w − mean} as a
 *       gradient; the broadcast is destroyed.</li>
 * </ol>
 * Synchronous SGD ({@code H = 1}) is the same round with one step and no local update: each partition returns its
 * gradient sum, and the driver takes the mean and steps with the same arithmetic. With one partition, {@code H}
 * local steps equal {@code H} synchronous ones bit for bit, for every optimizer. The optimizer state travels with
 * the weights, so nothing lives only in an executor: a retried task or a lost executor recomputes the same bits.
 *
 * <p>Around the rounds: the epoch's progress ({@link dev.sparknn.train.round.EpochProgress}) and where its time went
 * ({@link dev.sparknn.train.round.StepTimes}); the one epoch loop that the command line and the Spark ML estimators
 * both run ({@link dev.sparknn.train.round.EpochLoop}); the synthetic rounds that warm the code of the first real
 * one while the data loads ({@link dev.sparknn.train.round.WarmUp}); the step's micro-benchmark
 * ({@link dev.sparknn.train.round.StepBenchmark}).
 *
 * <p>May use {@code dev.sparknn.train} (the configuration, {@code Optimizer}, {@code Schedule}), {@code ops},
 * {@code data} and Spark. {@code dev.sparknn.train} must not use it; the run, the stores, the reports, the Spark ML
 * API and the command line build on it.
 */
package dev.sparknn.train.round;
