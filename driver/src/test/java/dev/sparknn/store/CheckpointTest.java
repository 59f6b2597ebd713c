package dev.sparknn.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sparknn.data.Fuzz;
import dev.sparknn.train.TrainConfig;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckpointTest {

    @TempDir
    Path dir;

    static Checkpoint sample(long globalStep) {
        Map<String, String> config = new LinkedHashMap<>();
        config.put("lr", "0.1");
        config.put("layers", "4,3,2");
        return Checkpoint.builder().config(config).epoch(2).nextStep(5).globalStep(globalStep).epochLossSum(12.5)
                .epochSamples(640).skippedSteps(1).elapsedSeconds(33.25).metrics(List.of("{\"epoch\":1}"))
                .stepLosses(new double[] {2.5, 0.125}).stepLossEpochs(new double[] {0.5, 1.25}).params(new float[] {1f, -2f, Float.MIN_VALUE, 3.5e30f})
                .optimizerState(new float[] {0.25f, 0f, -0f, 7f}).evals(List.of("{\"step\":5}", "{\"step\":10}"))
                .trainSeconds(4.75).epochTimes(new long[] {3, 6, 10, 200, 150, 30, 260}).build();
    }

    @Test
    void roundTripsEveryField() throws Exception {
        Checkpoint c = sample(17);
        Checkpoint back = Checkpoint.fromBytes(c.toBytes(), "x");
        assertEquals(c.config(), back.config());
        assertEquals(List.of(2, 5, 17L, 12.5, 640L, 1L, 33.25), List.of(back.epoch(), back.nextStep(),
                back.globalStep(), back.epochLossSum(), back.epochSamples(), back.skippedSteps(), back.elapsedSeconds()));
        assertEquals(c.metrics(), back.metrics());
        assertArrayEquals(c.stepLosses(), back.stepLosses());
        assertArrayEquals(c.stepLossEpochs(), back.stepLossEpochs());
        assertArrayEquals(c.params(), back.params());
        assertArrayEquals(c.optimizerState(), back.optimizerState());
        assertEquals(c.evals(), back.evals());
        assertEquals(4.75, back.trainSeconds());
        assertArrayEquals(c.epochTimes(), back.epochTimes());
    }

    @Test
    void aCheckpointWithAFieldLeftOutIsNotBuilt() {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> Checkpoint.builder()
                .config(Map.of()).epoch(1).nextStep(0).globalStep(0).epochLossSum(0).epochSamples(0).elapsedSeconds(0)
                .metrics(List.of()).stepLosses(new double[0]).stepLossEpochs(new double[0]).params(new float[0]).optimizerState(new float[0])
                .build());
        assertEquals("checkpoint field skippedSteps is not set", e.getMessage());
    }

    /** A checkpoint of an earlier build, without the evaluations, the clock and the epoch's times, reads as none, 0, none. */
    @Test
    void aCheckpointWithoutTheHistoryOfEvaluationsReadsAsNone() throws Exception {
        String header = "{\"config\":{\"lr\":\"0.1\"},\"epoch\":1,\"next_step\":3,\"global_step\":3,"
                + "\"epoch_loss_sum\":1.5,\"epoch_samples\":30,\"skipped_steps\":0,\"elapsed_seconds\":2.0,"
                + "\"metrics\":[],\"step_losses\":[0.5,0.5,0.5]";
        Checkpoint c = Checkpoint.fromBytes(file(1, header + "}"), "old");
        assertEquals(List.of(), c.evals());
        assertEquals(0.0, c.trainSeconds());
        assertEquals(0, c.epochTimes().length);
        assertEquals(3, c.nextStep());
        assertEquals(0, c.stepLosses().length, "step losses without places on the epoch axis are left out");
        // Each version has exactly its own fields.
        assertRefused(file(1, header + ",\"evals\":[]}"), "version 1 file with the header field 'evals'");
        assertRefused(file(2, header + ",\"evals\":[],\"train_seconds\":1}"),
                "version 2 file without the header field 'epoch_times'");
        assertRefused(file(2, header + ",\"evals\":[],\"train_seconds\":\"x\",\"epoch_times\":[]}"),
                "train_seconds \"x\", not a number");
        String history = header + ",\"evals\":[],\"train_seconds\":1,\"epoch_times\":[]";
        Checkpoint v2 = Checkpoint.fromBytes(file(2, history + "}"), "v2");
        assertEquals(0, v2.stepLosses().length, "a version 2 file's step losses cannot be placed");
        assertEquals(0, v2.stepLossEpochs().length);
        assertRefused(file(2, history + ",\"step_loss_epochs\":[1,2,3]}"),
                "version 2 file with the header field 'step_loss_epochs'");
        assertRefused(file(3, history + "}"), "version 3 file without the header field 'step_loss_epochs'");
        assertRefused(file(3, history + ",\"step_loss_epochs\":[1,2]}"), "has 3 step_losses but 2 step_loss_epochs");
        assertEquals(List.of(0.5, 1.0, 1.5), Arrays.stream(Checkpoint.fromBytes(file(3, history
                + ",\"step_loss_epochs\":[0.5,1,1.5]}"), "v3").stepLossEpochs()).boxed().toList());
    }

    /** A checkpoint of {@code version} with this JSON header and one parameter, with its checksum. */
    private static byte[] file(int version, String header) {
        byte[] head = header.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(12 + head.length + 4 + 4 + 4 + 8);
        b.put(new byte[] {'S', 'P', 'C', 'K'}).putInt(version).putInt(head.length).put(head).putInt(1).putFloat(2f)
                .putInt(0);
        java.util.zip.CRC32 crc = new java.util.zip.CRC32();
        crc.update(b.array(), 0, b.position());
        b.putLong(crc.getValue());
        return b.array();
    }

    @Test
    void damageIsRefusedSayingWhat() {
        byte[] good = sample(1).toBytes();
        assertRefused(Arrays.copyOf(good, good.length - 3), "checksum mismatch");
        assertRefused(Arrays.copyOf(good, 6), "truncated");
        byte[] flipped = good.clone();
        flipped[good.length / 2] ^= 0x10;
        assertRefused(flipped, "checksum mismatch");
        byte[] magic = good.clone();
        magic[1] = 'X';
        assertRefused(magic, "magic");
        byte[] version = good.clone();
        ByteBuffer.wrap(version).putInt(4, 9);
        assertRefused(version, "format version 9");
    }

    @Test
    void storeKeepsTheNewestKAndFallsBackPastDamagedOnes() throws Exception {
        CheckpointStore store = new CheckpointStore(new Configuration(), dir.toString(), 3);
        for (long step = 1; step <= 5; step++) {
            store.save(sample(step));
        }
        // Named by steps run: global step + 1 skipped step.
        assertEquals(List.of("ckpt-000000000006.bin", "ckpt-000000000005.bin", "ckpt-000000000004.bin"),
                store.list().stream().map(org.apache.hadoop.fs.Path::getName).toList());
        Path newest = dir.resolve("ckpt-000000000006.bin");
        Files.write(newest, Arrays.copyOf(Files.readAllBytes(newest), 40));
        Path next = dir.resolve("ckpt-000000000005.bin");
        byte[] bytes = Files.readAllBytes(next);
        bytes[0] = 'X';
        Files.write(next, bytes);
        Files.deleteIfExists(dir.resolve(".ckpt-000000000006.bin.crc"));
        Files.deleteIfExists(dir.resolve(".ckpt-000000000005.bin.crc"));
        Map<String, String> identity = sample(0).config();
        assertEquals(3, store.newestValid(identity).orElseThrow().globalStep(), "truncated 6 and wrong-magic 5 skipped");

        Map<String, String> other = new LinkedHashMap<>(identity);
        other.put("lr", "0.2");
        TrainConfig.ConfigException e = assertThrows(TrainConfig.ConfigException.class, () -> store.newestValid(other));
        assertTrue(e.getMessage().contains("--lr 0.1 but this run has --lr 0.2"), e.getMessage());

        // A checkpoint written before --missing existed resumes with its default, and with nothing else.
        assertTrue(!identity.containsKey("missing"), identity.toString());
        Map<String, String> later = new LinkedHashMap<>(identity);
        later.put("missing", "mean");
        assertEquals(3, store.newestValid(later).orElseThrow().globalStep());
        later.put("missing", "refuse");
        e = assertThrows(TrainConfig.ConfigException.class, () -> store.newestValid(later));
        assertTrue(e.getMessage().contains("it records no --missing (a checkpoint of an older version)"),
                e.getMessage());
    }

    @Test
    void aSaveNeverEvictsItselfBehindHigherDamagedFiles() throws Exception {
        CheckpointStore store = new CheckpointStore(new Configuration(), dir.toString(), 1);
        store.save(sample(9));
        store.save(sample(2));
        assertEquals(List.of("ckpt-000000000010.bin", "ckpt-000000000003.bin"),
                store.list().stream().map(org.apache.hadoop.fs.Path::getName).toList());
        store.save(sample(3));
        assertEquals(List.of("ckpt-000000000010.bin", "ckpt-000000000004.bin"),
                store.list().stream().map(org.apache.hadoop.fs.Path::getName).toList());
    }

    /**
     * Random bytes and random damage to a valid file, half of them with a matching checksum (see {@link Fuzz}):
     * refused with our exception, never another one or an OOM, or read as exactly what the bytes say.
     */
    @Test
    void hostileBytesAreRefusedOrReadAsWritten() throws Exception {
        Fuzz.check("checkpoint", sample(3).toBytes(), new Random(2024), 2000,
                Checkpoint.CorruptCheckpointException.class, bytes -> Checkpoint.fromBytes(bytes, "fuzz"),
                Checkpoint::toBytes, CheckpointTest::sameMeaning, Fuzz::withValidTrailingCrc,
                e -> assertTrue(e.getMessage().startsWith("checkpoint fuzz "), e.getMessage()));
    }

    /**
     * Two checkpoint files mean the same when their JSON headers are equal as JSON, numbers by value (a header
     * that says 33225 is written back as 33225.0), the binary parts before the checksum are equal byte for byte, and
     * the input's own checksum is right (the re-encoded one covers other bytes).
     */
    private static boolean sameMeaning(byte[] a, byte[] b) {
        if (!Fuzz.hasValidTrailingCrc(a)) {
            return false;
        }
        try {
            int la = ByteBuffer.wrap(a, 8, 4).getInt();
            int lb = ByteBuffer.wrap(b, 8, 4).getInt();
            com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
            com.fasterxml.jackson.databind.JsonNode ha = json.readTree(Arrays.copyOfRange(a, 12, 12 + la));
            com.fasterxml.jackson.databind.JsonNode hb = json.readTree(Arrays.copyOfRange(b, 12, 12 + lb));
            java.util.Comparator<com.fasterxml.jackson.databind.JsonNode> byValue = (x, y) -> x.equals(y)
                    || x.isNumber() && y.isNumber() && x.decimalValue().compareTo(y.decimalValue()) == 0 ? 0 : 1;
            return ha.equals(byValue, hb) && Arrays.equals(Arrays.copyOfRange(a, 12 + la, a.length - 8),
                    Arrays.copyOfRange(b, 12 + lb, b.length - 8));
        } catch (java.io.IOException | RuntimeException e) {
            return false;
        }
    }

    private static void assertRefused(byte[] bytes, String expected) {
        Checkpoint.CorruptCheckpointException e = assertThrows(Checkpoint.CorruptCheckpointException.class,
                () -> Checkpoint.fromBytes(bytes, "/ckpt/x.bin"));
        assertTrue(e.getMessage().contains("/ckpt/x.bin") && e.getMessage().contains(expected), e.getMessage());
    }
}
