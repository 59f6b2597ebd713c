package dev.sparknn.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32;

/**
 * Everything needed to continue a run exactly where it stopped: the weights, the optimizer's state, the
 * position in the data (epoch and next step; the data order itself is a pure function of seed, epoch and
 * partition, so it needs no stored RNG state), the partial sums of the current epoch's training loss, and the
 * configuration that produced it.
 *
 * <pre>
 * offset  type                 field
 * 0       4 bytes              magic "SPCK"
 * 4       int32                format version (3)
 * 8       int32 H              header length (1..16 MiB)
 * 12      UTF-8 JSON [H]       header: config, epoch, next_step, global_step, epoch_loss_sum, epoch_samples,
 *                              skipped_steps, elapsed_seconds, metrics (the metrics.jsonl lines so far),
 *                              step_losses (mean training loss of every round so far, for the report),
 *                              evals (the evals.jsonl lines so far), train_seconds (the training clock at the
 *                              end of the last finished epoch), epoch_times (where the epoch's step time went so
 *                              far), step_loss_epochs (where each step loss belongs on the epoch axis); version 1
 *                              files, which lack the last four, are read as none, 0, none and none, version 2
 *                              files, which lack the last, as none: their step losses cannot be placed, and the
 *                              resumed run's plot starts its per-step line where it resumed
 *         int32 P + float32[P] parameters
 *         int32 S + float32[S] optimizer state (S = 0 for plain SGD, P for momentum, 2P for Adam)
 *         int64                CRC-32 of every byte before it
 * </pre>
 * All numbers big-endian.
 *
 * <p>Built by name ({@link #builder()}), read by name (the accessors), and written and read as named header fields.
 */
public final class Checkpoint {

    private final Map<String, String> config;
    private final int epoch;
    private final int nextStep;
    private final long globalStep;
    private final double epochLossSum;
    private final long epochSamples;
    private final long skippedSteps;
    private final double elapsedSeconds;
    private final List<String> metrics;
    private final double[] stepLosses;
    private final double[] stepLossEpochs;
    private final float[] params;
    private final float[] optimizerState;
    private final List<String> evals;
    private final double trainSeconds;
    private final long[] epochTimes;

