package dev.sparknn.export;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnx.proto.OnnxMl;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import dev.sparknn.ops.Activation;
import dev.sparknn.ops.Loss;
import dev.sparknn.ops.Network;
import dev.sparknn.store.ModelFile;
import dev.sparknn.testing.Onnx;
import dev.sparknn.train.Task;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The ONNX graph of small networks whose outputs a person can work out, run by ONNX Runtime; the file's structure
 * and metadata; and the atomic, non-overwriting write.
 */
class OnnxExportTest {

    /**
     * ONNX Runtime against hand-computed values: float32 throughout, a few ulp apart at most (4 ulps of the largest
     * value, 2.5, are 9.5e-7). Measured: ReLU and identity exact, sigmoid and tanh within 8.5e-8.
     */
    private static final double TOLERANCE = 1e-6;

    /**
     * 2-2-2: {@code W1 = I, b1 = [0, 0.5]}, then {@code W2 = [[1, -1], [-1, 0]], b2 = [0, 0]}, so the logits are
     * {@code [h0 - h1, -h0]}. For {@code x = [1, -2]}: {@code z1 = [1, -1.5]}, ReLU {@code h = [1, 0]}, logits
     * {@code [1, -1]}, softmax {@code [e/(e+1/e), (1/e)/(e+1/e)] = [0.880797, 0.119203]}.
     */
    private static ModelFile.Model tiny(Activation hidden, Loss loss, Task task) {
        Network net = new Network(new int[] {2, 2, 2}, hidden, loss);
        float[] params = {1, 0, 0, 1, 0, 0.5f, 1, -1, -1, 0, 0, 0};
        return new ModelFile.Model(net, task, params);
    }

    /** {@link Onnx#run} with rows as arrays. */
    private static Map<String, float[][]> run(byte[] onnx, float[][] features) throws Exception {
        int width = features[0].length;
        float[] flat = new float[features.length * width];
        for (int r = 0; r < features.length; r++) {
            System.arraycopy(features[r], 0, flat, r * width, width);
        }
        Map<String, float[][]> out = new java.util.LinkedHashMap<>();
        Onnx.run(onnx, flat, features.length, width).forEach((name, values) -> {
            int k = values.length / features.length;
            float[][] rows = new float[features.length][];
            for (int r = 0; r < rows.length; r++) {
                rows[r] = java.util.Arrays.copyOfRange(values, r * k, (r + 1) * k);
            }
            out.put(name, rows);
        });
        return out;
    }

    @Test
    void softmaxClassifierGivesTheHandComputedProbabilitiesAndLogits() throws Exception {
        Map<String, float[][]> out = run(OnnxExport.toBytes(tiny(Activation.RELU, Loss.parse("softmax-ce"),
                Task.CLASSIFICATION)), new float[][] {{1, -2}});
        assertEquals(List.of("probabilities", "logits"), List.copyOf(out.keySet()));
        double e = Math.E;
        assertArrayEquals(new float[] {1, -1}, out.get("logits")[0], (float) TOLERANCE);
        assertArrayEquals(new float[] {(float) (e / (e + 1 / e)), (float) (1 / e / (e + 1 / e))},
                out.get("probabilities")[0], (float) TOLERANCE);
    }

    @Test
    void eachHiddenActivationIsItsOwnNodeAndIdentityHasNone() throws Exception {
        // x = [1, -2]: z1 = [1, -1.5]; the logits are [f(1) - f(-1.5), -f(1)].
        Map<Activation, Double> firstLogit = Map.of(
                Activation.RELU, 1.0,
                Activation.SIGMOID, 1 / (1 + Math.exp(-1)) - 1 / (1 + Math.exp(1.5)),
                Activation.TANH, Math.tanh(1) - Math.tanh(-1.5),
                Activation.IDENTITY, 2.5);
        for (Activation a : Activation.values()) {
            ModelFile.Model m = tiny(a, Loss.parse("softmax-ce"), Task.CLASSIFICATION);
            float[][] logits = run(OnnxExport.toBytes(m), new float[][] {{1, -2}}).get("logits");
            assertEquals(firstLogit.get(a), logits[0][0], TOLERANCE, a.name());
            double f1 = switch (a) {
                case RELU, IDENTITY -> 1;
                case SIGMOID -> 1 / (1 + Math.exp(-1));
                case TANH -> Math.tanh(1);
            };
            assertEquals(-f1, logits[0][1], TOLERANCE, a.name());
            List<String> ops = OnnxExport.toProto(m).getGraph().getNodeList().stream().map(OnnxMl.NodeProto::getOpType)
                    .toList();
            List<String> expected = a == Activation.IDENTITY ? List.of("Gemm", "Gemm", "Softmax")
                    : List.of("Gemm", a == Activation.RELU ? "Relu" : a == Activation.SIGMOID ? "Sigmoid" : "Tanh",
                    "Gemm", "Softmax");
            assertEquals(expected, ops, a.name());
        }
    }

    @Test
    void anMseClassifierGivesItsRawScoresAndNoProbabilities() throws Exception {
        Map<String, float[][]> out = run(OnnxExport.toBytes(tiny(Activation.RELU, Loss.parse("mse"),
                Task.CLASSIFICATION)), new float[][] {{1, -2}, {0, 0}});
        assertEquals(Set.of("scores"), out.keySet());
        assertArrayEquals(new float[] {1, -1}, out.get("scores")[0], (float) TOLERANCE);
        // x = 0: z1 = h = [0, 0.5], scores [0 - 0.5, -0].
        assertArrayEquals(new float[] {-0.5f, 0}, out.get("scores")[1], (float) TOLERANCE);
    }

