package dev.sparknn.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sparknn.store.Checkpoint;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a user sees from {@code scripts/train.sh}, run as the README runs it, on what Maven just packaged: its
 * output piped (as in {@code scripts/train.sh > log 2>&1}), both streams together.
 */
class LaunchScriptIT {

    private static final Path REPO = Path.of(System.getProperty("sparknn.repo", "."));

    @TempDir
    Path tmp;

    record Said(int code, String text) {
        List<String> lines() {
            return text.lines().toList();
        }
    }

    /** Runs {@code command} with stdout and stderr merged into one pipe, read to its end (every writer closed). */
    private static Said run(List<String> command) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().put("SPARKNN_NO_BUILD", "1");
        Process p = pb.start();
        p.getOutputStream().close();
        CompletableFuture<String> text = CompletableFuture.supplyAsync(() -> {
            try {
                return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        if (!p.waitFor(10, TimeUnit.MINUTES)) {
            p.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
            throw new AssertionError(String.join(" ", command) + " did not finish within 10 minutes");
        }
        return new Said(p.exitValue(), text.get(1, TimeUnit.MINUTES));
    }

    private static Said script(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(REPO.resolve("scripts/train.sh").toString()));
        command.addAll(List.of(args));
        return run(command);
    }

    /** The output of the launch scripts' drop_incubator_notice for {@code input}. */
    private static String filtered(String input) throws Exception {
        Path in = Files.writeString(Files.createTempFile("stderr", ".txt"), input);
        Said s = run(List.of("bash", "-c", "source \"$0\" && drop_incubator_notice < \"$1\"",
                REPO.resolve("scripts/lib/common.sh").toString(), in.toString()));
        assertEquals(0, s.code(), s.text());
        return s.text();
    }

    /**
     * The class data sharing archive: its flags only for an archive newer than the jar and with SPARKNN_CDS not 0; a
     * file Java cannot map (here, not an archive at all) does not stop a run, which prints only what it would.
     */
    @Test
    void aClassArchiveIsUsedOnlyWhenCurrentAndAnUnusableOneDoesNotStopARun() throws Exception {
        Path archive = tmp.resolve("classes.jsa");
        String flags = "source \"$0\" && cds_flags";
        String common = REPO.resolve("scripts/lib/common.sh").toString();
        Said none = run(List.of("env", "SPARKNN_CDS_ARCHIVE=" + archive, "bash", "-c", flags, common));
        assertEquals("", none.text(), "no archive, no flags");
        Files.writeString(archive, "not a class data sharing archive");
        Said current = run(List.of("env", "SPARKNN_CDS_ARCHIVE=" + archive, "bash", "-c", flags, common));
        assertTrue(current.text().contains("-XX:SharedArchiveFile=" + archive), current.text());
        Said off = run(List.of("env", "SPARKNN_CDS=0", "SPARKNN_CDS_ARCHIVE=" + archive, "bash", "-c", flags, common));
        assertEquals("", off.text(), "SPARKNN_CDS=0");
        Said version = run(List.of("env", "SPARKNN_CDS_ARCHIVE=" + archive, REPO.resolve("scripts/train.sh").toString(),
                "--version"));
        assertEquals(0, version.code(), version.text());
        assertTrue(version.text().matches("sparknn \\S+\\R?"), version.text());
        Files.setLastModifiedTime(archive, java.nio.file.attribute.FileTime.fromMillis(0));
        Said stale = run(List.of("env", "SPARKNN_CDS_ARCHIVE=" + archive, "bash", "-c", flags, common));
        assertEquals("", stale.text(), "an archive older than the jar");
    }

    /**
     * {@code --help} and a failing command print no warning: not picocli's "Could not format" for a '%' in an
     * option's text, nor the JVM's "WARNING: Using incubator modules" for the module conf/jvm.properties adds.
     */
    @Test
    void helpAndAnErrorPrintNoWarningLine() throws Exception {
        Said help = script("--help");
        assertEquals(0, help.code(), help.text());
        assertTrue(help.text().startsWith("Usage: train"), help.text());
        Said predict = script("predict", "--help");
        assertEquals(0, predict.code(), predict.text());
        Said typo = script("--lrr", "0.1");
        assertEquals(2, typo.code(), typo.text());
        for (Said s : List.of(help, predict, typo)) {
            assertEquals(List.of(), s.lines().stream().filter(l -> l.contains("WARN")).toList(), s.text());
        }
        assertTrue(typo.text().contains("error: unknown option '--lrr'; did you mean --lr?"), typo.text());
    }

    /**
     * The JVM names its incubator modules in any number and order, after its VM warnings if any: only that line
     * goes, and every byte after it passes unchanged (a progress bar's carriage returns and an unended last line
     * too). A line like it later in the output is not the JVM's, and stays.
     */
    @Test
    void theJvmNoticeGoesWhateverItsModulesAndNothingElseDoes() throws Exception {
        String rest = "training ...\n\repoch 1/5  13% [==]\repoch 1/5  27% [====]\nWARNING: Using incubator modules: "
                + "x\nlast line, unended";
        assertEquals(rest, filtered("WARNING: Using incubator modules: jdk.incubator.vector\n" + rest));
        assertEquals(rest, filtered("WARNING: Using incubator modules: jdk.incubator.foo, jdk.incubator.vector\n"
                + rest));
        String vm = "OpenJDK 64-Bit Server VM warning: Sharing is only supported for boot loader classes\n";
        assertEquals(vm + rest, filtered(vm + "WARNING: Using incubator modules: jdk.incubator.vector, "
                + "jdk.incubator.foo\n" + rest));
        assertEquals(rest, filtered(rest), "without the notice, everything passes");
        assertEquals("", filtered(""));
    }

    /**
     * A piped run of the default shape (469 steps an epoch in 8 rounds of 64 local steps) prints a plain progress
     * line within its first epoch, one for each round that passes a tenth of the epoch; and it records each round's
     * loss at its place on the loss plot's epoch axis, where the round ends (step / 469), as the checkpoint keeps it.
     */
    @Test
    void aPipedDefaultRunPrintsProgressWithinItsFirstEpochAndPlacesItsRounds() throws Exception {
        Path out = tmp.resolve("run");
        Said run = script("--epochs", "1", "--out", out.toString());
        assertEquals(0, run.code(), run.text());
        List<String> progress = run.lines().stream().filter(l -> l.startsWith("epoch 1/1  step "))
                .map(l -> l.replaceAll("  loss .*", "")).toList();
        assertEquals(List.of("epoch 1/1  step 64/469", "epoch 1/1  step 128/469", "epoch 1/1  step 192/469",
                "epoch 1/1  step 256/469", "epoch 1/1  step 320/469", "epoch 1/1  step 384/469",
                "epoch 1/1  step 448/469"), progress, run.text());
        assertTrue(run.text().indexOf("epoch 1/1  step 64/469") < run.text().indexOf("epoch 1/1  train loss"),
                run.text());
        assertEquals(List.of(), run.lines().stream().filter(l -> l.contains("WARN")).toList(), run.text());

        Path checkpoint;
        try (Stream<Path> files = Files.list(tmp.resolve("run.ckpt"))) {
            checkpoint = files.filter(f -> f.getFileName().toString().endsWith(".bin")).max(Path::compareTo)
                    .orElseThrow();
        }
        Checkpoint c = Checkpoint.fromBytes(Files.readAllBytes(checkpoint), checkpoint.toString());
        double[] places = new double[8];
        for (int r = 0; r < 8; r++) {
            places[r] = Math.min(469, 64 * (r + 1)) / 469.0;
        }
        assertArrayEquals(places, c.stepLossEpochs(), "where the plot draws each round");
        assertEquals(8, c.stepLosses().length);
        assertTrue(Files.size(out.resolve("loss.png")) > 0);
    }
}
