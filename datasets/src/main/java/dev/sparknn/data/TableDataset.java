package dev.sparknn.data;

import dev.sparknn.ops.Numbers;
import dev.sparknn.ops.RowBlock;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.AnalysisException;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.NumericType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.storage.StorageLevel;

/**
 * Labelled rows of a table: CSV files (a header line, then rows, in the dialect of {@link Csv}) or Parquet
 * shards, given as one file, a folder or a glob on any Hadoop file system, read with Spark SQL. The driver reads
 * only the schema; tasks parse and validate the rows ({@link Numbers} reads CSV cells), and a bad value fails the
 * load with the file, the column and the value named.
 *
 * <p>Two layouts:
 * <ul>
 *   <li><b>image-like</b>: a {@code label} column and a {@code features} column of {@code array<float>} (any
 *       numeric element type), the same length in every row; the Parquet field's metadata may record the image
 *       shape as {@code {"shape": [28, 28]}} ({@link #SHAPE_KEY}), whose product is the row length;</li>
 *   <li><b>columns</b>: a label column and named numeric feature columns (by default every other column).</li>
 * </ul>
 * The label is a class index in {@code [0, numClasses)} for classification, or any finite number for regression.
 *
 * <p>{@link #load} spreads the rows over {@code P} partitions by their content ({@link RowPlacement}), each packed
 * into one {@link RowBlock}, so the blocks do not depend on how Spark split the files, nor on their order or
 * format.
 */
public final class TableDataset {

    /** Metadata key of the {@code features} column holding the image shape. */
    /** Start-up phases that take seconds on large tables are said on the console (progress lines). */
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(TableDataset.class);

    public static final String SHAPE_KEY = "shape";
    /** The array column of the image-like layout. */
    public static final String FEATURES = "features";
    /** The column of {@link #rows()} naming each row's file. */
    public static final String FILE = "_sparknn_file";
    /** The column of {@link #rows()} with the byte offset of the file split a row was read from. */
    private static final String BLOCK = "_sparknn_block";

    /** How the file(s) are encoded. */
    public enum Format {
        CSV, PARQUET;

        /** The format a path's name suggests, or null: {@code .csv}, {@code .csv.gz}, {@code .parquet}. */
        public static Format fromName(String name) {
            String n = name.toLowerCase(Locale.ROOT);
            if (n.endsWith(".csv") || n.endsWith(".csv.gz")) {
                return CSV;
            }
            return n.endsWith(".parquet") ? PARQUET : null;
        }
    }

    /**
     * What the label column holds.
     *
     * @param numClasses classification: labels must lie in {@code [0, numClasses)}; 0 for regression
     */
    public record Target(boolean regression, int numClasses) implements Serializable {
        public static Target classes(int numClasses) {
            return new Target(false, numClasses);
        }

        public static Target values() {
            return new Target(true, 0);
        }
    }

    /** A split's row blocks (persisted) and its row count. */
    public record Blocks(JavaRDD<RowBlock> rdd, long rows) {
    }

    private final String path;
    private final String label;
    private final Dataset<Row> frame;
    private final List<String> featureColumns;
    private final boolean imageLike;
    private final int numFeatures;
    private final long[] shape;

    private TableDataset(String path, String label, Dataset<Row> frame, List<String> featureColumns,
                         boolean imageLike, int numFeatures, long[] shape) {
        this.path = path;
        this.label = label;
        this.frame = frame;
        this.featureColumns = featureColumns;
        this.imageLike = imageLike;
        this.numFeatures = numFeatures;
        this.shape = shape;
    }

