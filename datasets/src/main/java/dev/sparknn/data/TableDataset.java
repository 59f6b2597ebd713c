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
    /**
     * The column of {@link #rows()} with a Parquet row's index in its file; -1 for CSV, whose lines are found only
     * for an error message ({@link CellException#located}).
     */
    private static final String ROW = "_sparknn_row";

    /** Spark's name for a first CSV column whose header cell is empty. */
    private static final String UNNAMED_FIRST = "_c0";

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
    private double labelMax = Double.NaN;

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
        if (format == Format.CSV && columns.size() == 1 && columns.get(0).contains(";")) {
            throw new InputException(path + ": the header '" + columns.get(0) + "' is one column holding ';': a "
                    + "semicolon-separated file, as spreadsheets in locales with a decimal comma save CSV; save it "
                    + "with ',' between cells and '.' in numbers");
        }
        // R's write.csv and pandas' to_csv write the row names (or index) as a first column without a name.
        boolean rowNames = format == Format.CSV && features.isEmpty() && columns.get(0).equals(UNNAMED_FIRST)
                && !label.equals(UNNAMED_FIRST);
        if (rowNames) {
            LOG.info("{}: the first column has no name in the header, as R's write.csv and pandas' to_csv write row "
                    + "names: left out (to train on it, give it a name and list it in --features)", path);
        }
        if (!columns.contains(label)) {
            throw new InputException(path + " has no label column '" + label + "'; its columns are " + columns
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
            for (String c : features.isEmpty() ? columns.subList(rowNames ? 1 : 0, columns.size()) : features) {
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
                if (format == Format.PARQUET && !cellType(type)) {
                    throw new InputException(path + ": feature column '" + c + "' is " + type.simpleString()
                            + ", not numeric, string or boolean (list the feature columns with --features)");
                }
                chosen.add(c);
            }
            if (chosen.isEmpty()) {
                throw new InputException(path + ": has no feature columns besides the label '" + label + "'");
            }
        }
        DataType labelType = raw.schema().apply(sparkName.get(label)).dataType();
        if (format == Format.PARQUET && !cellType(labelType)) {
            throw new InputException(path + ": label column '" + label + "' is " + labelType.simpleString()
                    + ", not numeric, string or boolean");
        }
        List<Column> select = new ArrayList<>();
        for (String c : chosen) {
            select.add(functions.col("`" + sparkName.get(c) + "`").as(c));
        }
        select.add(functions.col("`" + sparkName.get(label) + "`").as(label));
        select.add(functions.col("_metadata.file_path").as(FILE));
        select.add(functions.col("_metadata.file_block_start").as(BLOCK));
        select.add(format == Format.PARQUET ? functions.col("_metadata.row_index").as(ROW)
                : functions.lit(-1L).as(ROW));
        Dataset<Row> frame = raw.select(select.toArray(new Column[0]));
        int width = imageLike ? arrayWidth(raw, path) : chosen.size();
        long[] shape = imageLike && raw.schema().apply(FEATURES).metadata().contains(SHAPE_KEY)
                ? raw.schema().apply(FEATURES).metadata().getLongArray(SHAPE_KEY) : null;
        return new TableDataset(path, label, frame, List.copyOf(chosen), imageLike, width, shape);
    }

    /** Whether a Parquet column's type is one {@link #profile} encodes: numbers, text or booleans. */
    private static boolean cellType(DataType type) {
        return type instanceof NumericType || type.equals(DataTypes.StringType) || type.equals(DataTypes.BooleanType);
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

    /** The label column. */
    public String label() {
        return label;
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

    /**
     * The selected columns: the features (or the array column), the label, {@link #FILE}, the split offset, then a
     * Parquet row's index.
     */
    public Dataset<Row> rows() {
        return frame;
    }

    /** What an empty feature cell becomes: {@code --missing}. */
    public enum Missing {
        /** A numeric column's training mean; a categorical column's no level (all zeros). */
        MEAN,
        /** Refused, naming the cell. */
        REFUSE;

        public static Missing parse(String s) {
            return switch (s.strip().toLowerCase(Locale.ROOT)) {
                case "mean" -> MEAN;
                case "refuse" -> REFUSE;
                default -> throw new IllegalArgumentException("must be mean or refuse, got '" + s + "'");
            };
        }

        @Override
        public String toString() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * Reads every row once and chooses each column's encoding ({@link TableEncoding}): a column of numbers is
     * numeric, a column of texts (or booleans) categorical, its levels sorted by name; a classification label of
     * texts names the classes, sorted by name. Empty feature cells are counted per column
     * ({@link TableEncoding#emptyCells}).
     *
     * @return the encoding, or null for the image-like layout, whose values are numbers by position
     * @throws InputException naming the file, the line (or Parquet row), the column and the value of the first cell
     *                        that fits no encoding: text among numbers, a number with a type suffix, an empty label,
     *                        an empty cell with {@link Missing#REFUSE}; or a column with more than
     *                        {@link TableEncoding#MAX_LEVELS} levels
     */
    public TableEncoding profile(Target target, Missing missing) throws InputException {
        if (imageLike) {
            return null;
        }
        LOG.info("reading {} once to choose each column's encoding", path);
        int n = featureColumns.size();
        List<ColumnProfile[]> parts = CellException.locating(hadoop(), () -> frame.toJavaRDD().mapPartitions(it -> {
            ColumnProfile[] p = new ColumnProfile[n + 1];
            for (int j = 0; j <= n; j++) {
                p[j] = new ColumnProfile();
            }
            for (long index = 0; it.hasNext(); index++) {
                Row r = it.next();
                RowKey key = new RowKey(r.getString(r.length() - 3), r.getLong(r.length() - 2), index);
                long row = r.getLong(r.length() - 1);
                for (int j = 0; j <= n; j++) {          // the features, then the label
                    p[j].add(r.get(j), key, row);
                }
            }
            return List.<ColumnProfile[]>of(p).iterator();
        }).collect());
        if (parts.isEmpty()) {
            throw new InputException(path + ": holds no rows");
        }
        // collect() keeps partition order, so the sums (the means that fill empty cells) are the same in every run;
        // the first cells of each kind are chosen by their place in the table, whatever the order.
        ColumnProfile[] all = parts.get(0);
        for (ColumnProfile[] p : parts.subList(1, parts.size())) {
            for (int j = 0; j <= n; j++) {
                all[j].merge(p[j]);
            }
        }
        if (all[n].nulls + all[n].numbers + all[n].texts + (all[n].firstOdd == null ? 0 : 1) == 0) {
            throw new InputException(path + ": holds no rows");
        }
        List<TableEncoding.Column> columns = new ArrayList<>();
        for (int j = 0; j < n; j++) {
            columns.add(column(featureColumns.get(j), all[j], missing));
        }
        labelMax = all[n].numbers > 0 ? all[n].max : Double.NaN;
        return new TableEncoding(columns, label, classes(all[n], target));
    }

    /** The largest numeric label {@link #profile} saw (class indices: the class count less one); NaN before. */
    public double labelMax() {
        return labelMax;
    }

    /** A feature column's encoding from its profile (see {@link #profile}). */
    private TableEncoding.Column column(String name, ColumnProfile p, Missing missing) throws InputException {
        refuseOdd(name, p);
        if (p.texts > 0 && p.numbers > 0) {
            throw cell(p.firstText, name, "column '" + name + "' holds '" + p.firstText.text() + "', not a decimal "
                    + "number, where " + p.numbers + " other rows hold numbers");
        }
        if (p.texts == 0 && p.numbers == 0) {
            throw new InputException(path + ": column '" + name + "' is empty in every row (leave it out with "
                    + "--features)");
        }
        if (p.nulls > 0 && missing == Missing.REFUSE) {
            throw cell(p.firstNull, name, "column '" + name + "' is empty (--missing refuse; --missing mean fills "
                    + "it)");
        }
        if (p.texts > 0) {
            if (p.levels.size() > TableEncoding.MAX_LEVELS || p.moreLevels) {
                throw new InputException(path + ": column '" + name + "' has " + (p.moreLevels ? "over " : "")
                        + p.levels.size() + " distinct texts (" + String.join(", ", p.levels.stream().limit(3)
                        .map(l -> "'" + l + "'").toList()) + ", ...), more than the " + TableEncoding.MAX_LEVELS
                        + " levels a categorical column may have; leave it out with --features");
            }
            return new TableEncoding.Categorical(name, List.copyOf(p.levels), p.nulls);
        }
        return new TableEncoding.Numeric(name, missing == Missing.MEAN ? p.sum / p.numbers : Double.NaN, p.min,
                p.max, p.nulls);
    }

    /** The class names of a label column of texts, sorted; empty for class indices (or regression). */
    private List<String> classes(ColumnProfile p, Target target) throws InputException {
        refuseOdd(label, p);
        if (p.nulls > 0) {
            throw cell(p.firstNull, label, "the label column '" + label + "' is empty");
        }
        if (p.texts == 0) {
            return List.of();
        }
        if (target.regression() || p.numbers > 0) {
            throw cell(p.firstText, label, "column '" + label + "' holds '" + p.firstText.text() + "', not a decimal "
                    + "number" + (target.regression() ? " (--task regression needs numeric labels)"
                    : ", where " + p.numbers + " other rows hold class indices"));
        }
        if (p.moreLevels) {
            throw new InputException(path + ": the label column '" + label + "' names over "
                    + ColumnProfile.MAX_TEXTS + " classes");
        }
        return List.copyOf(p.levels);
    }

    /** Refuses a column's first cell that Java, but not a decimal reader, takes as a number, or that overflows. */
    private void refuseOdd(String name, ColumnProfile p) throws InputException {
        if (p.firstOdd != null) {
            String t = p.firstOdd.text();
            throw cell(p.firstOdd, name, "column '" + name + "' holds " + (Numbers.isDecimal(t) ? t
                    + "; features and labels must be finite numbers" : "'" + t + "', not a decimal number"));
        }
    }

    private InputException cell(ColumnProfile.Cell c, String column, String what) {
        return new CellException(c.file(), column, c.text(), c.row(), what).located(hadoop());
    }

    /**
     * Parses and checks every row without keeping any, and refuses empty shards.
     *
     * @return the number of rows
     */
    public long validate(Target target) throws InputException {
        return validate(target, null);
    }

    /** {@link #validate(Target)} with the cells read by {@code encoding} (null: numbers only). */
    public long validate(Target target, TableEncoding encoding) throws InputException {
        checkNoEmptyShards();
        Layout layout = layout(encoding);
        return CellException.locating(hadoop(), () -> frame.toJavaRDD().map(r -> parse(r, layout, target)).count());
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
        return load(partitions, target, null, testFraction, seed, storage);
    }

    /**
     * {@link #load(int, Target, double, long, StorageLevel)} with the cells read by {@code encoding} (from
     * {@link #profile}, or a model's; null: every feature a number, the labels class indices).
     */
    public List<Blocks> load(int partitions, Target target, TableEncoding encoding, double testFraction, long seed,
                             StorageLevel storage) throws InputException {
        LOG.info("reading, checking and packing the rows of {} into {} blocks", path, partitions);
        checkNoEmptyShards();
        Layout layout = layout(encoding);
        JavaRDD<LabelledRow> rows = frame.toJavaRDD().map(r -> {
            Parsed p = parse(r, layout, target);
            return new LabelledRow(p.features(), p.label(), p.target(), 1f);
        });
        // RowPlacement runs jobs of its own, which parse rows: a bad cell fails them.
        List<JavaRDD<RowBlock>> placed = CellException.locating(hadoop(), () -> RowPlacement.place(rows, partitions,
                layout.width(), target.regression(), false, testFraction, seed, storage));
        List<Blocks> splits = new ArrayList<>();
        long total = 0;
        for (JavaRDD<RowBlock> blocks : placed) {
            long n = CellException.locating(hadoop(), () -> blocks.map(RowBlock::rows).fold(0, Integer::sum));
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

    /** Where a row came from: its file, the byte offset of its split, and its index in that split. */
    record RowKey(String file, long block, long index) implements Comparable<RowKey>, Serializable {
        @Override
        public int compareTo(RowKey o) {
            int c = file.compareTo(o.file);
            if (c != 0) {
                return c;
            }
            c = Long.compare(block, o.block);
            return c != 0 ? c : Long.compare(index, o.index);
        }
    }

    /** How to read a row of {@link #rows()}: the feature columns (or the array), then the label, file and block. */
    private record Layout(boolean image, List<String> names, int width, String label, TableEncoding encoding)
            implements Serializable {
    }

    private Layout layout() {
        return new Layout(imageLike, featureColumns, numFeatures, label, null);
    }

    /** The layout of rows read with {@code encoding} (null: every feature a number, the labels class indices). */
    private Layout layout(TableEncoding encoding) {
        if (encoding == null) {
            return layout();
        }
        if (!encoding.columnNames().equals(featureColumns)) {
            throw new IllegalArgumentException("the encoding's columns " + encoding.columnNames() + " are not the "
                    + "table's " + featureColumns);
        }
        return new Layout(false, featureColumns, encoding.width(), label, encoding);
    }

    private static Parsed parse(Row row, Layout layout, Target target) {
        String file = row.getString(row.length() - 3);
        long index = row.getLong(row.length() - 1);
        int width = layout.width();
        int columns = layout.names().size();
        List<String> names = layout.names();
        float[] x = new float[width];
        if (layout.image()) {
            List<Object> values = row.getList(0);
            if (values == null || values.size() != width) {
                String found = values == null ? null : String.valueOf(values.size());
                throw new UncheckedIOException(new CellException(file, FEATURES, found, index, "column 'features' "
                        + "holds " + (values == null ? "null" : values.size() + " values") + ", expected " + width));
            }
            for (int j = 0; j < width; j++) {
                x[j] = number(values.get(j), file, index, "features[" + j + "]");
            }
        } else if (layout.encoding() != null) {
            encode(row, layout.encoding(), x, file, index);
        } else {
            for (int j = 0; j < columns; j++) {
                x[j] = number(row.get(j), file, index, names.get(j));
            }
        }
        Object labelCell = row.get(row.length() - 4);
        if (layout.encoding() != null && !layout.encoding().classes().isEmpty()) {
            List<String> classes = layout.encoding().classes();
            int k = labelCell == null ? -1
                    : java.util.Collections.binarySearch(classes, TableEncoding.level(labelCell));
            if (k < 0) {
                throw new UncheckedIOException(new CellException(file, layout.label(), text(labelCell), index,
                        labelCell == null ? "the label column '" + layout.label() + "' is empty" : "label '"
                        + labelCell + "' is none of the classes " + classes));
            }
            return new Parsed(x, k, 0f);
        }
        float value = number(labelCell, file, index, layout.label());
        if (target.regression()) {
            return new Parsed(x, 0, value);
        }
        if (value != Math.rint(value) || value < 0 || value >= target.numClasses()) {
            throw new UncheckedIOException(new CellException(file, layout.label(), text(labelCell), index,
                    "label " + labelCell + " is not a class in [0, " + target.numClasses() + ") (the last --layers "
                    + "size sets the class count; use --task regression for real-valued labels)"));
        }
        return new Parsed(x, (int) value, 0f);
    }

    /** A cell as a finite float: a number, or text that {@link Numbers} reads as a decimal number. */
    private static float number(Object cell, String file, long index, String column) {
        float v = Float.NaN;
        if (cell instanceof Number n) {
            v = n.floatValue();
        } else if (cell instanceof String s) {
            if (!Numbers.isDecimal(s)) {
                throw new UncheckedIOException(new CellException(file, column, s, index, "column '" + column
                        + "' holds '" + s + "', not a decimal number"));
            }
            v = Float.parseFloat(s.strip());
        } else {
            throw new UncheckedIOException(new CellException(file, column, null, index, "column '" + column
                    + "' is empty"));
        }
        if (!Float.isFinite(v)) {
            throw new UncheckedIOException(new CellException(file, column, text(cell), index, "column '" + column
                    + "' holds " + cell + "; features and labels must be finite numbers"));
        }
        return v;
    }

    /** A row's feature cells into {@code x} by {@code encoding}: numbers (empty: the fill), one-hot levels. */
    private static void encode(Row row, TableEncoding encoding, float[] x, String file, long index) {
        int at = 0;
        List<TableEncoding.Column> columns = encoding.columns();
        for (int j = 0; j < columns.size(); j++) {
            Object cell = row.get(j);
            TableEncoding.Column c = columns.get(j);
            if (c instanceof TableEncoding.Categorical k) {
                int level = cell == null ? -1 : k.indexOf(TableEncoding.level(cell));
                if (level >= 0) {
                    x[at + level] = 1f;
                }
            } else if (cell == null && !Double.isNaN(((TableEncoding.Numeric) c).fill())) {
                x[at] = (float) ((TableEncoding.Numeric) c).fill();
            } else {
                x[at] = number(cell, file, index, c.name());
            }
            at += c.width();
        }
    }

    /** A cell's text as the CSV reader gave it (null for an empty cell), or a Parquet value's. */
    private static String text(Object cell) {
        return cell == null ? null : String.valueOf(cell);
    }

    private org.apache.hadoop.conf.Configuration hadoop() {
        return frame.sparkSession().sparkContext().hadoopConfiguration();
    }

    private static String firstLine(String s) {
        return s == null ? "" : s.lines().findFirst().orElse("");
    }
}
