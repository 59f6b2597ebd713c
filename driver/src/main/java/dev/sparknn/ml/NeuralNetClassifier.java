package dev.sparknn.ml;

import dev.sparknn.ops.Activation;
import dev.sparknn.ops.Network;
import dev.sparknn.ops.RowBlock;
import dev.sparknn.ops.SoftmaxCrossEntropy;
import dev.sparknn.ops.Standardization;
import dev.sparknn.ops.WeightInit;
import dev.sparknn.train.DataConfig;
import dev.sparknn.train.Optimizer;
import dev.sparknn.train.Schedule;
import dev.sparknn.train.TrainConfig;
import dev.sparknn.train.TrainOptions;
import dev.sparknn.train.Trainer;
import java.io.IOException;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.storage.StorageLevel;

/**
 * Trains the network on a DataFrame inside a user's own Spark application, with the shape of a Spark ML
 * estimator: {@code fit(Dataset<Row>)} returns a {@link NeuralNetModel} whose {@code transform} adds prediction
 * and probability columns. (A real {@code org.apache.spark.ml.Estimator} needs {@code spark-mllib}, which Maven
 * Central does not carry for Spark 4.2; this plain API keeps the same shape.)
 *
 * <p>Input: a features column of {@code array<float>} or {@code array<double>}, every array as long as the first
 * layer, and an integral label column in {@code [0, classes)}. Built with {@link #builder(int...)}; immutable.
 *
 * <p>By default each feature is standardised with the training rows' mean and standard deviation, as the command
 * line does for tables; the transform is folded into the model's first layer, so the model takes raw features.
 */
public final class NeuralNetClassifier implements Serializable {

    private final int[] layers;
    private final Activation activation;
    private final WeightInit init;
    private final TrainConfig.OptimizerConfig optimizer;
    private final TrainConfig.ScheduleConfig schedule;
    private final TrainConfig.RoundConfig rounds;
    private final int epochs;
    private final int batchSize;
    private final long seed;
    private final boolean standardize;
    private final String featuresCol;
    private final String labelCol;

    private NeuralNetClassifier(Builder b) {
        layers = b.layers.clone();
        activation = b.activation;
        init = b.init;
        optimizer = new TrainConfig.OptimizerConfig(b.optimizer, b.lr, b.momentum, TrainOptions.BETA1.defaultValue(),
                TrainOptions.BETA2.defaultValue(), TrainOptions.EPS.defaultValue(), b.weightDecay,
                TrainOptions.CLIP_NORM.defaultValue());
        schedule = new TrainConfig.ScheduleConfig(b.schedule, b.warmupSteps, TrainOptions.DECAY_EVERY.defaultValue(),
                TrainOptions.DECAY_FACTOR.defaultValue());
        rounds = new TrainConfig.RoundConfig(b.localSteps, TrainOptions.OUTER_LR.defaultValue(),
                TrainOptions.OUTER_MOMENTUM.defaultValue(), TrainOptions.OUTER_NESTEROV.defaultValue());
        epochs = TrainOptions.EPOCHS.check(b.epochs);
        batchSize = TrainOptions.BATCH_SIZE.check(b.batchSize);
        seed = b.seed;
        standardize = b.standardize;
        featuresCol = b.featuresCol;
        labelCol = b.labelCol;
        new Network(layers, activation, new SoftmaxCrossEntropy());
    }

    /** A builder for a network with these layer widths, input first and classes last; every other setting optional. */
    public static Builder builder(int... layers) {
        return new Builder(layers);
    }

