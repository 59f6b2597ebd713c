package dev.sparknn.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sparknn.data.Fuzz;
import dev.sparknn.data.TableEncoding;
import dev.sparknn.ops.Activation;
import dev.sparknn.ops.MeanSquaredError;
import dev.sparknn.ops.Network;
import dev.sparknn.ops.SoftmaxCrossEntropy;
import dev.sparknn.ops.WeightInit;
import dev.sparknn.train.Task;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelFileTest {

    @TempDir
    Path dir;

    private final Network net = new Network(new int[] {4, 3, 2}, Activation.TANH, new SoftmaxCrossEntropy());
    private final float[] params = net.initParams(WeightInit.parse("auto"), 9);

    @Test
    void roundTripsNetworkAndParameters() throws IOException {
        Path file = dir.resolve("model.bin");
        ModelFile.write(file, net, Task.CLASSIFICATION, params);
        ModelFile.Model model = ModelFile.read(file);
        assertArrayEquals(net.sizes(), model.network().sizes());
        assertEquals(Activation.TANH, model.network().hidden());
        assertEquals("softmax-ce", model.network().loss().id());
        assertEquals(Task.CLASSIFICATION, model.task());
        assertArrayEquals(params, model.params());
        assertTrue(Files.list(dir).allMatch(p -> p.equals(file)), "no temporary file left behind");
    }

    @Test
    void truncatedFileIsRefused() throws IOException {
        byte[] bytes = written();
        Path file = dir.resolve("short.bin");
        Files.write(file, Arrays.copyOf(bytes, bytes.length - 5));
        assertRefused(file, "bytes after the header");
        Files.write(file, Arrays.copyOf(bytes, 10));
        assertRefused(file, "truncated");
    }

    @Test
    void flippedByteIsRefusedByTheChecksum() throws IOException {
        byte[] bytes = written();
        bytes[bytes.length - 20] ^= 0x01;
        Path file = dir.resolve("flipped.bin");
        Files.write(file, bytes);
        assertRefused(file, "checksum mismatch");
    }

    @Test
    void wrongMagicAndVersionAreRefused() throws IOException {
        byte[] bytes = written();
        bytes[0] = 'X';
        Path file = dir.resolve("magic.bin");
        Files.write(file, bytes);
        assertRefused(file, "magic 0x58504e4e");

        bytes = written();
        ByteBuffer.wrap(bytes).putInt(4, 5);
        Files.write(file, bytes);
        assertRefused(file, "format version 5, this build reads versions 2 to 4");
    }

    @Test
    void hostileSizesAreRefusedBeforeAllocating() throws Exception {
        byte[] bytes = written();
        ByteBuffer.wrap(bytes).putInt(8, 1_000_000);
        Path file = dir.resolve("hostile.bin");
        Files.write(file, bytes);
        assertRefused(file, "has a name field of length 1000000, expected 1..4096");
        // Versions 2 and 3 give layer sizes, not a spelling.
        byte[] v3 = Files.readAllBytes(Path.of(getClass().getResource("model-v3.bin").toURI()));
        bytes = v3.clone();
        ByteBuffer.wrap(bytes).putInt(8, 1_000_000);
        Files.write(file, bytes);
        assertRefused(file, "declares 1000000 layer sizes");
        bytes = v3.clone();
        ByteBuffer.wrap(bytes).putInt(12, Integer.MAX_VALUE);
        Files.write(file, bytes);
        assertRefused(file, "layer size 2147483647 at position 0");
    }

    /**
     * Random bytes and random damage, with and without a matching checksum (see {@link Fuzz}): refused with
     * ModelFormatException naming the file, or read as exactly what the bytes say (the model writes back the same
     * bytes, but for the case of the activation and loss names, which are read case-insensitively, and so for the
     * trailing checksum over them).
     */
    @Test
    void hostileBytesAreRefusedOrReadAsWritten() throws Exception {
        Path file = dir.resolve("fuzz.bin");
        Path back = dir.resolve("back.bin");
        Fuzz.check("model.bin", written(), new Random(77), 2000, ModelFile.ModelFormatException.class, bytes -> {
            Files.write(file, bytes);
            return ModelFile.read(file);
        }, m -> {
            Files.deleteIfExists(back);
            ModelFile.write(back, m.network(), m.task(), m.params(), m.features());
            return Files.readAllBytes(back);
        }, (in, out) -> Fuzz.hasValidTrailingCrc(in) && in.length == out.length && Fuzz.equalIgnoringAsciiCase(Arrays.copyOf(in, in.length - 8),
                Arrays.copyOf(out, out.length - 8)), Fuzz::withValidTrailingCrc, e -> assertTrue(e.getMessage().contains(file.toString()), e.getMessage()));
    }

    @Test
    void regressionModelsKeepTheirTask() throws IOException {
        Network regression = new Network(new int[] {1, 8, 1}, Activation.RELU, new MeanSquaredError());
        Path file = dir.resolve("regression.bin");
        ModelFile.write(file, regression, Task.REGRESSION, regression.initParams(WeightInit.parse("auto"), 1));
        assertEquals(Task.REGRESSION, ModelFile.read(file).task());
    }

    /** The feature names a table model keeps, in input order, so that tables are read by name. */
    @Test
    void roundTripsFeatureNames() throws IOException {
        Path file = dir.resolve("named.bin");
        List<String> names = List.of("petal length", "b", "ä", "label2");
        ModelFile.write(file, net, Task.CLASSIFICATION, params, names);
        ModelFile.Model model = ModelFile.read(file);
        assertEquals(names, model.features());
        assertArrayEquals(params, model.params());
        ModelFile.write(file, net, Task.CLASSIFICATION, params);
        assertEquals(List.of(), ModelFile.read(file).features());
        assertThrows(IllegalArgumentException.class, () -> ModelFile.write(file, net, Task.CLASSIFICATION, params,
                List.of("a", "b")));
    }

    /**
     * A version 2 file (before feature names), committed as written by that build's format: a 2-3-2 ReLU classifier
     * with parameters (i − 8) / 8, read as a model without names.
     */
    @Test
    void readsTheFormatBeforeFeatureNames() throws Exception {
        Path file = Path.of(getClass().getResource("model-v2.bin").toURI());
        assertEquals(2, ByteBuffer.wrap(Files.readAllBytes(file)).getInt(4), "the fixture is a version 2 file");
        ModelFile.Model model = ModelFile.read(file);
        assertArrayEquals(new int[] {2, 3, 2}, model.network().sizes());
        assertEquals(Activation.RELU, model.network().hidden());
        assertEquals(Task.CLASSIFICATION, model.task());
        float[] expected = new float[17];
        for (int i = 0; i < expected.length; i++) {
            expected[i] = (i - 8) / 8f;
        }
        assertArrayEquals(expected, model.params());
        assertEquals(List.of(), model.features());
    }

    /**
     * A version 3 file (feature names, no table encoding), its bytes laid out by the version 3 format: a 2-3-2
     * ReLU classifier with parameters (i − 8) / 8 and features a, b, read as a model of numeric columns and class
     * indices.
     */
    @Test
    void readsTheFormatBeforeTheTableEncoding() throws Exception {
        Path file = Path.of(getClass().getResource("model-v3.bin").toURI());
        assertEquals(3, ByteBuffer.wrap(Files.readAllBytes(file)).getInt(4), "the fixture is a version 3 file");
        ModelFile.Model model = ModelFile.read(file);
        assertArrayEquals(new int[] {2, 3, 2}, model.network().sizes());
        assertEquals(List.of("a", "b"), model.features());
        assertEquals(List.of("a", "b"), model.columns());
        assertEquals(List.of(), model.classNames());
        assertEquals(null, model.encoding());
        assertEquals(-1f, model.params()[0]);
        assertEquals(1f, model.params()[16]);
    }

    /** A table encoding (a categorical column, named classes, a fill and ranges) is read back as written. */
    @Test
    void theTableEncodingIsReadBackAsWritten() throws IOException {
        Network small = new Network(new int[] {4, 3, 2}, Activation.RELU, new SoftmaxCrossEntropy());
        TableEncoding encoding = new TableEncoding(List.of(new TableEncoding.Numeric("x", 0.5, -1, 2, 3),
                new TableEncoding.Numeric("y", Double.NaN, 0, 1, 0),
                new TableEncoding.Categorical("colour", List.of("blue", "green"), 1)), "label", List.of("no", "yes"));
        Path file = dir.resolve("encoded.bin");
        ModelFile.write(file, small, Task.CLASSIFICATION, new float[small.numParams()], List.of(), encoding, null);
        ModelFile.Model model = ModelFile.read(file);
        assertEquals(encoding, model.encoding());
        assertEquals(List.of("x", "y", "colour=blue", "colour=green"), model.features());
        assertEquals(List.of("x", "y", "colour"), model.columns());
        assertEquals(List.of("no", "yes"), model.classNames());
        assertEquals(List.of("x", "y"), model.ranges().names());

        ModelFile.write(file, small, Task.CLASSIFICATION, new float[small.numParams()], List.of(), null,
                new double[] {0, 1});
        model = ModelFile.read(file);
        assertEquals(null, model.encoding());
        assertArrayEquals(new double[] {0, 1}, model.inputRange());
        assertEquals(List.of("inputs"), model.ranges().names());
    }

    private byte[] written() throws IOException {
        Path file = dir.resolve("good.bin");
        ModelFile.write(file, net, Task.CLASSIFICATION, params, List.of("a", "b", "c", "d"));
        return Files.readAllBytes(file);
    }

    private static void assertRefused(Path file, String expected) {
        IOException e = assertThrows(ModelFile.ModelFormatException.class, () -> ModelFile.read(file));
        assertTrue(e.getMessage().contains(file.toString()) && e.getMessage().contains(expected), e.getMessage());
    }
}
