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
    /**
     * ONNX Runtime against our inference pass on random inputs, for random weights: both float32, summing in their
     * own orders (im2col and sgemm here, ONNX Runtime's own convolution there), relative to {@code max(1, |y|)}.
     * Measured at most 1.1e-6 (SimpleConvNet's logits, fan-in 2,880 into its first affine layer), 4.0e-7 or less for
     * the small networks below.
     */
    private static final double LAYERS_TOLERANCE = 1e-5;

    /**
     * A model of {@code spelling} with weights drawn by seed and batch normalization's statistics made
     * non-trivial (γ in [0.5, 1.5], β and the running mean in [-1, 1], the running variance in [0.2, 2.2]), so
     * that a graph that dropped or misread any of them would be caught.
     */
    private static ModelFile.Model layered(String spelling, Loss loss, Task task, long seed) {
        Network net = new Network(spelling, Activation.RELU, loss);
        float[] params = net.initParams(dev.sparknn.ops.WeightInit.parse("auto"), seed);
        java.util.Random random = new java.util.Random(seed);
        for (dev.sparknn.ops.Layer l : net.layers()) {
            if (l instanceof dev.sparknn.ops.BatchNormalization bn) {
                for (int c = 0; c < bn.shape().channels(); c++) {
                    params[bn.gammaOffset() + c] = 0.5f + random.nextFloat();
                    params[bn.betaOffset() + c] = 2 * random.nextFloat() - 1;
                    params[bn.meanOffset() + c] = 2 * random.nextFloat() - 1;
                    params[bn.varianceOffset() + c] = 0.2f + 2 * random.nextFloat();
                }
            }
            // Biases too, which the initialisation leaves at 0.
            if (l instanceof dev.sparknn.ops.Convolution c) {
                for (int i = c.biasOffset(); i < c.offset() + c.numParams(); i++) {
                    params[i] = 0.2f * (random.nextFloat() - 0.5f);
                }
            }
        }
        return new ModelFile.Model(net, task, params);
    }

    /** Max over every output of every row of {@code |ONNX Runtime − ours| / max(1, |ours|)}. */
    private static double compareWithOurInference(ModelFile.Model m, int rows, long seed) throws Exception {
        Network net = m.network();
        float[] x = new float[rows * net.numInputs()];
        java.util.Random random = new java.util.Random(seed);
        for (int i = 0; i < x.length; i++) {
            x[i] = random.nextFloat();
        }
        int k = net.numOutputs();
        float[] outputs = new float[rows * k];
        net.outputs(m.params(), x, rows, net.newWorkspace(7), outputs);
        float[] predicted = new float[rows * k];
        net.predict(m.params(), x, rows, net.newWorkspace(7), predicted);
        Map<String, float[]> onnx = Onnx.run(OnnxExport.toBytes(m), x, rows, net.numInputs());
        assertEquals(OnnxExport.outputs(m), List.copyOf(onnx.keySet()));
        Map<String, float[]> ours = Map.of("logits", outputs, "scores", outputs, "prediction", outputs,
                "probabilities", predicted);
        double worst = 0;
        for (Map.Entry<String, float[]> e : onnx.entrySet()) {
            float[] want = ours.get(e.getKey());
            float[] got = e.getValue();
            assertEquals(want.length, got.length, e.getKey());
            for (int i = 0; i < want.length; i++) {
                worst = Math.max(worst, Math.abs((double) got[i] - want[i]) / Math.max(1, Math.abs(want[i])));
            }
        }
        return worst;
    }

    private static List<String> ops(ModelFile.Model m) {
        return OnnxExport.toProto(m).getGraph().getNodeList().stream().map(OnnxMl.NodeProto::getOpType).toList();
    }

    private static void assertMatchesOurInference(ModelFile.Model m) throws Exception {
        double worst = compareWithOurInference(m, 23, 9);
        assertTrue(worst <= LAYERS_TOLERANCE, m.network().spelling() + ": max relative |ONNX Runtime - ours| = "
                + worst);
    }

    @Test
    void simpleConvNetIsReshapeConvReluMaxPoolFlattenGemmAndGivesOurOutputs() throws Exception {
        ModelFile.Model m = layered("1x28x28,conv:30:5,relu,maxpool:2,affine:100,relu,affine:10",
                Loss.parse("softmax-ce"), Task.CLASSIFICATION, 1);
        assertEquals(List.of("Reshape", "Conv", "Relu", "MaxPool", "Flatten", "Gemm", "Relu", "Gemm", "Softmax"),
                ops(m));
        OnnxMl.GraphProto g = OnnxExport.toProto(m).getGraph();
        assertEquals(List.of("image_shape", "W1", "b1", "W2", "b2", "W3", "b3"),
                g.getInitializerList().stream().map(OnnxMl.TensorProto::getName).toList());
        assertEquals(List.of(-1L, 1L, 28L, 28L), g.getInitializer(0).getInt64DataList());
        assertEquals(List.of(30L, 1L, 5L, 5L), g.getInitializer(1).getDimsList());
        assertEquals(List.of(30 * 12 * 12L, 100L), g.getInitializer(3).getDimsList());
        assertEquals(List.of("reshape", "conv1", "relu1", "maxpool1", "flatten1", "gemm2", "relu2", "gemm3", "softmax"),
                g.getNodeList().stream().map(OnnxMl.NodeProto::getName).toList());
        assertEquals("logits", g.getNode(7).getOutput(0));
        assertMatchesOurInference(m);
    }

    @Test
    void aConvolutionWithStrideAndPaddingOnAnOddNonSquareInputGivesOurOutputs() throws Exception {
        // 3x11x9, 3x3 kernels, stride 2, padding 1: 4x6x5 (11 + 2 − 3 = 10, /2 + 1 = 6; 9 → 5); then 2x2 windows
        // moved by 1: 4x5x4; and a second convolution, 5x5 with padding 2, which keeps 5x4.
        ModelFile.Model m = layered("3x11x9,conv:4:3:2:1,relu,maxpool:2:1,conv:2:5:1:2,tanh,affine:6,sigmoid,affine:3",
                Loss.parse("softmax-ce"), Task.CLASSIFICATION, 2);
        OnnxMl.NodeProto conv = OnnxExport.toProto(m).getGraph().getNode(1);
        assertEquals("Conv", conv.getOpType());
        Map<String, List<Long>> attributes = conv.getAttributeList().stream().collect(Collectors.toMap(
                OnnxMl.AttributeProto::getName, OnnxMl.AttributeProto::getIntsList));
        assertEquals(Map.of("kernel_shape", List.of(3L, 3L), "strides", List.of(2L, 2L), "pads",
                List.of(1L, 1L, 1L, 1L)), attributes);
        assertMatchesOurInference(m);
    }

    @Test
    void batchNormalizationAfterAConvolutionAndAfterAnAffineLayerUsesTheRunningStatistics() throws Exception {
        ModelFile.Model m = layered("2x8x8,conv:3:3,batchnorm,relu,maxpool:2,affine:6,batchnorm,sigmoid,affine:4",
                Loss.parse("softmax-ce"), Task.CLASSIFICATION, 3);
        assertEquals(List.of("Reshape", "Conv", "BatchNormalization", "Relu", "MaxPool", "Flatten", "Gemm",
                "BatchNormalization", "Sigmoid", "Gemm", "Softmax"), ops(m));
        OnnxMl.GraphProto g = OnnxExport.toProto(m).getGraph();
        assertEquals(List.of("gamma2", "beta2", "running_mean2", "running_variance2"), g.getNode(2).getInputList()
                .subList(1, 5));
        assertEquals(dev.sparknn.ops.BatchNormalization.EPSILON, g.getNode(2).getAttribute(0).getF());
        assertMatchesOurInference(m);
        // The running statistics matter: the same weights with the statistics at their start (0 and 1) differ.
        float[] fresh = m.params().clone();
        for (dev.sparknn.ops.Layer l : m.network().layers()) {
            if (l instanceof dev.sparknn.ops.BatchNormalization bn) {
                java.util.Arrays.fill(fresh, bn.meanOffset(), bn.varianceOffset(), 0f);
                java.util.Arrays.fill(fresh, bn.varianceOffset(), bn.offset() + bn.numParams(), 1f);
            }
        }
        ModelFile.Model start = new ModelFile.Model(m.network(), m.task(), fresh);
        assertMatchesOurInference(start);
        float[] x = new float[m.network().numInputs()];
        java.util.Arrays.fill(x, 0.5f);
        float[] trained = Onnx.run(OnnxExport.toBytes(m), x, 1, x.length).get("logits");
        float[] started = Onnx.run(OnnxExport.toBytes(start), x, 1, x.length).get("logits");
        double apart = 0;
        for (int i = 0; i < trained.length; i++) {
            apart = Math.max(apart, Math.abs(trained[i] - started[i]));
        }
        assertTrue(apart > 0.01, "the running statistics moved the logits by only " + apart);
    }

    @Test
    void batchNormalizationFirstOnImagesAndOnAFlatInputNeedsNoLayerBeforeIt() throws Exception {
        ModelFile.Model images = layered("2x5x5,batchnorm,conv:2:3,relu,affine:3", Loss.parse("softmax-ce"),
                Task.CLASSIFICATION, 4);
        assertEquals(List.of("Reshape", "BatchNormalization", "Conv", "Relu", "Flatten", "Gemm", "Softmax"),
                ops(images));
        assertMatchesOurInference(images);
        ModelFile.Model flat = layered("6,batchnorm,affine:5,relu,batchnorm,affine:3", Loss.parse("softmax-ce"),
                Task.CLASSIFICATION, 5);
        assertEquals(List.of("BatchNormalization", "Gemm", "Relu", "BatchNormalization", "Gemm", "Softmax"),
                ops(flat));
        assertMatchesOurInference(flat);
    }

    @Test
    void dropoutHasNoNodeAndTheOutputsAreOurInferences() throws Exception {
        ModelFile.Model m = layered("1x6x6,conv:2:3,relu,dropout:0.5,affine:8,relu,dropout:0.3,affine:3",
                Loss.parse("softmax-ce"), Task.CLASSIFICATION, 6);
        assertEquals(List.of("Reshape", "Conv", "Relu", "Flatten", "Gemm", "Relu", "Gemm", "Softmax"), ops(m));
        assertMatchesOurInference(m);
        // A dropout last: the graph's last node (here a ReLU) writes the output.
        ModelFile.Model last = layered("4,affine:3,relu,dropout:0.5", Loss.parse("mse"), Task.CLASSIFICATION, 7);
        assertEquals(List.of("Gemm", "Relu"), ops(last));
        assertEquals("scores", OnnxExport.toProto(last).getGraph().getNode(1).getOutput(0));
        assertMatchesOurInference(last);
    }

    @Test
    void everyActivationAfterAConvolutionAndAnAffineLayerIsItsOwnNodeAndIdentityHasNone() throws Exception {
        for (Activation a : Activation.values()) {
            String f = a.name().toLowerCase(java.util.Locale.ROOT);
            ModelFile.Model m = layered("1x7x7,conv:3:3," + f + ",maxpool:2,affine:5," + f + ",affine:3",
                    Loss.parse("softmax-ce"), Task.CLASSIFICATION, 8);
            List<String> expected = a == Activation.IDENTITY
                    ? List.of("Reshape", "Conv", "MaxPool", "Flatten", "Gemm", "Gemm", "Softmax")
                    : List.of("Reshape", "Conv", "Relu", "MaxPool", "Flatten", "Gemm", "Relu", "Gemm", "Softmax")
                    .stream().map(op -> op.equals("Relu") ? f.substring(0, 1).toUpperCase() + f.substring(1) : op)
                    .toList();
            assertEquals(expected, ops(m), f);
            assertMatchesOurInference(m);
        }
    }

    @Test
    void twoActivationsInARowGetTheirOwnNamesAndImagesAtTheEndAreFlattened() throws Exception {
        // A regressor whose last layer is a convolution: its [N, 2, 2, 2] outputs flattened to [N, 8], in our order.
        ModelFile.Model m = layered("1x4x4,conv:2:3,relu,tanh", Loss.parse("mse"), Task.REGRESSION, 9);
        OnnxMl.GraphProto g = OnnxExport.toProto(m).getGraph();
        assertEquals(List.of("Reshape", "Conv", "Relu", "Tanh", "Flatten"), ops(m));
        assertEquals(List.of("reshape", "conv1", "relu1", "tanh1", "flatten1"),
                g.getNodeList().stream().map(OnnxMl.NodeProto::getName).toList());
        assertEquals(List.of("h1", "h1_2"), List.of(g.getNode(2).getOutput(0), g.getNode(3).getOutput(0)));
        assertEquals("prediction", g.getNode(4).getOutput(0));
        assertMatchesOurInference(m);
    }

    @Test
    void anExplicitNetworksMetadataHoldsItsSpellingAndNoHiddenActivation() throws Exception {
        ModelFile.Model m = layered("1x28x28,conv:30:5,relu,maxpool:2,affine:100,relu,affine:10",
                Loss.parse("softmax-ce"), Task.CLASSIFICATION, 1);
        Map<String, String> meta = OnnxMl.ModelProto.parseFrom(OnnxExport.toBytes(m)).getMetadataPropsList().stream()
                .collect(Collectors.toMap(OnnxMl.StringStringEntryProto::getKey,
                        OnnxMl.StringStringEntryProto::getValue));
        assertEquals(m.network().spelling(), meta.get("layers"));
        assertTrue(meta.get("layers").startsWith("1x28x28,conv:30:5"), meta.get("layers"));
        assertFalse(meta.containsKey("activation"), meta.toString());
        assertEquals("softmax-ce", meta.get("loss"));
        assertEquals(ModelFile.sha256(m.params()), meta.get("weights_sha256"));
        assertEquals("sparknn_1x28x28_conv_30_5_relu_maxpool_2_affine_100_relu_affine_10",
                OnnxExport.toProto(m).getGraph().getName());
    }
}
