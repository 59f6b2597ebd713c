package dev.sparknn.store;

import dev.sparknn.data.InputRanges;
import dev.sparknn.data.TableEncoding;
import dev.sparknn.ops.Activation;
import dev.sparknn.ops.Loss;
import dev.sparknn.ops.Network;
import dev.sparknn.train.Task;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32;

/**
 * The trained-model file, {@code model.bin}: a self-describing binary format read without Java deserialization.
 *
 * <pre>
 * offset  type                 field
 * 0       4 bytes              magic "SPNN"
 * 4       int32                format version (4)
 * 8       int32 + UTF-8 bytes  the layers as spelt ({@link dev.sparknn.ops.LayerSpelling}, 1..4096 bytes), e.g.
 *                              784,512,10 or 1x28x28,conv:30:5:1:0,relu,maxpool:2:2,affine:100,relu,affine:10
 *                              (versions 2 and 3 instead: int32 L, the number of layer sizes (2..64), then
 *                              int32[L], the layer sizes, input first, each 1..1048576)
 *         int32 + UTF-8 bytes  hidden activation name (relu, sigmoid, tanh, identity)
 *         int32 + UTF-8 bytes  loss name (softmax-ce, mse)
 *         int32 + UTF-8 bytes  task (classification, regression)
 *         int32 F              number of feature names: 0, or the input width (version 3 only)
 *         F × (int32 + UTF-8)  the feature names, in input order, each 1..1024 bytes (version 3 on)
 *         int32 J + UTF-8[J]   what the model knows of its inputs, as a JSON object, at most 16 MiB (version 4
 *                              on): {@code table}, the table encoding ({@link TableEncoding#toJson}), and
 *                              {@code input_range}, {@code [min, max]} of every input in training (images), each
 *                              absent when unknown
 *         int32 P              parameter count, must equal the count implied by the layers
 *         float32[P]           flat parameters, each layer's in order: W1 [in, out] row-major, b1, W2, b2, ...
 *                              (a convolution's W [filters, C, size, size] then b; batch normalization's γ, β,
 *                              running mean and variance)
 *         int64                CRC-32 of every byte before it
 * </pre>
 * All numbers big-endian. Files are written to a temporary name and renamed, so a reader never sees half a file.
 * Version 2 files (no feature names) are still read, as models without names; version 3 files (no table
 * encoding, layer sizes rather than a spelling) as perceptrons of numeric columns.
 */
public final class ModelFile {

    static final int VERSION = 4;
    /** The version before the table encoding and the layers' spelling; still read. */
    static final int VERSION_WITHOUT_ENCODING = 3;
    /** The version before feature names; still read. */
    static final int VERSION_WITHOUT_NAMES = 2;
    private static final int MAX_ENCODING = 16 << 20;
    private static final int MAX_FEATURE_NAME = 1024;
    private static final byte[] MAGIC = {'S', 'P', 'N', 'N'};
    private static final int MAX_LAYERS = 64;
    private static final int MAX_SPELLING = 4096;
    private static final int MAX_NAME = 64;

    private ModelFile() {
    }

    /**
     * A network, what it predicts, its parameters, and the names of its inputs.
     *
     * @param features the table columns the inputs were trained on, in input order, so that a table whose columns
     *                 come in another order is read by name; empty when the inputs have positions only (images,
     *                 an array column, a version 2 file). With an encoding, the inputs' names
     *                 ({@link TableEncoding#inputNames}), and the table's columns are the encoding's.
     * @param encoding how a table's cells become the inputs and the classes, or null: numeric columns, class
     *                 indices (images, a version 2 or 3 file)
     * @param inputRange {@code [min, max]} of every input in training, for inputs without an encoding (images), or
     *                 null when unknown
     */
    public record Model(Network network, Task task, float[] params, List<String> features, TableEncoding encoding,
                        double[] inputRange) {
        public Model {
            features = List.copyOf(features);
            if (!features.isEmpty() && features.size() != network.numInputs()) {
                throw new IllegalArgumentException(features.size() + " feature names for " + network.numInputs()
                        + " inputs");
            }
        }

        /** A model whose inputs have no names. */
        public Model(Network network, Task task, float[] params) {
            this(network, task, params, List.of(), null, null);
        }

        /** A model of numeric columns and class indices. */
        public Model(Network network, Task task, float[] params, List<String> features) {
            this(network, task, params, features, null, null);
        }

        /**
         * The training ranges that other inputs are checked against: the encoding's numeric columns, or one range
         * over all inputs; null when the model keeps none.
         */
        public InputRanges ranges() {
            return encoding != null ? InputRanges.of(encoding) : inputRange != null
                    ? InputRanges.whole(network.numInputs(), inputRange[0], inputRange[1]) : null;
        }

        /** The table columns to read: the encoding's, else {@link #features}. */
        public List<String> columns() {
            return encoding == null ? features : encoding.columnNames();
        }

        /** The class names, by index; empty when the classes are indices (or for regression). */
        public List<String> classNames() {
            return encoding == null ? List.of() : encoding.classes();
        }
    }

