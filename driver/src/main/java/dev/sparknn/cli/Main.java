package dev.sparknn.cli;

import dev.sparknn.data.IdxFormatException;
import dev.sparknn.data.InputException;
import dev.sparknn.run.TrainingRun;
import dev.sparknn.store.Checkpoint;
import dev.sparknn.store.ModelFile;
import dev.sparknn.train.SparkSessions;
import dev.sparknn.train.TrainConfig;
import dev.sparknn.train.round.DivergedException;
import java.io.FileNotFoundException;
import java.io.PrintWriter;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;

/**
 * Command-line entry point: {@code Main [train|evaluate|predict|export|gradcheck|datasets|diff] [options]}; {@code train} when the first argument
 * is an option, so that {@code scripts/train.sh --epochs 3} needs no command word; any other first word that names
 * no command is refused as a mistyped command. See {@code --help}.
 *
 * <p>The one place where failures become exit codes: every exception that escapes a command, its option parsing or
 * its defaults ends as one line on standard error naming the file, option or value, and an exit code
 * ({@link #failure}). The stack trace goes to the log file (see conf/log4j2.properties), and to the console only
 * with {@value #VERBOSE}, which any command accepts.
 */
public final class Main {

    // The exit codes, declared once: --help lists them from here (TrainCommand's exitCodeList), as the README does.
    static final int EXIT_INTERNAL = 1;
    static final int EXIT_CONFIG = 2;
    static final int EXIT_DATA = 3;
    static final int EXIT_DIVERGED = 4;
    static final int EXIT_INTERRUPTED = 5;
    /** {@code gradcheck}: a gradient outside its bound. */
    static final int EXIT_GRADIENT = 6;

    /** Any command: the stack trace of a failure, and Spark's and Hadoop's warnings, on the console too. */
    static final String VERBOSE = "--verbose";
    /** The system property naming this process's log file (read by conf/log4j2.properties). */
    static final String LOG_FILE = "sparknn.log.file";
    /** The system property with the level from which Spark's and Hadoop's logging reaches the console. */
    private static final String LOG_CONSOLE = "sparknn.log.console";

    /** The model file a run writes into its output folder, suggested when --model names that folder. */
    static final String MODEL_FILE = "model.bin";

    /** Failures in full, for the log file only (conf/log4j2.properties sends this logger nowhere else). */
    private static final String FAILURE_LOGGER = "sparknn.failure";

    private Main() {
    }

    public static void main(String[] args) {
        // Before anything logs: logging reads these properties once, when it starts.
        if (System.getProperty(LOG_FILE) == null) {
            System.setProperty(LOG_FILE, defaultLogFile());
        }
        if (Arrays.asList(args).contains(VERBOSE) && System.getProperty(LOG_CONSOLE) == null) {
            System.setProperty(LOG_CONSOLE, "warn");
        }
        AtomicBoolean stopRequested = new AtomicBoolean();
        stopCleanlyOnSignals(stopRequested);
        System.exit(run(new PrintWriter(System.out, true), new PrintWriter(System.err, true), stopRequested, args));
    }

    /** {@code <tmp>/sparknn-<user>/<command time>-<pid>.log}: one file per process, outside any output folder. */
    private static String defaultLogFile() {
        String time = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
        return java.nio.file.Path.of(System.getProperty("java.io.tmpdir"), "sparknn-" + System.getProperty("user.name"),
                time + "-" + ProcessHandle.current().pid() + ".log").toString();
    }

    /**
     * The first SIGINT or SIGTERM asks the run to checkpoint after its current round and exit with
     * {@link #EXIT_INTERRUPTED}; a second one ends the process at once.
     */
    private static void stopCleanlyOnSignals(AtomicBoolean stopRequested) {
        for (String name : new String[] {"INT", "TERM"}) {
            sun.misc.Signal.handle(new sun.misc.Signal(name), signal -> {
                if (stopRequested.getAndSet(true)) {
                    Runtime.getRuntime().halt(128 + signal.getNumber());
                }
                System.err.println("SIG" + signal.getName() + ": stopping after the current round (again to stop now)");
            });
        }
    }

    /** Runs the command and returns its exit code (documented in {@code --help} and the README). */
    static int run(PrintWriter out, PrintWriter err, String... args) {
        return run(out, err, new AtomicBoolean(), args);
    }

