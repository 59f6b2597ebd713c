package dev.sparknn.ml;

import dev.sparknn.export.OnnxExport;
import dev.sparknn.ops.Network;
import dev.sparknn.store.ModelFile;
import dev.sparknn.train.Task;
import java.io.IOException;
import java.io.Serializable;
import java.nio.file.Path;
import java.util.NoSuchElementException;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.StructType;

/**
 * What a fitted model holds besides its Params, one object that {@link NeuralNetClassificationModel} and
 * {@link NeuralNetRegressionModel} keep (and a model's copies share): the network, its task, its flat weights
 * ({@code [network.numParams()]}, any standardisation folded in), the training summary, and the weights' broadcast.
 *
 * <p>The broadcast is made on the first {@link #transform} and reused by every later one, by every micro-batch of a
 * stream and by the model's copies. It is not serialised with the model, and Spark's context cleaner frees it once
 * this object and the DataFrames that read it are gone; destroying it after each call would break those lazy
 * DataFrames.
 */
final class TrainedNetwork implements Serializable {

    private final Network network;
    private final Task task;
    private final float[] weights;
    private final TrainingSummary summary;
    private transient Broadcast<float[]> broadcast;

    /**
     * @param weights {@code [network.numParams()]}, kept as they are (not copied)
     * @param summary null when there is none (a model loaded from a folder without {@code summary.json})
     */
    TrainedNetwork(Network network, Task task, float[] weights, TrainingSummary summary) {
        this.network = network;
        this.task = task;
        this.weights = weights;
        this.summary = summary;
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
