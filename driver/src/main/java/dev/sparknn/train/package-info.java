/**
 * The driver side of training: the command line and its validated configuration, the Spark session, the
 * step loop (broadcast → per-partition gradient → tree-aggregate → optimizer), per-epoch evaluation,
 * metrics and model files.
 */
package dev.sparknn.driver;
