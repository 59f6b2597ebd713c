package dev.sparknn.cli;

import dev.sparknn.run.TrainingRun;
import dev.sparknn.store.FolderLock;
import dev.sparknn.store.RunOutput;
import dev.sparknn.train.DataWidths;
import dev.sparknn.train.SparkSessions;
import dev.sparknn.train.TrainConfig;
import dev.sparknn.train.TrainOption;
import dev.sparknn.train.TrainOptions;
import dev.sparknn.train.TrainingData;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code train}: trains a network on IDX, CSV or Parquet data with Spark and writes metrics and the model. */
@Command(name = "train", mixinStandardHelpOptions = true, sortOptions = false, usageHelpAutoWidth = true,
        modelTransformer = DeclaredOptions.Train.class,
        versionProvider = TrainCommand.Version.class,
        description = {"Trains a feed-forward network on Spark, data-parallel, in rounds: each round (one Spark job) "
                + "broadcasts the weights, every partition runs --local-steps optimizer steps on its share of each "
                + "global batch, and the driver averages the partitions' weights in a fixed order (with "
                + "--local-steps 1: the mean gradient updates the weights on the driver).",
                "Defaults are declared with each option (and listed in conf/train.conf), then come from the --config file. Writes report.html (with loss, accuracy and confusion-matrix "
                        + "plots), metrics.jsonl, model.bin and config.json to --out.",
                "Other commands: evaluate (a model on a labelled split), predict (labels and probabilities as CSV), "
                        + "export (a model as ONNX), gradcheck (back-propagation on real data, local and distributed), diff (where two "
                        + "run folders' weights part, and what differs); see 'evaluate --help' etc."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:training finished and the output folder is complete",
                Main.EXIT_INTERNAL + ":unexpected internal error (one line; the stack trace is in the log file it "
                        + "names, or with --verbose)",
                Main.EXIT_CONFIG + ":invalid option or configuration",
                Main.EXIT_DATA + ":invalid or missing input data",
                Main.EXIT_DIVERGED + ":training diverged (loss or gradient not finite); checkpoints are kept",
                Main.EXIT_INTERRUPTED + ":interrupted (SIGINT/SIGTERM) after writing a checkpoint; continue with "
                        + "--resume",
                Main.EXIT_GRADIENT + ":gradcheck found a gradient outside its bound"})
