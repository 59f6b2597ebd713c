package dev.sparknn.train;

import dev.sparknn.ops.Activation;
import dev.sparknn.ops.LayerSpelling;
import dev.sparknn.ops.EnumNames;
import dev.sparknn.ops.Loss;
import dev.sparknn.ops.WeightInit;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Every training option, each declared once: name, type, default, documentation and validator (see
 * {@link TrainOption}). The command line, the {@code --config} loader, {@link TrainConfig}, the library's defaults
 * and the README's options table are derived from this list; {@code conf/train.conf} and the README are checked
 * against it by tests. Adding an option means adding a declaration here (and using its value).
 *
 * <p>For a caller building its own parameters (spark.ml {@code Param}s, say): iterate {@link #ALL}; each option
 * gives {@link TrainOption#name()}, {@link TrainOption#type()}, {@link TrainOption#defaultValue()},
 * {@link TrainOption#plainDoc()}, and {@link TrainOption#problem} / {@link TrainOption#check} with the command line's
 * own error message.
 */
public final class TrainOptions {

    private TrainOptions() {
    }

    // ---- Data and model

    public static final TrainOption<String> DATA = TrainOption.string("data", "PATH", "data/mnist").shapingWeights()
            .doc("Local path or Hadoop URI of the training data (see [Data formats](#data-formats)): an IDX folder "
                    + "named like MNIST's, raw or .gz (`train-images-idx3-ubyte`, `train-labels-idx1-ubyte` for "
                    + "training, `t10k-*` for testing), or CSV / Parquet tables (a file, folder or glob). Any image "
                    + "size and count work, as long as `--layers` matches.")
            .nonBlank().build();

    public static final TrainOption<String> FORMAT = TrainOption.choice("format", "NAME", "auto",
                    s -> DataConfig.Format.parse(s).toString()).shapingWeights()
            .doc("`auto` (by the file names), `idx`, `csv` or `parquet`.").build();

    public static final TrainOption<String> LABEL = TrainOption.string("label", "COLUMN", "label").shapingWeights()
            .doc("Tables: the label column: a class index, or the target value with `--task regression`.")
            .nonBlank().build();

    public static final TrainOption<String> FEATURES = TrainOption.normalized("features", "COL,...", "",
                    s -> Arrays.stream(s.split(",")).map(String::trim).filter(c -> !c.isEmpty())
                            .collect(Collectors.joining(","))).shapingWeights()
            .doc("Tables: the feature columns, in order. Empty: the array column `features` if there is one, "
                    + "otherwise every column but the label.").build();

    /**
     * The column names of a {@link #FEATURES} value, in order: split at commas, spaces around each name and empty
     * names dropped ({@code " b, a,"} gives {@code [b, a]}); empty for none. The one reading of a feature list, for
     * train, evaluate and predict alike.
     */
    public static List<String> columns(String features) {
        String canonical = FEATURES.parse(features);
        return canonical.isEmpty() ? List.of() : List.of(canonical.split(","));
    }

    public static final TrainOption<String> TEST_DATA = TrainOption.string("test-data", "PATH", "").shapingWeights()
            .doc("The test rows, in the same format. Empty: the IDX folder's `t10k-*` files, or the "
                    + "`--test-fraction` share of a table.").build();

    public static final TrainOption<Double> TEST_FRACTION = TrainOption.real("test-fraction", "F", 0.1)
            .shapingWeights()
            .doc("Tables without `--test-data`: the share of rows held out for testing, chosen by a hash of each "
                    + "row's content seeded by `--seed`, each copy of a repeated row on its own (the same rows every "
                    + "run with the same seed, whatever the files' order or split).")
            .require(f -> f >= 0 && f < 1, "must be in [0, 1)").build();

    public static final TrainOption<String> MISSING = TrainOption.choice("missing", "mean|refuse", "mean",
                    s -> dev.sparknn.data.TableDataset.Missing.parse(s).toString()).shapingWeights()
            .doc("Tables: what an empty feature cell becomes. `mean`: a numeric column's training mean, a "
                    + "categorical column's no level (all zeros), the count of each column's empty cells said at "
                    + "load; `refuse`: the run stops, naming the file, line and column. An empty label is always "
                    + "refused.").build();

    public static final TrainOption<String> STANDARDIZE = TrainOption.choice("standardize", "auto|true|false", "auto",
                    s -> DataConfig.Standardize.parse(s).toString()).shapingWeights().fallback("true")
            .doc("Standardise every feature with the training rows' mean and standard deviation, and with "
                    + "`--task regression` the target too. `auto`: tables (CSV, Parquet), but not IDX images, which "
                    + "keep their [0, 1] scaling, nor the input of a network that starts with another layer than "
                    + "`affine` (a convolution); `true` (or `--standardize` alone): any data, for a network that "
                    + "starts with `affine`; `false`: none. A constant column is only centred. The saved model takes "
                    + "raw features and predicts in the target's units: the transforms are folded into its first and "
                    + "last layers. Losses and RMSE are reported in the target's units.").build();

    public static final TrainOption<String> TASK = TrainOption.choice("task", "NAME", "classification",
                    s -> Task.parse(s).toString()).shapingWeights()
            .doc("`classification` (the label is a class index; the last `--layers` size is the class count), or "
                    + "`regression`: one real-valued output, squared error, and `train_rmse` / `test_rmse` in the "
                    + "metrics in place of accuracy.").build();

    public static final TrainOption<String> LAYERS = TrainOption.choice("layers", "SPEC", "784,512,10",
                    s -> {
                        LayerSpelling.layers(s, Activation.RELU);
                        return LayerSpelling.normalise(s);
                    }).shapingWeights()
            .doc("The network, input first. Widths only (`784,512,10`): affine layers with `--activation` between, "
                    + "the last width the number of classes (1 for regression). Or the input shape (`784`, `28x28` or "
                    + "`1x28x28`, channels x height x width) and then the layers: `conv:FILTERS:SIZE[:STRIDE[:PADDING]]`, "
                    + "`maxpool:SIZE[:STRIDE]`, `affine:N`, `dropout:P`, `batchnorm`, `relu`, `sigmoid`, `tanh`, "
                    + "`identity`, e.g. `1x28x28,conv:30:5,relu,maxpool:2,affine:100,relu,affine:10`. On the command line, `auto` as the "
                    + "first or last width takes it from the data: the inputs per row (a table's after one-hot "
                    + "encoding), the class count (named classes, or the largest class index plus one); e.g. "
                    + "`auto,64,auto`. It costs no extra pass over a table (training reuses the pass that chooses "
                    + "its encoding), and one more read of an IDX folder's training labels.").build();

    public static final TrainOption<String> ACTIVATION = TrainOption.choice("activation", "NAME", "relu",
                    s -> Activation.parse(s).name().toLowerCase(java.util.Locale.ROOT)).shapingWeights()
            .doc("Hidden activation: `relu`, `sigmoid`, `tanh` or `identity`.").build();

    public static final TrainOption<String> LOSS = TrainOption.choice("loss", "NAME", "auto",
                    s -> s.equalsIgnoreCase("auto") ? "auto" : Loss.parse(s).id()).shapingWeights()
            .doc("Output head: `softmax-ce` (softmax with cross-entropy, computed with log-sum-exp), `mse` "
                    + "(½·squared error against one-hot labels, or against the targets for regression), or `auto` "
                    + "(`softmax-ce` for classification, `mse` for regression).").build();

    public static final TrainOption<String> INIT = TrainOption.choice("init", "SCHEME", "auto",
                    s -> WeightInit.parse(s).toString()).shapingWeights()
            .doc("`auto` (He for ReLU, Xavier otherwise), `he`, `xavier`, or a fixed std such as `0.01`. Biases "
                    + "start at 0.").build();

    // ---- Optimisation

    public static final TrainOption<Integer> EPOCHS = TrainOption.integer("epochs", "N", 5).shapingWeights()
            .doc("Passes over the training data.")
            .require(n -> n >= 1, "must be at least 1").build();

    public static final TrainOption<Integer> BATCH_SIZE = TrainOption.integer("batch-size", "N", 128).shapingWeights()
            .doc("Global batch: samples per optimizer step, summed over all partitions (each partition's local step "
                    + "takes its share). More than the training rows: clipped to them, with a warning (one step per "
                    + "epoch).")
            .require(n -> n >= 1, "must be at least 1").build();

    public static final TrainOption<String> OPTIMIZER = TrainOption.choice("optimizer", "NAME", "sgd",
                    s -> Optimizer.Kind.parse(s).toString()).shapingWeights()
            .doc("`sgd` (with `--momentum`: `v = μ·v − lr·g; w += v`, and `0` is plain SGD), `nesterov` "
                    + "(`w += μ·v − lr·g`), `adam`, or `adamw` (weight decay decoupled from the gradient).").build();

    public static final TrainOption<Double> LR = TrainOption.real("lr", "RATE", 0.1).shapingWeights()
            .doc("Base learning rate.")
            .require(lr -> lr > 0 && Double.isFinite(lr), "must be a positive finite number").build();

    public static final TrainOption<Double> MOMENTUM = TrainOption.real("momentum", "MU", 0.9).shapingWeights()
            .doc("Momentum in `[0, 1)`, for `sgd` and `nesterov`.")
            .require(m -> m >= 0 && m < 1, "must be in [0, 1)").build();

    public static final TrainOption<Double> BETA1 = TrainOption.real("beta1", "B", 0.9).shapingWeights()
            .doc("Adam's first-moment decay.")
            .require(b -> b >= 0 && b < 1, "must be in [0, 1)").build();

    public static final TrainOption<Double> BETA2 = TrainOption.real("beta2", "B", 0.999).shapingWeights()
            .doc("Adam's second-moment decay.")
            .require(b -> b >= 0 && b < 1, "must be in [0, 1)").build();

    public static final TrainOption<Double> EPS = TrainOption.real("eps", "E", 1e-8).shapingWeights()
            .doc("Adam's denominator term.")
            .require(e -> e > 0 && Double.isFinite(e), "must be a positive finite number").build();

    public static final TrainOption<Double> WEIGHT_DECAY = TrainOption.real("weight-decay", "WD", 0).shapingWeights()
            .doc("L2 penalty on every parameter: added to the gradient, or decoupled (`w -= lr·wd·w`) for `adamw`.")
            .require(wd -> wd >= 0 && Double.isFinite(wd), "must be >= 0").build();

    public static final TrainOption<Double> CLIP_NORM = TrainOption.real("clip-norm", "C", 0).shapingWeights()
            .doc("Rescale each step's mean gradient (with `--local-steps` above 1, each partition's) to L2 norm C "
                    + "when it is larger; `0` turns clipping off.")
            .require(c -> c >= 0 && Double.isFinite(c), "must be >= 0 (0 = off)").build();

    public static final TrainOption<String> SCHEDULE = TrainOption.choice("schedule", "NAME", "cosine",
                    s -> Schedule.Kind.parse(s).toString()).shapingWeights()
            .doc("Learning-rate schedule after warm-up: `constant`, `step` (times `--decay-factor` every "
                    + "`--decay-every` epochs), or `cosine` (half a cosine wave from lr towards 0 over the updates "
                    + "after warm-up).").build();

    public static final TrainOption<Integer> WARMUP_STEPS = TrainOption.integer("warmup-steps", "W", 0)
            .shapingWeights()
            .doc("Ramp the learning rate linearly from lr/W to lr over the first W updates; `0` for none. Large "
                    + "global batches at high learning rates need it.")
            .require(w -> w >= 0, "must be >= 0").build();

    public static final TrainOption<Integer> DECAY_EVERY = TrainOption.integer("decay-every", "EPOCHS", 1)
            .shapingWeights()
            .doc("The `step` schedule: epochs between decays.")
            .require(n -> n >= 1, "must be at least 1 epoch").build();

    public static final TrainOption<Double> DECAY_FACTOR = TrainOption.real("decay-factor", "F", 0.1).shapingWeights()
            .doc("The `step` schedule: learning-rate multiplier per decay.")
            .require(f -> f > 0 && f <= 1, "must be in (0, 1]").build();

    public static final TrainOption<Integer> LOCAL_STEPS = TrainOption.integer("local-steps", "H", 64)
            .shapingWeights()
            .doc("Optimizer steps each partition runs per round (one Spark job) on its share of each global batch, "
                    + "before the weights and optimizer state are averaged over the partitions, weighted by their "
                    + "samples (local SGD); `1` is synchronous SGD, one job per step. See "
                    + "[How a round works](#how-a-round-works).")
            .require(h -> h >= 1 && h <= 1_000_000, "must be in [1, 1000000]").build();

    public static final TrainOption<Double> OUTER_LR = TrainOption.real("outer-lr", "ALPHA", 1).shapingWeights()
            .doc("Outer step size at the end of a round: `w := w - ALPHA·u`, with `u` the outer momentum of (`w` - "
                    + "the mean of the partitions' weights); `1` with no `--outer-momentum` is plain averaging.")
            .require(a -> a > 0 && Double.isFinite(a), "must be a positive finite number").build();

    public static final TrainOption<Double> OUTER_MOMENTUM = TrainOption.real("outer-momentum", "MU", 0)
            .shapingWeights()
            .doc("Momentum of the outer step in `[0, 1)` (SlowMo, DiLoCo); `0` is none.")
            .require(m -> m >= 0 && m < 1, "must be in [0, 1)").build();

    public static final TrainOption<Boolean> OUTER_NESTEROV = TrainOption.flag("outer-nesterov", false)
            .shapingWeights()
            .doc("Nesterov's form of the outer momentum.").build();

    // ---- Execution

    public static final TrainOption<Integer> CHUNKS = TrainOption.integer("chunks", "K", 1).shapingWeights()
            .doc("For data bigger than the cache: spread it over `partitions × K` blocks and read one chunk of "
                    + "`partitions` blocks at a time, in an order shuffled every epoch (see "
                    + "[Bigger than memory](#bigger-than-memory)).")
            .require(k -> k >= 1 && k <= 1_000_000, "must be at least 1, with at most 1000000 partitions in all")
            .build();

    public static final TrainOption<Integer> PARTITIONS = TrainOption.integer("partitions", "N", 2).shapingWeights()
            .doc("Partitions of the data, one task each per round (per step with `--local-steps 1`). Use the total "
                    + "number of executor cores.")
            .require(n -> n >= 1 && n <= 100_000, "must be in [1, 100000]").build();

    public static final TrainOption<String> MASTER = TrainOption.string("master", "URL", "local[2]")
            .doc("Spark master, e.g. `local[2]`, `local[*]`, `spark://host:7077`. Under `spark-submit`, "
                    + "spark-submit's master is used unless `--master` is given.")
            .nonBlank().build();

    public static final TrainOption<Long> SEED = TrainOption.longInteger("seed", "N", 42).shapingWeights()
            .doc("Seeds the weight initialisation, each epoch's data order (and chunk order), and which rows "
                    + "`--test-fraction` holds out.").build();

    public static final TrainOption<Integer> EVAL_EVERY = TrainOption.integer("eval-every", "STEPS", 0)
            .doc("Also evaluate the test set every STEPS optimizer steps (at the end of the round that reaches them), "
                    + "into `evals.jsonl`; the training clock (`train_seconds`) leaves evaluations out. `0`: epoch ends "
                    + "only.")
            .require(n -> n >= 0, "must be 0 (epoch ends only) or a positive number of steps").build();

    public static final TrainOption<Double> TARGET_ACCURACY = TrainOption.real("target-accuracy", "A", 0)
            .doc("Stop, and save the model and report, as soon as a test evaluation reaches accuracy `A`; `0` runs "
                    + "every epoch. With `--eval-every`, this is how the benchmark measures time to 97%.")
            .require(a -> a >= 0 && a <= 1, "must be in [0, 1] (0 = off)").build();

    // ---- Output and reliability

    public static final TrainOption<String> OUT = TrainOption.string("out", "DIR", "runs/{data}-{time}")
            .doc("Output folder; `{data}` becomes the name of `--data` without its extension (`mnist`, `iris` for "
                    + "`iris.csv`), `{time}` the start time (`yyyyMMdd-HHmmss`). Written under a temporary name and "
                    + "renamed when the run succeeds.")
            .nonBlank().build();

    public static final TrainOption<Boolean> OVERWRITE = TrainOption.flag("overwrite", false)
            .doc("Replace an existing `--out` (only once the new run has finished). Without it an existing folder "
                    + "is refused at start-up.").build();

    public static final TrainOption<String> CHECKPOINT_DIR = TrainOption.string("checkpoint-dir", "DIR", "{out}.ckpt")
            .doc("Checkpoint folder, local path or Hadoop URI (`hdfs://`, `s3a://`, …). `{out}` becomes the "
                    + "resolved `--out`, `{time}` the start time. With `--resume` and no `--checkpoint-dir`, the "
                    + "resumed folder.")
            .nonBlank().build();

    public static final TrainOption<Integer> CHECKPOINT_EVERY = TrainOption.integer("checkpoint-every", "STEPS", 0)
            .doc("Also checkpoint every STEPS optimizer steps (at the end of the round that reaches them). With `0`, "
                    + "checkpoints are written at epoch ends only.")
            .require(n -> n >= 0, "must be 0 (epoch ends only) or a positive number of steps").build();

    public static final TrainOption<Integer> KEEP_CHECKPOINTS = TrainOption.integer("keep-checkpoints", "K", 3)
            .doc("Keep the newest K checkpoints.")
            .require(k -> k >= 1 && k <= 1000, "must be in [1, 1000]").build();

    public static final TrainOption<Boolean> ROUND_HASHES = TrainOption.flag("round-hashes", false)
            .doc("Also write the weights' SHA-256 after every round into `metrics.jsonl` (`round_sha256`), so that "
                    + "`diff` finds the first round where two runs part.").build();

    public static final TrainOption<String> RESUME = TrainOption.string("resume", "DIR", "")
            .doc("Continue from the newest valid checkpoint in DIR (damaged ones are skipped), with the options and "
                    + "`--out` of the run that wrote it; an option given that differs from the checkpoint's is "
                    + "refused. Empty: start afresh.").build();

    public static final TrainOption<String> ON_DIVERGENCE = TrainOption.choice("on-divergence", "POLICY", "stop",
                    s -> EnumNames.parse(TrainConfig.OnDivergence.class, "policy", s).name()
                            .toLowerCase(java.util.Locale.ROOT))
            .doc("On a NaN or infinite loss, gradient or updated weight: `stop` (exit 4, checkpoints kept) or "
                    + "`skip` (drop that round's updates, count its steps in `skipped_steps`, go on).").build();

    /** Every option, in the order of the README's table and of {@code --help}. */
    public static final List<TrainOption<?>> ALL = List.of(DATA, FORMAT, LABEL, FEATURES, TEST_DATA, TEST_FRACTION,
            MISSING, STANDARDIZE, TASK, LAYERS, ACTIVATION, LOSS, INIT, EPOCHS, BATCH_SIZE, OPTIMIZER, LR, MOMENTUM,
            BETA1, BETA2, EPS, WEIGHT_DECAY, CLIP_NORM, SCHEDULE, WARMUP_STEPS, DECAY_EVERY, DECAY_FACTOR, LOCAL_STEPS,
            OUTER_LR, OUTER_MOMENTUM, OUTER_NESTEROV, CHUNKS, PARTITIONS, MASTER, SEED, EVAL_EVERY, TARGET_ACCURACY,
            OUT, OVERWRITE, CHECKPOINT_DIR, CHECKPOINT_EVERY, KEEP_CHECKPOINTS, ROUND_HASHES, RESUME,
            ON_DIVERGENCE);

    private static final Map<String, TrainOption<?>> BY_NAME = ALL.stream()
            .collect(Collectors.toMap(TrainOption::name, o -> o, (a, b) -> {
                throw new IllegalStateException("two options named " + a.name());
            }, LinkedHashMap::new));

    /** The option whose {@link TrainOption#name()} is {@code name} (no dashes), if any. */
    public static Optional<TrainOption<?>> named(String name) {
        return Optional.ofNullable(BY_NAME.get(name));
    }
}
