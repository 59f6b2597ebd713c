/**
 * Input formats: readers and converters that turn files into {@link dev.sparknn.ops.RowBlock}s.
 *
 * <p>Covers parsing (IDX, raw or gzip, via Hadoop's {@code FileSystem} so local, HDFS and S3 paths all work),
 * validation that fails early with the offending file named, and loading of row ranges so that each Spark
 * partition reads only its own rows.
 */
package dev.sparknn.data;
