package dev.sparknn.driver;

import dev.sparknn.data.BlockLoader;
import dev.sparknn.data.IdxDataset;
import dev.sparknn.data.InputException;
import dev.sparknn.ops.Network;
import dev.sparknn.ops.RowBlock;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code evaluate}: a trained model on an IDX split, distributed: accuracy, loss, per-class metrics, confusion. */
@Command(name = "evaluate", mixinStandardHelpOptions = true, sortOptions = false, usageHelpAutoWidth = true,
        defaultValueProvider = TrainDefaults.class, versionProvider = TrainCommand.Version.class,
        description = "Evaluates a model file on a labelled IDX split with Spark: accuracy, mean loss, per-class "
                + "precision, recall and F1, and the confusion matrix (rows true, columns predicted).")
public final class EvaluateCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--model", required = true, paramLabel = "FILE", description = "A model.bin written by train.")
    Path model;

    @Option(names = "--data", paramLabel = "DIR", description = "Folder of MNIST-named IDX files (raw or .gz). "
            + "Default: ${DEFAULT-VALUE}")
    String data;

    @Option(names = "--split", paramLabel = "NAME", defaultValue = IdxDataset.TEST, description = "t10k (the test "
            + "files) or train. Default: ${DEFAULT-VALUE}")
    String split;

    @Mixin
    SparkOptions spark;

    @Override
    public Integer call() throws Exception {
        TrainConfig.require(spark.partitions >= 1, "--partitions must be at least 1, got " + spark.partitions);
        ModelFile.Model m = ModelFile.read(model);
        Network net = m.network();
        boolean ownSession = SparkSession.getDefaultSession().isEmpty();
        SparkSession session = SparkSessions.create(spark.master, "--master");
        try {
            JavaSparkContext sc = JavaSparkContext.fromSparkContext(session.sparkContext());
            IdxDataset set = IdxDataset.open(sc.hadoopConfiguration(), data, split);
            if (set.numFeatures() != net.sizes()[0]) {
                throw new InputException(String.format("%s has %d values per image, the model %s takes %d",
                        set.images().file(), set.numFeatures(), model, net.sizes()[0]));
            }
            set.checkLabels(sc.hadoopConfiguration(), net.numOutputs());
            JavaRDD<RowBlock> blocks = BlockLoader.load(sc, set, spark.partitions, net.numOutputs(),
                    SparkSessions.storageLevel(sc.getConf()));
            try {
                print(spec.commandLine().getOut(), set, Trainer.evaluate(sc, net, blocks, m.params()));
            } finally {
                blocks.unpersist(false);
            }
        } finally {
            if (ownSession) {
                session.stop();
            }
        }
        return 0;
    }

    private void print(PrintWriter out, IdxDataset set, Network.Evaluation e) {
        int k = e.classes();
        out.printf("%s on %,d images of %s (%s)%n", model, e.count(), data, split);
        out.printf("accuracy %.2f%%  (%,d correct)  mean loss %.4f%n", 100.0 * e.correct() / e.count(), e.correct(),
                e.lossSum() / e.count());
        out.println("class      rows  precision  recall      F1");
        for (int c = 0; c < k; c++) {
            long rows = 0;
            for (int p = 0; p < k; p++) {
                rows += e.confusion()[c * k + p];
            }
            out.printf("%5d  %8d  %9.4f  %6.4f  %6.4f%n", c, rows, e.precision(c), e.recall(c), e.f1(c));
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
