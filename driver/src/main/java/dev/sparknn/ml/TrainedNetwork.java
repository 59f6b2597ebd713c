package dev.sparknn.ml;

import dev.sparknn.data.InputRanges;
import dev.sparknn.export.OnnxExport;
import dev.sparknn.ops.Network;
import dev.sparknn.store.ModelFile;
import dev.sparknn.train.Task;
import java.io.IOException;
import java.io.Serializable;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Optional;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.StructType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a fitted model holds besides its Params, one object that {@link NeuralNetClassificationModel} and
 * {@link NeuralNetRegressionModel} keep (and a model's copies share): the network, its task, its flat weights
 * ({@code [network.numParams()]}, any standardisation folded in), the training summary, each input's training range,
 * and the weights' broadcast.
 *
 * <p>The broadcast is made on the first {@link #transform} and reused by every later one, by every micro-batch of a
 * stream and by the model's copies. It is not serialised with the model, and Spark's context cleaner frees it once
 * this object and the DataFrames that read it are gone; destroying it after each call would break those lazy
 * DataFrames.
 */
final class TrainedNetwork implements Serializable {

    private static final Logger LOG = LoggerFactory.getLogger(TrainedNetwork.class);
    /** Rows per {@link InputRanges#scan} in {@link #checkInputRanges}. */
    private static final int SCAN_ROWS = 1024;

    private final Network network;
    private final Task task;
    private final float[] weights;
    private final TrainingSummary summary;
    private final double[] min;
    private final double[] max;
    private transient Broadcast<float[]> broadcast;

    /**
     * @param weights {@code [network.numParams()]}, kept as they are (not copied)
     * @param summary null when there is none (a model loaded from a folder without {@code summary.json})
     * @param min     {@code [numFeatures()]} each input's smallest training value, or null when unknown (a model saved
     *                before models kept them); kept as it is
     * @param max     {@code [numFeatures()]} each input's largest training value; null with {@code min}
     * @throws IllegalArgumentException if only one of them is null, or either has another length
     */
    TrainedNetwork(Network network, Task task, float[] weights, TrainingSummary summary, double[] min,
                   double[] max) {
        if ((min == null) != (max == null) || min != null && (min.length != network.numInputs()
                || max.length != network.numInputs())) {
            throw new IllegalArgumentException("training ranges of " + (min == null ? 0 : min.length) + " and "
                    + (max == null ? 0 : max.length) + " values for " + network.numInputs() + " inputs");
        }
        this.network = network;
        this.task = task;
        this.weights = weights;
        this.summary = summary;
        this.min = min;
        this.max = max;
    }

    /** The network's layer widths, input first. */
    int[] layerSizes() {
        return network.sizes();
    }

    /** The input width, {@code layerSizes()[0]}. */
    int numFeatures() {
        return network.numInputs();
    }

    /** The output width: the classes of a classifier, 1 for a regressor. */
    int numOutputs() {
        return network.numOutputs();
    }

    /** As the command line's {@code model.bin} holds it, without feature names (a vector's values have positions). */
    ModelFile.Model modelFile() {
        return new ModelFile.Model(network, task, weights);
    }

    /** SHA-256 of the weights, float32 big-endian ({@link ModelFile#sha256}). */
    String weightsSha256() {
        return ModelFile.sha256(weights);
    }

    boolean hasSummary() {
        return summary != null;
    }

    /** @throws NoSuchElementException if {@link #hasSummary()} is false */
    TrainingSummary summary() {
        if (summary == null) {
            throw new NoSuchElementException("this model has no training summary");
        }
        return summary;
    }

    /** Whether the model knows its inputs' training ranges (a model saved before they were kept does not). */
    boolean hasInputRanges() {
        return min != null;
    }

    /** @return {@code [minima, maxima]}, each {@code [numFeatures()]}, copies; null when not {@link #hasInputRanges} */
    double[][] inputRanges() {
        return min == null ? null : new double[][] {min.clone(), max.clone()};
    }

    /**
     * Counts the values of {@code data}'s features column far outside each input's training range (the rule of
     * {@link InputRanges}), in one job, and logs one warning naming the inputs ({@code features[3]}) with the range
     * seen against the training range. Null features are skipped, as {@code transform} gives them null outputs.
     *
     * @return the warning, empty when every value is within reach of its training range or the model keeps no ranges
     * @throws IllegalArgumentException if a row's features have another width
     */
    Optional<String> checkInputRanges(Dataset<?> data, String featuresCol) {
        if (min == null) {
            LOG.info("this model keeps no training ranges (saved before models kept them): nothing to check");
            return Optional.empty();
        }
        int width = network.numInputs();
        // One range over all inputs, as the command line checks images: a vector's inputs have positions, not
        // names, and one constant in training (an image's border pixel) would otherwise make any other value "far".
        InputRanges ranges = InputRanges.whole(width, java.util.Arrays.stream(min).min().orElseThrow(),
                java.util.Arrays.stream(max).max().orElseThrow());
        InputRanges.Seen none = ranges.scan(new float[0], 0, width);
        data.sparkSession().sparkContext().setJobDescription("check the inputs against the training ranges");
        InputRanges.Seen seen = data.toDF().select(featuresCol).javaRDD().mapPartitions((Iterator<Row> rows) -> {
            InputRanges.Seen sum = none;
            float[] x = new float[SCAN_ROWS * width];
            int n = 0;
            while (rows.hasNext()) {
                Row row = rows.next();
                if (row.isNullAt(0)) {
                    continue;
                }
                Training.copyFeatures(row.get(0), x, n * width, width);
                if (++n == SCAN_ROWS) {
                    sum = sum.plus(ranges.scan(x, n, width));
                    n = 0;
                }
            }
            return List.of(n > 0 ? sum.plus(ranges.scan(x, n, width)) : sum).iterator();
        }).fold(none, InputRanges.Seen::plus);
        Optional<String> warning = ranges.warning(seen, "column '" + featuresCol + "'");
        warning.ifPresent(LOG::warn);
        return warning;
    }

    /**
     * One row's outputs (Spark's single-row {@code predict}/{@code predictRaw}; {@link #transform} scores blocks).
     *
     * @param features a dense or sparse vector of {@link #numFeatures()} values
     * @return a new array {@code [numOutputs()]}: a classifier's logits, a regressor's prediction in the label's units
     * @throws IllegalArgumentException if {@code features} has another size
     */
    float[] outputs(Vector features) {
        return Scoring.outputs(network, weights, features);
    }

    /**
     * {@code data} scored block-wise on the executors ({@link Scoring#transform}) with the weights' broadcast, made
     * here on the first call. Lazy, as any transformation: no job runs.
     *
     * @param schema the output schema, {@code data}'s columns then {@code out}'s ({@link Scoring.Outputs#appendTo})
     */
    Dataset<Row> transform(Dataset<?> data, StructType schema, String featuresCol, Scoring.Outputs out) {
        return Scoring.transform(data, schema, featuresCol, network, broadcast(data), out);
    }

    private synchronized Broadcast<float[]> broadcast(Dataset<?> data) {
        if (broadcast == null) {
            broadcast = data.sparkSession().sparkContext().broadcast(weights,
                    scala.reflect.ClassTag$.MODULE$.apply(float[].class));
        }
        return broadcast;
    }

    /**
     * Writes the network as an ONNX file ({@link OnnxExport}) under a temporary name, renamed when complete.
     *
     * @param overwrite replace an existing file; without it an existing file is refused
     * @throws java.nio.file.FileAlreadyExistsException if {@code file} exists and {@code overwrite} is false
     * @throws IllegalArgumentException                  if the weights are too large for one ONNX file
     */
    void exportOnnx(Path file, boolean overwrite) throws IOException {
        OnnxExport.write(modelFile(), file, overwrite);
    }
}