    @Test
    void aRegressorGivesItsPredictionInTheTargetsUnits() throws Exception {
        // 1-1-1 identity: y = (x·2 + 1)·3 + 10, so x = 4 gives 37.
        Network net = new Network(new int[] {1, 1, 1}, Activation.IDENTITY, Loss.parse("mse"));
        byte[] onnx = OnnxExport.toBytes(new ModelFile.Model(net, Task.REGRESSION, new float[] {2, 1, 3, 10}));
        Map<String, float[][]> out = run(onnx, new float[][] {{4}, {0}});
        assertEquals(Set.of("prediction"), out.keySet());
        assertEquals(37, out.get("prediction")[0][0], TOLERANCE);
        assertEquals(13, out.get("prediction")[1][0], TOLERANCE);
    }

    @Test
    void theFileNamesItsProducerOpsetLayersAndTaskAndUsesStandardOperatorsOnly() throws Exception {
        Network net = new Network(new int[] {784, 32, 16, 10}, Activation.TANH, Loss.parse("softmax-ce"));
        ModelFile.Model m = new ModelFile.Model(net, Task.CLASSIFICATION, net.initParams(
                dev.sparknn.ops.WeightInit.parse("xavier"), 1));
        OnnxMl.ModelProto proto = OnnxMl.ModelProto.parseFrom(OnnxExport.toBytes(m));
        assertEquals(8, proto.getIrVersion());
        assertEquals(1, proto.getOpsetImportCount());
        assertEquals("", proto.getOpsetImport(0).getDomain());
        assertEquals(13, proto.getOpsetImport(0).getVersion());
        assertEquals("sparknn", proto.getProducerName());
        assertFalse(proto.getProducerVersion().isEmpty());
        Map<String, String> meta = proto.getMetadataPropsList().stream().collect(Collectors.toMap(
                OnnxMl.StringStringEntryProto::getKey, OnnxMl.StringStringEntryProto::getValue));
        assertEquals("784,32,16,10", meta.get("layers"));
        assertEquals("classification", meta.get("task"));
        assertEquals("tanh", meta.get("activation"));
        assertEquals("softmax-ce", meta.get("loss"));
        assertEquals("probabilities,logits", meta.get("outputs"));
        assertEquals(ModelFile.sha256(m.params()), meta.get("weights_sha256"));
        OnnxMl.GraphProto g = proto.getGraph();
        assertEquals(Set.of("Gemm", "Tanh", "Softmax"),
                g.getNodeList().stream().map(OnnxMl.NodeProto::getOpType).collect(Collectors.toSet()));
        assertEquals(List.of("W1", "b1", "W2", "b2", "W3", "b3"),
                g.getInitializerList().stream().map(OnnxMl.TensorProto::getName).toList());
        assertEquals(List.of(784L, 32L), g.getInitializer(0).getDimsList());
        assertEquals(4 * 784 * 32, g.getInitializer(0).getRawData().size());
        assertEquals(List.of("features"), g.getInputList().stream().map(OnnxMl.ValueInfoProto::getName).toList());
        OnnxMl.TensorShapeProto in = g.getInput(0).getType().getTensorType().getShape();
        assertEquals("N", in.getDim(0).getDimParam());
        assertEquals(784, in.getDim(1).getDimValue());

        // ONNX Runtime reads the same: names, shapes and metadata.
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession session = env.createSession(OnnxExport.toBytes(m), new OrtSession.SessionOptions())) {
            assertEquals(Set.of("features"), session.getInputNames());
            assertEquals(Set.of("probabilities", "logits"), session.getOutputNames());
            assertEquals("sparknn", session.getMetadata().getProducerName());
            assertEquals("784,32,16,10", session.getMetadata().getCustomMetadata().get("layers"));
        }
    }

    @Test
    void weightsLargerThanOneOnnxFileHoldsAreRefusedBeforeAnythingIsAllocated() {
        // 40,000 x 12,500 weights: 2.0 GB of float32, which a protobuf message cannot hold.
        Network net = new Network(new int[] {40_000, 12_500, 10}, Activation.RELU, Loss.parse("softmax-ce"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> OnnxExport.toBytes(new ModelFile.Model(net, Task.CLASSIFICATION, new float[0])));
        assertTrue(e.getMessage().contains("a model of 500,137,510 parameters needs 2,000,550,040 bytes of weights"),
                e.getMessage());
    }

    @Test
    void writeRefusesAnExistingFileUnlessToldAndLeavesNoTemporaryFile(@TempDir Path dir) throws Exception {
        ModelFile.Model m = tiny(Activation.RELU, Loss.parse("softmax-ce"), Task.CLASSIFICATION);
        Path file = dir.resolve("model.onnx");
        Files.writeString(file, "not yet a model");
        FileAlreadyExistsException e = assertThrows(FileAlreadyExistsException.class,
                () -> OnnxExport.write(m, file, false));
        assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
        assertEquals("not yet a model", Files.readString(file));

        OnnxExport.write(m, file, true);
        assertArrayEquals(OnnxExport.toBytes(m), Files.readAllBytes(file));
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(List.of(file), files.toList(), "no temporary file is left behind");
        }
    }
}
