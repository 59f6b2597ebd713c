package dev.sparknn.cli;

import static dev.sparknn.cli.MainIT.run;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.sparknn.cli.MainIT.Run;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code diff} on hand-written run folders (no Spark): the epoch where runs part, and each bad input by name. */
class DiffCommandTest {

    @TempDir
    Path tmp;

    private Path folder(String name, String config, String... metrics) throws Exception {
        Path dir = Files.createDirectories(tmp.resolve(name));
        Files.writeString(dir.resolve("config.json"), config);
        Files.write(dir.resolve("metrics.jsonl"), java.util.List.of(metrics));
        return dir;
    }

    @Test
    void withoutRoundHashesTheEpochIsNamedAndWhatDiffers() throws Exception {
        Path a = folder("a", "{\"data\": \"/d/mnist\", \"partitions\": \"2\", \"lr\": \"0.1\", \"master\": \"local[2]\","
                + " \"blas_kernels\": {\"driver\": \"JNIBLAS OpenBLAS 0.3.21 Haswell, 1 thread\"}}",
                "{\"epoch\": 1, \"weights_sha256\": \"aaaa\"}", "{\"epoch\": 2, \"weights_sha256\": \"bbbb\"}");
        Path b = folder("b", "{\"data\": \"/e/mnist\", \"partitions\": \"4\", \"lr\": \"0.1\", \"master\": \"yarn\","
                + " \"blas_kernels\": {\"driver\": \"JNIBLAS OpenBLAS 0.3.21 Haswell, 1 thread\","
                + " \"1\": \"JNIBLAS OpenBLAS 0.3.21 Zen, 1 thread\"}}",
                "{\"epoch\": 1, \"weights_sha256\": \"aaaa\"}", "{\"epoch\": 2, \"weights_sha256\": \"cccc\"}");
        Run r = run("diff", a.toString(), b.toString());
        assertEquals(0, r.code(), r.err());
        assertEquals(String.join("\n", "weights part at epoch 2 (bbbb vs cccc); rerun both with --round-hashes to "
                        + "find the round",
                "options: same",
                "data: data /d/mnist vs /e/mnist",
                "partitions: partitions 2 vs 4",
                "BLAS kernels: JNIBLAS OpenBLAS 0.3.21 Haswell, 1 thread vs JNIBLAS OpenBLAS 0.3.21 Haswell, 1 thread; "
                        + "JNIBLAS OpenBLAS 0.3.21 Zen, 1 thread",
                "Spark master: local[2] vs yarn") + "\n", r.out().replace(System.lineSeparator(), "\n"));
    }

    @Test
    void aFolderThatIsNoRunIsNamed() throws Exception {
        Path run = folder("run", "{}", "{\"epoch\": 1, \"weights_sha256\": \"aaaa\"}");
        Path empty = Files.createDirectories(tmp.resolve("empty"));
        Run r = run("diff", run.toString(), empty.toString());
        assertEquals(Main.EXIT_DATA, r.code());
        assertEquals("data error: " + empty.resolve("config.json") + ": no such file (not a run folder?)\n",
                r.err().replace(System.lineSeparator(), "\n"));
    }

    @Test
    void aBrokenMetricsLineIsNamedByFileAndLine() throws Exception {
        Path good = folder("good", "{}", "{\"epoch\": 1, \"weights_sha256\": \"aaaa\"}");
        Path notJson = folder("notjson", "{}", "{\"epoch\": 1, \"weights_sha256\": \"aaaa\"}", "{\"epoch\": 2,");
        Run r = run("diff", good.toString(), notJson.toString());
        assertEquals(Main.EXIT_DATA, r.code());
        assertEquals(true, r.err().startsWith("data error: " + notJson.resolve("metrics.jsonl") + " line 2: not JSON"),
                r.err());
        Path noHash = folder("nohash", "{}", "{\"epoch\": 1}");
        r = run("diff", good.toString(), noHash.toString());
        assertEquals(Main.EXIT_DATA, r.code());
        assertEquals("data error: " + noHash.resolve("metrics.jsonl") + " line 1: no 'epoch' and 'weights_sha256'\n",
                r.err().replace(System.lineSeparator(), "\n"));
        Path badConfig = Files.createDirectories(tmp.resolve("badconfig"));
        Files.writeString(badConfig.resolve("config.json"), "{\"lr\": ");
        r = run("diff", good.toString(), badConfig.toString());
        assertEquals(Main.EXIT_DATA, r.code());
        assertEquals(true, r.err().startsWith("data error: " + badConfig.resolve("config.json") + ": not JSON"),
                r.err());
    }
}
