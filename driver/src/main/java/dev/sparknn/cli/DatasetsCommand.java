package dev.sparknn.cli;

import dev.sparknn.data.IdxDataset;
import dev.sparknn.data.InputException;
import dev.sparknn.data.InputPaths;
import dev.sparknn.data.ParquetShards;
import dev.sparknn.data.TableDataset;
import dev.sparknn.data.TableEncoding;
import dev.sparknn.train.DataConfig;
import dev.sparknn.train.SparkSessions;
import dev.sparknn.train.Task;
import dev.sparknn.train.TrainConfig;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code datasets convert|augment|inspect}: prepares and describes training data with Spark. */
@Command(name = "datasets", mixinStandardHelpOptions = true, usageHelpAutoWidth = true,
        versionProvider = TrainCommand.Version.class,
        description = "Prepares and describes datasets with Spark: convert an IDX folder to Parquet shards, grow it "
                + "with augmented copies, or inspect any dataset.",
        subcommands = {DatasetsCommand.Convert.class, DatasetsCommand.AugmentCommand.class,
                DatasetsCommand.Inspect.class})
public final class DatasetsCommand {

    /** Writes both IDX splits as {@code out/train} and {@code out/test}, {@code copies} rows per training image. */
    static int writeSplits(CommandSpec spec, Output output, int copies, long seed) throws Exception {
        String master = DeclaredOptions.config(spec).master();
        String data = output.data;
        String out = output.out;
        int shards = output.shards;
        TrainConfig.require(shards >= 1, "--shards must be at least 1, got " + shards);
        InputPaths.requireExisting("--data", data);
        return SparkSessions.run(master, session -> {
            Configuration conf = session.sparkContext().hadoopConfiguration();
            PrintWriter console = spec.commandLine().getOut();
            String location = DataConfig.qualify(conf, data);
            IdxDataset train = IdxDataset.open(conf, location, IdxDataset.TRAIN);
            IdxDataset test = IdxDataset.open(conf, location, IdxDataset.TEST);
            long[] rows = ParquetShards.write(session, train, test, out, shards, copies, seed);
            console.printf("wrote %s/train: %,d rows in %d shards%s%n", out, rows[0], shards,
                    copies > 1 ? String.format(" (%d copies per image, seed %d)", copies, seed) : "");
            console.printf("wrote %s/test: %,d rows%n", out, rows[1]);
            console.printf("train with: --data %s/train --test-data %s/test%n", out, out);
            return 0;
        });
    }

    @Command(name = "convert", mixinStandardHelpOptions = true, usageHelpAutoWidth = true,
            modelTransformer = DeclaredOptions.Master.class,
            description = "Converts an IDX folder (MNIST names) to Parquet shards in the image-like layout: "
                    + "OUT/train and OUT/test, each a folder of shards.")
    static final class Convert implements Callable<Integer> {
        @Spec
        CommandSpec spec;
        @Mixin
        Output output;

        @Override
        public Integer call() throws Exception {
            return writeSplits(spec, output, 1, 0);
        }
    }

    /** Where convert and augment read and write. */
    static final class Output {
        @Option(names = "--data", required = true, paramLabel = "DIR", description = "The IDX folder (MNIST names).")
        String data;
        @Option(names = "--out", required = true, paramLabel = "DIR", description = "New output folder (local or "
                + "Hadoop URI); refused if it exists.")
        String out;
        @Option(names = "--shards", defaultValue = "8", paramLabel = "N", description = "Training shards; more for "
                + "larger data (each task writes one). Default: ${DEFAULT-VALUE}")
        int shards;
    }

    @Command(name = "augment", mixinStandardHelpOptions = true, usageHelpAutoWidth = true,
            modelTransformer = DeclaredOptions.Master.class,
            description = "Grows an IDX training split K-fold with deterministic augmented copies (seeded shifts of "
                    + "up to 2 pixels and rotations of up to 10 degrees; copy 0 is the original), written as "
                    + "Parquet shards to OUT/train; OUT/test is the unchanged test split.")
    static final class AugmentCommand implements Callable<Integer> {
        @Spec
        CommandSpec spec;
        @Mixin
        Output output;
        @Option(names = "--copies", required = true, paramLabel = "K", description = "Rows per training image: "
                + "K x 60,000 rows for MNIST.")
        int copies;
        @Option(names = "--seed", defaultValue = "42", paramLabel = "N", description = "Augmentation seed. "
                + "Default: ${DEFAULT-VALUE}")
        long seed;

