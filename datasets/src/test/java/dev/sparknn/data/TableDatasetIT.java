package dev.sparknn.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sparknn.ops.RowBlock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.Metadata;
import org.apache.spark.sql.types.MetadataBuilder;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** CSV and Parquet tables into row blocks, and one fixture per kind of bad data, each error naming the file. */
class TableDatasetIT {

    @TempDir
    static Path tmp;
    private static SparkSession spark;

    @BeforeAll
    static void setUp() {
        spark = SparkTestSession.get();
    }

    private static Path csv(String name, String... lines) throws Exception {
        Path file = tmp.resolve(name);
        Files.write(file, List.of(lines));
        return file;
    }

    /** Rows of the blocks, concatenated in partition order. */
    private static List<RowBlock> blocks(TableDataset table, int partitions, TableDataset.Target target)
            throws InputException {
        TableDataset.Blocks b = table.load(partitions, target, 0, 1, StorageLevel.MEMORY_ONLY()).get(0);
        List<RowBlock> list = b.rdd().collect();
        b.rdd().unpersist(false);
        return list;
    }

    @Test
    void csvColumnsBecomeBlocksPlacedByContent() throws Exception {
        Path file = csv("columns.csv", "a,label,b", "1,0,10", "2,1,20", "3,2,30", "4,0,40", "5,1,50");
        TableDataset table = TableDataset.open(spark, file.toString(), TableDataset.Format.CSV, "label", List.of());
        assertEquals(List.of("a", "b"), table.featureColumns());
        List<RowBlock> parts = blocks(table, 2, TableDataset.Target.classes(3));
        assertEquals(2, parts.size());
        assertEquals(List.of("1,10:0", "2,20:1", "3,30:2", "4,40:0", "5,50:1"), sortedRows(parts),
                "every row once, its features and label together");
        // The same rows in another order and other columns order: the same blocks.
        Path reversed = csv("columns-reversed.csv", "b,a,label", "50,5,1", "40,4,0", "30,3,2", "20,2,1", "10,1,0");
        List<RowBlock> again = blocks(TableDataset.open(spark, reversed.toString(), TableDataset.Format.CSV, "label",
                List.of("a", "b")), 2, TableDataset.Target.classes(3));
        for (int p = 0; p < 2; p++) {
            assertArrayEquals(parts.get(p).features(), again.get(p).features(), "block " + p);
            assertArrayEquals(parts.get(p).labels(), again.get(p).labels(), "block " + p);
        }
    }

    /** Every row of {@code blocks} as {@code "x0,x1,...:label"} (or {@code :target}), sorted. */
    private static List<String> sortedRows(List<RowBlock> blocks) {
        List<String> rows = new ArrayList<>();
        for (RowBlock b : blocks) {
            for (int r = 0; r < b.rows(); r++) {
                StringBuilder row = new StringBuilder();
                for (int j = 0; j < b.numFeatures(); j++) {
                    row.append(j == 0 ? "" : ",").append((int) b.features()[r * b.numFeatures() + j]);
                }
                rows.add(row.append(':').append(b.isRegression() ? String.valueOf(b.targets()[r])
                        : String.valueOf(b.labels()[r])).toString());
            }
        }
        java.util.Collections.sort(rows);
        return rows;
    }

    /**
     * Exact duplicates are numbered, and each copy is held out on its own: a table of one row repeated keeps
     * rows on both sides (a hash of the content alone would put every copy on one side and leave a split empty).
     */
    @Test
    void copiesOfARowFallOnBothSidesOfTheHoldOut() throws Exception {
        StringBuilder lines = new StringBuilder("x,label\n");
        for (int i = 0; i < 40; i++) {
            lines.append("7,1\n");
        }
        Path file = tmp.resolve("copies.csv");
        Files.writeString(file, lines);
        TableDataset table = TableDataset.open(spark, file.toString(), TableDataset.Format.CSV, "label", List.of());
        List<TableDataset.Blocks> splits = table.load(2, TableDataset.Target.classes(2), 0.25, 7,
                StorageLevel.MEMORY_ONLY());
        long train = splits.get(0).rows();
        long test = splits.get(1).rows();
        assertEquals(40, train + test);
        assertTrue(test > 0 && train > test, "about a quarter of the copies held out, got " + test);
        splits.forEach(b -> b.rdd().unpersist(false));
    }