    private Checkpoint(Builder b) {
        this.config = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(b.config));
        this.epoch = b.epoch;
        this.nextStep = b.nextStep;
        this.globalStep = b.globalStep;
        this.epochLossSum = b.epochLossSum;
        this.epochSamples = b.epochSamples;
        this.skippedSteps = b.skippedSteps;
        this.elapsedSeconds = b.elapsedSeconds;
        this.metrics = List.copyOf(b.metrics);
        this.stepLosses = b.stepLosses;
        this.stepLossEpochs = b.stepLossEpochs;
        this.params = b.params;
        this.optimizerState = b.optimizerState;
        this.evals = List.copyOf(b.evals);
        this.trainSeconds = b.trainSeconds;
        this.epochTimes = b.epochTimes;
    }

    /** A checkpoint to fill in by name; {@link Builder#build} says which field is missing. */
    public static Builder builder() {
        return new Builder();
    }

    /** The run's identity: option name → value, for the options that shape the result. */
    public Map<String, String> config() {
        return config;
    }

    /** The epoch in progress (1-based). */
    public int epoch() {
        return epoch;
    }

    /** The first step of {@link #epoch()} still to run (0-based); equal to the step count at epoch end. */
    public int nextStep() {
        return nextStep;
    }

    /** Optimizer steps applied since the run started. */
    public long globalStep() {
        return globalStep;
    }

    /** Sum of the training loss over the epoch's samples so far. */
    public double epochLossSum() {
        return epochLossSum;
    }

    /** Training samples of the epoch so far. */
    public long epochSamples() {
        return epochSamples;
    }

    /** Steps skipped since the run started ({@code --on-divergence skip}). */
    public long skippedSteps() {
        return skippedSteps;
    }

    /** Wall time of the run so far, over every process. */
    public double elapsedSeconds() {
        return elapsedSeconds;
    }

    /** The metrics.jsonl lines so far. */
    public List<String> metrics() {
        return metrics;
    }

    /** The mean training loss of every applied round so far, for the report. */
    public double[] stepLosses() {
        return stepLosses;
    }

    /**
     * Where each of {@link #stepLosses()} belongs on the epoch axis: {@code epoch - 1 + s / S} after step {@code s}
     * of an epoch of {@code S} steps; as many as {@link #stepLosses()}.
     */
    public double[] stepLossEpochs() {
        return stepLossEpochs;
    }

    /** The flat parameter vector. */
    public float[] params() {
        return params;
    }

    /** The training state besides the weights (optimizer state, outer momentum buffer). */
    public float[] optimizerState() {
        return optimizerState;
    }

    /**
     * The evals.jsonl lines so far: with {@link #metrics()} and {@link #stepLosses()}, everything the run has written
     * as history, so that a resumed run's files equal an uninterrupted run's.
     */
    public List<String> evals() {
        return evals;
    }

    /**
     * The training clock at the end of the last finished epoch: step time, evaluations and checkpoints excluded, over
     * every process of the run.
     */
    public double trainSeconds() {
        return trainSeconds;
    }

    /**
     * The epoch's step times so far ({@code StepTimes.state()}), so that a resumed epoch's rounds and times are the
     * whole epoch's; empty for none.
     */
    public long[] epochTimes() {
        return epochTimes;
    }

    /**
     * The fields of a checkpoint by name. Every field must be set, except those a version 1 file lacks:
     * {@code evals} (default none), {@code trainSeconds} (0) and {@code epochTimes} (none).
     */
    public static final class Builder {
        private Map<String, String> config;
        private Integer epoch;
        private Integer nextStep;
        private Long globalStep;
        private Double epochLossSum;
        private Long epochSamples;
        private Long skippedSteps;
        private Double elapsedSeconds;
        private List<String> metrics;
        private double[] stepLosses;
        private double[] stepLossEpochs;
        private float[] params;
        private float[] optimizerState;
        private List<String> evals = List.of();
        private double trainSeconds;
        private long[] epochTimes = new long[0];

        private Builder() {
        }

        public Builder config(Map<String, String> value) {
            config = value;
            return this;
        }

        public Builder epoch(int value) {
            epoch = value;
            return this;
        }

        public Builder nextStep(int value) {
            nextStep = value;
            return this;
        }

        public Builder globalStep(long value) {
            globalStep = value;
            return this;
        }

        public Builder epochLossSum(double value) {
            epochLossSum = value;
            return this;
        }

        public Builder epochSamples(long value) {
            epochSamples = value;
            return this;
        }

        public Builder skippedSteps(long value) {
            skippedSteps = value;
            return this;
        }

        public Builder elapsedSeconds(double value) {
            elapsedSeconds = value;
            return this;
        }

        public Builder metrics(List<String> value) {
            metrics = value;
            return this;
        }

        public Builder stepLosses(double[] value) {
            stepLosses = value;
            return this;
        }

        public Builder stepLossEpochs(double[] value) {
            stepLossEpochs = value;
            return this;
        }

        public Builder params(float[] value) {
            params = value;
            return this;
        }

        public Builder optimizerState(float[] value) {
            optimizerState = value;
            return this;
        }

        public Builder evals(List<String> value) {
            evals = value;
            return this;
        }

        public Builder trainSeconds(double value) {
            trainSeconds = value;
            return this;
        }

        public Builder epochTimes(long[] value) {
            epochTimes = value;
            return this;
        }

        /** @throws IllegalStateException naming the first field not set */
        public Checkpoint build() {
            Object[] required = {config, epoch, nextStep, globalStep, epochLossSum, epochSamples, skippedSteps,
                    elapsedSeconds, metrics, stepLosses, stepLossEpochs, params, optimizerState, evals, epochTimes};
            String[] names = {"config", "epoch", "nextStep", "globalStep", "epochLossSum", "epochSamples",
                    "skippedSteps", "elapsedSeconds", "metrics", "stepLosses", "stepLossEpochs", "params", "optimizerState",
                    "evals", "epochTimes"};
            for (int i = 0; i < required.length; i++) {
                if (required[i] == null) {
                    throw new IllegalStateException("checkpoint field " + names[i] + " is not set");
                }
            }
            return new Checkpoint(this);
        }
    }

    static final int VERSION = 3;
    /** The version before the step losses' places on the epoch axis; still read. */
    static final int VERSION_WITHOUT_PLACES = 2;
    /** The version before the history of evaluations, the clock and the epoch's times; still read. */
    static final int VERSION_WITHOUT_HISTORY = 1;
    /** The header fields version 2 and 3 files have and a version 1 file has not. */
    private static final List<String> HISTORY_FIELDS = List.of("evals", "train_seconds", "epoch_times");
    /** The header field a version 3 file has and earlier ones have not. */
    private static final String PLACES_FIELD = "step_loss_epochs";
    private static final byte[] MAGIC = {'S', 'P', 'C', 'K'};
    private static final int MAX_HEADER = 16 << 20;
    private static final ObjectMapper JSON = new ObjectMapper();

    public byte[] toBytes() {
        ObjectNode header = JSON.createObjectNode();
        ObjectNode cfg = header.putObject("config");
        config.forEach(cfg::put);
        header.put("epoch", epoch);
        header.put("next_step", nextStep);
        header.put("global_step", globalStep);
        header.put("epoch_loss_sum", epochLossSum);
        header.put("epoch_samples", epochSamples);
        header.put("skipped_steps", skippedSteps);
        header.put("elapsed_seconds", elapsedSeconds);
        ArrayNode lines = header.putArray("metrics");
        metrics.forEach(lines::add);
        ArrayNode losses = header.putArray("step_losses");
        for (double l : stepLosses) {
            losses.add(l);
        }
        ArrayNode evalLines = header.putArray("evals");
        evals.forEach(evalLines::add);
        header.put("train_seconds", trainSeconds);
        ArrayNode times = header.putArray("epoch_times");
        for (long t : epochTimes) {
            times.add(t);
        }
        ArrayNode places = header.putArray(PLACES_FIELD);
        for (double x : stepLossEpochs) {
            places.add(x);
        }
        byte[] head = header.toString().getBytes(StandardCharsets.UTF_8);
        ByteBuffer out = ByteBuffer.allocate(4 + 4 + 4 + head.length + 4 + 4 * params.length + 4
                + 4 * optimizerState.length + 8);
        out.put(MAGIC).putInt(VERSION).putInt(head.length).put(head);
        out.putInt(params.length);
        out.asFloatBuffer().put(params);
        out.position(out.position() + 4 * params.length);
        out.putInt(optimizerState.length);
        out.asFloatBuffer().put(optimizerState);
        out.position(out.position() + 4 * optimizerState.length);
        CRC32 crc = new CRC32();
        crc.update(out.array(), 0, out.position());
        out.putLong(crc.getValue());
        return out.array();
    }

    /**
     * Parses and fully validates a checkpoint; every length is checked against the bytes present before use.
     *
     * @param name names the file in error messages
     * @throws CorruptCheckpointException saying what was wrong
     */
    public static Checkpoint fromBytes(byte[] bytes, String name) throws CorruptCheckpointException {
        ByteBuffer in = ByteBuffer.wrap(bytes);
        try {
            byte[] magic = new byte[4];
            in.get(magic);
            if (!Arrays.equals(magic, MAGIC)) {
                throw new CorruptCheckpointException(name, String.format("has magic 0x%08x, expected \"SPCK\"",
                        ByteBuffer.wrap(magic).getInt()));
            }
            int version = in.getInt();
            if (version != VERSION && version != VERSION_WITHOUT_PLACES && version != VERSION_WITHOUT_HISTORY) {
                throw new CorruptCheckpointException(name, "has format version " + version + ", this build reads "
                        + VERSION_WITHOUT_HISTORY + " to " + VERSION);
            }
            if (bytes.length < 8) {
                throw new BufferUnderflowException();
            }
            CRC32 crc = new CRC32();
            crc.update(bytes, 0, bytes.length - 8);
            long stored = ByteBuffer.wrap(bytes, bytes.length - 8, 8).getLong();
            if (stored != crc.getValue()) {
                throw new CorruptCheckpointException(name, String.format("checksum mismatch: stored %08x, computed "
                        + "%08x (damaged or truncated)", stored, crc.getValue()));
            }
            int headerLength = in.getInt();
            if (headerLength < 2 || headerLength > Math.min(MAX_HEADER, in.remaining())) {
                throw new CorruptCheckpointException(name, "has header length " + headerLength);
            }
            byte[] head = new byte[headerLength];
            in.get(head);
            // Decoded strictly: malformed UTF-8 is refused rather than read as replacement characters.
            JsonNode header = JSON.readTree(StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(head))
                    .toString());
            float[] params = floats(in, name, "parameters");
            float[] state = floats(in, name, "optimizer state");
            if (in.remaining() != 8) {
                throw new CorruptCheckpointException(name, "has " + (in.remaining() - 8) + " unexpected trailing bytes");
            }
            Map<String, String> config = new LinkedHashMap<>();
            header.required("config").fields().forEachRemaining(e -> config.put(e.getKey(), e.getValue().asText()));
            List<String> metrics = new ArrayList<>();
            header.required("metrics").forEach(n -> metrics.add(n.asText()));
            // Each version has exactly its own fields, so that a header means one thing.
            for (String field : HISTORY_FIELDS) {
                if (header.has(field) != (version != VERSION_WITHOUT_HISTORY)) {
                    throw new CorruptCheckpointException(name, "is a version " + version + " file " + (version
                            != VERSION_WITHOUT_HISTORY ? "without" : "with") + " the header field '" + field + "'");
                }
            }
            if (header.has(PLACES_FIELD) != (version == VERSION)) {
                throw new CorruptCheckpointException(name, "is a version " + version + " file " + (version == VERSION
                        ? "without" : "with") + " the header field '" + PLACES_FIELD + "'");
            }
            double[] stepLosses = doubles(header.required("step_losses"));
            if (version != VERSION) {
                stepLosses = new double[0];
            }
            double[] stepLossEpochs = doubles(header.path(PLACES_FIELD));
            if (stepLossEpochs.length != stepLosses.length) {
                throw new CorruptCheckpointException(name, "has " + stepLosses.length + " step_losses but "
                        + stepLossEpochs.length + " " + PLACES_FIELD);
            }
            List<String> evals = new ArrayList<>();
            for (JsonNode n : header.path("evals")) {
                if (!n.isTextual()) {
                    throw new CorruptCheckpointException(name, "has an evals line that is no string: " + n);
                }
                evals.add(n.asText());
            }
            JsonNode trainSeconds = header.path("train_seconds");
            if (version != VERSION_WITHOUT_HISTORY && !trainSeconds.isNumber()) {
                throw new CorruptCheckpointException(name, "has train_seconds " + trainSeconds + ", not a number");
            }
            Checkpoint c = builder().config(config).epoch(header.required("epoch").asInt())
                    .nextStep(header.required("next_step").asInt())
                    .globalStep(header.required("global_step").asLong())
                    .epochLossSum(header.required("epoch_loss_sum").asDouble())
                    .epochSamples(header.required("epoch_samples").asLong())
                    .skippedSteps(header.required("skipped_steps").asLong())
                    .elapsedSeconds(header.required("elapsed_seconds").asDouble())
                    .metrics(metrics).stepLosses(stepLosses).stepLossEpochs(stepLossEpochs).params(params).optimizerState(state).evals(evals)
                    .trainSeconds(trainSeconds.asDouble(0)).epochTimes(longs(header.path("epoch_times"), name))
                    .build();
            if (c.epoch < 1 || c.nextStep < 0 || c.globalStep < 0 || c.epochSamples < 0 || c.skippedSteps < 0
                    || !Double.isFinite(c.epochLossSum) || !(c.elapsedSeconds >= 0) || !(c.trainSeconds >= 0)
                    // StepTimes.state(): its 7 sums, each a count or nanoseconds
                    || c.epochTimes.length != 0 && c.epochTimes.length != 7
                    || Arrays.stream(c.epochTimes).anyMatch(t -> t < 0)) {
                throw new CorruptCheckpointException(name, "has counters out of range: epoch " + c.epoch
                        + ", next step " + c.nextStep + ", global step " + c.globalStep + ", samples "
                        + c.epochSamples + ", skipped " + c.skippedSteps + ", loss sum " + c.epochLossSum
                        + ", train seconds " + c.trainSeconds + ", epoch times " + Arrays.toString(c.epochTimes));
            }
            return c;
        } catch (BufferUnderflowException e) {
            throw new CorruptCheckpointException(name, "is truncated (" + bytes.length + " bytes)");
        } catch (JsonProcessingException | java.nio.charset.CharacterCodingException | IllegalArgumentException e) {
            throw new CorruptCheckpointException(name, "has an invalid header: " + e.getMessage());
        }
    }

    private static double[] doubles(JsonNode array) {
        double[] values = new double[array.size()];
        for (int i = 0; i < values.length; i++) {
            values[i] = array.get(i).asDouble();
        }
        return values;
    }

    private static long[] longs(JsonNode array, String name) throws CorruptCheckpointException {
        long[] values = new long[array.size()];
        for (int i = 0; i < values.length; i++) {
            if (!array.get(i).canConvertToExactIntegral() || !array.get(i).canConvertToLong()) {
                throw new CorruptCheckpointException(name, "has epoch_times " + array + ", not whole numbers");
            }
            values[i] = array.get(i).asLong();
        }
        return values;
    }

    private static float[] floats(ByteBuffer in, String name, String what) throws CorruptCheckpointException {
        int n = in.getInt();
        if (n < 0 || 4L * n > in.remaining()) {
            throw new CorruptCheckpointException(name, "declares " + n + " " + what + " values but has "
                    + in.remaining() + " bytes left");
        }
        float[] values = new float[n];
        in.asFloatBuffer().get(values);
        in.position(in.position() + 4 * n);
        return values;
    }

    /** A checkpoint file that is damaged, truncated, of another version, or not a checkpoint. */
    public static final class CorruptCheckpointException extends java.io.IOException {
        public CorruptCheckpointException(String name, String what) {
            super("checkpoint " + name + " " + what);
        }
    }
}
