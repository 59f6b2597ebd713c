package dev.sparknn.cli;

import dev.sparknn.data.BlockLoader;
import dev.sparknn.data.IdxDataset;
import dev.sparknn.data.InputException;
import dev.sparknn.data.InputPaths;
import dev.sparknn.data.InputRanges;
import dev.sparknn.data.TableDataset;
import dev.sparknn.data.TableEncoding;
import dev.sparknn.ops.Network;
import dev.sparknn.ops.RowBlock;
import dev.sparknn.report.Report;
import dev.sparknn.store.ModelFile;
import dev.sparknn.train.DataConfig;
import dev.sparknn.train.SparkSessions;
import dev.sparknn.train.Task;
import dev.sparknn.train.TrainConfig;
import dev.sparknn.train.round.RoundEngine;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code evaluate}: a trained model on labelled data (an IDX split, CSV or Parquet), distributed: accuracy, loss,
 * per-class metrics and confusion matrix, or RMSE for a regression model.
 */
@Command(name = "evaluate", mixinStandardHelpOptions = true, sortOptions = false, usageHelpAutoWidth = true,
        modelTransformer = DeclaredOptions.Evaluate.class,
        versionProvider = TrainCommand.Version.class,
        description = "Evaluates a model file on labelled data with Spark (an IDX split, or a CSV or Parquet table): "
                + "accuracy, mean loss, per-class precision, recall and F1, and the confusion matrix (rows true, "
                + "columns predicted); for a regression model, RMSE and mean loss.")