        @Override
        public Integer call() throws Exception {
            TrainConfig.require(copies >= 1, "--copies must be at least 1, got " + copies);
            return writeSplits(spec, output, copies, seed);
        }
    }

    @Command(name = "inspect", mixinStandardHelpOptions = true, usageHelpAutoWidth = true,
            modelTransformer = DeclaredOptions.Inspect.class,
            description = "Describes a dataset: row count, features per row (and image shape), label histogram, and "
                    + "each shard's size and rows; for a table without a label column (and no --label), every "
                    + "column's range and mean. Reads every row, so it also validates the data.")
    static final class Inspect implements Callable<Integer> {
        /** Labels with at most this many distinct whole values get a histogram; others a summary. */
        private static final int MAX_HISTOGRAM = 100;

        @Spec
        CommandSpec spec;
        /** --data, --format, --label, --features and --missing, as declared in TrainOptions. */
        private DataConfig data;
        /** --task: whether a label of texts names classes (classification) or is refused (regression). */
        private Task task;

        @Override
        public Integer call() throws Exception {
            TrainConfig options = DeclaredOptions.config(spec);
            data = options.data();
            task = options.task();
            InputPaths.requireExisting("--data", data.path());
            return SparkSessions.run(options.master(), session -> {
                PrintWriter out = spec.commandLine().getOut();
                Configuration conf = session.sparkContext().hadoopConfiguration();
                DataConfig config = data.qualified(conf);
                DataConfig.Format format = config.resolve(conf, config.path());
                if (format == DataConfig.Format.IDX) {
                    for (String split : new String[] {IdxDataset.TRAIN, IdxDataset.TEST}) {
                        IdxDataset set = IdxDataset.open(conf, config.path(), split);
                        out.printf("%s: %,d images of %s (%s, %s)%n", split, set.count(),
                                Arrays.toString(Arrays.copyOfRange(set.images().dims(), 1, set.images().dims().length)),
                                set.images().file(), set.labels().file());
                    }
                    return 0;
                }
                List<String> columns = columns(session, format);
                boolean labelled = spec.commandLine().getParseResult().hasMatchedOption("--label")
                        || columns.contains(data.label());
                // Without a label, the last column stands in for it so that every row is still read and checked.
                String label = labelled ? data.label() : columns.get(columns.size() - 1);
                TableDataset table = TableDataset.open(session, config.path(), format.table(), label,
                        labelled ? data.features() : columns.subList(0, columns.size() - 1));
                describe(out, table, conf, label, labelled);
                return 0;
            });
        }

        /** The table's columns, from its schema (a CSV file's header line). */
        private List<String> columns(SparkSession session, DataConfig.Format format) {
            Dataset<Row> raw = format == DataConfig.Format.CSV
                    ? session.read().option("header", "true").csv(data.path()) : session.read().parquet(data.path());
            return List.of(raw.columns());
        }