    /**
     * The dialect predict reads too ({@link Csv}): a byte-order mark and spaces around names are no part of them,
     * quoted cells are numbers, numeric names are a header; the features come in the order asked for, by name.
     */
    @Test
    void csvDialectOfByteOrderMarkSpacesQuotesAndNumericNames() throws Exception {
        Path file = csv("dialect.csv", "\uFEFF label ,\"b\", a", "\"1\",\"0.25\", 2", "0,\" 0.5\",4");
        TableDataset table = TableDataset.open(spark, file.toString(), TableDataset.Format.CSV, "label",
                List.of("a", "b"));
        assertEquals(List.of("a", "b"), table.featureNames());
        RowBlock rows = blocks(table, 1, TableDataset.Target.classes(2)).get(0);
        assertArrayEquals(new float[] {2, 0.25f, 4, 0.5f}, rows.features());
        assertArrayEquals(new int[] {1, 0}, rows.labels());

        Path numeric = csv("numeric-names.csv", "0,1,2", "0.5,0.25,1", "0.75,0.5,0");
        table = TableDataset.open(spark, numeric.toString(), TableDataset.Format.CSV, "2", List.of());
        assertEquals(List.of("0", "1"), table.featureNames());
        assertEquals(2, blocks(table, 1, TableDataset.Target.classes(2)).get(0).rows());

        // Header cells without a name, or repeated: Spark's names, which Csv.read gives predict too.
        Path unnamed = csv("unnamed.csv", "A,,a,label", "1,2,3,0");
        table = TableDataset.open(spark, unnamed.toString(), TableDataset.Format.CSV, "label", List.of());
        assertEquals(List.of("A0", "_c1", "a2"), table.featureNames());
        assertEquals(table.featureNames().subList(0, 3), Csv.read(org.apache.hadoop.fs.FileSystem.getLocal(
                new org.apache.hadoop.conf.Configuration()), new org.apache.hadoop.fs.Path(unnamed.toString()))
                .columns().subList(0, 3));
    }

