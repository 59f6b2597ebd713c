package dev.sparknn.cli;

import dev.sparknn.data.IdxFormatException;
import dev.sparknn.data.InputException;
import dev.sparknn.run.TrainingRun;
import dev.sparknn.store.Checkpoint;
import dev.sparknn.store.ModelFile;
import dev.sparknn.train.TrainConfig;
import dev.sparknn.train.Trainer;
import java.io.FileNotFoundException;
import java.io.PrintWriter;
import java.util.concurrent.atomic.AtomicBoolean;
import picocli.CommandLine;

/**
 * Command-line entry point: {@code Main [train|evaluate|predict|export|gradcheck|datasets] [options]}; {@code train} when the first argument
 * names no command, so that {@code scripts/train.sh --epochs 3} needs no command word. See {@code --help}.
 */
public final class Main {

    static final int EXIT_INTERNAL = 1;
    static final int EXIT_CONFIG = 2;
    static final int EXIT_DATA = 3;
    static final int EXIT_DIVERGED = 4;
    static final int EXIT_INTERRUPTED = 5;

    private Main() {
    }

    public static void main(String[] args) {
        AtomicBoolean stopRequested = new AtomicBoolean();
        stopCleanlyOnSignals(stopRequested);
        System.exit(run(new PrintWriter(System.out, true), new PrintWriter(System.err, true), stopRequested, args));
    }

    /**
     * The first SIGINT or SIGTERM asks the run to checkpoint after its current step and exit with
     * {@link #EXIT_INTERRUPTED}; a second one ends the process at once.
     */
    private static void stopCleanlyOnSignals(AtomicBoolean stopRequested) {
        for (String name : new String[] {"INT", "TERM"}) {
            sun.misc.Signal.handle(new sun.misc.Signal(name), signal -> {
                if (stopRequested.getAndSet(true)) {
                    Runtime.getRuntime().halt(128 + signal.getNumber());
                }
                System.err.println("SIG" + signal.getName() + ": stopping after the current step (again to stop now)");
            });
        }
    }

    /** Runs the command and returns its exit code (documented in {@code --help} and the README). */
    static int run(PrintWriter out, PrintWriter err, String... args) {
        return run(out, err, new AtomicBoolean(), args);
    }

    /** {@link #run(PrintWriter, PrintWriter, String...)}, where a train run stops once {@code stopRequested} is set. */
    static int run(PrintWriter out, PrintWriter err, AtomicBoolean stopRequested, String... args) {
        String first = args.length == 0 ? "" : args[0];
        Object command = switch (first) {
            case "evaluate" -> new EvaluateCommand();
            case "predict" -> new PredictCommand();
            case "export" -> new ExportCommand();
            case "gradcheck" -> new GradcheckCommand();
            case "datasets" -> new DatasetsCommand();
            default -> new TrainCommand(stopRequested);
        };
        if (first.equals("train") || !(command instanceof TrainCommand)) {
            args = java.util.Arrays.copyOfRange(args, 1, args.length);
        }
        CommandLine cli = new CommandLine(command);
        if (command instanceof TrainCommand) {
            // --config layers a file under the command line, so it must be read before options are parsed.
            try {
                cli.setDefaultValueProvider(TrainDefaults.withConfigFile(configFileArgument(args)));
            } catch (TrainConfig.ConfigException e) {
                err.println("error: " + e.getMessage());
                return EXIT_CONFIG;
            }
        }
        cli.setOut(out);
        cli.setErr(err);
        cli.setExecutionExceptionHandler(Main::handle);
        return cli.execute(args);
    }

    /** The value of {@code --config FILE} or {@code --config=FILE} among {@code args}, or null. */
    private static String configFileArgument(String[] args) {
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--config") && i + 1 < args.length) {
                return args[i + 1];
            }
            if (args[i].startsWith("--config=")) {
                return args[i].substring("--config=".length());
            }
        }
        return null;
    }

    /** Maps failures to exit codes with a one-line message; only unexpected errors print a stack trace. */
    private static int handle(Exception e, CommandLine cli, CommandLine.ParseResult parsed) {
        PrintWriter err = cli.getErr();
        Throwable known = knownCause(e);
        if (known instanceof TrainConfig.ConfigException) {
            err.println("error: " + known.getMessage());
            err.println("run with --help for the options and their defaults");
            return EXIT_CONFIG;
        }
        if (known instanceof IdxFormatException || known instanceof FileNotFoundException
                || known instanceof InputException || known instanceof java.nio.file.NoSuchFileException
                || known instanceof Checkpoint.CorruptCheckpointException
                || known instanceof ModelFile.ModelFormatException) {
            err.println("data error: " + known.getMessage());
            return EXIT_DATA;
        }
        if (known instanceof Trainer.DivergedException) {
            err.println("error: " + known.getMessage());
            return EXIT_DIVERGED;
        }
        if (known instanceof TrainingRun.InterruptedRunException) {
            err.println(known.getMessage());
            return EXIT_INTERRUPTED;
        }
        e.printStackTrace(err);
        return EXIT_INTERNAL;
    }

    /**
     * Spark's own conditions for a file it could not read or parse (a corrupt Parquet shard, a malformed CSV
     * record, shards whose schemas conflict); their messages name the file.
     */
    private static final java.util.Set<String> SPARK_DATA_ERRORS = java.util.Set.of("FAILED_READ_FILE",
            "MALFORMED_RECORD_IN_PARSING", "CANNOT_MERGE_SCHEMAS", "CANNOT_READ_FILE_FOOTER", "PATH_NOT_FOUND");

    /**
     * The first of our own failure types in the cause chain (Spark wraps task failures in SparkException), else
     * Spark's own unreadable-file failure as an input error, else {@code e}.
     */
    private static Throwable knownCause(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof TrainConfig.ConfigException || t instanceof IdxFormatException
                    || t instanceof FileNotFoundException || t instanceof Trainer.DivergedException
                    || t instanceof InputException || t instanceof java.nio.file.NoSuchFileException
                    || t instanceof TrainingRun.InterruptedRunException || t instanceof Checkpoint.CorruptCheckpointException
                    || t instanceof ModelFile.ModelFormatException) {
                return t;
            }
        }
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof org.apache.spark.SparkThrowable spark && spark.getCondition() != null
                    && SPARK_DATA_ERRORS.contains(spark.getCondition().split("\\.")[0])) {
                return new InputException(t.getMessage());
            }
        }
        return e;
    }
}
