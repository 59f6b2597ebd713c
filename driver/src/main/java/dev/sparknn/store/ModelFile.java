package dev.sparknn.store;

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
 * 4       int32                format version (3: a perceptron; 4: any network)
 * 8       int32 L              version 3: number of layer sizes (2..64)
 * 12      int32[L]             version 3: layer sizes, input first (each 1..1048576)
 * 8       int32 + UTF-8 bytes  version 4 instead: the layers as spelt ({@link dev.sparknn.ops.LayerSpelling}, 1..4096
 *                              bytes), e.g. 1x28x28,conv:30:5:1:0,relu,maxpool:2:2,affine:100,relu,affine:10
 *         int32 + UTF-8 bytes  hidden activation name (relu, sigmoid, tanh, identity)
 *         int32 + UTF-8 bytes  loss name (softmax-ce, mse)
 *         int32 + UTF-8 bytes  task (classification, regression)
 *         int32 F              number of feature names: 0, or the input width (version 3 only)
 *         F × (int32 + UTF-8)  the feature names, in input order, each 1..1024 bytes (version 3 only)
 *         int32 P              parameter count, must equal the count implied by the sizes
 *         float32[P]           flat parameters, each layer's in order: W1 [in, out] row-major, b1, W2, b2, ...
 *                              (a convolution's W [filters, C, size, size] then b; batch normalization's γ, β,
 *                              running mean and variance)
 *         int64                CRC-32 of every byte before it
 * </pre>
 * All numbers big-endian. Files are written to a temporary name and renamed, so a reader never sees half a file.
 * A perceptron ({@code 784,512,10}) is written as version 3, as before explicit layers. Version 2 files (no feature
 * names) are still read, as models without names.
 */
public final class ModelFile {

    static final int VERSION = 3;
    /** Layers as spelt, for networks other than perceptrons. */
    static final int VERSION_LAYERS = 4;
    private static final int MAX_SPELLING = 4096;
    /** The version before feature names; still read. */
    static final int VERSION_WITHOUT_NAMES = 2;
    private static final int MAX_FEATURE_NAME = 1024;
    private static final byte[] MAGIC = {'S', 'P', 'N', 'N'};
    private static final int MAX_LAYERS = 64;
    private static final int MAX_NAME = 64;

    private ModelFile() {
    }

    /**
     * A network, what it predicts, its parameters, and the names of its inputs.
     *
     * @param features the table columns the inputs were trained on, in input order, so that a table whose columns
     *                 come in another order is read by name; empty when the inputs have positions only (images,
     *                 an array column, a version 2 file)
     */
    public record Model(Network network, Task task, float[] params, List<String> features) {
        public Model {
            features = List.copyOf(features);
            if (!features.isEmpty() && features.size() != network.numInputs()) {
                throw new IllegalArgumentException(features.size() + " feature names for " + network.numInputs()
                        + " inputs");
            }
        }

        /** A model whose inputs have no names. */
        public Model(Network network, Task task, float[] params) {
            this(network, task, params, List.of());
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
        if (!features.isEmpty() && features.size() != net.numInputs()) {
            throw new IllegalArgumentException(features.size() + " feature names for " + net.numInputs() + " inputs");
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(16 * 1024 + 4 * params.length);
        DataOutputStream out = new DataOutputStream(bytes);
        out.write(MAGIC);
        if (net.isPerceptron()) {
            out.writeInt(VERSION);
            int[] sizes = net.sizes();
            out.writeInt(sizes.length);
            for (int s : sizes) {
                out.writeInt(s);
            }
        } else {
            out.writeInt(VERSION_LAYERS);
            writeName(out, net.spelling());
        }
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
            if (version != VERSION && version != VERSION_WITHOUT_NAMES && version != VERSION_LAYERS) {
                throw new ModelFormatException(file, "has format version " + version + ", this build reads versions "
                        + VERSION_WITHOUT_NAMES + " to " + VERSION_LAYERS);
            }
            String layers;
            if (version == VERSION_LAYERS) {
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
            if (version >= VERSION) { // names since version 3
                int numNames = in.getInt();
                if (numNames != 0 && numNames != net.numInputs()) {
                    throw new ModelFormatException(file, "has " + numNames + " feature names for " + net.numInputs()
                            + " inputs");
                }
                for (int i = 0; i < numNames; i++) {
                    features.add(readName(in, file, MAX_FEATURE_NAME));
                }
            }
            int numParams = in.getInt();
            if (numParams != net.numParams()) {
                throw new ModelFormatException(file, "declares " + numParams + " parameters but layers "
                        + (net.isPerceptron() ? java.util.Arrays.toString(net.sizes()) : net.spelling()) + " need " + net.numParams());
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
            return new Model(net, task, params, features);
        } catch (java.nio.BufferUnderflowException e) {
            throw new ModelFormatException(file, "is truncated (" + length + " bytes)");
        } catch (IllegalArgumentException e) {
            throw new ModelFormatException(file, "is invalid: " + e.getMessage());
        }
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
