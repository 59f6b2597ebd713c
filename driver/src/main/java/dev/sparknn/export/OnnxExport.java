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
import dev.sparknn.ops.ActivationLayer;
import dev.sparknn.ops.Affine;
import dev.sparknn.ops.BatchNormalization;
import dev.sparknn.ops.Convolution;
import dev.sparknn.ops.Dropout;
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
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * A trained model as an ONNX file, which ONNX Runtime (and any ONNX reader) runs without this project or Spark.
 *
 * <p>The graph, one node per layer of the spelling ({@link dev.sparknn.ops.LayerSpelling}; {@code N} is the batch,
 * left free):
 * <pre>
 * features  float32 [N, C·H·W]   the values the model was trained on (IDX images: pixel / 255); a standardisation
 *     │                          is already folded into the first layer, as in model.bin
 * Reshape [N, C, H, W]           before the first layer that reads images (conv, maxpool, batchnorm per channel)
 * conv:F:K:S:P   → Conv(W [F, C, K, K], b [F]; kernel_shape K×K, strides S, pads P on every side)
 * maxpool:K:S    → MaxPool(kernel_shape K×K, strides S)
 * batchnorm      → BatchNormalization(γ, β, running mean, running variance; epsilon 1e-5), per channel of
 *                  [N, C, H, W] or per value of [N, n]
 * relu, sigmoid, tanh → Relu, Sigmoid, Tanh (identity: no node)
 * dropout:P      → no node (inverted dropout is the identity at inference)
 * Flatten [N, C·H·W]             before an affine layer that follows images, and at the end if images remain
 * affine:N       → Gemm(W [in, N], b [N])
 * the last layer's outputs, [N, k], and then by model:
 *   classifier, softmax-ce:  logits [N, k]  → Softmax(axis 1) → probabilities [N, k]
 *   classifier, mse:         scores [N, k]  (the raw outputs; no softmax: they are not probabilities)
 *   regressor:               prediction [N, k]  (in the units of the training targets)
 * </pre>
 * A widths-only spelling ({@code 784,512,10}) is Gemm, activation, Gemm, … with its hidden activation between.
 * Batch normalization stays a node with its running statistics rather than being folded into the layer before it:
 * it may follow an activation or come first, it computes what our inference pass computes, and runtimes fold it
 * into a preceding Conv themselves (ONNX Runtime's basic graph optimisations do).
 *
 * <p>Standard operators only (Reshape, Conv, MaxPool, BatchNormalization, Flatten, Gemm, Relu, Sigmoid, Tanh,
 * Softmax) at opset {@value #OPSET} and IR version {@value #IR_VERSION}, so that ONNX 1.10 and newer, and ONNX
 * Runtime from 1.10 on, read it. The weights are initializers named like the trainer's messages, by the number of
 * their layer among those with parameters ({@code W1, b1, W2, …}, {@code gamma2, beta2, running_mean2,
 * running_variance2}), stored as float32 little-endian raw data. The model's metadata holds the producer
 * ({@code sparknn} and its version) and the keys of {@link #metadata}.
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
     * What the file says about the model besides its graph, as ONNX metadata properties: {@code layers} (the
     * spelling, {@code 784,32,10} or {@code 1x28x28,conv:30:5,relu,…}), {@code activation} (for a widths-only
     * spelling, whose hidden activation it names; an explicit list spells its own), {@code loss}, {@code task},
     * {@code outputs} (comma-separated) and {@code weights_sha256} (of the weights as stored in model.bin: the
     * training run's last hash in {@code metrics.jsonl} unless a standardisation was folded into them); for a model
     * trained on a table, {@code class_names} (the classes' names by index, comma-separated, when the labels named
     * them) and {@code table_encoding} (the JSON of {@code TableEncoding}: each column's one-hot levels, fill and
     * training range, which a server must apply to a table's cells to make the graph's inputs).
     */
    public static Map<String, String> metadata(ModelFile.Model model) {
        Network net = model.network();
        Map<String, String> props = new LinkedHashMap<>();
        props.put("layers", net.spelling());
        if (net.isPerceptron()) {
            props.put("activation", net.hidden().name().toLowerCase(Locale.ROOT));
        }
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
        List<String> names = outputs(model);
        GraphProto.Builder graph = GraphProto.newBuilder()
                .setName("sparknn_" + net.spelling().replaceAll("[^A-Za-z0-9]+", "_"))
                .addInput(floatMatrix(INPUT, net.numInputs()));
        Nodes nodes = new Nodes(graph, params);
        for (Layer layer : net.layers()) {
            nodes.add(layer);
        }
        nodes.flatten();
        nodes.nameLastOutput(names.get(0).equals(PROBABILITIES) ? LOGITS : names.get(0));
        if (names.get(0).equals(PROBABILITIES)) {
            graph.addNode(NodeProto.newBuilder().setOpType("Softmax").setName("softmax").addInput(LOGITS)
                    .addOutput(PROBABILITIES).addAttribute(integer("axis", 1)));
        }
        for (String name : names) {
            graph.addOutput(floatMatrix(name, net.numOutputs()));
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
     * The nodes of one network, layer by layer: which tensor the next node reads ({@link #x}), whether it is
     * {@code [N, C, H, W]} or {@code [N, values]}, and the number of the last layer with parameters, which names
     * the initializers ({@code W2}, {@code gamma3}) as {@link Network#parameterName} does and the tensors after
     * them ({@code z2} for a layer's output, {@code h2} after its activation).
     */
    private static final class Nodes {
        private final GraphProto.Builder graph;
        private final float[] params;
        private final List<NodeProto.Builder> nodes = new ArrayList<>();
        private final Set<String> used = new HashSet<>();
        private String x = INPUT;
        private boolean images;
        private int number;

        Nodes(GraphProto.Builder graph, float[] params) {
            this.graph = graph;
            this.params = params;
        }

        void add(Layer layer) {
            if (layer instanceof Affine a) {
                flatten();
                number++;
                weights("W", a.offset(), a.biasOffset(), a.numIn(), a.numOut());
                weights("b", a.biasOffset(), a.biasOffset() + a.numOut(), a.numOut());
                // Gemm's defaults (alpha = beta = 1, no transposes) are x·W + b with W stored [in, out] as ours.
                node("Gemm", "gemm", "z", "W" + number, "b" + number);
            } else if (layer instanceof Convolution c) {
                toImages(c.inShape());
                number++;
                int k = c.size();
                weights("W", c.offset(), c.biasOffset(), c.filters(), c.inShape().channels(), k, k);
                weights("b", c.biasOffset(), c.biasOffset() + c.filters(), c.filters());
                node("Conv", "conv", "z", "W" + number, "b" + number).addAttribute(ints("kernel_shape", k, k))
                        .addAttribute(ints("strides", c.stride(), c.stride()))
                        .addAttribute(ints("pads", c.padding(), c.padding(), c.padding(), c.padding()));
            } else if (layer instanceof MaxPooling p) {
                toImages(p.inShape());
                node("MaxPool", "maxpool", "pool").addAttribute(ints("kernel_shape", p.size(), p.size()))
                        .addAttribute(ints("strides", p.stride(), p.stride()));
            } else if (layer instanceof BatchNormalization bn) {
                // Per channel of [N, C, H, W], or per value of [N, values]: ONNX's C is the second axis in both.
                if (!bn.shape().isFlat()) {
                    toImages(bn.shape());
                }
                number++;
                int c = bn.shape().channels();
                weights("gamma", bn.gammaOffset(), bn.betaOffset(), c);
                weights("beta", bn.betaOffset(), bn.meanOffset(), c);
                weights("running_mean", bn.meanOffset(), bn.varianceOffset(), c);
                weights("running_variance", bn.varianceOffset(), bn.varianceOffset() + c, c);
                node("BatchNormalization", "batchnorm", "z", "gamma" + number, "beta" + number,
                        "running_mean" + number, "running_variance" + number)
                        .addAttribute(AttributeProto.newBuilder().setName("epsilon")
                                .setType(AttributeProto.AttributeType.FLOAT).setF(BatchNormalization.EPSILON));
            } else if (layer instanceof ActivationLayer a) {
                String op = switch (a.function()) {
                    case RELU -> "Relu";
                    case SIGMOID -> "Sigmoid";
                    case TANH -> "Tanh";
                    case IDENTITY -> null;
                };
                if (op != null) {
                    node(op, op.toLowerCase(Locale.ROOT), "h");
                }
            } else if (!(layer instanceof Dropout)) { // inverted dropout is the identity at inference: no node
                throw new IllegalArgumentException("no ONNX form for layer " + layer);
            }
        }

        /** Before a layer that reads images: {@code [N, C·H·W] → [N, C, H, W]} unless already so. */
        private void toImages(Shape shape) {
            if (images) {
                return;
            }
            String name = unique("image_shape");
            graph.addInitializer(TensorProto.newBuilder().setName(name).setDataType(TensorProto.DataType.INT64_VALUE)
                    .addDims(4).addAllInt64Data(List.of(-1L, (long) shape.channels(), (long) shape.height(),
                            (long) shape.width())));
            nodes.add(NodeProto.newBuilder().setOpType("Reshape").setName(unique("reshape")).addInput(x)
                    .addInput(name).addOutput(x = unique("images")));
            images = true;
        }

        /** Before an affine layer, and at the end: {@code [N, C, H, W] → [N, C·H·W]} unless already so. */
        void flatten() {
            if (images) {
                node("Flatten", "flatten", "flat").addAttribute(integer("axis", 1));
                images = false;
            }
        }

        /** The graph's last node writes {@code name}, one of the graph's outputs. */
        void nameLastOutput(String name) {
            nodes.get(nodes.size() - 1).setOutput(0, name);
            nodes.forEach(graph::addNode);
        }

        /** A node of {@code op} reading {@link #x} and then {@code inputs}, named by its kind and {@link #number}. */
        private NodeProto.Builder node(String op, String kind, String output, String... inputs) {
            NodeProto.Builder node = NodeProto.newBuilder().setOpType(op).setName(unique(kind + number)).addInput(x)
                    .addAllInput(List.of(inputs)).addOutput(x = unique(output + number));
            nodes.add(node);
            return node;
        }

        private void weights(String name, int from, int to, int... dims) {
            graph.addInitializer(floats(name + number, Arrays.copyOfRange(params, from, to), dims));
        }

        /** {@code name}, or with {@code _2}, {@code _3}… when an earlier node took it (two ReLUs in a row). */
        private String unique(String name) {
            String u = name;
            for (int i = 2; !used.add(u); i++) {
                u = name + "_" + i;
            }
            return u;
        }
    }

    /** An {@code INTS} attribute: {@code kernel_shape}, {@code strides}, {@code pads}. */
    private static AttributeProto ints(String name, long... values) {
        AttributeProto.Builder a = AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INTS);
        for (long v : values) {
            a.addInts(v);
        }
        return a.build();
    }

    /** An {@code INT} attribute: {@code axis}. */
    private static AttributeProto integer(String name, long value) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INT).setI(value).build();
    }

    /** This build's version from the jar's manifest, as {@code --version} prints it. */
    static String version() {
        String v = OnnxExport.class.getPackage().getImplementationVersion();
        return v == null ? "development build" : v;
    }

    private static String docString(ModelFile.Model model) {
        Network net = model.network();
        String layers = net.isPerceptron() ? String.join("-", net.spelling().split(",")) + " ("
                + net.hidden().name().toLowerCase(Locale.ROOT) + " hidden, " + net.loss().id() + ")"
                : net.spelling() + " (" + net.loss().id() + ")";
        return String.format(Locale.ROOT, "sparknn %s network %s; input %s float32 [N, %d]; outputs %s float32 "
                        + "[N, %d]", model.task(), layers, INPUT, net.numInputs(), String.join(", ", outputs(model)),
                net.numOutputs());
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
