package dev.sparknn.cli;

import static dev.sparknn.cli.MainIT.run;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sparknn.cli.MainIT.Run;
import dev.sparknn.ops.Activation;
import dev.sparknn.ops.Loss;
import dev.sparknn.ops.Network;
import dev.sparknn.ops.WeightInit;
import dev.sparknn.store.ModelFile;
import dev.sparknn.testing.Onnx;
import dev.sparknn.train.Task;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code export} end to end in-process (no Spark): what it writes, and each bad input it refuses, by name. */
class ExportCommandTest {

    /**
     * ONNX Runtime against our own forward pass, both float32, summing in their own orders: the same bound as the
     * real-data OnnxExportIT. For this 20-8-3 network Higham's worst case (γ_20 and γ_8 times the sums of |w·x|,
     * through sigmoid and softmax) is about 3e-6; measured 6e-8.
     */
    private static final double TOLERANCE = 1e-5;

    @TempDir
    Path dir;
    private Path model;
    private Network net;
    private float[] params;

    @BeforeEach
    void writeModel() throws Exception {
        net = new Network(new int[] {20, 8, 3}, Activation.SIGMOID, Loss.parse("softmax-ce"));
        params = net.initParams(WeightInit.parse("xavier"), 3);
        model = dir.resolve("model.bin");
        ModelFile.write(model, net, Task.CLASSIFICATION, params);
    }

    private List<Path> files() throws Exception {
        try (Stream<Path> s = Files.list(dir)) {
            return s.sorted().toList();
        }
    }

    @Test
    void writesAnOnnxFileThatGivesOurProbabilitiesAndSaysWhatItWrote() throws Exception {
        Path onnx = dir.resolve("model.onnx");
        Run r = run("export", "--model", model.toString(), "--format", "onnx", "--output", onnx.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().startsWith("wrote " + onnx + ": ONNX opset 13 (IR version 8), "), r.out());
        assertTrue(r.out().contains("input features float32 [N, 20]; outputs probabilities [N, 3], logits [N, 3]"),
                r.out());

        int rows = 50;
        float[] x = new float[rows * 20];
        Random random = new Random(5);
        for (int i = 0; i < x.length; i++) {
            x[i] = random.nextFloat();
        }
        float[] ours = new float[rows * 3];
        net.predict(params, x, rows, net.newWorkspace(rows), ours);
        Map<String, float[]> theirs = Onnx.run(Files.readAllBytes(onnx), x, rows, 20);
        assertArrayEquals(ours, theirs.get("probabilities"), (float) TOLERANCE);
        assertEquals(List.of(model, onnx), files(), "no temporary file is left behind");
    }

    /**
     * A version 4 model.bin of explicit layers (convolution, batch normalization, pooling, dropout) exports as
     * well, and ONNX Runtime gives our probabilities on flat 36-value rows.
     */
    @Test
    void aConvolutionalModelExportsAndGivesOurProbabilities() throws Exception {
        Network cnn = new Network("1x6x6,conv:3:3:1:1,batchnorm,relu,maxpool:2,dropout:0.5,affine:4",
                Activation.RELU, Loss.parse("softmax-ce"));
        float[] weights = cnn.initParams(WeightInit.parse("auto"), 4);
        Path cnnModel = dir.resolve("cnn.bin");
        ModelFile.write(cnnModel, cnn, Task.CLASSIFICATION, weights);
        Path onnx = dir.resolve("cnn.onnx");
        Run r = run("export", "--model", cnnModel.toString(), "--output", onnx.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("input features float32 [N, 36]; outputs probabilities [N, 4], logits [N, 4]"),
                r.out());
        int rows = 20;
        float[] x = new float[rows * 36];
        Random random = new Random(6);
        for (int i = 0; i < x.length; i++) {
            x[i] = random.nextFloat();
        }
        float[] ours = new float[rows * 4];
        cnn.predict(weights, x, rows, cnn.newWorkspace(rows), ours);
        assertArrayEquals(ours, Onnx.run(Files.readAllBytes(onnx), x, rows, 36).get("probabilities"),
                (float) TOLERANCE);
    }

