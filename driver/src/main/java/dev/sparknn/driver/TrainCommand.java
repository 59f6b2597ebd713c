package dev.sparknn.driver;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sparknn.data.BlockLoader;
import dev.sparknn.data.IdxDataset;
import dev.sparknn.ops.Activation;
import dev.sparknn.ops.Blas;
import dev.sparknn.ops.Loss;
import dev.sparknn.ops.Network;
import dev.sparknn.ops.RowBlock;
import dev.sparknn.ops.WeightInit;
import java.io.BufferedWriter;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.Callable;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code train}: trains a network on an IDX dataset with Spark and writes metrics and the model. */
@Command(name = "train", mixinStandardHelpOptions = true, sortOptions = false, usageHelpAutoWidth = true,
        defaultValueProvider = TrainDefaults.class,
        description = {"Trains a feed-forward network on Spark, data-parallel: each step broadcasts the weights, every "
                + "partition computes the gradient of its share of the global batch, and the tree-aggregated mean "
                + "gradient updates the weights on the driver.",
                "Defaults come from conf/train.properties. Writes metrics.jsonl, model.bin and config.json to --out."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:training finished and the output folder is complete",
                "1:unexpected internal error (a bug: please report the stack trace)",
                "2:invalid option or configuration",
                "3:invalid or missing input data",
                "4:training diverged (loss or gradient not finite)"})
public final class TrainCommand implements Callable<Integer> {

    private static final Logger LOG = LoggerFactory.getLogger(TrainCommand.class);

    @Spec
    CommandSpec spec;

    @Option(names = "--data", paramLabel = "DIR", description = "Folder (local path or Hadoop URI) of IDX files "
            + "named like MNIST's, raw or .gz: train-images-idx3-ubyte, train-labels-idx1-ubyte for training, "
            + "t10k-images-idx3-ubyte, t10k-labels-idx1-ubyte for evaluation. Default: ${DEFAULT-VALUE}")
    String data;

    @Option(names = "--layers", paramLabel = "N,N,...", description = "Layer widths, input first and number of "
            + "classes last; the input must match the images' pixel count. Default: ${DEFAULT-VALUE}")
    String layers;

    @Option(names = "--activation", paramLabel = "NAME", description = "Hidden-layer activation: relu, sigmoid, "
            + "tanh or identity. Default: ${DEFAULT-VALUE}")
    String activation;

    @Option(names = "--loss", paramLabel = "NAME", description = "Output head: softmax-ce (softmax with "
            + "cross-entropy) or mse (squared error against one-hot labels). Default: ${DEFAULT-VALUE}")
    String loss;

    @Option(names = "--init", paramLabel = "SCHEME", description = "Weight initialisation: auto (He for relu, Xavier "
            + "otherwise), he, xavier, or a fixed standard deviation such as 0.01. Default: ${DEFAULT-VALUE}")
    String init;

    @Option(names = "--epochs", paramLabel = "N", description = "Passes over the training data. Default: ${DEFAULT-VALUE}")
    int epochs;

    @Option(names = "--batch-size", paramLabel = "N", description = "Global batch: samples per optimizer step, "
            + "summed over all partitions. Default: ${DEFAULT-VALUE}")
    int batchSize;

    @Option(names = "--lr", paramLabel = "RATE", description = "Learning rate. Default: ${DEFAULT-VALUE}")
    double lr;

    @Option(names = "--momentum", paramLabel = "MU", description = "Momentum in [0, 1); 0 is plain SGD. "
            + "Default: ${DEFAULT-VALUE}")
    double momentum;

    @Option(names = "--partitions", paramLabel = "N", description = "Partitions the data is spread over; one task "
            + "per partition per step. Use the total number of executor cores. Default: ${DEFAULT-VALUE}")
    int partitions;

    @Option(names = "--master", paramLabel = "URL", description = "Spark master, e.g. local[2], local[*], "
            + "spark://host:7077. Under spark-submit its --master wins unless this is given. Default: ${DEFAULT-VALUE}")
    String master;

    @Option(names = "--seed", paramLabel = "N", description = "Seed for weight initialisation and data order. "
            + "Default: ${DEFAULT-VALUE}")
    long seed;

    @Option(names = "--out", paramLabel = "DIR", description = "Output folder; {time} becomes the start time "
            + "(yyyyMMdd-HHmmss). Written under a temporary name and renamed when the run succeeds. "
            + "Default: ${DEFAULT-VALUE}")
    String out;

    @Option(names = "--overwrite", paramLabel = "BOOL", arity = "0..1", description = "Replace --out if it exists "
            + "(only once the new run has finished). Default: ${DEFAULT-VALUE}")
    boolean overwrite;

    /** The validated configuration of the parsed options. */
    TrainConfig config() {
        return new TrainConfig(data, parseLayers(layers), parse("--activation", () -> Activation.parse(activation)),
                parse("--loss", () -> Loss.parse(loss)), parse("--init", () -> WeightInit.parse(init)), epochs,
                batchSize, lr, momentum, partitions, master, seed, out, overwrite);
    }

