/**
 * What a run leaves on disk, in documented formats read without Java deserialization: the model file
 * ({@link dev.sparknn.store.ModelFile}), checkpoints and their folder with retention and fallback past damaged files
 * ({@link dev.sparknn.store.Checkpoint}, {@link dev.sparknn.store.CheckpointStore}), and the output folder written
 * under a hidden name and renamed when complete ({@link dev.sparknn.store.RunOutput}).
 *
 * <p>May use {@code dev.sparknn.ops} and {@code dev.sparknn.train} (the task, the configuration's identity). Must not
 * use the run, the reports, the command line or the Spark ML API.
 */
package dev.sparknn.store;
