package dev.sparknn.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.sparknn.data.InputException;
import java.io.IOException;
import org.apache.spark.SparkException;
import org.junit.jupiter.api.Test;

/** {@link Main#failure}: the exit code and one line of any exception, without Spark running. */
class FailureTest {

    @Test
    void aTaskFailureThatArrivesAsTextOnlyIsStillOurLine() {
        // On a cluster the task's exception may come back only as the text of the job's failure.
        SparkException e = new SparkException("Job aborted due to stage failure: Task 0 in stage 4.0 failed 4 times, "
                + "most recent failure: Lost task 0.3 in stage 4.0 (TID 7) (10.0.0.2 executor 1): "
                + "dev.sparknn.data.InputException: hdfs://nn/t.csv: column 'label' holds 'cat', not a number\n"
                + "\tat dev.sparknn.data.TableDataset.fail(TableDataset.java:430)\n");
        assertEquals(new Main.Failure(3, "data error: hdfs://nn/t.csv: column 'label' holds 'cat', not a number"),
                Main.failure(e));
    }

    @Test
    void ourExceptionInsideSparksWrappersIsFound() {
        Exception e = new RuntimeException(new SparkException("Job aborted", new InputException("x.csv: empty")));
        assertEquals(new Main.Failure(3, "data error: x.csv: empty"), Main.failure(e));
    }

    @Test
    void fileSystemErrorsNameThePathAndTheReason() {
        assertEquals(new Main.Failure(3, "data error: /r/model.bin: no such file or folder"),
                Main.failure(new java.nio.file.NoSuchFileException("/r/model.bin")));
        assertEquals(new Main.Failure(3, "data error: /r: permission denied"),
                Main.failure(new java.nio.file.AccessDeniedException("/r")));
    }

    @Test
    void anythingElseIsOneLineWithItsTypeAndWhereTheTraceIs() {
        Main.Failure f = Main.failure(new IOException("Is a directory\nsecond line"));
        assertEquals(1, f.exitCode());
        assertEquals(true, f.line().startsWith("error: IOException: Is a directory (the stack trace is in "), f.line());
        assertEquals(1, f.line().lines().count());
    }

    /**
     * A mistyped command word is what the line names, with the commands near it, whatever options follow it (picocli
     * lists them as unmatched too, and they are the intended command's): under {@code datasets} and at the top level,
     * where the first word otherwise goes to train.
     */
    @Test
    void aMistypedCommandIsNamedWhateverOptionsFollowIt() {
        assertRefused("error: unknown command 'inspekt'; did you mean inspect? (see --help)",
                "datasets", "inspekt", "--data", "data/mnist");
        assertRefused("error: unknown command 'inspekt'; did you mean inspect? (see --help)", "datasets", "inspekt");
        assertRefused("error: unknown command 'evalute'; did you mean evaluate? (see --help)",
                "evalute", "--model", "runs/m/model.bin");
        assertRefused("error: unknown option '--lrr'; did you mean --lr? (see --help)", "--lrr", "0.1");
    }

    /** Exit code 2 and exactly {@code line} on stderr, nothing on stdout; the command parses only (no Spark). */
    private static void assertRefused(String line, String... args) {
        MainIT.Run r = MainIT.run(args);
        assertEquals(new MainIT.Run(Main.EXIT_CONFIG, "", line + "\n"), r);
    }
}