    /**
     * Opens a table and resolves its columns; reads the schema only (and, for an image-like table without a
     * recorded shape, the first row's length).
     *
     * @param label    the label column
     * @param features the feature columns; empty for the {@code features} array column if there is one, otherwise
     *                 every column but the label
     * @throws InputException naming the path and what is missing or of the wrong type
     */
    public static TableDataset open(SparkSession spark, String path, Format format, String label,
                                    List<String> features) throws InputException {
        LOG.info("reading the schema of {}", path);
        Dataset<Row> raw;
        try {
            raw = format == Format.CSV ? Csv.reader(spark).csv(path) : spark.read().parquet(path);
        } catch (Exception e) {
            if (e instanceof AnalysisException && String.valueOf(e.getMessage()).contains("PATH_NOT_FOUND")) {
                throw new InputException(path + ": no such file or folder");
            }
            if (e instanceof AnalysisException) {
                throw new InputException(path + ": cannot be read as " + format.name().toLowerCase(Locale.ROOT)
                        + ": " + firstLine(e.getMessage()));
            }
            throw e;
        }
        // A CSV header's names as Csv reads them (no byte-order mark, no spaces around), each mapped to Spark's.
        Map<String, String> sparkName = new LinkedHashMap<>();
        for (String c : raw.columns()) {
            String name = format == Format.CSV ? Csv.columnName(c) : c;
            if (sparkName.put(name, c) != null) {
                throw new InputException(path + ": the header names column '" + name + "' twice");
            }
        }
        List<String> columns = List.copyOf(sparkName.keySet());
        if (columns.isEmpty()) {
            throw new InputException(path + ": holds no columns (an empty file or folder?)");
        }
        if (!columns.contains(label)) {
            throw new InputException(path + ": has no label column '" + label + "'; its columns are " + columns
                    + " (choose one with --label)");
        }
        boolean imageLike = features.isEmpty() && columns.contains(FEATURES)
                && raw.schema().apply(FEATURES).dataType() instanceof ArrayType;
        List<String> chosen = new ArrayList<>();
        if (imageLike) {
            DataType element = ((ArrayType) raw.schema().apply(FEATURES).dataType()).elementType();
            if (!(element instanceof NumericType)) {
                throw new InputException(path + ": column 'features' is an array of " + element.simpleString()
                        + ", expected numbers");
            }
            chosen.add(FEATURES);
        } else {
            for (String c : features.isEmpty() ? columns : features) {
                if (!columns.contains(c)) {
                    throw new InputException(path + ": has no feature column '" + c + "'; its columns are " + columns);
                }
                if (c.equals(label)) {
                    if (!features.isEmpty()) {
                        throw new InputException(path + ": column '" + c + "' is the label, it cannot also be a "
                                + "feature");
                    }
                    continue;
                }
                DataType type = raw.schema().apply(sparkName.get(c)).dataType();
                if (format == Format.PARQUET && !(type instanceof NumericType)) {
                    throw new InputException(path + ": feature column '" + c + "' is " + type.simpleString()
                            + ", not numeric (list the feature columns with --features)");
                }
                chosen.add(c);
            }
            if (chosen.isEmpty()) {
                throw new InputException(path + ": has no feature columns besides the label '" + label + "'");
            }
        }
        DataType labelType = raw.schema().apply(sparkName.get(label)).dataType();
        if (format == Format.PARQUET && !(labelType instanceof NumericType)) {
            throw new InputException(path + ": label column '" + label + "' is " + labelType.simpleString()
                    + ", not numeric");
        }
        List<Column> select = new ArrayList<>();
        for (String c : chosen) {
            select.add(functions.col("`" + sparkName.get(c) + "`").as(c));
        }
        select.add(functions.col("`" + sparkName.get(label) + "`").as(label));
        select.add(functions.col("_metadata.file_path").as(FILE));
        select.add(functions.col("_metadata.file_block_start").as(BLOCK));
        Dataset<Row> frame = raw.select(select.toArray(new Column[0]));
        int width = imageLike ? arrayWidth(raw, path) : chosen.size();
        long[] shape = imageLike && raw.schema().apply(FEATURES).metadata().contains(SHAPE_KEY)
                ? raw.schema().apply(FEATURES).metadata().getLongArray(SHAPE_KEY) : null;
        return new TableDataset(path, label, frame, List.copyOf(chosen), imageLike, width, shape);
    }

    /** Values per row: the product of the recorded shape, or the first row's array length. */
    private static int arrayWidth(Dataset<Row> raw, String path) throws InputException {
        StructField field = raw.schema().apply(FEATURES);
        if (field.metadata().contains(SHAPE_KEY)) {
            long product = 1;
            for (long d : field.metadata().getLongArray(SHAPE_KEY)) {
                product *= d;
            }
            if (product < 1 || product > Integer.MAX_VALUE) {
                throw new InputException(path + ": column 'features' records shape with " + product + " values");
            }
            return (int) product;
        }
        Row[] first = (Row[]) raw.select(functions.size(functions.col(FEATURES))).head(1);
        if (first.length == 0) {
            throw new InputException(path + ": holds no rows");
        }
        return first[0].getInt(0);
    }

    public String path() {
        return path;
    }

    public int numFeatures() {
        return numFeatures;
    }

    /** The image shape recorded in the {@code features} field's metadata, if any. */
    public java.util.Optional<long[]> shape() {
        return java.util.Optional.ofNullable(shape).map(long[]::clone);
    }

    /** The selected columns: the features (or the array column), the label, {@link #FILE}, then the split offset. */
    public Dataset<Row> rows() {
        return frame;
    }

    /**
     * Parses and checks every row without keeping any, and refuses empty shards.
     *
     * @return the number of rows
     */
    public long validate(Target target) throws InputException {
        checkNoEmptyShards();
        Layout layout = layout();
        return frame.toJavaRDD().map(r -> parse(r, layout, target)).count();
    }

    /** Every file Spark reads must hold rows: an empty shard usually means a failed or truncated export. */
    private void checkNoEmptyShards() throws InputException {
        java.util.Set<String> withRows = new java.util.HashSet<>();
        for (Row r : frame.groupBy(FILE).count().collectAsList()) {
            withRows.add(new org.apache.hadoop.fs.Path(r.getString(0)).toString());
        }
        for (String file : frame.inputFiles()) {
            if (!withRows.contains(new org.apache.hadoop.fs.Path(file).toString())) {
                throw new InputException(file + ": empty shard (no rows); remove it or re-export the data");
            }
        }
    }

