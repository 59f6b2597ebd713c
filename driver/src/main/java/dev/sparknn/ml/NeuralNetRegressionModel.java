package dev.sparknn.ml;

import dev.sparknn.export.OnnxExport;
import dev.sparknn.train.Task;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.NoSuchElementException;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.regression.RegressionModel;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.ml.util.MLWritable;
import org.apache.spark.ml.util.MLWriter;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.StructType;

/**
 * A trained network regressor, a spark.ml model: {@code transform} appends {@code predictionCol} (a double, in the
 * label's units), scoring blocks of rows with BLAS; null features give a null prediction. Broadcast, persistence and
 * streaming as {@link NeuralNetClassificationModel}'s.
 */
public class NeuralNetRegressionModel extends RegressionModel<Vector, NeuralNetRegressionModel>
        implements NeuralNetParams<NeuralNetRegressionModel>, MLWritable {

    private static final String PREFIX = "nnr";

    // Not initialised here: Spark's constructors read uid() and the Params before this class's initialisers run.
    private String uid;
    private NeuralNetParamSet nn;
    private final TrainedNetwork trained;

    /**
     * A model without a network, for Spark Connect's registry of the stages it may create: Spark lists them with
     * {@code java.util.ServiceLoader} (META-INF/services), which needs a public no-argument constructor. Anything
     * but its Params fails with {@link IllegalStateException}; a model comes from {@code fit} or {@code load}.
     */
    public NeuralNetRegressionModel() {
        this(Uids.random(PREFIX), null);
    }

    NeuralNetRegressionModel(String uid, TrainedNetwork trained) {
        this(Uids.pending(uid), trained, true);
    }

    private NeuralNetRegressionModel(String uid, TrainedNetwork trained, boolean pending) {
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
    public int numFeatures() {
        return trained().numFeatures();
    }

    /**
     * One row's prediction in the label's units (Spark's single-row API; {@code transform} scores blocks of rows).
     *
     * @param features {@code numFeatures()} values, dense or sparse
     * @throws IllegalArgumentException if {@code features} has another size
     */
    @Override
    public double predict(Vector features) {
        return trained().outputs(features)[0];
    }

    /** @throws IllegalArgumentException if the features column is missing or of another type, or the output exists */
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
        return Scoring.Outputs.forRegressor(getPredictionCol());
    }

    /** A model with this one's uid, parent, network and broadcast, and its Params with {@code extra} over them. */
    @Override
    public NeuralNetRegressionModel copy(ParamMap extra) {
        return copyValues(new NeuralNetRegressionModel(uid(), trained), extra).setParent(parent());
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

    /**
     * SHA-256 of the weights, float32 big-endian, as a run's {@code weights_sha256} (see {@code ModelFile#sha256}): equal
     * for two fits exactly when their weights are bitwise equal. A standardisation folded into the model changes them.
     */
    public String weightsSha256() {
        return trained().weightsSha256();
    }

    /**
     * Writes the model as an ONNX file ({@link OnnxExport}): input {@code features} float32 {@code [N, inputs]},
     * output {@code prediction} {@code [N, 1]} in the label's units. Written under a temporary name and renamed.
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

    public static MLReader<NeuralNetRegressionModel> read() {
        return new ModelIO.Reader<>(NeuralNetRegressionModel.class, Task.REGRESSION, NeuralNetRegressionModel::new);
    }

    /**
     * @throws IllegalArgumentException if the folder's metadata names another class
     * @throws UncheckedIOException     if a file is missing or damaged, or model.bin holds a classifier, naming it
     */
    public static NeuralNetRegressionModel load(String path) {
        return read().load(path);
    }
}
