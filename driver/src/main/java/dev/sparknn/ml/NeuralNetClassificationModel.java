package dev.sparknn.ml;

import dev.sparknn.export.OnnxExport;
import dev.sparknn.train.Task;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.NoSuchElementException;
import org.apache.spark.ml.classification.ProbabilisticClassificationModel;
import org.apache.spark.ml.linalg.DenseVector;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.ml.util.MLWritable;
import org.apache.spark.ml.util.MLWriter;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.StructType;

/**
 * A trained network classifier, a spark.ml model. {@code transform} appends {@code rawPredictionCol} (the logits, a
 * vector of {@code numClasses} values, even for two classes), {@code probabilityCol} (their softmax) and
 * {@code predictionCol} (the class index as a double; with {@code thresholds}, the argmax of probability/threshold),
 * as Spark's evaluators expect. It scores each partition in blocks of rows with BLAS, takes raw features (a
 * standardisation is folded into the first layer), and works on streaming DataFrames. A row with null features gets
 * null outputs; an output column that already exists is refused by name (set its Param to another name, or to
 * {@code ""} to leave it out).
 *
 * <p>The weights go to the executors in one broadcast per model, made on the first {@code transform} and shared by
 * every later one (and every micro-batch of a stream, and the model's copies); Spark's context cleaner frees it once
 * the model and the DataFrames that use it are gone.
 *
 * <p>{@code write().save(path)} writes Spark's JSON metadata and the command line's {@code model.bin}
 * ({@link ModelIO}), on any Hadoop file system, so {@code PipelineModel} saves it and the command line's
 * {@code evaluate} and {@code predict} read {@code path/data/model.bin}.
 */
