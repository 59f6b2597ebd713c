package dev.sparknn.export;

import ai.onnx.proto.OnnxMl;
import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.TensorShapeProto;
import ai.onnx.proto.OnnxMl.TypeProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import com.google.protobuf.ByteString;
import dev.sparknn.ops.Activation;
import dev.sparknn.ops.ActivationLayer;
import dev.sparknn.ops.Affine;
import dev.sparknn.ops.BatchNormalization;
import dev.sparknn.ops.Convolution;
import dev.sparknn.ops.Layer;
import dev.sparknn.ops.MaxPooling;
import dev.sparknn.ops.Network;
import dev.sparknn.ops.Shape;
import dev.sparknn.ops.SoftmaxCrossEntropy;
import dev.sparknn.store.ModelFile;
import dev.sparknn.train.Task;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * A trained model as an ONNX file, which ONNX Runtime (and any ONNX reader) runs without this project or Spark.
 *
 * <p>The graph, for layers {@code n0, n1, …, nL} ({@code N} is the batch, left free):
 * <pre>
 * features  float32 [N, n0]   the values the model was trained on (IDX images: pixel / 255); a standardisation
 *     │                       is already folded into W1 and b1, as in model.bin
 * Gemm(W1 [n0, n1], b1 [n1]) → Relu | Sigmoid | Tanh (no node for identity)
 *     │  … one Gemm and one activation per hidden layer …
 * Gemm(WL, bL) → the last layer's outputs, [N, nL], and then by model:
 *   classifier, softmax-ce:  logits [N, nL]  → Softmax(axis 1) → probabilities [N, nL]
 *   classifier, mse:         scores [N, nL]  (the raw outputs; no softmax: they are not probabilities)
 *   regressor:               prediction [N, nL]  (in the units of the training targets)
 * </pre>
 * A network of explicit layers ({@code 1x28x28,conv:30:5,relu,maxpool:2,affine:10}) takes the same flat
 * {@code features [N, n0]}, reshaped to its input shape {@code [N, C, H, W]}; each layer becomes its operator: Conv
 * ({@code W [F, C, K, K]}, strides, pads), MaxPool, BatchNormalization (its running statistics, ε 1e-5), the
 * activations, and Flatten then Gemm for an affine layer after an image-shaped one; dropout, the identity at
 * inference, has no node. Its initializers are named by layer, {@code W1, b1, gamma2, …}.
 *
 * <p>Standard operators only (Gemm, Relu, Sigmoid, Tanh, Softmax; Reshape, Conv, MaxPool, BatchNormalization,
 * Flatten, Identity) at opset {@value #OPSET} and IR version
 * {@value #IR_VERSION}, so that ONNX 1.10 and newer, and ONNX Runtime from 1.10 on, read it. The weights are
 * initializers named {@code W1, b1, W2, …} like the trainer's messages, stored as float32 little-endian raw data.
 * The model's metadata holds the producer ({@code sparknn} and its version) and the keys of {@link #metadata}.
 */
public final class OnnxExport {

    /** The ONNX IR version written: that of ONNX 1.10 to 1.12. */
    public static final long IR_VERSION = 8;
    /** The default-domain operator set written. */
    public static final int OPSET = 13;

    public static final String INPUT = "features";
    public static final String PROBABILITIES = "probabilities";
    public static final String LOGITS = "logits";
    public static final String SCORES = "scores";
    public static final String PREDICTION = "prediction";

    public static final String PRODUCER = "sparknn";

    /**
     * The most weight bytes one file holds: a protobuf message, and so an ONNX file without external data, is at
     * most 2 GiB, and the graph needs a little room besides the weights.
     */
    static final long MAX_WEIGHT_BYTES = 2_000_000_000L;

    private OnnxExport() {
    }

    /** The graph's outputs for {@code model}, in order; each is {@code float32 [N, outputs]}. */
    public static List<String> outputs(ModelFile.Model model) {
        if (model.task() == Task.REGRESSION) {
            return List.of(PREDICTION);
        }
        return model.network().loss() instanceof SoftmaxCrossEntropy ? List.of(PROBABILITIES, LOGITS)
                : List.of(SCORES);
    }

    /** The outputs with their shapes, for messages: {@code probabilities [N, 10], logits [N, 10]}. */
    public static String describeOutputs(ModelFile.Model model) {
        List<String> described = new ArrayList<>();
        for (String name : outputs(model)) {
            described.add(name + " [N, " + model.network().numOutputs() + "]");
        }
        return String.join(", ", described);
    }

    /**
     * What the file says about the model besides its graph, as ONNX metadata properties: {@code layers}
     * ({@code 784,32,10}), {@code activation}, {@code loss}, {@code task}, {@code outputs} (comma-separated) and
     * {@code weights_sha256} (of the weights as stored in model.bin: the training run's last hash in
     * {@code metrics.jsonl} unless a standardisation was folded into them); for a model trained on a table,
     * {@code class_names} (the classes' names by index, comma-separated, when the labels named them) and
     * {@code table_encoding} (the JSON of {@code TableEncoding}: each column's one-hot levels, fill and training
     * range, which a server must apply to a table's cells to make the graph's inputs).
     */
    public static Map<String, String> metadata(ModelFile.Model model) {
        Network net = model.network();
        Map<String, String> props = new LinkedHashMap<>();
        props.put("layers", net.spelling());
        props.put("activation", net.hidden().name().toLowerCase(Locale.ROOT));
        props.put("loss", net.loss().id());
        props.put("task", model.task().toString());
        props.put("outputs", String.join(",", outputs(model)));
        props.put("weights_sha256", ModelFile.sha256(model.params()));
        if (!model.classNames().isEmpty()) {
            props.put("class_names", String.join(",", model.classNames()));
        }
        if (model.encoding() != null) {
            props.put("table_encoding", model.encoding().toJson());
        }
        return props;
    }

    /** The ONNX file's bytes (a serialised {@code ModelProto}). */
    public static byte[] toBytes(ModelFile.Model model) {
        return toProto(model).toByteArray();
    }

    /**
     * Writes {@code model} to {@code file} as ONNX, through a temporary file in the same folder that is renamed
     * when complete, so a reader never sees half a file.
     *
     * @param overwrite replace an existing {@code file}; without it an existing file is refused
     * @throws FileAlreadyExistsException if {@code file} exists and {@code overwrite} is false
     * @throws IllegalArgumentException    if the weights are too large for one ONNX file
     */
    public static void write(ModelFile.Model model, Path file, boolean overwrite) throws IOException {
        if (!overwrite && Files.exists(file)) {
            throw new FileAlreadyExistsException(file.toString(), null, "exists (overwrite to replace it)");
        }
        byte[] bytes = toBytes(model);
        Path tmp = file.resolveSibling("." + file.getFileName() + ".tmp-" + ProcessHandle.current().pid());
        try {
            Files.write(tmp, bytes);
            if (overwrite) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } else {
                // Without REPLACE_EXISTING the move refuses a file that appeared meanwhile; within one folder it is
                // still a rename.
                Files.move(tmp, file);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    static ModelProto toProto(ModelFile.Model model) {
        Network net = model.network();
        if (4L * net.numParams() > MAX_WEIGHT_BYTES) {
            throw new IllegalArgumentException(String.format(Locale.ROOT, "a model of %,d parameters needs %,d bytes "
                    + "of weights, more than the %,d one ONNX file holds without external data (not supported)",
                    net.numParams(), 4L * net.numParams(), MAX_WEIGHT_BYTES));
        }
        float[] params = model.params();
        if (params.length != net.numParams()) {
            throw new IllegalArgumentException("the network needs " + net.numParams() + " parameters, got "
                    + params.length);
        }
        int[] sizes = net.sizes();
        int outputs = net.numOutputs();
        List<String> names = outputs(model);
        String head = names.get(0).equals(PROBABILITIES) ? LOGITS : names.get(0);
        if (!net.isPerceptron()) {
            GraphProto.Builder graph = GraphProto.newBuilder().setName("sparknn_layers")
                    .addInput(floatMatrix(INPUT, net.numInputs()));
            layerNodes(graph, net, params, head);
            return finish(model, graph, names, outputs);
        }
        GraphProto.Builder graph = GraphProto.newBuilder()
                .setName("sparknn_" + Arrays.stream(sizes).mapToObj(Integer::toString).collect(Collectors.joining("_")))
                .addInput(floatMatrix(INPUT, sizes[0]));
        Affine[] layers = net.layers().stream().filter(l -> l instanceof Affine).toArray(Affine[]::new);
        String x = INPUT;
        for (int i = 0; i < layers.length; i++) {
            int n = i + 1;
            Affine layer = layers[i];
            graph.addInitializer(floats("W" + n, Arrays.copyOfRange(params, layer.offset(), layer.biasOffset()),
                    layer.numIn(), layer.numOut()));
            graph.addInitializer(floats("b" + n, Arrays.copyOfRange(params, layer.biasOffset(),
                    layer.biasOffset() + layer.numOut()), layer.numOut()));
            boolean last = i == layers.length - 1;
            String z = last ? (names.get(0).equals(PROBABILITIES) ? LOGITS : names.get(0)) : "z" + n;
            // Gemm's defaults (alpha = beta = 1, no transposes) are x·W + b with W stored [in, out] as ours.
            graph.addNode(node("Gemm", "gemm" + n, List.of(x, "W" + n, "b" + n), z));
            x = z;
            if (!last && net.hidden() != Activation.IDENTITY) {
                String op = switch (net.hidden()) {
                    case RELU -> "Relu";
                    case SIGMOID -> "Sigmoid";
                    case TANH -> "Tanh";
                    case IDENTITY -> throw new IllegalStateException("identity has no node");
                };
                x = "h" + n;
                graph.addNode(node(op, op.toLowerCase(Locale.ROOT) + n, List.of("z" + n), x));
            }
        }
        return finish(model, graph, names, outputs);
    }

    /** The softmax for a classifier, the outputs, the model's header and metadata. */
    private static ModelProto finish(ModelFile.Model model, GraphProto.Builder graph, List<String> names, int outputs) {
        if (names.get(0).equals(PROBABILITIES)) {
            graph.addNode(node("Softmax", "softmax", List.of(LOGITS), PROBABILITIES).toBuilder()
                    .addAttribute(AttributeProto.newBuilder().setName("axis").setType(AttributeProto.AttributeType.INT)
                            .setI(1)));
        }
        for (String name : names) {
            graph.addOutput(floatMatrix(name, outputs));
        }
        ModelProto.Builder proto = ModelProto.newBuilder()
                .setIrVersion(IR_VERSION)
                .addOpsetImport(OnnxMl.OperatorSetIdProto.newBuilder().setDomain("").setVersion(OPSET))
                .setProducerName(PRODUCER)
                .setProducerVersion(version())
                .setDomain("dev.sparknn")
                .setModelVersion(1)
                .setDocString(docString(model))
                .setGraph(graph.setDocString(docString(model)));
        metadata(model).forEach((k, v) -> proto.addMetadataProps(
                OnnxMl.StringStringEntryProto.newBuilder().setKey(k).setValue(v)));
        return proto.build();
    }

    /**
     * The nodes of a network of explicit layers, from {@link #INPUT} to {@code head}: numbered by layer from 1, as
     * {@link Network#parameterName} numbers parameter layers.
     */
    private static void layerNodes(GraphProto.Builder graph, Network net, float[] params, String head) {
        Shape in = net.inputShape();
        String x = INPUT;
        boolean image = !in.isFlat();
        if (image) {
            graph.addInitializer(TensorProto.newBuilder().setName("input_shape")
                    .setDataType(TensorProto.DataType.INT64_VALUE).addDims(4)
                    .addAllInt64Data(List.of(-1L, (long) in.channels(), (long) in.height(), (long) in.width())));
            graph.addNode(node("Reshape", "reshape", List.of(INPUT, "input_shape"), "image"));
            x = "image";
        }
        List<Layer> layers = net.layers();
        for (int i = 0; i < layers.size(); i++) {
            Layer layer = layers.get(i);
            int n = i + 1;
            String y = "y" + n;
            if (layer instanceof Affine a) {
                    if (image) {
                        graph.addNode(node("Flatten", "flatten" + n, List.of(x), "flat" + n));
                        x = "flat" + n;
                        image = false;
                    }
                    graph.addInitializer(floats("W" + n, Arrays.copyOfRange(params, a.offset(), a.biasOffset()),
                            a.numIn(), a.numOut()));
                    graph.addInitializer(floats("b" + n, Arrays.copyOfRange(params, a.biasOffset(),
                            a.biasOffset() + a.numOut()), a.numOut()));
                    graph.addNode(node("Gemm", "gemm" + n, List.of(x, "W" + n, "b" + n), y));
            } else if (layer instanceof Convolution c) {
                    graph.addInitializer(floats("W" + n, Arrays.copyOfRange(params, c.offset(), c.biasOffset()),
                            c.filters(), c.inShape().channels(), c.size(), c.size()));
                    graph.addInitializer(floats("b" + n, Arrays.copyOfRange(params, c.biasOffset(),
                            c.biasOffset() + c.filters()), c.filters()));
                    graph.addNode(node("Conv", "conv" + n, List.of(x, "W" + n, "b" + n), y).toBuilder()
                            .addAttribute(ints("kernel_shape", c.size(), c.size()))
                            .addAttribute(ints("strides", c.stride(), c.stride()))
                            .addAttribute(ints("pads", c.padding(), c.padding(), c.padding(), c.padding())).build());
            } else if (layer instanceof MaxPooling p) {
                graph.addNode(node("MaxPool", "maxpool" + n, List.of(x), y).toBuilder()
                        .addAttribute(ints("kernel_shape", p.size(), p.size()))
                        .addAttribute(ints("strides", p.stride(), p.stride())).build());
            } else if (layer instanceof BatchNormalization bn) {
                    int cs = bn.inShape().channels();
                    String[] names = {"gamma" + n, "beta" + n, "mean" + n, "var" + n};
                    for (int k = 0; k < 4; k++) {
                        int from = bn.offset() + k * cs;
                        graph.addInitializer(floats(names[k], Arrays.copyOfRange(params, from, from + cs), cs));
                    }
                    graph.addNode(node("BatchNormalization", "batchnorm" + n, List.of(x, names[0], names[1],
                            names[2], names[3]), y).toBuilder().addAttribute(AttributeProto.newBuilder()
                            .setName("epsilon").setType(AttributeProto.AttributeType.FLOAT)
                            .setF(BatchNormalization.EPSILON)).build());
            } else if (layer instanceof ActivationLayer a && a.function() != Activation.IDENTITY) {
                    String op = switch (a.function()) {
                        case RELU -> "Relu";
                        case SIGMOID -> "Sigmoid";
                        case TANH -> "Tanh";
                        case IDENTITY -> throw new IllegalStateException("identity has no node");
                    };
                    graph.addNode(node(op, op.toLowerCase(Locale.ROOT) + n, List.of(x), y));
            } else {
                y = x; // dropout and identity: nothing at inference
            }
            x = y;
        }
        if (image) {
            graph.addNode(node("Flatten", "flatten", List.of(x), "flat"));
            x = "flat";
        }
        graph.addNode(node("Identity", "output", List.of(x), head));
    }

    private static AttributeProto ints(String name, long... values) {
        AttributeProto.Builder a = AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INTS);
        for (long v : values) {
            a.addInts(v);
        }
        return a.build();
    }

    /** This build's version from the jar's manifest, as {@code --version} prints it. */
    static String version() {
        String v = OnnxExport.class.getPackage().getImplementationVersion();
        return v == null ? "development build" : v;
    }

    private static String docString(ModelFile.Model model) {
        Network net = model.network();
        return String.format(Locale.ROOT, "sparknn %s network %s (%s hidden, %s); input %s float32 [N, %d]; "
                        + "outputs %s float32 [N, %d]", model.task(),
                net.isPerceptron() ? Arrays.stream(net.sizes()).mapToObj(Integer::toString)
                        .collect(Collectors.joining("-")) : net.spelling(),
                net.hidden().name().toLowerCase(Locale.ROOT), net.loss().id(), INPUT, net.numInputs(),
                String.join(", ", outputs(model)), net.numOutputs());
    }

    private static NodeProto node(String op, String name, List<String> inputs, String output) {
        return NodeProto.newBuilder().setOpType(op).setName(name).addAllInput(inputs).addOutput(output).build();
    }

    /** A graph input or output: float32 {@code [N, width]} with the batch axis left free. */
    private static ValueInfoProto floatMatrix(String name, int width) {
        TensorShapeProto shape = TensorShapeProto.newBuilder()
                .addDim(TensorShapeProto.Dimension.newBuilder().setDimParam("N"))
                .addDim(TensorShapeProto.Dimension.newBuilder().setDimValue(width))
                .build();
        return ValueInfoProto.newBuilder().setName(name)
                .setType(TypeProto.newBuilder().setTensorType(TypeProto.Tensor.newBuilder()
                        .setElemType(TensorProto.DataType.FLOAT_VALUE).setShape(shape)))
                .build();
    }

    /** A float32 initializer of shape {@code dims}, row-major, as little-endian raw data (the ONNX convention). */
    private static TensorProto floats(String name, float[] values, int... dims) {
        ByteBuffer raw = ByteBuffer.allocate(4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        raw.asFloatBuffer().put(values);
        TensorProto.Builder t = TensorProto.newBuilder().setName(name).setDataType(TensorProto.DataType.FLOAT_VALUE)
                .setRawData(ByteString.copyFrom(raw.array()));
        for (int d : dims) {
            t.addDims(d);
        }
        return t.build();
    }
}
