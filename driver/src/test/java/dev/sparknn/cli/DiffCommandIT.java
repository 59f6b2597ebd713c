package dev.sparknn.cli;

import static dev.sparknn.cli.MainIT.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sparknn.cli.MainIT.Run;
import dev.sparknn.testing.Mnist;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code --round-hashes} and {@code diff} on two real runs that differ in one option. */
class DiffCommandIT {

    @TempDir
    Path tmp;

    @Test
    void diffNamesTheFirstRoundWhereRunsPartAndTheOptionThatDiffers() throws Exception {
        Path data = Mnist.subset(tmp.resolve("mnist"), 800, 200);
        // 800 rows at a batch of 100: 8 steps an epoch, in rounds of 3, 3 and 2 local steps.
        for (String lr : new String[] {"0.1", "0.2"}) {
            Run r = run("--data", data.toString(), "--layers", "784,16,10", "--epochs", "2", "--batch-size", "100",
                    "--local-steps", "3", "--lr", lr, "--round-hashes", "--out", tmp.resolve("lr" + lr).toString());
            assertEquals(0, r.code(), r.err());
        }
        List<String> lines = Files.readAllLines(tmp.resolve("lr0.1/metrics.jsonl"));
        JsonNode first = new ObjectMapper().readTree(lines.get(0));
        assertEquals(3, first.get("round_sha256").size(), first.toString());
        assertEquals(8, first.get("round_sha256").get(2).get("step").asInt(), first.toString());
        // The last round's hash is the epoch's.
        assertEquals(first.get("weights_sha256"), first.get("round_sha256").get(2).get("sha256"));

        Run diff = run("diff", tmp.resolve("lr0.1").toString(), tmp.resolve("lr0.2").toString());
        assertEquals(0, diff.code(), diff.err());
        List<String> out = diff.out().lines().toList();
        assertTrue(out.get(0).startsWith("weights part at epoch 1, round 1 (after step 3 of the epoch; "), diff.out());
        assertEquals("options: lr 0.1 vs 0.2", out.get(1), diff.out());
        assertEquals(List.of("data: same", "partitions: same"), out.subList(2, 4), diff.out());
        assertTrue(out.get(4).startsWith("BLAS kernels: same ("), diff.out());
        assertEquals("Spark master: same (local[2])", out.get(5), diff.out());

        Run same = run("diff", tmp.resolve("lr0.1").toString(), tmp.resolve("lr0.1").toString());
        assertEquals("the same weights at all 2 epochs both ran", same.out().lines().findFirst().orElseThrow(),
                same.out());
    }
}