public class NeuralNetClassificationModel extends ProbabilisticClassificationModel<Vector,
        NeuralNetClassificationModel> implements NeuralNetParams<NeuralNetClassificationModel>, MLWritable {

    private static final String PREFIX = "nnc";

    // Not initialised here: Spark's constructors read uid() and the Params before this class's initialisers run.
    private String uid;
    private NeuralNetParamSet nn;
    private final TrainedNetwork trained;

    /**
     * A model without a network, for Spark Connect's registry of the stages it may create: Spark lists them with
     * {@code java.util.ServiceLoader} (META-INF/services), which needs a public no-argument constructor. Anything
     * but its Params fails with {@link IllegalStateException}; a model comes from {@code fit} or {@code load}.
     */
    public NeuralNetClassificationModel() {
        this(Uids.random(PREFIX), null);
    }

    NeuralNetClassificationModel(String uid, TrainedNetwork trained) {
        this(Uids.pending(uid), trained, true);
    }

    private NeuralNetClassificationModel(String uid, TrainedNetwork trained, boolean pending) {
        uid();
        this.trained = trained;
    }

    @Override
    public String uid() {
        if (uid == null) {
            uid = Uids.take(PREFIX);
        }
        return uid;
    }

    @Override
    public NeuralNetParamSet nn() {
        if (nn == null) {
            nn = new NeuralNetParamSet(this);
        }
        return nn;
    }

    private TrainedNetwork trained() {
        if (trained == null) {
            throw new IllegalStateException("this " + getClass().getSimpleName() + " holds no network (it was made "
                    + "empty, for Spark Connect's registry); a model comes from fit or load");
        }
        return trained;
    }

    @Override
    public int numClasses() {
        return trained().numOutputs();
    }

    @Override
    public int numFeatures() {
        return trained().numFeatures();
    }

    /**
     * The logits of one row (Spark's single-row API; {@code transform} scores blocks of rows).
     *
     * @param features {@code numFeatures()} values, dense or sparse
     * @return a new dense vector {@code [numClasses()]}
     * @throws IllegalArgumentException if {@code features} has another size
     */
    @Override
    public Vector predictRaw(Vector features) {
        float[] logits = trained().outputs(features);
        return Vectors.dense(Scoring.doubles(logits, 0, logits.length));
    }

    /** Overwrites the logits of a dense {@code rawPrediction} with their softmax; returns it. */
    @Override
    public Vector raw2probabilityInPlace(Vector rawPrediction) {
        double[] values = ((DenseVector) rawPrediction).values();
        System.arraycopy(Scoring.softmax(values), 0, values, 0, values.length);
        return rawPrediction;
    }

    /** Spark's (the Scala classes declare it twice, with covariant types, which Java must resolve). */
    @Override
    @SuppressWarnings("rawtypes")
    public scala.Tuple3 findSummaryModel() {
        return super.findSummaryModel();
    }

    /** @throws IllegalArgumentException if the features column is missing or of another type, or an output exists */
    @Override
    public StructType transformSchema(StructType schema) {
        Training.checkInputs(schema, this, getFeaturesCol(), getLabelCol(), false);
        return outputs().appendTo(schema);
    }

    @Override
    public Dataset<Row> transform(Dataset<?> dataset) {
        return trained().transform(dataset, transformSchema(dataset.schema(), true), getFeaturesCol(), outputs());
    }

    private Scoring.Outputs outputs() {
        return Scoring.Outputs.forClassifier(getRawPredictionCol(), getProbabilityCol(), getPredictionCol(),
                isDefined(thresholds()) ? getThresholds() : null);
    }

    /** A model with this one's uid, parent, network and broadcast, and its Params with {@code extra} over them. */
    @Override
    public NeuralNetClassificationModel copy(ParamMap extra) {
        return copyValues(new NeuralNetClassificationModel(uid(), trained), extra).setParent(parent());
    }

    /**
     * Counts the values of {@code dataset}'s features column that lie far outside what each input held in training
     * (further outside its training range than the range's width, as the command line's {@code predict} counts them),
     * in one Spark job, and logs one warning naming the inputs ({@code features[3]}) with the range seen against the
     * training range: raw 0-255 pixels given to a model fitted on pixels scaled to [0, 1] are said before their
     * predictions are trusted.
     *
     * <p>{@code transform} does not count them itself: it is lazy, and an accumulator updated while it scores would
     * count again each time the DataFrame is computed (every action on it, a retried task), while the driver has no
     * point at which the scoring is known to be complete, to warn once. Call this on the data before, or alongside,
     * {@code transform}.
     *
     * @return the warning, or empty when no value is far outside, or the model keeps no training ranges (one saved
     *         before models kept them: {@link #hasInputRanges()})
     * @throws IllegalArgumentException if the features column is missing or of another type, or a row's features have
     *                                  another width than the model's inputs
     */
    public java.util.Optional<String> checkInputRanges(Dataset<?> dataset) {
        Training.checkInputs(dataset.schema(), this, getFeaturesCol(), getLabelCol(), false);
        return trained().checkInputRanges(dataset, getFeaturesCol());
    }

    /** Whether the model keeps each input's training range: fitted, or saved with them and loaded. */
    public boolean hasInputRanges() {
        return trained().hasInputRanges();
    }

    /** Whether the model carries its {@link TrainingSummary} (fitted, or loaded from a folder that has one). */
    public boolean hasSummary() {
        return trained().hasSummary();
    }

    /** @throws NoSuchElementException if {@link #hasSummary()} is false */
    public TrainingSummary summary() {
        return trained().summary();
    }

    /** The network's layer widths, input first. */
    public int[] layerSizes() {
        return trained().layerSizes();
    }

    /**
     * SHA-256 of the weights, float32 big-endian, as a run's {@code weights_sha256} (see {@code ModelFile#sha256}): equal
     * for two fits exactly when their weights are bitwise equal. A standardisation folded into the model changes them.
     */
    public String weightsSha256() {
        return trained().weightsSha256();
    }

    /**
     * Writes the model as an ONNX file (see {@link OnnxExport}): input {@code features} float32 {@code [N, inputs]},
     * raw as {@code transform} takes them; outputs {@code probabilities} (this model's probability column) and
     * {@code logits} (its rawPrediction), {@code [N, classes]}. Written under a temporary name and renamed.
     *
     * @param overwrite replace an existing file; without it an existing file is refused
     * @throws java.nio.file.FileAlreadyExistsException if {@code file} exists and {@code overwrite} is false
     */
    public void exportOnnx(Path file, boolean overwrite) throws IOException {
        trained().exportOnnx(file, overwrite);
    }

    /**
     * Saves to {@code path/metadata}, {@code path/data/model.bin}, {@code summary.json} and {@code ranges.json} (see
     * {@link ModelIO}) through Hadoop's {@code FileSystem}.
     */
    @Override
    public MLWriter write() {
        return new ModelIO.Writer(this, trained());
    }

    public static MLReader<NeuralNetClassificationModel> read() {
        return new ModelIO.Reader<>(NeuralNetClassificationModel.class, Task.CLASSIFICATION,
                NeuralNetClassificationModel::new);
    }

    /**
     * @throws IllegalArgumentException if the folder's metadata names another class
     * @throws UncheckedIOException     if a file is missing or damaged, or model.bin holds a regressor, naming it
     */
    public static NeuralNetClassificationModel load(String path) {
        return read().load(path);
    }
}