public final class EvaluateCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--model", required = true, paramLabel = "FILE", description = "A model.bin written by train.")
    Path model;

    /** --data, --format, --label and --features, as declared in TrainOptions. */
    private DataConfig data;

    @Option(names = "--split", paramLabel = "NAME", defaultValue = IdxDataset.TEST, description = "IDX data: t10k (the "
            + "test files; test works too) or train. Default: ${DEFAULT-VALUE}")
    String split;

    /** Whether --label was given; otherwise a table is read with the model's label column, if it keeps one. */
    private boolean labelGiven;

    /** The training options this command declares, over their defaults. */
    private TrainConfig options;

    @Override
    public Integer call() throws Exception {
        options = DeclaredOptions.config(spec);
        labelGiven = spec.commandLine().getParseResult().hasMatchedOption("--label");
        data = options.data();
        String idxSplit = IdxDataset.TEST.equals(split) || "test".equals(split) ? IdxDataset.TEST
                : IdxDataset.TRAIN.equals(split) ? IdxDataset.TRAIN : null;
        TrainConfig.require(idxSplit != null, "--split must be " + IdxDataset.TEST + " (or test) or "
                + IdxDataset.TRAIN + ", got '" + split + "'");
        InputPaths.requireFile("--model", model.toString(), Main.MODEL_FILE);
        InputPaths.requireExisting("--data", data.path());
        ModelFile.Model m = ModelFile.read(model);
        Network net = m.network();
        return SparkSessions.run(options.master(), session -> {
            JavaSparkContext sc = JavaSparkContext.fromSparkContext(session.sparkContext());
            JavaRDD<RowBlock> blocks = load(session, m, idxSplit);
            try {
                InputRanges ranges = m.ranges();
                if (ranges != null) {
                    ranges.warning(blocks.map(b -> ranges.scan(b.features(), b.rows(), b.numFeatures()))
                                    .reduce(InputRanges.Seen::plus), data.path())
                            .ifPresent(w -> spec.commandLine().getErr().println("warning: " + w));
                }
                Network.Evaluation e = RoundEngine.evaluate(sc, net, blocks, m.params());
                if (m.task() == Task.REGRESSION) {
                    spec.commandLine().getOut().printf("%s on %,d rows of %s%nrmse %.6g  mean loss %.6g%n", model,
                            e.count(), data.path(), e.rmse(), e.meanLoss());
                } else {
                    Report.absentClassesWarning(e, data.path(), m.classNames()).ifPresent(w -> spec.commandLine().getErr()
                            .println("warning: " + w));
                    print(spec.commandLine().getOut(), e, m.classNames());
                }
            } finally {
                blocks.unpersist(false);
            }
            return 0;
        });
    }

    /** The rows to evaluate, validated against the model, one persisted block per partition. */
    private JavaRDD<RowBlock> load(SparkSession session, ModelFile.Model m, String idxSplit) throws IOException {
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(session.sparkContext());
        Network net = m.network();
        DataConfig config = data.qualified(sc.hadoopConfiguration());
        String location = config.path();
        DataConfig.Format format = config.resolve(sc.hadoopConfiguration(), location);
        StorageLevel storage = SparkSessions.storageLevel(sc.getConf());
        if (format != DataConfig.Format.IDX) {
            // The model's inputs by the names it was trained on, whatever the columns' order in this table; its
            // label column unless --label says otherwise.
            java.util.List<String> features = data.features().isEmpty() ? m.columns() : data.features();
            TableEncoding encoding = m.encoding();
            TrainConfig.require(encoding == null || features.equals(m.columns()), "--features " + String.join(",",
                    features) + " disagrees with the columns stored in " + model + ", " + String.join(",",
                    m.columns()) + " (in that order); leave --features out to read those");
            String label = labelGiven || encoding == null || encoding.label().isEmpty() ? data.label()
                    : encoding.label();
            TableDataset table = TableDataset.open(session, location, format.table(), label, features);
            int width = encoding == null ? table.numFeatures() : encoding.width();
            if (width != net.numInputs()) {
                throw new InputException(String.format("%s has %d features per row (%s), the model %s takes %d",
                        data.path(), table.numFeatures(), table.featureColumns(), model, net.numInputs()));
            }
            TableDataset.Target target = m.task() == Task.REGRESSION ? TableDataset.Target.values()
                    : TableDataset.Target.classes(net.numOutputs());
            if (encoding != null) {
                unseenLevels(table, encoding).ifPresent(w -> spec.commandLine().getErr().println("warning: " + w));
            }
            return table.load(options.partitions(), target, encoding, 0, 0, storage).get(0).rdd();
        }
        if (m.task() == Task.REGRESSION) {
            throw new InputException(data.path() + " is an IDX folder of class labels; the regression model " + model
                    + " needs a table with its --label column");
        }
        IdxDataset set = IdxDataset.open(sc.hadoopConfiguration(), location, idxSplit);
        if (set.numFeatures() != net.numInputs()) {
            throw new InputException(String.format("%s has %d values per image, the model %s takes %d",
                    set.images().file(), set.numFeatures(), model, net.numInputs()));
        }
        set.checkLabels(sc.hadoopConfiguration(), net.numOutputs());
        return BlockLoader.load(sc, set, options.partitions(), net.numOutputs(), storage);
    }

    /**
     * One warning counting, per categorical column, the rows whose level the model never saw (encoded as no level,
     * all zeros), or empty when there are none; one Spark job over the table.
     */
    private java.util.Optional<String> unseenLevels(TableDataset table, TableEncoding encoding) {
        java.util.List<TableEncoding.Categorical> categorical = encoding.columns().stream()
                .filter(c -> c instanceof TableEncoding.Categorical).map(c -> (TableEncoding.Categorical) c).toList();
        if (categorical.isEmpty()) {
            return java.util.Optional.empty();
        }
        org.apache.spark.sql.Column[] counts = categorical.stream().map(c -> {
            org.apache.spark.sql.Column cell = org.apache.spark.sql.functions.trim(
                    org.apache.spark.sql.functions.col("`" + c.name() + "`").cast("string"));
            return org.apache.spark.sql.functions.count(org.apache.spark.sql.functions.when(cell.isNotNull()
                    .and(cell.isin(c.levels().toArray()).unary_$bang()), 1));
        }).toArray(org.apache.spark.sql.Column[]::new);
        org.apache.spark.sql.Row row = table.rows().agg(counts[0], java.util.Arrays.copyOfRange(counts, 1,
                counts.length)).first();
        java.util.List<String> parts = new java.util.ArrayList<>();
        for (int i = 0; i < categorical.size(); i++) {
            if (row.getLong(i) > 0) {
                parts.add(String.format("'%s' in %,d rows (the model knows %s)", categorical.get(i).name(),
                        row.getLong(i), categorical.get(i).levels()));
            }
        }
        return parts.isEmpty() ? java.util.Optional.empty() : java.util.Optional.of(data.path() + ": levels unseen "
                + "in training, encoded as no level (all zeros): " + String.join("; ", parts));
    }

    private void print(PrintWriter out, Network.Evaluation e, java.util.List<String> names) {
        int k = e.classes();
        out.printf("%s on %,d rows of %s%n", model, e.count(), data.path());
        out.printf("accuracy %.2f%%  (%,d correct)  mean loss %.4f%n", 100.0 * e.correct() / e.count(), e.correct(),
                e.lossSum() / e.count());
        int w = Math.max(5, names.stream().mapToInt(String::length).max().orElse(0));
        out.printf("%" + w + "s  %8s  %9s  %6s  %6s%n", "class", "rows", "precision", "recall", "F1");
        boolean undefined = false;
        for (int c = 0; c < k; c++) {
            undefined |= Double.isNaN(e.precision(c)) || Double.isNaN(e.recall(c));
            long rows = 0;
            for (int p = 0; p < k; p++) {
                rows += e.confusion()[c * k + p];
            }
            out.printf("%" + w + "s  %8d  %9s  %6s  %6s%n", Report.className(names, c), rows,
                    Report.ratio(e.precision(c)), Report.ratio(e.recall(c)), Report.ratio(e.f1(c)));
        }
        if (undefined) {
            out.println(Report.UNDEFINED + ": undefined (0/0), for a class never predicted (precision) or without "
                    + "rows (recall)");
        }
        out.println("confusion matrix (rows true, columns predicted):");
        int cell = Math.max(6, w + 1);
        StringBuilder head = new StringBuilder(" ".repeat(w));
        for (int p = 0; p < k; p++) {
            head.append(String.format("%" + cell + "s", Report.className(names, p)));
        }
        out.println(head);
        for (int t = 0; t < k; t++) {
            StringBuilder row = new StringBuilder(String.format("%" + w + "s", Report.className(names, t)));
            for (int p = 0; p < k; p++) {
                row.append(String.format("%" + cell + "d", e.confusion()[t * k + p]));
            }
            out.println(row);
        }
    }
}