public final class TrainCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--config", paramLabel = "FILE", description = "A HOCON file of option values (keys as in "
            + "conf/train.conf), layered over the defaults; command-line options override it. Each run saves its "
            + "effective options as config.conf, which this option reads back.")
    String configFile;

    @Option(names = "--validate", description = "Only load and check the training and test data (every row, against "
            + "--layers and --task), print what was found, and exit: 0 if valid, 3 naming the first bad file and "
            + "value. Trains nothing and writes nothing.")
    boolean validate;

    /** Set by the first SIGINT or SIGTERM (see {@link Main}): the run checkpoints and stops. */
    private final AtomicBoolean stopRequested;

    /** A command whose run stops only when {@code stopRequested} is set. */
    TrainCommand(AtomicBoolean stopRequested) {
        this.stopRequested = stopRequested;
    }

    /** A command that no signal stops (tests, an embedding application). */
    TrainCommand() {
        this(new AtomicBoolean());
    }

    /** The version from the jar's manifest (set by Maven), or a marker for classes run from a build folder. */
    static final class Version implements picocli.CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = TrainCommand.class.getPackage().getImplementationVersion();
            return new String[] {"sparknn " + (v == null ? "(development build)" : v)};
        }
    }

    /** The options as this run's config.conf records them: {@code {time}} in --out not yet expanded. */
    private TrainConfig effective;

    /**
     * The validated configuration of the parsed options over the --config file and any checkpoint of --resume (see
     * {@link OptionLayers}), with {@code {time}} in --out expanded.
     */
    TrainConfig config(String time) throws java.io.IOException {
        // --layers auto,...: the other options are checked first, with a placeholder width (see withDataWidths).
        effective = OptionLayers.read(spec, configFile, text -> {
            autoLayers |= DataWidths.hasAuto(text);
            return DataWidths.placeholder(text);
        }).build();
        return expand(effective, time);
    }

    /** {@code cfg} with {@code {time}} and {@code {data}} (the data's file or folder name) in --out expanded. */
    private static TrainConfig expand(TrainConfig cfg, String time) {
        return cfg.toBuilder().set(TrainOptions.OUT, cfg.out().replace("{time}", time)
                .replace("{data}", dataName(cfg.data().path()))).build();
    }

    /** A data path's last name without its extensions ({@code data/iris.csv.gz}: {@code iris}), for --out. */
    static String dataName(String path) {
        String name = path.replaceAll("[/\\\\]+$", "");
        name = name.substring(Math.max(name.lastIndexOf('/'), name.lastIndexOf('\\')) + 1)
                .replaceAll("(?i)(\\.csv(\\.gz)?|\\.parquet)$", "").replaceAll("[^A-Za-z0-9._-]", "");
        return name.isEmpty() ? "data" : name;
    }

    /** Whether --layers has {@code auto} widths, resolved from the data once Spark runs. */
    private boolean autoLayers;

    /** The table {@link #withDataWidths} opened and profiled, for the run to load without doing so again; or null. */
    private TrainingData.TableProfile profiled;

    /**
     * {@code cfg} with the {@code auto} widths of --layers taken from the data ({@link DataWidths}), or {@code cfg}
     * itself when there are none; says the widths chosen.
     */
    private TrainConfig withDataWidths(SparkSession spark, TrainConfig cfg, String time) throws java.io.IOException {
        if (!autoLayers) {
            return cfg;
        }
        DataWidths.Found widths = DataWidths.of(spark, cfg.data(), cfg.task());
        profiled = widths.table();
        effective = OptionLayers.read(spec, configFile, text -> DataWidths.resolve(text, widths.inputs(),
                widths.outputs())).build();
        TrainConfig resolved = expand(effective, time).toBuilder().set(TrainOptions.OUT, cfg.out()).build();
        spec.commandLine().getOut().println("--layers " + resolved.layers() + " (auto from " + cfg.data().path()
                + ")");
        return resolved;
    }

    @Override
    public Integer call() throws Exception {
        long processStart = ManagementFactory.getRuntimeMXBean().getStartTime();
        String time = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
        TrainConfig cfg = config(time);
        // spark-submit sets spark.master; our default applies only when neither it nor --master is given.
        String sparkMaster = matched("--master") || System.getProperty("spark.master") == null ? cfg.master() : null;
        // Paths first, before Spark starts: a mistyped one fails at once.
        cfg.data().checkPaths();
        if (validate) {
            return validate(cfg, sparkMaster, time);
        }
        Path target = Path.of(cfg.out()).toAbsolutePath().normalize();
        String checkpoints = !cfg.resume().isBlank() && !matched("--checkpoint-dir") ? cfg.resume()
                // --out is a folder on the driver's disk, and so is {out} even where Hadoop's default is HDFS.
                : cfg.checkpointDir().replace("{out}", "file:" + target).replace("{time}", time);
        // The checkpoint folder is this run's alone: a second run with the same --out is refused here.
        FolderLock lock = FolderLock.take(ResumeFolder.hadoopConf(), checkpoints, matched("--checkpoint-dir")
                ? "--checkpoint-dir " + cfg.checkpointDir() : !cfg.resume().isBlank() ? "--resume " + cfg.resume()
                : "--out " + cfg.out());
        try (lock) {
            return train(cfg, sparkMaster, checkpoints, processStart, time);
        }
    }

    private int train(TrainConfig given, String sparkMaster, String checkpoints, long processStart, String time)
            throws Exception {
        TrainConfig cfg = given;
        RunOutput output = RunOutput.create(Path.of(cfg.out()), cfg.overwrite());
        // Inside an application (or a test JVM) that already has a session, train on it and leave it running.
        boolean ownSession = SparkSession.getDefaultSession().isEmpty();
        SparkSession spark = null;
        try {
            spark = SparkSessions.create(sparkMaster, "--master");
            cfg = withDataWidths(spark, cfg, time);
            writeEffectiveOptions(output.file("config.conf"));
            new TrainingRun(spark, cfg, output, checkpoints, spec.commandLine().getOut(), processStart,
                    stopRequested::get, profiled).run();
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
                + "model.bin, config.json, config.conf");
        return 0;
    }

    /** {@code --validate}: loads and checks the training and test data as a run would, then stops; writes nothing. */
    private int validate(TrainConfig given, String sparkMaster, String time) throws Exception {
        return SparkSessions.run(sparkMaster, spark -> {
            TrainConfig cfg = withDataWidths(spark, given, time);
            try (TrainingData data = TrainingData.load(spark, cfg.data(), cfg.task(), cfg.network(), cfg.partitions(),
                    cfg.seed(), SparkSessions.storageLevel(spark.sparkContext().getConf()), profiled)) {
                spec.commandLine().getOut().printf("valid: %s for training, %,d test rows; %d features per row, as "
                        + "--layers expects%n", data.describe(), data.testRows(), cfg.inputs());
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
        for (TrainOption<?> option : TrainOptions.ALL) {
            String value = text(effective, option);
            // Absolute input paths: the file is read from its own folder (see OptionLayers).
            if (OptionLayers.INPUT_PATHS.contains(option) && !value.isBlank() && OptionLayers.isRelativeLocal(value)) {
                value = Path.of(value).toAbsolutePath().normalize().toString();
            }
            conf.append(option.name()).append(" = ").append(com.typesafe.config.ConfigValueFactory.fromAnyRef(value)
                    .render(com.typesafe.config.ConfigRenderOptions.concise())).append('\n');
        }
        java.nio.file.Files.writeString(file, conf);
    }

    private static <T> String text(TrainConfig cfg, TrainOption<T> option) {
        return option.text(cfg.get(option));
    }

    private boolean matched(String option) {
        return spec.commandLine().getParseResult().hasMatchedOption(option);
    }
}