    @Test
    void formatDefaultsToOnnxAndAnUnknownFormatExitsWith2NamingIt() throws Exception {
        assertEquals(0, run("export", "--model", model.toString(), "--output", dir.resolve("a.onnx").toString())
                .code());
        Run r = run("export", "--model", model.toString(), "--format", "tflite", "--output",
                dir.resolve("b.tflite").toString());
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains("--format must be onnx, got 'tflite'"), r.err());
        assertFalse(Files.exists(dir.resolve("b.tflite")));
    }

    @Test
    void anExistingOutputIsRefusedWith2UnlessOverwriteThenReplaced() throws Exception {
        Path onnx = dir.resolve("model.onnx");
        Files.writeString(onnx, "someone else's file");
        Run r = run("export", "--model", model.toString(), "--output", onnx.toString());
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains("--output " + onnx + " exists; pass --overwrite to replace it"), r.err());
        assertEquals("someone else's file", Files.readString(onnx));

        Run replaced = run("export", "--model", model.toString(), "--output", onnx.toString(), "--overwrite");
        assertEquals(0, replaced.code(), replaced.err());
        assertEquals("sparknn", ai.onnx.proto.OnnxMl.ModelProto.parseFrom(Files.readAllBytes(onnx)).getProducerName(),
                "an ONNX model now");
        assertEquals(List.of(model, onnx), files());
    }

    @Test
    void anOutputThatIsAFolderHasNoFolderOrIsTheModelExitsWith2NamingIt() throws Exception {
        Run folder = run("export", "--model", model.toString(), "--output", dir.toString(), "--overwrite");
        assertEquals(2, folder.code(), folder.err());
        assertTrue(folder.err().contains("--output " + dir + " is a folder"), folder.err());

        Path nowhere = dir.resolve("missing").resolve("model.onnx");
        Run noFolder = run("export", "--model", model.toString(), "--output", nowhere.toString());
        assertEquals(2, noFolder.code(), noFolder.err());
        assertTrue(noFolder.err().contains("--output " + nowhere + ": folder " + nowhere.getParent()
                + " does not exist"), noFolder.err());

        byte[] before = Files.readAllBytes(model);
        Run itself = run("export", "--model", model.toString(), "--output", model.toString(), "--overwrite");
        assertEquals(2, itself.code(), itself.err());
        assertTrue(itself.err().contains("--output " + model + " is the --model file itself"), itself.err());
        assertArrayEquals(before, Files.readAllBytes(model));
    }

    @Test
    void aDamagedTruncatedOrMissingModelExitsWith3NamingTheFileAndWritesNothing() throws Exception {
        Path onnx = dir.resolve("model.onnx");
        byte[] bytes = Files.readAllBytes(model);

        Path flipped = dir.resolve("flipped.bin");
        byte[] damaged = bytes.clone();
        damaged[damaged.length / 2] ^= 0x10;
        Files.write(flipped, damaged);
        Run r = run("export", "--model", flipped.toString(), "--output", onnx.toString());
        assertEquals(3, r.code(), r.err());
        assertTrue(r.err().contains("model file " + flipped + " checksum mismatch"), r.err());

        Path truncated = dir.resolve("truncated.bin");
        Files.write(truncated, java.util.Arrays.copyOf(bytes, bytes.length - 9));
        Run t = run("export", "--model", truncated.toString(), "--output", onnx.toString());
        assertEquals(3, t.code(), t.err());
        assertTrue(t.err().contains("model file " + truncated), t.err());

        Path notAModel = dir.resolve("other.onnx");
        Files.writeString(notAModel, "ONNX? no");
        Run other = run("export", "--model", notAModel.toString(), "--output", onnx.toString());
        assertEquals(3, other.code(), other.err());
        assertTrue(other.err().contains("model file " + notAModel + " has magic"), other.err());

        Path missing = dir.resolve("nope.bin");
        Run m = run("export", "--model", missing.toString(), "--output", onnx.toString());
        assertEquals(3, m.code(), m.err());
        assertTrue(m.err().contains("--model " + missing + ": no such file"), m.err());

        assertFalse(Files.exists(onnx), "nothing is written for a bad model");
        assertEquals(List.of(flipped, model, notAModel, truncated), files(), "and no temporary file is left");
    }

    @Test
    void withoutModelOrOutputExitsWith2NamingTheMissingOption() {
        Run r = run("export", "--output", dir.resolve("x.onnx").toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("--model"), r.err());
        Run o = run("export", "--model", model.toString());
        assertEquals(2, o.code());
        assertTrue(o.err().contains("--output"), o.err());
    }
}
