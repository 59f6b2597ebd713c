/**
 * A training run from start to finish ({@link dev.sparknn.run.TrainingRun}): load the data, start or resume from a
 * checkpoint, run the epochs with evaluations, checkpoints and metrics, and write the model and report into the
 * output folder. The first SIGINT/SIGTERM stops it cleanly after the current round.
 *
 * <p>May use {@code train}, {@code store} and {@code report}. Must not use the command line, which drives it.
 */
package dev.sparknn.run;