    /** {@link #run(PrintWriter, PrintWriter, String...)}, where a train run stops once {@code stopRequested} is set. */
    static int run(PrintWriter out, PrintWriter err, AtomicBoolean stopRequested, String... arguments) {
        boolean verbose = Arrays.asList(arguments).contains(VERBOSE);
        String[] args = Arrays.stream(arguments).filter(a -> !a.equals(VERBOSE)).toArray(String[]::new);
        try {
            String first = args.length == 0 ? "" : args[0];
            if (!first.isEmpty() && !first.startsWith("-") && !COMMANDS.contains(first)) {
                // train takes no positional argument: a first word that is no command is a mistyped one.
                throw new CommandLine.UnmatchedArgumentException(commandNames(), Arrays.asList(args));
            }
            Object command = switch (first) {
                case "evaluate" -> new EvaluateCommand();
                case "predict" -> new PredictCommand();
                case "export" -> new ExportCommand();
                case "gradcheck" -> new GradcheckCommand();
                case "datasets" -> new DatasetsCommand();
                case "diff" -> new DiffCommand();
                default -> new TrainCommand(stopRequested);
            };
            if (first.equals("train") || !(command instanceof TrainCommand)) {
                args = Arrays.copyOfRange(args, 1, args.length);
            }
            CommandLine cli = new CommandLine(command);
            NumberConverters.register(cli);
            cli.setOut(out);
            cli.setErr(err);
            cli.getCommandSpec().usageMessage().footer("%n" + VERBOSE + " (any command): on a failure, print the "
                    + "stack trace as well as the one-line message, and show Spark's and Hadoop's warnings. Once "
                    + "Spark has started, both also go to the log file in " + logFolder() + ".");
            cli.setExecutionExceptionHandler((e, c, parsed) -> fail(e, err, verbose));
            cli.setParameterExceptionHandler((e, a) -> fail(e, err, verbose));
            return cli.execute(args);
        } catch (Exception | Error e) {
            return fail(e, err, verbose);
        }
    }

    /** The command words, {@code train} (the default) first. */
    static final List<String> COMMANDS = List.of("train", "evaluate", "predict", "export", "gradcheck", "datasets",
            "diff");

    /** A command line that knows only {@link #COMMANDS}, for picocli's "did you mean" on a mistyped one. */
    private static CommandLine commandNames() {
        CommandLine names = new CommandLine(CommandLine.Model.CommandSpec.create());
        COMMANDS.forEach(name -> names.addSubcommand(name, CommandLine.Model.CommandSpec.create()));
        return names;
    }

    private static String logFolder() {
        String file = System.getProperty(LOG_FILE);
        return file == null ? "the system's temporary folder" : java.nio.file.Path.of(file).getParent().toString();
    }

    /** Prints the failure's one line (and its stack trace if {@code verbose}), logs it in full; its exit code. */
    private static int fail(Throwable e, PrintWriter err, boolean verbose) {
        Failure f = failure(e);
        err.println(f.line());
        if (verbose) {
            e.printStackTrace(err);
        }
        err.flush();
        // A mistake caught before Spark started is told in full by its line; starting the logging system only
        // to record it would double the time to that line.
        if (f.exitCode() == EXIT_INTERNAL || SparkSessions.used()) {
            org.slf4j.LoggerFactory.getLogger(FAILURE_LOGGER).error(f.line(), e);
        }
        return f.exitCode();
    }

    /** What a failure tells the user: its exit code and one line. */
    record Failure(int exitCode, String line) {
    }

