package dev.sparknn.data;

import dev.sparknn.ops.RowBlock;
import java.io.IOException;
import java.util.Arrays;
import java.util.stream.IntStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.MetadataBuilder;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;

/**
 * Writes an IDX split as Parquet shards in {@link TableDataset}'s image-like layout ({@code label} int,
 * {@code features} {@code array<float>} with the image shape in the field metadata), optionally grown by
 * {@link Augment}ed copies. Shard {@code s} of {@code S} holds the rows of IDX positions
 * {@code [⌊s·N/S⌋, ⌊(s+1)·N/S⌋)}, copy 0 (the original) of each, then copy 1, and so on.
 *
 * <p>Spark writes into a hidden sibling folder, renamed to the target only when every shard is written: a failed
 * or interrupted write leaves no half-written output, and an existing target is refused, never replaced.
 */
public final class ParquetShards {

    /** IDX label files are bytes: any label fits in [0, 256). */
    private static final int ANY_BYTE_LABEL = 256;

    private ParquetShards() {
    }

    /** The image-like schema for images of {@code shape} (e.g. {@code [28, 28]}). */
    public static StructType imageSchema(int[] shape) {
        long[] dims = new long[shape.length];
        for (int i = 0; i < shape.length; i++) {
            dims[i] = shape[i];
        }
        return new StructType()
                .add("label", DataTypes.IntegerType, false)
                .add(TableDataset.FEATURES, DataTypes.createArrayType(DataTypes.FloatType, false), false,
                        new MetadataBuilder().putLongArray(TableDataset.SHAPE_KEY, dims).build());
    }

    /**
     * Writes {@code train} as {@code out/train} in {@code shards} shards, {@code copies} rows per image, and
     * {@code test} unchanged as {@code out/test}, in shards of about the same size. Both appear together or not at
     * all: they are written into a hidden sibling of {@code out}, renamed when both are complete.
     *
     * @param copies rows per training image: 1 converts, more adds augmented copies
     * @return the rows written: {@code [train, test]}
     * @throws InputException if {@code out} already exists
     */
    public static long[] write(SparkSession spark, IdxDataset train, IdxDataset test, String out, int shards,
                               int copies, long seed) throws IOException {
        if (shards < 1 || copies < 1) {
            throw new IllegalArgumentException("shards and copies must be at least 1, got " + shards + " and " + copies);
        }
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        Path target = new Path(out);
        FileSystem fs = target.getFileSystem(sc.hadoopConfiguration());
        if (fs.exists(target)) {
            throw new InputException(out + " already exists; choose a new output folder");
        }
        Path partial = new Path(target.getParent(), "." + target.getName() + ".partial-" + ProcessHandle.current().pid());
        try {
            long trainRows = (long) train.count() * copies;
            writeSplit(spark, train, new Path(partial, "train"), shards, copies, seed);
            writeSplit(spark, test, new Path(partial, "test"), (int) Math.max(1, shards * test.count() / trainRows),
                    1, seed);
            if (!fs.rename(partial, target)) {
                throw new IOException("could not rename " + partial + " to " + target);
            }
            return new long[] {trainRows, test.count()};
        } finally {
            if (fs.exists(partial)) {
                fs.delete(partial, true);
            }
        }
    }

    private static void writeSplit(SparkSession spark, IdxDataset set, Path to, int shards, int copies, long seed) {
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        int[] dims = set.images().dims();
        // IDX dims are [count, rows, cols] for images and [count, length] for plain vectors.
        int height = dims.length > 2 ? dims[1] : 1;
        int width = set.numFeatures() / height;
        long n = set.count();
        JavaRDD<RowBlock> blocks = BlockLoader.load(sc, set, shards, ANY_BYTE_LABEL, StorageLevel.NONE());
        JavaRDD<Row> rows = blocks.mapPartitionsWithIndex((shard, it) -> {
            RowBlock b = it.next();
            long first = shard * n / shards;
            int d = b.numFeatures();
            // Lazy: a shard's augmented copies never sit in memory all at once.
            return IntStream.range(0, copies * b.rows()).mapToObj(i -> {
                int c = i / b.rows();
                int r = i % b.rows();
                float[] image = Arrays.copyOfRange(b.features(), r * d, (r + 1) * d);
                return RowFactory.create(b.labels()[r], Augment.copy(image, height, width, seed, c, first + r));
            }).iterator();
        }, true);
        spark.createDataFrame(rows, imageSchema(dims.length > 2 ? new int[] {height, width} : new int[] {width}))
                .write().parquet(to.toString());
    }
}
