package dev.sparknn.cli;

import dev.sparknn.data.BlockLoader;
import dev.sparknn.data.IdxDataset;
import dev.sparknn.data.InputException;
import dev.sparknn.data.InputPaths;
import dev.sparknn.data.TableDataset;
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

    /** The training options this command declares, over their defaults. */
    private TrainConfig options;

    @Override
    public Integer call() throws Exception {
        options = DeclaredOptions.config(spec);
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
                Network.Evaluation e = RoundEngine.evaluate(sc, net, blocks, m.params());
                if (m.task() == Task.REGRESSION) {
                    spec.commandLine().getOut().printf("%s on %,d rows of %s%nrmse %.6g  mean loss %.6g%n", model,
                            e.count(), data.path(), e.rmse(), e.meanLoss());
                } else {
                    Report.absentClassesWarning(e, data.path()).ifPresent(w -> spec.commandLine().getErr()
                            .println("warning: " + w));
                    print(spec.commandLine().getOut(), e);
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
            // The model's inputs by the names it was trained on, whatever the columns' order in this table.
            java.util.List<String> features = data.features().isEmpty() ? m.features() : data.features();
            TableDataset table = TableDataset.open(session, location, format.table(), data.label(), features);
            if (table.numFeatures() != net.numInputs()) {
                throw new InputException(String.format("%s has %d features per row (%s), the model %s takes %d",
                        data.path(), table.numFeatures(), table.featureColumns(), model, net.numInputs()));
            }
            TableDataset.Target target = m.task() == Task.REGRESSION ? TableDataset.Target.values()
                    : TableDataset.Target.classes(net.numOutputs());
            return table.load(options.partitions(), target, 0, 0, storage).get(0).rdd();
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

    private void print(PrintWriter out, Network.Evaluation e) {
        int k = e.classes();
        out.printf("%s on %,d rows of %s%n", model, e.count(), data.path());
        out.printf("accuracy %.2f%%  (%,d correct)  mean loss %.4f%n", 100.0 * e.correct() / e.count(), e.correct(),
                e.lossSum() / e.count());
        out.println("class      rows  precision  recall      F1");
        boolean undefined = false;
        for (int c = 0; c < k; c++) {
            undefined |= Double.isNaN(e.precision(c)) || Double.isNaN(e.recall(c));
            long rows = 0;
            for (int p = 0; p < k; p++) {
                rows += e.confusion()[c * k + p];
            }
            out.printf("%5d  %8d  %9s  %6s  %6s%n", c, rows, Report.ratio(e.precision(c)), Report.ratio(e.recall(c)),
                    Report.ratio(e.f1(c)));
        }
        if (undefined) {
            out.println(Report.UNDEFINED + ": undefined (0/0), for a class never predicted (precision) or without "
                    + "rows (recall)");
        }
        out.println("confusion matrix (rows true, columns predicted):");
        StringBuilder head = new StringBuilder("     ");
        for (int p = 0; p < k; p++) {
            head.append(String.format("%6d", p));
        }
        out.println(head);
        for (int t = 0; t < k; t++) {
            StringBuilder row = new StringBuilder(String.format("%5d", t));
            for (int p = 0; p < k; p++) {
                row.append(String.format("%6d", e.confusion()[t * k + p]));
            }
            out.println(row);
        }
    }
}