    /** The feature columns, or {@code [features]} for the image-like layout. */
    public List<String> featureColumns() {
        return featureColumns;
    }

    /**
     * The names of the features, in the order of a row's values: the feature columns, or empty for the image-like
     * layout, whose values have positions but no names. A model keeps them, so that a table whose columns come in
     * another order is read by name.
     */
    public List<String> featureNames() {
        return imageLike ? List.of() : featureColumns;
    }

    /**
     * Parses every row, validates it, and packs the rows into {@code partitions} persisted blocks per split, placed
     * by {@link RowPlacement}: by the rows' content, so the blocks do not depend on the files' split, order or
     * format. With {@code testFraction > 0}, that share of rows, chosen by a seeded hash of each row, forms a
     * second, test split (the same rows every time); otherwise the result has one split.
     *
     * @return the training split, then the test split if {@code testFraction > 0}
     */
    public List<Blocks> load(int partitions, Target target, double testFraction, long seed, StorageLevel storage)
            throws InputException {
        LOG.info("reading, checking and packing the rows of {} into {} blocks", path, partitions);
        checkNoEmptyShards();
        Layout layout = layout();
        JavaRDD<LabelledRow> rows = frame.toJavaRDD().map(r -> {
            Parsed p = parse(r, layout, target);
            return new LabelledRow(p.features(), p.label(), p.target(), 1f);
        });
        List<JavaRDD<RowBlock>> placed = RowPlacement.place(rows, partitions, numFeatures, target.regression(), false,
                testFraction, seed, storage);
        List<Blocks> splits = new ArrayList<>();
        long total = 0;
        for (JavaRDD<RowBlock> blocks : placed) {
            long n = blocks.map(RowBlock::rows).fold(0, Integer::sum);
            splits.add(new Blocks(blocks, n));
            total += n;
        }
        for (int i = 0; i < splits.size(); i++) {
            if (splits.get(i).rows() == 0) {
                splits.forEach(b -> b.rdd().unpersist(false));
                throw new InputException(path + (total == 0 ? ": holds no rows" : ": the " + (i == 1 ? "test"
                        : "training") + " split is empty (" + total + " rows in all, test fraction " + testFraction
                        + ")"));
            }
        }
        return splits;
    }

    /** One parsed row. */
    record Parsed(float[] features, int label, float target) implements Serializable {
    }

    /** How to read a row of {@link #rows()}: the feature columns (or the array), then the label, file and block. */
    private record Layout(boolean image, List<String> names, int width, String label) implements Serializable {
    }

    private Layout layout() {
        return new Layout(imageLike, featureColumns, numFeatures, label);
    }

    private static Parsed parse(Row row, Layout layout, Target target) {
        String file = row.getString(row.length() - 2);
        int width = layout.width();
        int columns = layout.names().size();
        List<String> names = layout.names();
        float[] x = new float[width];
        if (layout.image()) {
            List<Object> values = row.getList(0);
            if (values == null || values.size() != width) {
                fail(file, "column 'features' holds " + (values == null ? "null" : values.size() + " values")
                        + " in a row labelled " + row.get(1) + ", expected " + width);
            }
            for (int j = 0; j < width; j++) {
                x[j] = number(values.get(j), file, "features[" + j + "]", row.get(1));
            }
        } else {
            for (int j = 0; j < columns; j++) {
                x[j] = number(row.get(j), file, names.get(j), row.get(columns));
            }
        }
        Object labelCell = row.get(row.length() - 3);
        float value = number(labelCell, file, layout.label(), labelCell);
        if (target.regression()) {
            return new Parsed(x, 0, value);
        }
        if (value != Math.rint(value) || value < 0 || value >= target.numClasses()) {
            fail(file, "label " + labelCell + " is not a class in [0, " + target.numClasses() + ") (the last "
                    + "--layers size sets the class count; use --task regression for real-valued labels)");
        }
        return new Parsed(x, (int) value, 0f);
    }

    /** A cell as a finite float: a number, or text that {@link Numbers} reads as a decimal number. */
    private static float number(Object cell, String file, String column, Object label) {
        float v = Float.NaN;
        if (cell instanceof Number n) {
            v = n.floatValue();
        } else if (cell instanceof String s) {
            if (!Numbers.isDecimal(s)) {
                fail(file, "column '" + column + "' holds '" + s + "', not a decimal number (row labelled " + label
                        + ")");
            }
            v = Float.parseFloat(s.strip());
        } else {
            fail(file, "column '" + column + "' is empty (null) in a row labelled " + label);
        }
        if (!Float.isFinite(v)) {
            fail(file, "column '" + column + "' holds " + cell + " in a row labelled " + label
                    + "; features and labels must be finite numbers");
        }
        return v;
    }

    private static void fail(String file, String what) {
        throw new UncheckedIOException(new InputException(file + ": " + what));
    }

    private static String firstLine(String s) {
        return s == null ? "" : s.lines().findFirst().orElse("");
    }
}