    @Override
    public Integer call() throws Exception {
        long processStart = ManagementFactory.getRuntimeMXBean().getStartTime();
        TrainDefaults.checkKeys(spec);
        TrainConfig cfg = config();
        String stamp = java.time.LocalDateTime.now().format(java.time.format.DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
        RunOutput output = RunOutput.create(Path.of(cfg.out().replace("{time}", stamp)), cfg.overwrite());
        // spark-submit sets spark.master; our default applies only when neither it nor --master is given.
        boolean masterGiven = spec.commandLine().getParseResult().hasMatchedOption("--master");
        String sparkMaster = masterGiven || System.getProperty("spark.master") == null ? cfg.master() : null;
        // Inside an application (or a test JVM) that already has a session, train on it and leave it running.
        boolean ownSession = SparkSession.getDefaultSession().isEmpty();
        SparkSession spark = SparkSessions.create(sparkMaster);
        try {
            train(spark, cfg, output, processStart);
            output.commit();
        } catch (Exception | Error e) {
            output.abandon();
            throw e;
        } finally {
            if (ownSession) {
                spark.stop();
            }
        }
        spec.commandLine().getOut().println("wrote " + output.target() + ": metrics.jsonl, model.bin, config.json");
        return 0;
    }

    private void train(SparkSession spark, TrainConfig cfg, RunOutput output, long processStart) throws Exception {
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        Configuration hadoop = sc.hadoopConfiguration();
        IdxDataset trainSet = IdxDataset.open(hadoop, cfg.data(), IdxDataset.TRAIN);
        IdxDataset testSet = IdxDataset.open(hadoop, cfg.data(), IdxDataset.TEST);
        int[] sizes = cfg.layers();
        if (sizes[0] != trainSet.numFeatures() || sizes[0] != testSet.numFeatures()) {
            throw new TrainConfig.ConfigException(String.format("--layers starts with %d inputs but %s has %d values "
                    + "per image and %s has %d", sizes[0], trainSet.images().file(), trainSet.numFeatures(),
                    testSet.images().file(), testSet.numFeatures()));
        }
        Network net = new Network(sizes, cfg.activation(), cfg.loss());
        LOG.info("BLAS: {}; Spark {} master {}", Blas.implementation(), spark.version(), sc.master());

        StorageLevel storage = SparkSessions.storageLevel(sc.getConf());
        JavaRDD<RowBlock> train = BlockLoader.load(sc, trainSet, cfg.partitions(), cfg.numClasses(), storage);
        JavaRDD<RowBlock> test = BlockLoader.load(sc, testSet, cfg.partitions(), cfg.numClasses(), storage);
        sc.setJobDescription("load data");
        train.count();
        test.count();

        float[] params = net.initParams(cfg.init(), cfg.seed());
        Trainer trainer = new Trainer(sc, net, Optimizer.create(cfg.lr(), cfg.momentum(), net.numParams()), cfg.seed());
        writeConfig(output.file("config.json"), cfg, net, sc.master());
        int steps = Trainer.stepsPerEpoch(trainSet.count(), cfg.batchSize());
        PrintWriter console = spec.commandLine().getOut();
        console.printf("training %s %s (%,d parameters) on %,d images in %d partitions: %d steps of ~%d per epoch%n",
                joined(sizes), cfg.activation().name().toLowerCase(java.util.Locale.ROOT), net.numParams(),
                trainSet.count(), cfg.partitions(), steps, cfg.batchSize());

        long firstStep = System.currentTimeMillis();
        double startup = (firstStep - processStart) / 1000.0;
        try (BufferedWriter metrics = Files.newBufferedWriter(output.file("metrics.jsonl"))) {
            for (int epoch = 1; epoch <= cfg.epochs(); epoch++) {
                long t0 = System.nanoTime();
                Trainer.EpochResult result = trainer.trainEpoch(train, trainSet.count(), cfg.batchSize(), epoch, params);
                double epochSeconds = (System.nanoTime() - t0) / 1e9;
                Network.Evaluation eval = trainer.evaluate(test, params);
                EpochMetrics m = new EpochMetrics(epoch, cfg.epochs(), result.steps(), result.trainLoss(),
                        eval.lossSum() / eval.count(), (double) eval.correct() / eval.count(),
                        result.samples() / epochSeconds, epochSeconds,
                        (System.currentTimeMillis() - firstStep) / 1000.0, startup);
                console.println(m.progressLine());
                metrics.write(m.toJson());
                metrics.newLine();
                metrics.flush();
            }
        }
        ModelFile.write(output.file("model.bin"), net, params);
        train.unpersist(false);
        test.unpersist(false);
    }

    private static void writeConfig(Path file, TrainConfig cfg, Network net, String master) throws java.io.IOException {
        ObjectNode o = new ObjectMapper().createObjectNode();
        o.put("data", cfg.data());
        o.put("layers", joined(cfg.layers()));
        o.put("activation", cfg.activation().name().toLowerCase(java.util.Locale.ROOT));
        o.put("loss", cfg.loss().id());
        o.put("init", cfg.init().toString());
        o.put("epochs", cfg.epochs());
        o.put("batch_size", cfg.batchSize());
        o.put("lr", cfg.lr());
        o.put("momentum", cfg.momentum());
        o.put("partitions", cfg.partitions());
        o.put("master", master);
        o.put("seed", cfg.seed());
        o.put("num_params", net.numParams());
        o.put("blas", Blas.implementation());
        Files.writeString(file, o.toPrettyString() + System.lineSeparator());
    }

    private static String joined(int[] sizes) {
        return String.join(",", Arrays.stream(sizes).mapToObj(Integer::toString).toArray(String[]::new));
    }

    private static int[] parseLayers(String text) {
        try {
            return Arrays.stream(text.split(",")).map(String::trim).mapToInt(Integer::parseInt).toArray();
        } catch (NumberFormatException e) {
            throw new TrainConfig.ConfigException("--layers must be comma-separated integers such as 784,100,10, got '"
                    + text + "'");
        }
    }

    private static <T> T parse(String option, java.util.function.Supplier<T> parser) {
        try {
            return parser.get();
        } catch (IllegalArgumentException e) {
            throw new TrainConfig.ConfigException(option + ": " + e.getMessage());
        }
    }
}