    /**
     * Optional settings, each defaulting to the command line's default ({@link TrainOptions}); features are
     * standardised, as {@code --standardize auto} does for tables.
     */
    public static final class Builder {
        private final int[] layers;
        private Activation activation = Activation.parse(TrainOptions.ACTIVATION.defaultValue());
        private WeightInit init = WeightInit.parse(TrainOptions.INIT.defaultValue());
        private Optimizer.Kind optimizer = Optimizer.Kind.parse(TrainOptions.OPTIMIZER.defaultValue());
        private double lr = TrainOptions.LR.defaultValue();
        private double momentum = TrainOptions.MOMENTUM.defaultValue();
        private double weightDecay = TrainOptions.WEIGHT_DECAY.defaultValue();
        private Schedule.Kind schedule = Schedule.Kind.parse(TrainOptions.SCHEDULE.defaultValue());
        private int warmupSteps = TrainOptions.WARMUP_STEPS.defaultValue();
        private int epochs = TrainOptions.EPOCHS.defaultValue();
        private int batchSize = TrainOptions.BATCH_SIZE.defaultValue();
        private int localSteps = TrainOptions.LOCAL_STEPS.defaultValue();
        private long seed = TrainOptions.SEED.defaultValue();
        // auto standardises tables, and a DataFrame is one.
        private boolean standardize = DataConfig.Standardize.parse(TrainOptions.STANDARDIZE.defaultValue())
                .appliesTo(DataConfig.Format.PARQUET);
        private String featuresCol = "features";
        private String labelCol = TrainOptions.LABEL.defaultValue();

        private Builder(int[] layers) {
            this.layers = layers.clone();
        }

        public Builder activation(Activation a) {
            activation = a;
            return this;
        }

        public Builder init(WeightInit w) {
            init = w;
            return this;
        }

        /** The optimizer, its learning rate and (sgd, nesterov) momentum. */
        public Builder optimizer(Optimizer.Kind kind, double learningRate, double mu) {
            optimizer = kind;
            lr = learningRate;
            momentum = mu;
            return this;
        }

        public Builder weightDecay(double wd) {
            weightDecay = wd;
            return this;
        }

        public Builder schedule(Schedule.Kind kind, int warmup) {
            schedule = kind;
            warmupSteps = warmup;
            return this;
        }

        public Builder epochs(int n) {
            epochs = n;
            return this;
        }

        /** Global batch: samples per update, over all partitions. */
        public Builder batchSize(int n) {
            batchSize = n;
            return this;
        }

        /**
         * Optimizer steps each partition runs per Spark job before the weights are averaged (the command line's
         * {@code --local-steps}); 1 is synchronous SGD.
         */
        public Builder localSteps(int h) {
            localSteps = h;
            return this;
        }

        public Builder seed(long s) {
            seed = s;
            return this;
        }

        /**
         * Standardise each feature with the training rows' mean and standard deviation (the command line's
         * {@code --standardize}), folded into the model's first layer so that it takes raw features; default true.
         * False trains on the features as they are, e.g. images already scaled to [0, 1].
         */
        public Builder standardize(boolean on) {
            standardize = on;
            return this;
        }

        public Builder columns(String features, String label) {
            featuresCol = features;
            labelCol = label;
            return this;
        }

        /** @throws TrainConfig.ConfigException naming the setting that is out of range */
        public NeuralNetClassifier build() {
            return new NeuralNetClassifier(this);
        }
    }

