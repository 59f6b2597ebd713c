package dev.sparknn.cli;

import dev.sparknn.run.TrainingRun;
import dev.sparknn.store.Checkpoint;
import dev.sparknn.store.RunOutput;
import dev.sparknn.train.DataConfig;
import dev.sparknn.train.Optimizer;
import dev.sparknn.train.Schedule;
import dev.sparknn.train.SparkSessions;
import dev.sparknn.train.Task;
import dev.sparknn.train.TrainConfig;
import dev.sparknn.train.TrainingData;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code train}: trains a network on IDX, CSV or Parquet data with Spark and writes metrics and the model. */
@Command(name = "train", mixinStandardHelpOptions = true, sortOptions = false, usageHelpAutoWidth = true,
        defaultValueProvider = TrainDefaults.class, versionProvider = TrainCommand.Version.class,
        description = {"Trains a feed-forward network on Spark, data-parallel, in rounds: each round (one Spark job) "
                + "broadcasts the weights, every partition runs --local-steps optimizer steps on its share of each "
                + "global batch, and the driver averages the partitions' weights in a fixed order (with "
                + "--local-steps 1: the mean gradient updates the weights on the driver).",
                "Defaults come from conf/train.conf, then from the --config file. Writes report.html (with loss, accuracy and confusion-matrix "
                        + "plots), metrics.jsonl, model.bin and config.json to --out.",
                "Other commands: evaluate (a model on a labelled split), predict (labels and probabilities as CSV), "
                        + "export (a model as ONNX), gradcheck (back-propagation on real data, local and distributed); see 'evaluate --help' etc."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:training finished and the output folder is complete",
                "1:unexpected internal error (a bug: please report the stack trace)",
                "2:invalid option or configuration",
                "3:invalid or missing input data",
                "4:training diverged (loss or gradient not finite); checkpoints are kept",
                "5:interrupted (SIGINT/SIGTERM) after writing a checkpoint; continue with --resume"})