    /**
     * The exit code and one-line message of any exception: our own failure types anywhere in the cause chain
     * (Spark wraps a task's failure in a SparkException, on a cluster sometimes as text only), Spark's own
     * conditions for an unreadable file, file-system errors with the path and reason, and otherwise the
     * exception's type and message as an internal error.
     */
    static Failure failure(Throwable e) {
        if (e instanceof CommandLine.UnmatchedArgumentException u && !u.getUnmatched().isEmpty()) {
            String word = u.getUnmatched().get(0);
            if (!word.startsWith("-") && !u.getCommandLine().getSubcommands().isEmpty()) {
                // A command word that names no command: the options after it are that command's, not mistakes.
                return new Failure(EXIT_CONFIG, "error: unknown command '" + word + "'" + suggestions(u)
                        + " (see --help)");
            }
            // picocli lists the option's value as unmatched too; the option is what the user mistyped.
            String first = u.getUnmatched().stream().filter(a -> a.startsWith("-")).findFirst()
                    .orElse(u.getUnmatched().get(0));
            return new Failure(EXIT_CONFIG, "error: unknown " + (first.startsWith("-") ? "option" : "argument")
                    + " '" + first + "'" + suggestions(u) + " (see --help)");
        }
        if (e instanceof CommandLine.ParameterException p) {
            return new Failure(EXIT_CONFIG, "error: " + firstLine(p.getMessage()) + " (see --help)");
        }
        Throwable known = knownCause(e);
        if (known instanceof TrainConfig.ConfigException) {
            return new Failure(EXIT_CONFIG, "error: " + firstLine(known.getMessage()));
        }
        if (known instanceof DivergedException) {
            return new Failure(EXIT_DIVERGED, "error: " + firstLine(known.getMessage()));
        }
        if (known instanceof TrainingRun.InterruptedRunException) {
            return new Failure(EXIT_INTERRUPTED, firstLine(known.getMessage()));
        }
        if (known instanceof NoSuchFileException missing) {
            return new Failure(EXIT_DATA, "data error: " + missing.getFile() + ": no such file or folder");
        }
        if (known instanceof AccessDeniedException denied) {
            return new Failure(EXIT_DATA, "data error: " + denied.getFile() + ": permission denied");
        }
        if (known instanceof FileSystemException fs) {
            return new Failure(EXIT_DATA, "data error: " + fs.getFile() + ": " + (fs.getReason() == null
                    ? fs.getClass().getSimpleName() : fs.getReason()));
        }
        if (isData(known)) {
            return new Failure(EXIT_DATA, "data error: " + firstLine(known.getMessage()));
        }
        String text = firstLine(String.valueOf(e.getMessage()));
        return new Failure(EXIT_INTERNAL, "error: " + e.getClass().getSimpleName() + ": " + text + " (the stack "
                + "trace is in " + System.getProperty(LOG_FILE, "the log file") + "; " + VERBOSE + " prints it)");
    }

    private static boolean isData(Throwable t) {
        return t instanceof IdxFormatException || t instanceof FileNotFoundException || t instanceof InputException
                || t instanceof Checkpoint.CorruptCheckpointException || t instanceof ModelFile.ModelFormatException;
    }

    private static boolean isOurs(Throwable t) {
        return isData(t) || t instanceof TrainConfig.ConfigException || t instanceof DivergedException
                || t instanceof TrainingRun.InterruptedRunException || t instanceof NoSuchFileException
                || t instanceof AccessDeniedException;
    }

    /** picocli's "did you mean" for a mistyped option or command, on the same line. */
    private static String suggestions(CommandLine.UnmatchedArgumentException u) {
        List<String> close = u.getSuggestions();
        return close.isEmpty() ? "" : "; did you mean " + String.join(" or ", close.subList(0, Math.min(3,
                close.size()))) + "?";
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "";
        }
        int end = message.indexOf('\n');
        return (end < 0 ? message : message.substring(0, end)).strip();
    }

    /**
     * Spark's own conditions for a file it could not read or parse (a corrupt Parquet shard, a malformed CSV
     * record, shards whose schemas conflict); their messages name the file.
     */
    private static final Set<String> SPARK_DATA_ERRORS = Set.of("FAILED_READ_FILE",
            "MALFORMED_RECORD_IN_PARSING", "CANNOT_MERGE_SCHEMAS", "CANNOT_READ_FILE_FOOTER", "PATH_NOT_FOUND");

    /**
     * A task's failure as Spark reports it when the exception itself did not travel: "... failed 1 times, most
     * recent failure: Lost task ... : dev.sparknn.data.InputException: message".
     */
    private static final Pattern REMOTE_FAILURE = Pattern.compile("(dev\\.sparknn\\.[\\w.$]+|java\\.io\\.FileNotFoundException"
            + "|java\\.nio\\.file\\.NoSuchFileException): ([^\\n]*)");

    /**
     * The first of our own failure types in the cause chain, else one named in a Spark job failure's text, else
     * Spark's own unreadable-file failure as an input error, else {@code e}.
     */
    private static Throwable knownCause(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (isOurs(t)) {
                return t;
            }
        }
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof org.apache.spark.SparkException && t.getMessage() != null) {
                Matcher m = REMOTE_FAILURE.matcher(t.getMessage());
                if (m.find()) {
                    String type = m.group(1);
                    String message = m.group(2).strip();
                    if (type.endsWith("ConfigException")) {
                        return new TrainConfig.ConfigException(message);
                    }
                    if (type.endsWith("DivergedException")) {
                        return new DivergedException(message);
                    }
                    return new InputException(message);
                }
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