    /** Writes a model whose inputs have no names (see {@link #write(Path, Network, Task, float[], List)}). */
    public static void write(Path file, Network net, Task task, float[] params) throws IOException {
        write(file, net, task, params, List.of());
    }

    /**
     * Writes {@code model.bin}.
     *
     * @param features the inputs' names, in input order; empty for none
     */
    public static void write(Path file, Network net, Task task, float[] params, List<String> features)
            throws IOException {
        write(file, net, task, params, features, null, null);
    }

    /**
     * Writes {@code model.bin} with a table encoding (null for none; the feature names are then the encoding's
     * input names) and the inputs' training range ({@code [min, max]}, null for none).
     */
    public static void write(Path file, Network net, Task task, float[] params, List<String> features,
                             TableEncoding encoding, double[] inputRange) throws IOException {
        if (encoding != null) {
            features = encoding.inputNames();
        }
        if (!features.isEmpty() && features.size() != net.numInputs()) {
            throw new IllegalArgumentException(features.size() + " feature names for " + net.numInputs() + " inputs");
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(16 * 1024 + 4 * params.length);
        DataOutputStream out = new DataOutputStream(bytes);
        out.write(MAGIC);
        out.writeInt(VERSION);
        writeName(out, net.spelling());
        writeName(out, net.hidden().name().toLowerCase(java.util.Locale.ROOT));
        writeName(out, net.loss().id());
        writeName(out, task.toString());
        out.writeInt(features.size());
        for (String f : features) {
            byte[] b = f.getBytes(StandardCharsets.UTF_8);
            if (b.length < 1 || b.length > MAX_FEATURE_NAME) {
                throw new IllegalArgumentException("feature name '" + f + "' is " + b.length + " bytes, expected 1.."
                        + MAX_FEATURE_NAME);
            }
            writeName(out, f);
        }
        byte[] json = inputs(encoding, inputRange).getBytes(StandardCharsets.UTF_8);
        if (json.length > MAX_ENCODING) {
            throw new IllegalArgumentException("the table encoding is " + json.length + " bytes, over " + MAX_ENCODING);
        }
        out.writeInt(json.length);
        out.write(json);
        out.writeInt(params.length);
        ByteBuffer floats = ByteBuffer.allocate(4 * params.length);
        floats.asFloatBuffer().put(params);
        out.write(floats.array());
        CRC32 crc = new CRC32();
        crc.update(bytes.toByteArray());
        out.writeLong(crc.getValue());
        out.flush();
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.write(tmp, bytes.toByteArray());
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /**
     * Reads and fully validates a model file; sizes from the file are bounds-checked before anything is allocated.
     *
     * @throws ModelFormatException naming the file and what was wrong
     */
    public static Model read(Path file) throws IOException {
        long length = Files.size(file);
        if (length > Integer.MAX_VALUE) {
            throw new ModelFormatException(file, "is " + length + " bytes, larger than any valid model");
        }
        ByteBuffer in = ByteBuffer.wrap(Files.readAllBytes(file));
        try {
            byte[] magic = new byte[4];
            in.get(magic);
            if (!java.util.Arrays.equals(magic, MAGIC)) {
                throw new ModelFormatException(file, String.format("has magic 0x%08x, expected \"SPNN\" (0x%08x)",
                        ByteBuffer.wrap(magic).getInt(), ByteBuffer.wrap(MAGIC).getInt()));
            }
            int version = in.getInt();
            if (version < VERSION_WITHOUT_NAMES || version > VERSION) {
                throw new ModelFormatException(file, "has format version " + version + ", this build reads versions "
                        + VERSION_WITHOUT_NAMES + " to " + VERSION);
            }
            String layers;
            if (version >= VERSION) {
                layers = readName(in, file, MAX_SPELLING);
            } else {
                int numSizes = in.getInt();
                if (numSizes < 2 || numSizes > MAX_LAYERS) {
                    throw new ModelFormatException(file, "declares " + numSizes + " layer sizes, expected 2.."
                            + MAX_LAYERS);
                }
                int[] sizes = new int[numSizes];
                for (int i = 0; i < numSizes; i++) {
                    sizes[i] = in.getInt();
                    if (sizes[i] < 1 || sizes[i] > 1 << 20) {
                        throw new ModelFormatException(file, "has layer size " + sizes[i] + " at position " + i);
                    }
                }
                layers = java.util.Arrays.stream(sizes).mapToObj(Integer::toString)
                        .collect(java.util.stream.Collectors.joining(","));
            }
            Activation activation = Activation.parse(readName(in, file, MAX_NAME));
            Loss loss = Loss.parse(readName(in, file, MAX_NAME));
            Task task = Task.parse(readName(in, file, MAX_NAME));
            if (task == Task.REGRESSION && !loss.fitsValues()) {
                throw new ModelFormatException(file, "is a regression model with loss " + loss.id());
            }
            Network net = new Network(layers, activation, loss);
            List<String> features = new ArrayList<>();
            if (version >= VERSION_WITHOUT_ENCODING) {
                int numNames = in.getInt();
                if (numNames != 0 && numNames != net.numInputs()) {
                    throw new ModelFormatException(file, "has " + numNames + " feature names for " + net.numInputs()
                            + " inputs");
                }
                for (int i = 0; i < numNames; i++) {
                    features.add(readName(in, file, MAX_FEATURE_NAME));
                }
            }
            TableEncoding encoding = null;
            double[] inputRange = null;
            if (version >= VERSION) {
                int jsonLength = in.getInt();
                if (jsonLength < 0 || jsonLength > MAX_ENCODING || jsonLength > in.remaining()) {
                    throw new ModelFormatException(file, "has a table encoding of " + jsonLength + " bytes");
                }
                if (jsonLength > 0) {
                    byte[] json = new byte[jsonLength];
                    in.get(json);
                    com.fasterxml.jackson.databind.JsonNode inputs;
                    try {
                        inputs = JSON.readTree(json);
                    } catch (com.fasterxml.jackson.core.JacksonException e) {
                        throw new ModelFormatException(file, "has a table encoding that is not JSON");
                    }
                    if (inputs.has("table")) {
                        encoding = TableEncoding.fromJson(inputs.get("table").toString());
                    }
                    if (inputs.path("input_range").size() == 2) {
                        inputRange = new double[] {inputs.get("input_range").get(0).asDouble(),
                                inputs.get("input_range").get(1).asDouble()};
                    }
                    if (encoding != null && encoding.width() != net.numInputs()) {
                        throw new ModelFormatException(file, "has a table encoding of " + encoding.width()
                                + " inputs for " + net.numInputs());
                    }
                }
            }
            int numParams = in.getInt();
            if (numParams != net.numParams()) {
                throw new ModelFormatException(file, "declares " + numParams + " parameters but layers "
                        + layers + " need " + net.numParams());
            }
            if (in.remaining() != 4L * numParams + 8) {
                throw new ModelFormatException(file, "has " + in.remaining() + " bytes after the header, expected "
                        + (4L * numParams + 8) + " (truncated or padded)");
            }
            float[] params = new float[numParams];
            in.asFloatBuffer().get(params);
            in.position(in.position() + 4 * numParams);
            CRC32 crc = new CRC32();
            crc.update(in.array(), 0, in.position());
            long stored = in.getLong();
            if (stored != crc.getValue()) {
                throw new ModelFormatException(file, String.format("checksum mismatch: stored %08x, computed %08x "
                        + "(the file is damaged)", stored, crc.getValue()));
            }
            return new Model(net, task, params, features, encoding, inputRange);
        } catch (java.nio.BufferUnderflowException e) {
            throw new ModelFormatException(file, "is truncated (" + length + " bytes)");
        } catch (IllegalArgumentException e) {
            throw new ModelFormatException(file, "is invalid: " + e.getMessage());
        }
    }

    private static final com.fasterxml.jackson.databind.ObjectMapper JSON =
            new com.fasterxml.jackson.databind.ObjectMapper();

    /** The JSON of what the model knows of its inputs, or the empty text for nothing. */
    private static String inputs(TableEncoding encoding, double[] inputRange) throws IOException {
        if (encoding == null && inputRange == null) {
            return "";
        }
        com.fasterxml.jackson.databind.node.ObjectNode root = JSON.createObjectNode();
        if (encoding != null) {
            root.set("table", JSON.readTree(encoding.toJson()));
        }
        if (inputRange != null) {
            root.putArray("input_range").add(inputRange[0]).add(inputRange[1]);
        }
        return root.toString();
    }

    /** SHA-256, in hex, of the parameters as stored in a model file (float32, big-endian, in flat order). */
    public static String sha256(float[] params) {
        ByteBuffer bytes = ByteBuffer.allocate(4 * params.length);
        bytes.asFloatBuffer().put(params);
        try {
            return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                    .digest(bytes.array()));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }

    private static void writeName(DataOutputStream out, String name) throws IOException {
        byte[] b = name.getBytes(StandardCharsets.UTF_8);
        out.writeInt(b.length);
        out.write(b);
    }

    private static String readName(ByteBuffer in, Path file, int maxBytes) throws ModelFormatException {
        int len = in.getInt();
        if (len < 1 || len > maxBytes) {
            throw new ModelFormatException(file, "has a name field of length " + len + ", expected 1.." + maxBytes);
        }
        byte[] b = new byte[len];
        in.get(b);
        try {
            // Strictly: malformed UTF-8 is refused rather than read as replacement characters.
            return StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(b)).toString();
        } catch (java.nio.charset.CharacterCodingException e) {
            throw new ModelFormatException(file, "has a name field that is not valid UTF-8");
        }
    }

    /** A model file that is damaged, truncated, of another version, or not a model file at all. */
    public static final class ModelFormatException extends IOException {
        ModelFormatException(Path file, String what) {
            super("model file " + file + " " + what);
        }
    }
}