public final class TrainCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--config", paramLabel = "FILE", description = "A HOCON file of option values (keys as in "
            + "conf/train.conf), layered over the defaults; command-line options override it. Each run saves its "
            + "effective options as config.conf, which this option reads back.")
    String configFile;

    @Mixin
    DataOptions dataOptions;

    @Option(names = "--task", paramLabel = "NAME", description = "classification (the label is a class index; the "
            + "last --layers size is the class count) or regression (the label is a real value; one output, mse). "
            + "Default: ${DEFAULT-VALUE}")
    String task;

    @Option(names = "--test-data", paramLabel = "PATH", description = "Test rows, in --data's format. Empty: the "
            + "t10k-* files of an IDX --data folder, or the --test-fraction share of a table. "
            + "Default: '${DEFAULT-VALUE}'")
    String testData;

    @Option(names = "--test-fraction", paramLabel = "F", description = "Tables without --test-data: the share of "
            + "rows held out for testing, chosen by a seeded hash of each row's position. Default: ${DEFAULT-VALUE}")
    double testFraction;

    @Option(names = "--standardize", paramLabel = "auto|true|false", arity = "0..1", fallbackValue = "true",
            description = "Standardise each feature with the training rows' mean and standard deviation, and for "
                    + "--task regression the target too: auto for tables (CSV, Parquet) but not IDX images, which "
                    + "keep their [0, 1] scaling; true (the same as --standardize alone) for any data; false for "
                    + "none. The saved model takes raw features and predicts in the target's units (the transforms "
                    + "are folded into its first and last layers), and losses and RMSE are reported in those units. "
                    + "Default: ${DEFAULT-VALUE}")
    String standardize;

    @Mixin
    NetworkOptions network;

    @Option(names = "--validate", description = "Only load and check the training and test data (every row, against "
            + "--layers and --task), print what was found, and exit: 0 if valid, 3 naming the first bad file and "
            + "value. Trains nothing and writes nothing.")
    boolean validate;

    @Option(names = "--epochs", paramLabel = "N", description = "Passes over the training data. Default: ${DEFAULT-VALUE}")
    int epochs;

    @Option(names = "--batch-size", paramLabel = "N", description = "Global batch: samples per optimizer step, "
            + "summed over all partitions. Default: ${DEFAULT-VALUE}")
    int batchSize;

    @Option(names = "--optimizer", paramLabel = "NAME", description = "sgd (with --momentum; 0 is plain SGD), "
            + "nesterov, adam or adamw. Default: ${DEFAULT-VALUE}")
    String optimizer;

    @Option(names = "--lr", paramLabel = "RATE", description = "Base learning rate. Default: ${DEFAULT-VALUE}")
    double lr;

    @Option(names = "--momentum", paramLabel = "MU", description = "Momentum in [0, 1) for sgd and nesterov. "
            + "Default: ${DEFAULT-VALUE}")
    double momentum;

    @Option(names = "--beta1", paramLabel = "B", description = "Adam's first-moment decay. Default: ${DEFAULT-VALUE}")
    double beta1;

    @Option(names = "--beta2", paramLabel = "B", description = "Adam's second-moment decay. Default: ${DEFAULT-VALUE}")
    double beta2;

    @Option(names = "--eps", paramLabel = "E", description = "Adam's denominator term. Default: ${DEFAULT-VALUE}")
    double eps;

    @Option(names = "--weight-decay", paramLabel = "WD", description = "L2 penalty on every parameter; decoupled "
            + "from the gradient for adamw. Default: ${DEFAULT-VALUE}")
    double weightDecay;

    @Option(names = "--clip-norm", paramLabel = "C", description = "Rescale the mean gradient to L2 norm C when it "
            + "is larger; 0 turns clipping off. Default: ${DEFAULT-VALUE}")
    double clipNorm;

    @Option(names = "--schedule", paramLabel = "NAME", description = "Learning-rate schedule after warm-up: "
            + "constant, step (times --decay-factor every --decay-every epochs) or cosine (towards 0 by the last "
            + "step). "
            + "Default: ${DEFAULT-VALUE}")
    String schedule;

    @Option(names = "--warmup-steps", paramLabel = "W", description = "Ramp the learning rate linearly from lr/W to "
            + "lr over the first W updates; 0 for none. Default: ${DEFAULT-VALUE}")
    int warmupSteps;

    @Option(names = "--decay-every", paramLabel = "EPOCHS", description = "step schedule: epochs between decays. "
            + "Default: ${DEFAULT-VALUE}")
    int decayEvery;

    @Option(names = "--decay-factor", paramLabel = "F", description = "step schedule: learning-rate multiplier per "
            + "decay. Default: ${DEFAULT-VALUE}")
    double decayFactor;

    @Option(names = "--local-steps", paramLabel = "H", description = "Optimizer steps each partition runs on its own "
            + "per round (one Spark job) before the weights and optimizer state are averaged over the partitions, "
            + "weighted by their samples (local SGD); 1 is synchronous SGD, one job per step. Each local step uses "
            + "the partition's share of the global --batch-size. Default: ${DEFAULT-VALUE}")
    int localSteps;

    @Option(names = "--outer-lr", paramLabel = "ALPHA", description = "Outer step size at the end of a round: "
            + "w := w - ALPHA*u with u the outer momentum of (w - mean of the partitions' weights); 1 with no "
            + "--outer-momentum is plain averaging. Default: ${DEFAULT-VALUE}")
    double outerLr;

    @Option(names = "--outer-momentum", paramLabel = "MU", description = "Momentum of the outer step in [0, 1) "
            + "(SlowMo, DiLoCo); 0 is none. Default: ${DEFAULT-VALUE}")
    double outerMomentum;

    @Option(names = "--outer-nesterov", paramLabel = "BOOL", arity = "0..1", description = "Nesterov's form of the "
            + "outer momentum. Default: ${DEFAULT-VALUE}")
    boolean outerNesterov;

    @Option(names = "--partitions", paramLabel = "N", description = "Partitions the data is spread over; one task "
            + "per partition per step. Use the total number of executor cores. Default: ${DEFAULT-VALUE}")
    int partitions;

    @Option(names = "--chunks", paramLabel = "K", description = "For data bigger than the cache: split each "
            + "partition into K chunks and read one chunk at a time, in an order shuffled every epoch, so that a step "
            + "reads 1/K of the data and the chunk in use stays in memory while the rest waits on disk. "
            + "Default: ${DEFAULT-VALUE}")
    int chunks;

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

    @Option(names = "--checkpoint-dir", paramLabel = "DIR", description = "Checkpoint folder (local path or Hadoop "
            + "URI); {out} becomes the resolved --out, {time} the start time. With --resume and no --checkpoint-dir, "
            + "the resumed folder. Default: ${DEFAULT-VALUE}")
    String checkpointDir;

    @Option(names = "--checkpoint-every", paramLabel = "STEPS", description = "Also checkpoint every STEPS optimizer "
            + "steps; 0 checkpoints at epoch ends only. Default: ${DEFAULT-VALUE}")
    int checkpointEvery;

    @Option(names = "--keep-checkpoints", paramLabel = "K", description = "Keep the newest K checkpoints. "
            + "Default: ${DEFAULT-VALUE}")
    int keepCheckpoints;

    @Option(names = "--resume", paramLabel = "DIR", description = "Continue from the newest valid checkpoint in DIR "
            + "(damaged ones are skipped); the options that shape the weights must match the checkpoint's. "
            + "Empty: start afresh. Default: '${DEFAULT-VALUE}'")
    String resume;

    @Option(names = "--on-divergence", paramLabel = "POLICY", description = "When a step's loss or gradient is NaN "
            + "or infinite: stop (exit code 4, checkpoints kept) or skip (drop that step's update and go on). "
            + "Default: ${DEFAULT-VALUE}")
    String onDivergence;

    @Option(names = "--eval-every", paramLabel = "STEPS", description = "Also evaluate the test set every STEPS "
            + "optimizer steps, into evals.jsonl (the training clock excludes it); 0 for epoch ends only. "
            + "Default: ${DEFAULT-VALUE}")
    int evalEvery;

    @Option(names = "--target-accuracy", paramLabel = "A", description = "Stop, and save the model, as soon as a "
            + "test evaluation reaches accuracy A in (0, 1]; 0 runs every epoch. Default: ${DEFAULT-VALUE}")
    double targetAccuracy;

    /** The version from the jar's manifest (set by Maven), or a marker for classes run from a build folder. */
    static final class Version implements picocli.CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = TrainCommand.class.getPackage().getImplementationVersion();
            return new String[] {"sparknn " + (v == null ? "(development build)" : v)};
        }
    }

    /** The validated configuration of the parsed options, with {@code {time}} in --out already expanded. */
    TrainConfig config(String time) {
        Task t = NetworkOptions.parse("--task", () -> Task.parse(task));
        DataConfig data = new DataConfig(dataOptions.data, dataOptions.format(), dataOptions.label,
                dataOptions.featureList(), testData, testFraction,
                NetworkOptions.parse("--standardize", () -> DataConfig.Standardize.parse(standardize)));
        return new TrainConfig(data, t, network.sizes(), network.activation(), network.loss(t), network.init(), epochs,
                batchSize, new TrainConfig.OptimizerConfig(NetworkOptions.parse("--optimizer", () -> Optimizer.Kind.parse(optimizer)),
                        lr, momentum, beta1, beta2, eps, weightDecay, clipNorm),
                new TrainConfig.ScheduleConfig(NetworkOptions.parse("--schedule", () -> Schedule.Kind.parse(schedule)), warmupSteps,
                        decayEvery, decayFactor),
                new TrainConfig.RoundConfig(localSteps, outerLr, outerMomentum, outerNesterov), partitions, chunks, master, seed, out.replace("{time}", time), overwrite,
                checkpointDir, checkpointEvery, keepCheckpoints, resume, NetworkOptions.parse("--on-divergence",
                () -> dev.sparknn.ops.EnumNames.parse(TrainConfig.OnDivergence.class, "policy", onDivergence)),
                evalEvery, targetAccuracy);
    }

    @Override
    public Integer call() throws Exception {
        long processStart = ManagementFactory.getRuntimeMXBean().getStartTime();
        TrainDefaults.checkKeys(spec);
        String time = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
        TrainConfig cfg = config(time);
        // spark-submit sets spark.master; our default applies only when neither it nor --master is given.
        String sparkMaster = matched("--master") || System.getProperty("spark.master") == null ? cfg.master() : null;
        if (validate) {
            return validate(cfg, sparkMaster);
        }
        RunOutput output = RunOutput.create(Path.of(cfg.out()), cfg.overwrite());
        String checkpoints = !cfg.resume().isBlank() && !matched("--checkpoint-dir") ? cfg.resume()
                // --out is a folder on the driver's disk, and so is {out} even where Hadoop's default is HDFS.
                : cfg.checkpointDir().replace("{out}", "file:" + output.target().toAbsolutePath())
                        .replace("{time}", time);
        // Inside an application (or a test JVM) that already has a session, train on it and leave it running.
        boolean ownSession = SparkSession.getDefaultSession().isEmpty();
        SparkSession spark = null;
        try {
            writeEffectiveOptions(output.file("config.conf"));
            spark = SparkSessions.create(sparkMaster, "--master");
            new TrainingRun(spark, cfg, output, checkpoints, spec.commandLine().getOut(), processStart).run();
        } catch (Exception | Error e) {
            output.abandon();
            throw e;
        } finally {
            if (ownSession && spark != null) {
                spark.stop();
            }
        }
        // Outside the clean-up above: if the rename fails, the finished results stay where the message says.
        output.commit();
        spec.commandLine().getOut().println("wrote " + output.target() + ": report.html with its plots, metrics.jsonl, "
                + "model.bin, config.json");
        return 0;
    }

    /** {@code --validate}: loads and checks the training and test data as a run would, then stops; writes nothing. */
    private int validate(TrainConfig cfg, String sparkMaster) throws Exception {
        return SparkSessions.run(sparkMaster, spark -> {
            try (TrainingData data = TrainingData.load(spark, cfg.data(), cfg.task(), cfg.layers(), cfg.partitions(),
                    cfg.seed(), SparkSessions.storageLevel(spark.sparkContext().getConf()))) {
                spec.commandLine().getOut().printf("valid: %s for training, %,d test rows; %d features per row, as "
                        + "--layers expects%n", data.describe(), data.testRows(), cfg.layers()[0]);
                return 0;
            }
        });
    }

    /**
     * Every option's value for this run, in the --config format: {@code --config config.conf} repeats the run
     * ({@code {time}} in --out then names a new folder).
     */
    private void writeEffectiveOptions(Path file) throws java.io.IOException {
        StringBuilder conf = new StringBuilder("# The options of this run; reuse with --config <this file>.\n");
        for (picocli.CommandLine.Model.OptionSpec option : spec.options()) {
            String key = TrainDefaults.key(option);
            if (option.usageHelp() || option.versionHelp() || key.equals("config")) {
                continue;
            }
            conf.append(key).append(" = ").append(com.typesafe.config.ConfigValueFactory
                    .fromAnyRef(String.valueOf((Object) option.getValue()))
                    .render(com.typesafe.config.ConfigRenderOptions.concise())).append('\n');
        }
        java.nio.file.Files.writeString(file, conf);
    }

    private boolean matched(String option) {
        return spec.commandLine().getParseResult().hasMatchedOption(option);
    }
}