    /**
     * Trains on {@code data}, one partition per partition of the DataFrame, and returns the model.
     *
     * @throws TrainConfig.ConfigException if a column is missing or of the wrong type
     */
    public NeuralNetModel fit(Dataset<Row> data) throws IOException {
        checkColumns(data);
        Network net = new Network(layers, activation, new SoftmaxCrossEntropy());
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(data.sparkSession().sparkContext());
        int features = layers[0];
        int classes = layers[layers.length - 1];
        String fc = featuresCol;
        String lc = labelCol;
        JavaRDD<RowBlock> blocks = data.select(featuresCol, labelCol).javaRDD()
                .mapPartitions(rows -> List.of(pack(rows, features, classes, fc, lc)).iterator())
                .persist(StorageLevel.MEMORY_AND_DISK());
        JavaRDD<RowBlock> standardized = null;
        try {
            long rows = blocks.map(RowBlock::rows).reduce(Integer::sum);
            TrainConfig.require(rows > 0, "the DataFrame has no rows");
            Standardization s = null;
            JavaRDD<RowBlock> train = blocks;
            if (standardize) {
                // collect() keeps partition order, so the merged moments are the same in every run.
                s = blocks.map(Standardization.Moments::of).collect().stream()
                        .reduce(Standardization.Moments::plus).orElseThrow().standardization();
                standardized = blocks.map(s::apply).persist(StorageLevel.MEMORY_AND_DISK());
                train = standardized;
            }
            int steps = Trainer.stepsPerEpoch(rows, batchSize);
            float[] params = net.initParams(init, seed);
            Trainer trainer = new Trainer(sc, net, optimizer, schedule.build(optimizer.lr(), steps, epochs), seed,
                    TrainConfig.OnDivergence.STOP, 1, rounds);
            Trainer.Progress progress = new Trainer.Progress();
            for (int epoch = 1; epoch <= epochs; epoch++, progress = progress.nextEpoch()) {
                trainer.trainEpoch(train, rows, batchSize, epoch, params, progress, (e, n, p) -> { });
            }
            // The model takes raw features: the standardisation moves into its first layer.
            return new NeuralNetModel(net, s == null ? params : s.foldInto(net, params), featuresCol);
        } finally {
            blocks.unpersist(false);
            if (standardized != null) {
                standardized.unpersist(false);
            }
        }
    }

    private void checkColumns(Dataset<Row> data) {
        List<String> names = List.of(data.schema().fieldNames());
        for (String col : new String[] {featuresCol, labelCol}) {
            TrainConfig.require(names.contains(col), "column '" + col + "' is missing; the DataFrame has " + names);
        }
        DataType f = data.schema().apply(featuresCol).dataType();
        TrainConfig.require(f instanceof ArrayType a && (a.elementType().equals(DataTypes.FloatType)
                        || a.elementType().equals(DataTypes.DoubleType)),
                "column '" + featuresCol + "' must be array<float> or array<double>, it is " + f.simpleString());
        StructField label = data.schema().apply(labelCol);
        TrainConfig.require(List.of(DataTypes.IntegerType, DataTypes.LongType, DataTypes.ShortType,
                        DataTypes.ByteType, DataTypes.DoubleType).contains(label.dataType()),
                "column '" + labelCol + "' must hold class indices, it is " + label.dataType().simpleString());
    }

    /** All rows of one partition as one packed block, each checked. */
    private static RowBlock pack(Iterator<Row> rows, int features, int classes, String fc, String lc) {
        List<Row> all = new ArrayList<>();
        rows.forEachRemaining(all::add);
        float[] x = new float[all.size() * features];
        int[] y = new int[all.size()];
        for (int r = 0; r < all.size(); r++) {
            Row row = all.get(r);
            List<Object> values = row.getList(0);
            if (values == null || values.size() != features) {
                throw new IllegalArgumentException(String.format("row %d: column '%s' has %s values, the first layer "
                        + "takes %d", r, fc, values == null ? "no" : values.size(), features));
            }
            for (int j = 0; j < features; j++) {
                float v = ((Number) values.get(j)).floatValue();
                if (!Float.isFinite(v)) {
                    throw new IllegalArgumentException(String.format("row %d: column '%s' value %d is %s", r, fc, j, v));
                }
                x[r * features + j] = v;
            }
            double label = ((Number) row.get(1)).doubleValue();
            if (label != Math.rint(label) || label < 0 || label >= classes) {
                throw new IllegalArgumentException(String.format("row %d: column '%s' is %s, outside the class range "
                        + "[0, %d)", r, lc, label, classes));
            }
            y[r] = (int) label;
        }
        return new RowBlock(all.size(), features, x, y);
    }
}
