package dev.sparknn.cli;

import dev.sparknn.report.RunDiff;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code diff RUN_A RUN_B}: where two runs' weights part, and what differs between them ({@link RunDiff}). */
@Command(name = "diff", mixinStandardHelpOptions = true, usageHelpAutoWidth = true,
        versionProvider = TrainCommand.Version.class,
        description = {"Compares two run folders: the first epoch whose weights hash differs, and the first round "
                + "when both ran with --round-hashes; then what differs between the runs: options, data, "
                + "partitions, BLAS kernels, Spark master.",
                "Exit code 0 whether or not they differ; 3 when a folder is not a run's."})
public final class DiffCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "RUN_A", description = "A run's output folder (config.json, metrics.jsonl).")
    Path a;

    @Parameters(index = "1", paramLabel = "RUN_B", description = "The other run's output folder.")
    Path b;

    @Override
    public Integer call() throws Exception {
        RunDiff.compare(a, b).forEach(spec.commandLine().getOut()::println);
        spec.commandLine().getOut().flush();
        return 0;
    }
}
