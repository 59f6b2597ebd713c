package dev.sparknn.ml;

import dev.sparknn.train.Task;
import org.apache.spark.ml.classification.ProbabilisticClassifier;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.util.DefaultParamsReader;
import org.apache.spark.ml.util.DefaultParamsWritable;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.StructType;

/**
 * A spark.ml estimator that trains a feed-forward network classifier (softmax cross-entropy) on a DataFrame, with the
 * command line's trainer: data-parallel rounds of local steps, bitwise reproducible for a given partitioning. Use it
 * as any Spark classifier: in a {@code Pipeline}, under {@code CrossValidator} or {@code TrainValidationSplit} with a
 * {@code ParamGridBuilder}, saved with {@code write().save(path)} and read back with {@link #load}.
 *
 * <p>Input: {@code featuresCol} a vector (dense or sparse, as {@code VectorAssembler} makes) or an
 * {@code array<float|double>}, as long as {@code layers[0]}; {@code labelCol} any numeric type holding class indices
 * in {@code [0, classes)}, {@code classes} being the last layer's width. Optional {@code weightCol} (each row's loss
 * counts its weight) and {@code validationIndicatorCol} (rows held out and scored after every epoch). The rows are
 * checked on the driver before training; a null, non-integral or out-of-range label, a null or wrongly sized features
 * value, a bad weight, or an empty DataFrame is refused with an {@link IllegalArgumentException} naming the column,
 * the count and one offending row.
 *
 * <p>The training options are {@link NeuralNetParams}, with the command line's defaults (conf/train.conf);
 * {@code layers} must be set. By default the features are standardised and the transform is folded into the model.
 */
public class NeuralNetClassifier extends ProbabilisticClassifier<Vector, NeuralNetClassifier,
        NeuralNetClassificationModel> implements NeuralNetParams<NeuralNetClassifier>, DefaultParamsWritable {

    private static final String PREFIX = "nnc";

    // Not initialised here: Spark's constructors read uid() and the Params before this class's initialisers run.
    private String uid;
    private NeuralNetParamSet nn;

    public NeuralNetClassifier() {
        this(Uids.random(PREFIX));
    }

    public NeuralNetClassifier(String uid) {
        this(Uids.pending(uid), true);
    }

    private NeuralNetClassifier(String uid, boolean pending) {
        uid();
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

    @Override
    public NeuralNetClassifier copy(ParamMap extra) {
        return (NeuralNetClassifier) defaultCopy(extra);
    }

    /**
     * Checks the options and the input columns; the schema of the fitted model's output. {@code featuresDataType}
     * is not used: the features column may be a vector or an array (see above).
     *
     * @throws IllegalArgumentException naming the Param whose value is out of range, or the column that is missing,
     *                                  of the wrong type, or (an output) already there
     */
    @Override
    public StructType validateAndTransformSchema(StructType schema, boolean fitting, DataType featuresDataType) {
        Training.settings(this, Task.CLASSIFICATION);
        Training.checkInputs(schema, this, getFeaturesCol(), getLabelCol(), fitting);
        return Scoring.Outputs.forClassifier(getRawPredictionCol(), getProbabilityCol(), getPredictionCol(), null)
                .appendTo(schema);
    }

    @Override
    public NeuralNetClassificationModel train(Dataset<?> dataset) {
        return new NeuralNetClassificationModel(uid(), Training.fit(dataset, this, getFeaturesCol(), getLabelCol(),
                Task.CLASSIFICATION));
    }

    public static MLReader<NeuralNetClassifier> read() {
        return new DefaultParamsReader<>();
    }

    /** @throws IllegalArgumentException if the folder's metadata names another class (Spark's check) */
    public static NeuralNetClassifier load(String path) {
        return read().load(path);
    }
}