    /** Case 3: Java's number suffixes are no numbers, in a label or a feature cell. */
    @Test
    void javaNumberSuffixesAreRefusedByColumnAndCell() throws Exception {
        Path labels = csv("suffix.csv", "a,b,label", "0.1,0.2,0d", "0.3,0.4,1d");
        TableDataset table = TableDataset.open(spark, labels.toString(), TableDataset.Format.CSV, "label", List.of());
        Exception e = assertThrows(Exception.class, () -> table.validate(TableDataset.Target.classes(2)));
        assertTrue(String.valueOf(rootMessage(e)).matches(".*suffix\\.csv line 2: column 'label' holds '0d', not a "
                + "decimal number.*"), rootMessage(e));
        Path features = csv("featsuffix.csv", "a,b,label", "0.1344f,0.2,0");
        TableDataset featureTable = TableDataset.open(spark, features.toString(), TableDataset.Format.CSV, "label",
                List.of());
        e = assertThrows(Exception.class, () -> featureTable.validate(TableDataset.Target.classes(2)));
        assertTrue(rootMessage(e).contains("column 'a' holds '0.1344f', not a decimal number"), rootMessage(e));
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null) {
            t = t.getCause();
        }
        return t.getMessage();
    }

    @Test
    void regressionTargetsAndChosenFeatureColumns() throws Exception {
        Path file = csv("regression.csv", "x,noise,y", "1.5,9,13", "2.5,9,15");
        TableDataset table = TableDataset.open(spark, file.toString(), TableDataset.Format.CSV, "y", List.of("x"));
        RowBlock block = blocks(table, 1, TableDataset.Target.values()).get(0);
        assertTrue(block.isRegression());
        // In the order of their hashes: each x with its y.
        int first = block.features()[0] == 1.5f ? 0 : 1;
        assertArrayEquals(new float[] {1.5f, 2.5f}, new float[] {block.features()[first], block.features()[1 - first]});
        assertArrayEquals(new float[] {13f, 15f}, new float[] {block.targets()[first], block.targets()[1 - first]});
    }

    @Test
    void parquetImageLayoutReadsTheRecordedShape() throws Exception {
        Metadata shape = new MetadataBuilder().putLongArray(TableDataset.SHAPE_KEY, new long[] {2, 2}).build();
        StructType schema = new StructType()
                .add("label", DataTypes.IntegerType)
                .add(TableDataset.FEATURES, DataTypes.createArrayType(DataTypes.FloatType), false, shape);
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            rows.add(RowFactory.create(i % 3, List.of((float) i, 0f, 0f, 1f)));
        }
        Path dir = tmp.resolve("images.parquet");
        spark.createDataFrame(rows, schema).repartition(3).write().parquet(dir.toString());
        TableDataset table = TableDataset.open(spark, dir.toString(), TableDataset.Format.PARQUET, "label",
                List.of());
        assertEquals(4, table.numFeatures());
        assertArrayEquals(new long[] {2, 2}, table.shape().orElseThrow(), "the shape recorded in the metadata");
        List<RowBlock> parts = blocks(table, 2, TableDataset.Target.classes(3));
        assertEquals(6, parts.stream().mapToInt(RowBlock::rows).sum());
        // Every row's pixels arrive whole: {i, 0, 0, 1} for the row of label i % 3.
        java.util.Set<Float> firstPixels = new java.util.TreeSet<>();
        for (RowBlock b : parts) {
            for (int r = 0; r < b.rows(); r++) {
                float first = b.features()[4 * r];
                assertArrayEquals(new float[] {first, 0f, 0f, 1f}, Arrays.copyOfRange(b.features(), 4 * r, 4 * r + 4));
                assertEquals((int) first % 3, b.labels()[r]);
                firstPixels.add(first);
            }
        }
        assertEquals(java.util.Set.of(0f, 1f, 2f, 3f, 4f, 5f), firstPixels);
    }

    @Test
    void parquetWithoutARecordedShapeHasNone() throws Exception {
        StructType schema = new StructType().add("label", DataTypes.IntegerType)
                .add(TableDataset.FEATURES, DataTypes.createArrayType(DataTypes.FloatType), false);
        Path dir = tmp.resolve("no-shape.parquet");
        spark.createDataFrame(List.of(RowFactory.create(0, List.of(1f, 2f, 3f))), schema).write()
                .parquet(dir.toString());
        TableDataset table = TableDataset.open(spark, dir.toString(), TableDataset.Format.PARQUET, "label", List.of());
        assertEquals(3, table.numFeatures(), "the first row's length");
        assertTrue(table.shape().isEmpty());
    }

    @Test
    void heldOutShareIsSeededAndDisjoint() throws Exception {
        StringBuilder lines = new StringBuilder("x,label\n");
        for (int i = 0; i < 400; i++) {
            lines.append(i).append(',').append(i % 2).append('\n');
        }
        Path file = tmp.resolve("split.csv");
        Files.writeString(file, lines);
        TableDataset table = TableDataset.open(spark, file.toString(), TableDataset.Format.CSV, "label", List.of());
        List<TableDataset.Blocks> splits = table.load(2, TableDataset.Target.classes(2), 0.25, 7,
                StorageLevel.MEMORY_ONLY());
        long train = splits.get(0).rows();
        long test = splits.get(1).rows();
        assertEquals(400, train + test);
        assertTrue(test > 70 && test < 130, "about a quarter held out, got " + test);
        List<TableDataset.Blocks> again = table.load(2, TableDataset.Target.classes(2), 0.25, 7,
                StorageLevel.MEMORY_ONLY());
        assertEquals(test, again.get(1).rows(), "the same rows for the same seed");
        // By value: each row (x = its position) is in exactly one split, and the held-out rows are the same ones.
        java.util.List<Float> trainX = xs(splits.get(0));
        java.util.List<Float> testX = xs(splits.get(1));
        java.util.Set<Float> all = new java.util.TreeSet<>(trainX);
        all.addAll(testX);
        assertEquals(400, all.size(), "every row in one split or the other");
        assertEquals(400, trainX.size() + testX.size(), "no row in both");
        assertEquals(new java.util.TreeSet<>(testX), new java.util.TreeSet<>(xs(again.get(1))),
                "the same held-out rows for the same seed");
        List<TableDataset.Blocks> otherSeed = table.load(2, TableDataset.Target.classes(2), 0.25, 8,
                StorageLevel.MEMORY_ONLY());
        assertTrue(!new java.util.TreeSet<>(testX).equals(new java.util.TreeSet<>(xs(otherSeed.get(1)))),
                "another seed holds out other rows");
        otherSeed.forEach(b -> b.rdd().unpersist(false));
        splits.forEach(b -> b.rdd().unpersist(false));
        again.forEach(b -> b.rdd().unpersist(false));
    }

    /** The first feature of every row of {@code b}. */
    private static List<Float> xs(TableDataset.Blocks b) {
        List<Float> x = new ArrayList<>();
        for (RowBlock block : b.rdd().collect()) {
            for (int r = 0; r < block.rows(); r++) {
                x.add(block.features()[r * block.numFeatures()]);
            }
        }
        return x;
    }

    /** The same rows as one file, or as three files in another order, cut into input splits of any size. */
    @Test
    void blocksAndHoldOutDoNotDependOnFilesOrSplits() throws Exception {
        List<String> rows = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            rows.add(i + "," + (i % 2));
        }
        rows.add("-1,0");
        rows.add("-1,0");
        Path one = Files.createDirectories(tmp.resolve("one-file"));
        Files.write(one.resolve("all.csv"), concat("x,label", rows));
        Path three = Files.createDirectories(tmp.resolve("three-files"));
        List<String> shuffled = new ArrayList<>(rows);
        java.util.Collections.shuffle(shuffled, new java.util.Random(5));
        Files.write(three.resolve("a.csv"), concat("x,label", shuffled.subList(200, 302)));
        Files.write(three.resolve("b.csv"), concat("x,label", shuffled.subList(0, 150)));
        Files.write(three.resolve("c.csv"), concat("x,label", shuffled.subList(150, 200)));
        List<List<float[]>> seen = new ArrayList<>();
        for (Path dir : new Path[] {one, three}) {
            for (String maxBytes : new String[] {"128m", "200"}) {
                // 200 bytes per split cuts the files into several splits, which Spark orders by size.
                spark.conf().set("spark.sql.files.maxPartitionBytes", maxBytes);
                try {
                    TableDataset table = TableDataset.open(spark, dir.toString(), TableDataset.Format.CSV, "label",
                            List.of());
                    List<float[]> blocks = new ArrayList<>();
                    for (TableDataset.Blocks b : table.load(2, TableDataset.Target.classes(2), 0.2, 3,
                            StorageLevel.MEMORY_ONLY())) {
                        for (RowBlock block : b.rdd().collect()) {
                            blocks.add(block.features());
                        }
                        b.rdd().unpersist(false);
                    }
                    seen.add(blocks);
                } finally {
                    spark.conf().unset("spark.sql.files.maxPartitionBytes");
                }
            }
        }
        assertEquals(4, seen.get(0).size(), "2 training and 2 held-out blocks");
        for (int run = 1; run < seen.size(); run++) {
            for (int b = 0; b < 4; b++) {
                assertArrayEquals(seen.get(0).get(b), seen.get(run).get(b), "run " + run + ", block " + b);
            }
        }
    }

    private static List<String> concat(String header, List<String> rows) {
        List<String> lines = new ArrayList<>(List.of(header));
        lines.addAll(rows);
        return lines;
    }

    @Test
    void badCellsNameTheFileTheLineTheColumnAndTheValue() throws Exception {
        assertLoadFails(csv("nan.csv", "x,label", "1,0", "NaN,1"),
                "nan.csv line 3: column 'x' holds 'NaN', not a decimal number");
        assertLoadFails(csv("inf.csv", "x,label", "Infinity,0"),
                "inf.csv line 2: column 'x' holds 'Infinity', not a decimal number");
        assertLoadFails(csv("overflow.csv", "x,label", "1e39,0"),
                "overflow.csv line 2: column 'x' holds 1e39; features and labels must be finite");
        assertLoadFails(csv("text.csv", "x,label", "one,0"),
                "text.csv line 2: column 'x' holds 'one', not a decimal number");
        assertLoadFails(csv("empty-cell.csv", "x,label", "1,0", ",0"), "empty-cell.csv line 3: column 'x' is empty");
        // The first of two bad rows, after a blank line (which counts).
        assertLoadFails(csv("label.csv", "x,label", "1,0", "", "2,7", "3,7"),
                "label.csv line 4: label 7 is not a class in [0, 3)");
        assertLoadFails(csv("fraction.csv", "x,label", "1,0.5"), "fraction.csv line 2: label 0.5 is not a class");
        InputException e = loadFailure(TableDataset.open(spark, csv("named.csv", "x,y", "1,oops").toString(),
                TableDataset.Format.CSV, "y", List.of()));
        assertTrue(e.getMessage().contains("column 'y' holds 'oops'"), e::getMessage);
    }

    @Test
    void wrongArrayLengthNamesTheFile() throws Exception {
        StructType schema = new StructType().add("label", DataTypes.IntegerType)
                .add(TableDataset.FEATURES, DataTypes.createArrayType(DataTypes.FloatType));
        Path dir = tmp.resolve("ragged.parquet");
        spark.createDataFrame(List.of(RowFactory.create(0, List.of(1f, 2f)), RowFactory.create(1, List.of(1f))),
                schema).coalesce(1).write().parquet(dir.toString());
        InputException e = loadFailure(TableDataset.open(spark, dir.toString(), TableDataset.Format.PARQUET, "label",
                List.of()));
        assertTrue(e.getMessage().contains("ragged.parquet") && e.getMessage().contains(".parquet row 2: column "
                        + "'features' holds 1 values, expected 2"),
                e::getMessage);
    }

    /** Parquet string and boolean columns are categories, a string label names classes, as in a CSV. */
    @Test
    void parquetTextAndBooleanColumnsAreCategories() throws Exception {
        StructType schema = new StructType().add("species", DataTypes.StringType).add("x", DataTypes.DoubleType)
                .add("colour", DataTypes.StringType).add("wet", DataTypes.BooleanType);
        Path dir = tmp.resolve("categories.parquet");
        spark.createDataFrame(List.of(RowFactory.create("b", 1.0, "red", true), RowFactory.create("a", null, "blue",
                false), RowFactory.create("b", 3.0, null, true)), schema).coalesce(1).write().parquet(dir.toString());
        TableDataset table = TableDataset.open(spark, dir.toString(), TableDataset.Format.PARQUET, "species",
                List.of());
        TableEncoding encoding = table.profile(TableDataset.Target.classes(2), TableDataset.Missing.MEAN);
        assertEquals(List.of("a", "b"), encoding.classes());
        assertEquals(List.of("x", "colour=blue", "colour=red", "wet=false", "wet=true"), encoding.inputNames());
        RowBlock rows = table.load(1, TableDataset.Target.classes(2), encoding, 0, 1, StorageLevel.MEMORY_ONLY())
                .get(0).rdd().collect().get(0);
        // x of the second row is the mean of 1 and 3; the third row's colour is empty: no level. Rows are placed
        // by their content, so they are compared as a set.
        java.util.Set<String> placed = new java.util.HashSet<>();
        for (int r = 0; r < rows.rows(); r++) {
            placed.add(rows.labels()[r] + ":" + java.util.Arrays.toString(
                    java.util.Arrays.copyOfRange(rows.features(), 5 * r, 5 * r + 5)));
        }
        assertEquals(java.util.Set.of("1:[1.0, 0.0, 1.0, 0.0, 1.0]", "0:[2.0, 1.0, 0.0, 1.0, 0.0]",
                "1:[3.0, 0.0, 0.0, 0.0, 1.0]"), placed);
        InputException e = assertThrows(InputException.class, () -> table.profile(TableDataset.Target.classes(2),
                TableDataset.Missing.REFUSE));
        assertTrue(e.getMessage().contains("categories.parquet") && e.getMessage().contains(" row 2: column 'x' is "
                + "empty (--missing refuse"), e::getMessage);
    }

    @Test
    void schemaProblemsAreRefusedWhenOpening() throws Exception {
        Path file = csv("schema.csv", "x,y", "1,2");
        assertOpenFails(file, TableDataset.Format.CSV, "label", List.of(), "has no label column 'label'; its columns "
                + "are [x, y]");
        assertOpenFails(file, TableDataset.Format.CSV, "y", List.of("z"), "has no feature column 'z'");
        assertOpenFails(tmp.resolve("missing.csv"), TableDataset.Format.CSV, "y", List.of(), "no such file or folder");
        StructType schema = new StructType().add("label", DataTypes.IntegerType).add("day", DataTypes.DateType);
        Path dir = tmp.resolve("dates.parquet");
        spark.createDataFrame(List.of(RowFactory.create(0, java.sql.Date.valueOf("2026-12-06"))), schema).write()
                .parquet(dir.toString());
        assertOpenFails(dir, TableDataset.Format.PARQUET, "label", List.of(), "feature column 'day' is date, not "
                + "numeric, string or boolean");
    }

    private static void assertOpenFails(Path path, TableDataset.Format format, String label, List<String> features,
                                        String expected) {
        InputException e = assertThrows(InputException.class,
                () -> TableDataset.open(spark, path.toString(), format, label, features));
        assertTrue(e.getMessage().contains(path.getFileName().toString()) && e.getMessage().contains(expected),
                e::getMessage);
    }

    private static void assertLoadFails(Path file, String expected) throws Exception {
        InputException e = loadFailure(TableDataset.open(spark, file.toString(), TableDataset.Format.CSV, "label",
                List.of()));
        assertTrue(e.getMessage().contains(file.getFileName().toString()) && e.getMessage().contains(expected),
                e::getMessage);
    }

    /** The input error a load fails with, found in the cause chain of Spark's task failure. */
    private static InputException loadFailure(TableDataset table) {
        Exception e = assertThrows(Exception.class,
                () -> table.load(1, TableDataset.Target.classes(3), 0, 1, StorageLevel.MEMORY_ONLY()));
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof InputException input) {
                return input;
            }
        }
        throw new AssertionError("no InputException in the cause chain", e);
    }
}
