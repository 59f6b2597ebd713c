/**
 * What a person reads about a run: the per-epoch metrics line and its JSON ({@link dev.sparknn.report.EpochMetrics}),
 * the live progress bar ({@link dev.sparknn.report.StepProgress}), and the plots and HTML page
 * ({@link dev.sparknn.report.Report}).
 *
 * <p>May use {@code dev.sparknn.ops}, {@code dev.sparknn.train} (step timings) and {@code dev.sparknn.store} (the
 * weights' hash). Must not use the run or the command line; training never uses this package.
 */
package dev.sparknn.report;
