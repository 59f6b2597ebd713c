package dev.sparknn.cli;

import dev.sparknn.data.IdxDataset;
import dev.sparknn.data.InputPaths;
import dev.sparknn.ops.BatchNormalization;
import dev.sparknn.ops.Dropout;
import dev.sparknn.ops.GradientCheck;
import dev.sparknn.ops.Network;
import dev.sparknn.ops.RowBlock;
import dev.sparknn.train.DataConfig;
import dev.sparknn.train.SparkSessions;
import dev.sparknn.train.TrainConfig;
import dev.sparknn.train.TrainOptions;
import dev.sparknn.train.round.RoundEngine;
import java.io.PrintWriter;
import java.util.Arrays;
import java.util.concurrent.Callable;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code gradcheck}: the configured network's analytic gradient on real rows, checked two ways: against central
 * differences in this JVM, and the distributed, tree-aggregated gradient against the single-process one.
 */
@Command(name = "gradcheck", mixinStandardHelpOptions = true, sortOptions = false, usageHelpAutoWidth = true,
        modelTransformer = DeclaredOptions.Gradcheck.class,
        versionProvider = TrainCommand.Version.class,
        description = {"Checks back-propagation on real data: (1) analytic vs numerical gradient (central "
                + "differences, relative error with an absolute floor) of the loss summed over the first --rows "
                + "training rows, at freshly initialised weights; (2) the gradient Spark aggregates over "
                + "--partitions partitions vs the single-process one.",
                "Exit code 0 when both pass, " + Main.EXIT_GRADIENT + " when one does not."})
public final class GradcheckCommand implements Callable<Integer> {

    /** float32 noise bound for central differences; see worker-ops' gradient tests for the derivation. */
    static final double NUMERIC_TOLERANCE = 1e-2;
    /**
     * Partition sums differ from one sum only in float association order: up to ~1e-4 of a component near the
     * 1e-3 floor (measured); a lost, doubled or wrongly weighted partition is off by 1/partitions or more.
     */
    static final double DISTRIBUTED_TOLERANCE = 1e-3;

    @Spec
    CommandSpec spec;

    @Option(names = "--data", paramLabel = "DIR", defaultValue = "data/mnist", description = "IDX folder; its "
            + "training split is used. Default: ${DEFAULT-VALUE}")
    String data;

    @Option(names = "--seed", paramLabel = "N", defaultValue = "42", description = "Initialisation seed. "
            + "Default: ${DEFAULT-VALUE}")
    long seed;

    @Option(names = "--rows", paramLabel = "N", defaultValue = "32", description = "Training rows in the loss. "
            + "Default: ${DEFAULT-VALUE}")
    int rows;

    @Option(names = "--probes", paramLabel = "N", defaultValue = "500", description = "Parameters to probe "
            + "numerically, shared out evenly over each layer's weights and biases. Default: ${DEFAULT-VALUE}")
    int probes;

    /** The training options this command declares, over their defaults. */
    private TrainConfig options;

    @Override
    public Integer call() throws Exception {
        options = DeclaredOptions.config(spec);
        TrainConfig.require(rows >= 1, "--rows must be at least 1, got " + rows);
        TrainConfig.require(probes >= 1, "--probes must be at least 1, got " + probes);
        TrainConfig.require(options.partitions() >= 1 && options.partitions() <= rows, "--partitions must be in [1, --rows], "
                + "got " + options.partitions());
        InputPaths.requireExisting("--data", data);
        Network net = options.network();
        float[] params = net.initParams(options.init(), seed);
        PrintWriter out = spec.commandLine().getOut();
        return SparkSessions.run(options.master(), session -> {
            JavaSparkContext sc = JavaSparkContext.fromSparkContext(session.sparkContext());
            IdxDataset set = IdxDataset.open(sc.hadoopConfiguration(),
                    DataConfig.qualify(sc.hadoopConfiguration(), data), IdxDataset.TRAIN);
            TrainConfig.require(set.numFeatures() == net.numInputs(), "--layers starts with " + net.numInputs() + " inputs but "
                    + set.images().file() + " has " + set.numFeatures() + " values per image");
            TrainConfig.require(rows <= set.count(), "--rows " + rows + " exceeds the " + set.count() + " rows of "
                    + set.images().file());
            RowBlock block = set.readBlock(sc.hadoopConfiguration(), 0, rows, net.numOutputs());

            // Probes shared out per weight and bias block, so that biases and later layers are checked too.
            GradientCheck.Result numeric = GradientCheck.checkNetworkPerBlock(net, params.clone(), block, 1e-2, 1e-2,
                    Math.max(1, probes / net.trainedRanges().length));
            boolean numericOk = numeric.probes() > 0 && numeric.maxRelativeError() < NUMERIC_TOLERANCE;
            out.printf("numerical check over %d rows: %s; bound %.0e%s%n", rows, numeric, NUMERIC_TOLERANCE,
                    numericOk ? "" : "  FAILED");

            if (net.layers().stream().anyMatch(l -> l instanceof BatchNormalization || l instanceof Dropout)) {
                // Each partition normalises by its own rows' statistics and draws its own masks: its gradient is
                // another function's, so there is no single-process gradient to compare with.
                out.printf("distributed check skipped: batch normalization and dropout see each partition's rows "
                        + "alone%n");
                return numericOk ? 0 : Main.EXIT_GRADIENT;
            }
            double difference = distributedDifference(sc, net, params, block);
            boolean distributedOk = difference < DISTRIBUTED_TOLERANCE;
            out.printf("distributed check over %d partitions: max relative difference %.3g from the single-process "
                    + "gradient%s%n", options.partitions(), difference, distributedOk ? "" : "  FAILED");
            return numericOk && distributedOk ? 0 : Main.EXIT_GRADIENT;
        });
    }

    /** Max of |distributed − local| / max(|local|, 1e-3) over the summed gradient and loss. */
    private double distributedDifference(JavaSparkContext sc, Network net, float[] params, RowBlock block) {
        int[] order = new int[block.rows()];
        Arrays.setAll(order, i -> i);
        float[] local = new float[net.numParams()];
        double localLoss = net.accumulateGradient(params, block, order, 0, block.rows(), net.newWorkspace(
                Math.min(block.rows(), RoundEngine.MAX_CHUNK_ROWS)), local);
        JavaRDD<RowBlock> rdd = sc.parallelize(block.split(options.partitions()), options.partitions());
        // One full-batch step: every row of every partition, in a fixed order; the optimizer is not used.
        TrainConfig oneStep = TrainConfig.builder().set(TrainOptions.OPTIMIZER, "sgd").set(TrainOptions.LR, 1.0)
                .set(TrainOptions.MOMENTUM, 0.0).set(TrainOptions.SCHEDULE, "constant")
                .set(TrainOptions.LOCAL_STEPS, 1).build();
        double[] payload = new RoundEngine(sc, net, oneStep.optimizer(), oneStep.schedule().build(1, 1, 1), seed,
                TrainConfig.OnDivergence.STOP, 1, oneStep.rounds()).gradientStep(rdd, params, 1, 0, 1).payload();
        double worst = Math.abs(payload[net.numParams()] - localLoss) / Math.max(Math.abs(localLoss), 1e-3);
        for (int i = 0; i < local.length; i++) {
            worst = Math.max(worst, Math.abs(payload[i] - local[i]) / Math.max(Math.abs(local[i]), 1e-3));
        }
        return worst;
    }
}