        /**
         * @param label    the label column, or the last column standing in for it
         * @param labelled whether {@code label} is the data's label column
         * @throws InputException for the first cell train would refuse (see {@link TableDataset#profile})
         */
        private void describe(PrintWriter out, TableDataset table, Configuration conf, String label,
                              boolean labelled) throws IOException, InputException {
            Task task = labelled ? this.task : Task.CLASSIFICATION;
            Dataset<Row> rows = table.rows();
            out.printf("%s (%s): %d features per row %s%n", data.path(), table.featureColumns().size() == 1
                    && table.featureColumns().get(0).equals(TableDataset.FEATURES) ? "image-like" : "columns",
                    table.numFeatures(), table.shape().map(Arrays::toString).map(s -> "shape " + s)
                            .orElse(table.featureColumns().toString()));
            Map<String, Long> perFile = new HashMap<>();
            for (Row r : rows.groupBy(TableDataset.FILE).count().collectAsList()) {
                perFile.put(new Path(r.getString(0)).toString(), r.getLong(1));
            }
            long total = 0;
            String[] files = rows.inputFiles();
            Arrays.sort(files);
            int width = Arrays.stream(files).mapToInt(f -> new Path(f).getName().length()).max().orElse(5);
            out.printf("%-" + width + "s  %12s  %10s%n", "shard", "bytes", "rows");
            for (String file : files) {
                Path p = new Path(file);
                FileSystem fs = p.getFileSystem(conf);
                long count = perFile.getOrDefault(p.toString(), 0L);
                total += count;
                out.printf("%-" + width + "s  %12d  %10d%s%n", p.getName(), fs.getFileStatus(p).getLen(), count,
                        count == 0 ? "  (empty)" : "");
            }
            out.printf("rows: %,d in %d shard%s%n", total, files.length, files.length == 1 ? "" : "s");
            if (!labelled) {
                out.printf("no label column '%s' (choose one with --label); the last column stands in for it%n",
                        data.label());
            }
            // The encoding train would choose (TrainingData reads the table the same way), so that inspect accepts
            // exactly what train accepts: categorical columns, named classes, empty cells under --missing.
            TableEncoding encoding = table.profile(task.anyTableTarget(), data.missing());
            boolean named = encoding != null && !encoding.classes().isEmpty();
            // Numbers compared as numbers: a CSV column is read as text, where "10" sorts before "9".
            org.apache.spark.sql.Column value = named ? functions.col(label) : functions.col(label).cast("double");
            Row stats = rows.agg(functions.min(value), functions.max(value), functions.countDistinct(value)).first();
            String which = labelled ? "label" : "last column";
            if (named) {
                out.printf("%s '%s': %d classes, indexed in this order: %s%n", which, label, encoding.classes().size(),
                        String.join(", ", encoding.classes()));
            } else {
                out.printf("%s '%s': min %s, max %s, %d distinct%n", which, label, show(stats.get(0)),
                        show(stats.get(1)), stats.getLong(2));
            }
            if (stats.getLong(2) <= MAX_HISTOGRAM) {
                List<Row> counts = rows.groupBy(value.as(label)).count().orderBy(label).collectAsList();
                int labelWidth = counts.stream().mapToInt(r -> show(r.get(0)).length()).max().orElse(1);
                for (Row r : counts) {
                    out.printf("  %" + labelWidth + "s  %,10d%n", show(r.get(0)), r.getLong(1));
                }
            }
            if (encoding != null) {
                describeColumns(out, encoding);
            }
            // A column standing in for the label is checked as numbers (or names), not as class indices.
            long valid = table.validate(!labelled && !named ? TableDataset.Target.values() : task.anyTableTarget(),
                    encoding);
            out.printf("every row is valid: %,d rows of %d inputs each%s%n", valid,
                    encoding == null ? table.numFeatures() : encoding.width(),
                    encoding == null || encoding.emptyCells().isEmpty() ? "" : " (empty cells filled as above)");
        }

        /** A label value as written: a whole number without ".0". */
        private static String show(Object value) {
            return value instanceof Double d && d == Math.rint(d) && Math.abs(d) < 1e15
                    ? Long.toString(d.longValue()) : String.valueOf(value);
        }

        /** One line per feature column: its encoding as train would choose it, and its empty cells. */
        private static void describeColumns(PrintWriter out, TableEncoding encoding) {
            int nameWidth = Math.max(6, encoding.columns().stream().mapToInt(c -> c.name().length()).max().orElse(6));
            String row = "  %-" + nameWidth + "s  %-8s  %,7d  %s%n";
            out.printf("  %-" + nameWidth + "s  %-8s  %7s  %12s  %12s  %12s%n", "column", "encoding", "empty", "min",
                    "max", "mean");
            for (TableEncoding.Column c : encoding.columns()) {
                if (c instanceof TableEncoding.Numeric n) {
                    // The mean is the fill of empty cells, known under --missing mean only.
                    out.printf(java.util.Locale.ROOT, row, c.name(), "numeric", n.empty(), String.format(
                            java.util.Locale.ROOT, "%12.6g  %12.6g  %12s", n.min(), n.max(), Double.isNaN(n.fill())
                                    ? "-" : String.format(java.util.Locale.ROOT, "%.6g", n.fill())));
                } else if (c instanceof TableEncoding.Categorical k) {
                    out.printf(row, c.name(), "one-hot", k.empty(), k.levels().size() + " levels: " + String.join(
                            ", ", k.levels().stream().limit(5).toList()) + (k.levels().size() > 5 ? ", ..." : ""));
                }
            }
            encoding.emptyCells().forEach(line -> out.println("  " + line));
        }
    }
}
