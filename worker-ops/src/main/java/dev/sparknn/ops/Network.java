package dev.sparknn.ops;

import java.io.Serializable;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * A sequence of {@link Layer}s fed to a {@code loss} head, as {@link LayerSpelling} spells it: the book's multi-layer
 * perceptron ({@code 784,512,10}: affine layers with {@code hidden} activations between them) or any explicit list
 * ({@code 1x28x28,conv:30:5,relu,maxpool:2,affine:100,relu,affine:10}).
 *
 * <p>All parameters live in one flat {@code float[]} of {@link #numParams()} values; each layer is a view at its
 * offset, in layer order ({@code W1, b1, W2, b2, …}). Gradients use the same layout, so the driver broadcasts,
 * aggregates, updates and saves single arrays. Batch normalization's running statistics live there too, as
 * non-trained state ({@link #stateRanges()}).
 *
 * <p>Call order on a worker: {@link #newWorkspace} once per task, then {@link #gradient},
 * {@link #accumulateGradient} or {@link #evaluate} for as many batches as needed. Training passes use batch
 * statistics and dropout (keyed by {@link Workspace#trainingStep}); every other pass is inference.
 */
public final class Network implements Serializable {

    private final String spelling;
    private final Activation hidden;
    private final Loss loss;
    private final Layer[] layers;
    /** Per layer: whether its output shares its input's buffer. */
    private final boolean[] inPlace;
    private final int numParams;
    private final Shape input;

    /** The multi-layer perceptron {@code sizes[0] → … → sizes[L]} with {@code hidden} between its affine layers. */
    public Network(int[] sizes, Activation hidden, Loss loss) {
        this(widths(sizes), hidden, loss);
    }

    /**
     * @param layers as {@link LayerSpelling} reads it
     * @param hidden the activation between a widths-only list's affine layers
     * @throws IllegalArgumentException naming the token at fault
     */
    public Network(String layers, Activation hidden, Loss loss) {
        this.spelling = LayerSpelling.normalise(layers);
        this.hidden = hidden;
        this.loss = loss;
        this.layers = LayerSpelling.layers(layers, hidden).toArray(new Layer[0]);
        this.input = LayerSpelling.inputShape(layers);
        inPlace = new boolean[this.layers.length];
        for (int i = 0; i < inPlace.length; i++) {
            // An activation after another would overwrite the output the earlier one's backward pass reads.
            inPlace[i] = this.layers[i].mayRunInPlace() && !(i > 0 && this.layers[i - 1] instanceof ActivationLayer);
        }
        numParams = Arrays.stream(this.layers).mapToInt(l -> l.numParams() == 0 ? 0 : l.offset() + l.numParams())
                .max().orElse(0);
        if (numParams == 0) {
            throw new IllegalArgumentException("'" + layers + "' has no parameters to train");
        }
    }

    private static String widths(int[] sizes) {
        if (sizes.length < 2) {
            throw new IllegalArgumentException("a network needs at least an input and an output size, got "
                    + Arrays.toString(sizes));
        }
        for (int s : sizes) {
            if (s <= 0) {
                throw new IllegalArgumentException("layer sizes must be positive, got " + Arrays.toString(sizes));
            }
        }
        return Arrays.stream(sizes).mapToObj(Integer::toString).collect(java.util.stream.Collectors.joining(","));
    }

    /** The spelling, normalised ({@link LayerSpelling#normalise}), as options and files record it. */
    public String spelling() {
        return spelling;
    }

    /** Whether this is a widths-only multi-layer perceptron ({@code 784,512,10}). */
    public boolean isPerceptron() {
        return LayerSpelling.isWidths(spelling);
    }

    /**
     * The input width, then each affine layer's width: for a perceptron, its whole spelling ({@code 784,512,10}).
     */
    public int[] sizes() {
        return java.util.stream.IntStream.concat(java.util.stream.IntStream.of(numInputs()),
                Arrays.stream(layers).filter(l -> l instanceof Affine).mapToInt(l -> ((Affine) l).numOut())).toArray();
    }

    /** {@code [channels, height, width]} of an input row. */
    public Shape inputShape() {
        return input;
    }

    /** Values per input row. */
    public int numInputs() {
        return inputShape().size();
    }

    public int numOutputs() {
        return layers[layers.length - 1].outShape().size();
    }

    public int numParams() {
        return numParams;
    }

    public Activation hidden() {
        return hidden;
    }

    public Loss loss() {
        return loss;
    }

    /** The layers, in order, with their offsets into the flat vector. */
    public List<Layer> layers() {
        return List.of(layers);
    }

    Layer[] layerArray() {
        return layers;
    }

    boolean runsInPlace(int layer) {
        return inPlace[layer];
    }

    /** The trained parameters as {@code [from, to)} pairs, one or two per layer with parameters. */
    public int[] trainedRanges() {
        return Arrays.stream(layers).flatMapToInt(l -> Arrays.stream(l.trainedRanges())).toArray();
    }

    /** The non-trained state ({@link Layer#stateRanges}) as {@code [from, to)} pairs; empty for most networks. */
    public int[] stateRanges() {
        return Arrays.stream(layers).flatMapToInt(l -> Arrays.stream(l.stateRanges())).toArray();
    }

    /**
     * Moves the state out of a step's gradient sum ({@link Layer#stateRanges}): {@code params[state] := gradSum[state]
     * / count} (the sample-weighted mean of the partitions' new values) and {@code gradSum[state] := 0}, so that an
     * optimizer step then leaves the state as it is. Returns the new state values, to be put back after the step
     * with {@link #restoreState}; null when the network has no state or the step had no rows.
     */
    public float[] takeState(float[] gradSum, double count) {
        int[] ranges = stateRanges();
        if (ranges.length == 0 || count == 0) {
            return null;
        }
        int n = 0;
        for (int r = 0; r < ranges.length; r += 2) {
            n += ranges[r + 1] - ranges[r];
        }
        float[] state = new float[n];
        int j = 0;
        for (int r = 0; r < ranges.length; r += 2) {
            for (int i = ranges[r]; i < ranges[r + 1]; i++) {
                state[j++] = (float) (gradSum[i] / count);
                gradSum[i] = 0f;
            }
        }
        return state;
    }

    /** {@code params[state] := state}, from {@link #takeState}; nothing for null. */
    public void restoreState(float[] params, float[] state) {
        if (state == null) {
            return;
        }
        int[] ranges = stateRanges();
        int j = 0;
        for (int r = 0; r < ranges.length; r += 2) {
            for (int i = ranges[r]; i < ranges[r + 1]; i++) {
                params[i] = state[j++];
            }
        }
    }

    /** The layer (0-based) holding flat index {@code index}, or -1. */
    public int layerOf(int index) {
        for (int l = 0; l < layers.length; l++) {
            if (layers[l].numParams() > 0 && index >= layers[l].offset()
                    && index < layers[l].offset() + layers[l].numParams()) {
                return l;
            }
        }
        return -1;
    }

    /** E.g. {@code W2[3,7] (layer 2 weights)}: layers numbered among those with parameters, from 1. */
    public String parameterName(int index) {
        int number = 0;
        for (Layer layer : layers) {
            if (layer.numParams() == 0) {
                continue;
            }
            number++;
            if (index >= layer.offset() && index < layer.offset() + layer.numParams()) {
                return layer.parameterName(index, number);
            }
        }
        throw new IllegalArgumentException("parameter index " + index + " outside [0, " + numParams + ")");
    }

    /**
     * A new flat parameter vector: weights (affine, convolution) drawn per {@code init} from a generator seeded by
     * {@code seed}, in layer order, each scaled for the activation that follows it (linear when none does); biases
     * and {@code β} 0, {@code γ} 1, running means 0 and variances 1.
     */
    public float[] initParams(WeightInit init, long seed) {
        float[] params = new float[numParams];
        Random random = new Random(seed);
        for (int i = 0; i < layers.length; i++) {
            int from;
            int to;
            int fanIn;
            if (layers[i] instanceof Affine a) {
                from = a.offset();
                to = a.biasOffset();
                fanIn = a.numIn();
            } else if (layers[i] instanceof Convolution c) {
                from = c.offset();
                to = c.biasOffset();
                fanIn = c.patch();
            } else {
                if (layers[i] instanceof BatchNormalization bn) {
                    Arrays.fill(params, bn.gammaOffset(), bn.betaOffset(), 1f);
                    Arrays.fill(params, bn.varianceOffset(), bn.offset() + bn.numParams(), 1f);
                }
                continue;
            }
            double std = init.std(fanIn, activationAfter(i));
            for (int w = from; w < to; w++) {
                params[w] = (float) (random.nextGaussian() * std);
            }
        }
        return params;
    }

    /** The first activation after layer {@code i} and before the next weighted layer; identity when none. */
    private Activation activationAfter(int i) {
        for (int j = i + 1; j < layers.length; j++) {
            if (layers[j] instanceof ActivationLayer a) {
                return a.function();
            }
            if (layers[j] instanceof Affine || layers[j] instanceof Convolution) {
                break;
            }
        }
        return Activation.IDENTITY;
    }

    /** Scratch buffers for batches of up to {@code capacityRows} rows. */
    public Workspace newWorkspace(int capacityRows) {
        return new Workspace(this, capacityRows);
    }

    /**
     * The most rows, from 1 to {@code maxRows}, whose workspace ({@link #newWorkspace}) fits in {@code budgetBytes}:
     * chunks for inference passes, in which rows do not affect each other. 1 when even one row needs more.
     */
    public int rowsWithin(long budgetBytes, int maxRows) {
        int lo = 1;
        int hi = Math.max(1, maxRows);
        while (lo < hi) {
            int mid = (int) (((long) lo + hi + 1) / 2);
            if (Workspace.bytes(this, mid) <= budgetBytes) {
                lo = mid;
            } else {
                hi = mid - 1;
            }
        }
        return lo;
    }

    /**
     * {@code gradSum += Σ w·∂loss/∂params} over the rows {@code order[from], …, order[from+n-1]} of {@code block};
     * returns {@code Σ w·loss} over those rows ({@code w} the rows' {@link RowBlock#weights}, 1 without). Rows are
     * processed in chunks of at most the workspace's capacity, each a training pass (batch statistics per chunk).
     *
     * @param params  {@code [numParams]}
     * @param order   row indices into {@code block}
     * @param gradSum {@code [numParams]}, accumulated
     */
    public double accumulateGradient(float[] params, RowBlock block, int[] order, int from, int n, Workspace ws,
                                     float[] gradSum) {
        return gradient(params, block, order, from, n, ws, gradSum, true);
    }

    /**
     * As {@link #accumulateGradient}, but {@code gradSum := Σ w·∂loss/∂params}: the first chunk's products write
     * the gradient instead of adding to it, which saves a pass that zeroes it first.
     *
     * @param gradSum {@code [numParams]}, overwritten (zero for {@code n = 0})
     */
    public double gradient(float[] params, RowBlock block, int[] order, int from, int n, Workspace ws,
                           float[] gradSum) {
        if (n == 0) {
            Arrays.fill(gradSum, 0, numParams, 0f);
        }
        return gradient(params, block, order, from, n, ws, gradSum, false);
    }

    private double gradient(float[] params, RowBlock block, int[] order, int from, int n, Workspace ws,
                            float[] gradSum, boolean accumulate) {
        checkBlock(block);
        double lossSum = 0;
        for (int done = 0; done < n; ) {
            int batch = Math.min(ws.capacity, n - done);
            gather(block, order, from + done, batch, ws);
            forward(params, batch, ws, true);
            float[] delta = ws.deltaA;
            float[] other = ws.deltaB;
            lossSum += loss.lossAndGradient(batch, numOutputs(), ws.acts[layers.length],
                    block.isRegression() ? null : ws.labels, block.isRegression() ? ws.targets : null,
                    block.weights() == null ? null : ws.weights, delta);
            for (int i = layers.length - 1; i >= 0; i--) {
                Layer layer = layers[i];
                if (inPlace[i]) {
                    layer.backward(params, batch, ws.acts[i], ws.acts[i + 1], delta, i == 0 ? null : delta, gradSum,
                            accumulate || done > 0, ws, i);
                    continue;
                }
                float[] dx = i == 0 ? null : other;
                layer.backward(params, batch, ws.acts[i], ws.acts[i + 1], delta, dx, gradSum,
                        accumulate || done > 0, ws, i);
                if (i > 0) {
                    other = delta;
                    delta = dx;
                }
            }
            done += batch;
        }
        return lossSum;
    }

    /**
     * {@code Σ w·loss} over the rows {@code order[from], …, order[from+n-1]} of {@code block} in training passes (the
     * function whose gradient {@link #gradient} computes: batch statistics, and dropout as keyed), without the
     * backward pass.
     */
    public double trainingLoss(float[] params, RowBlock block, int[] order, int from, int n, Workspace ws) {
        checkBlock(block);
        double lossSum = 0;
        for (int done = 0; done < n; ) {
            int batch = Math.min(ws.capacity, n - done);
            gather(block, order, from + done, batch, ws);
            forward(params, batch, ws, true);
            lossSum += loss.lossAndGradient(batch, numOutputs(), ws.acts[layers.length],
                    block.isRegression() ? null : ws.labels, block.isRegression() ? ws.targets : null,
                    block.weights() == null ? null : ws.weights, null);
            done += batch;
        }
        return lossSum;
    }

    /**
     * Loss sum over every row of {@code block} and, for class labels, the confusion matrix of the arg-max
     * predictions (inference passes).
     */
    public Evaluation evaluate(float[] params, RowBlock block, Workspace ws) {
        checkBlock(block);
        double lossSum = 0;
        int k = numOutputs();
        boolean regression = block.isRegression();
        long[] confusion = new long[regression ? 0 : k * k];
        for (int start = 0; start < block.rows(); start += ws.capacity) {
            int batch = Math.min(ws.capacity, block.rows() - start);
            if (regression) {
                System.arraycopy(block.targets(), start * k, ws.targets, 0, batch * k);
            } else {
                System.arraycopy(block.labels(), start, ws.labels, 0, batch);
            }
            forwardRows(params, block.features(), start, batch, ws);
            float[] out = ws.acts[layers.length];
            lossSum += loss.lossAndGradient(batch, k, out, regression ? null : ws.labels,
                    regression ? ws.targets : null, null);
            for (int r = 0; r < batch && !regression; r++) {
                confusion[ws.labels[r] * k + argMax(out, r * k, k)]++;
            }
        }
        return new Evaluation(lossSum, block.rows(), k, regression ? 0 : k, confusion);
    }

    /**
     * Class scores of {@code rows} inputs: {@code out := softmax(logits)} (probabilities) for softmax-ce, the raw
     * outputs for squared error.
     *
     * @param features {@code [rows, numInputs()]}
     * @param out      {@code [rows, numOutputs()]}, overwritten
     */
    public void predict(float[] params, float[] features, int rows, Workspace ws, float[] out) {
        outputs(params, features, rows, ws, out);
        if (loss instanceof SoftmaxCrossEntropy) {
            SoftmaxCrossEntropy.softmax(rows, numOutputs(), out, out);
        }
    }

    /**
     * The last layer's outputs of {@code rows} inputs, before any loss head: the logits of a classifier, the
     * predictions of a regressor. Computed in inference passes of the workspace's capacity.
     *
     * @param features {@code [rows, numInputs()]}
     * @param out      {@code [rows, numOutputs()]}, overwritten
     */
    public void outputs(float[] params, float[] features, int rows, Workspace ws, float[] out) {
        int k = numOutputs();
        for (int start = 0; start < rows; start += ws.capacity) {
            int batch = Math.min(ws.capacity, rows - start);
            forwardRows(params, features, start, batch, ws);
            System.arraycopy(ws.acts[layers.length], 0, out, start * k, batch * k);
        }
    }

    /**
     * A fingerprint of the piece of the piecewise-smooth loss that {@code params} lie on, over every row of
     * {@code block} in training passes: which ReLU units are active and where each pooling window's maximum is. Two
     * points with the same fingerprint lie on the same piece (almost surely), so a gradient check can tell when a
     * probe crossed a kink. 0 without ReLU or pooling.
     */
    public long activationRegime(float[] params, RowBlock block, Workspace ws) {
        boolean kinks = Arrays.stream(layers).anyMatch(l -> l instanceof MaxPooling
                || l instanceof ActivationLayer a && a.function() == Activation.RELU);
        if (!kinks) {
            return 0;
        }
        long hash = 1;
        int[] order = java.util.stream.IntStream.range(0, block.rows()).toArray();
        for (int start = 0; start < block.rows(); start += ws.capacity) {
            int batch = Math.min(ws.capacity, block.rows() - start);
            gather(block, order, start, batch, ws);
            forward(params, batch, ws, true);
            for (int l = 0; l < layers.length; l++) {
                if (layers[l] instanceof ActivationLayer a && a.function() == Activation.RELU) {
                    float[] y = ws.acts[l + 1];
                    for (int i = 0, end = batch * a.shape().size(); i < end; i++) {
                        hash = hash * 31 + (y[i] > 0f ? 1 : 0);
                    }
                } else if (layers[l] instanceof MaxPooling p) {
                    int[] argMax = ws.ints[l];
                    for (int i = 0, end = batch * p.outShape().size(); i < end; i++) {
                        hash = hash * 31 + argMax[i];
                    }
                }
            }
        }
        return hash;
    }

    /** The arg-max of each row of {@code scores} ({@code [rows, k]}). */
    public static int[] predictedClasses(float[] scores, int rows, int k) {
        int[] best = new int[rows];
        for (int r = 0; r < rows; r++) {
            best[r] = argMax(scores, r * k, k);
        }
        return best;
    }

    /**
     * Loss sum, row count and (for class labels) confusion matrix of an evaluation; sums, so partitions add up.
     *
     * @param outputs   the network's output width
     * @param classes   {@code outputs} for class labels, 0 for regression targets
     * @param confusion {@code [classes, classes]} row-major: {@code confusion[t·classes + p]} counts rows of true
     *                  class {@code t} predicted as {@code p}; empty for regression
     */
    public record Evaluation(double lossSum, long count, int outputs, int classes, long[] confusion)
            implements Serializable {
        public Evaluation plus(Evaluation other) {
            long[] sum = confusion.clone();
            for (int i = 0; i < sum.length; i++) {
                sum[i] += other.confusion[i];
            }
            return new Evaluation(lossSum + other.lossSum, count + other.count, outputs, classes, sum);
        }

        /**
         * The same evaluation with its loss sum multiplied by {@code factor}: a squared-error loss on standardised
         * targets in the targets' units, with {@link Standardization#lossScale()} (the RMSE then scales by
         * {@code √factor}).
         */
        public Evaluation scaled(double factor) {
            return new Evaluation(lossSum * factor, count, outputs, classes, confusion);
        }

        public double meanLoss() {
            return lossSum / count;
        }

        /**
         * Root mean squared error over every output of every row, {@code √(Σ(y−t)² / (count·outputs))}, read off
         * the loss sum, which for squared error is {@code ½·Σ(y−t)²}.
         */
        public double rmse() {
            return Math.sqrt(2 * lossSum / ((double) count * outputs));
        }

        public double accuracy() {
            return (double) correct() / count;
        }

        public long correct() {
            long n = 0;
            for (int c = 0; c < classes; c++) {
                n += confusion[c * classes + c];
            }
            return n;
        }

        /** Of the rows predicted as class {@code c}, the fraction truly {@code c}; NaN if none was predicted. */
        public double precision(int c) {
            long predicted = 0;
            for (int t = 0; t < classes; t++) {
                predicted += confusion[t * classes + c];
            }
            return (double) confusion[c * classes + c] / predicted;
        }

        /** Of the rows of class {@code c}, the fraction predicted as {@code c}; NaN if the class has no rows. */
        public double recall(int c) {
            long actual = 0;
            for (int p = 0; p < classes; p++) {
                actual += confusion[c * classes + p];
            }
            return (double) confusion[c * classes + c] / actual;
        }

        /**
         * Harmonic mean of precision and recall of class {@code c}, as {@code 2·TP / (2·TP + FP + FN)}, which is
         * defined whenever either is (scikit-learn's {@code f1_score}): 0 for a class with rows that is never
         * predicted, or predicted but without rows; NaN (undefined) only for a class neither present nor predicted.
         */
        public double f1(int c) {
            long truePositives = confusion[c * classes + c];
            long predicted = 0;
            long actual = 0;
            for (int o = 0; o < classes; o++) {
                predicted += confusion[o * classes + c];
                actual += confusion[c * classes + o];
            }
            return 2.0 * truePositives / (predicted + actual);
        }

        /** The classes without a row in the evaluated data, whose recall (and maybe F1) is undefined. */
        public java.util.List<Integer> absentClasses() {
            java.util.List<Integer> absent = new java.util.ArrayList<>();
            for (int c = 0; c < classes; c++) {
                long actual = 0;
                for (int p = 0; p < classes; p++) {
                    actual += confusion[c * classes + p];
                }
                if (actual == 0) {
                    absent.add(c);
                }
            }
            return absent;
        }
    }

    /** Inference forward of the contiguous rows {@code [start, start+batch)} of {@code features}. */
    private void forwardRows(float[] params, float[] features, int start, int batch, Workspace ws) {
        int width = numInputs();
        System.arraycopy(features, start * width, ws.acts[0], 0, batch * width);
        forward(params, batch, ws, false);
    }

    /** {@code acts[i+1] := layer_i(acts[i])}, for every layer in order. */
    private void forward(float[] params, int batch, Workspace ws, boolean training) {
        ws.training = training;
        for (int i = 0; i < layers.length; i++) {
            layers[i].forward(params, batch, ws.acts[i], ws.acts[i + 1], ws, i);
        }
    }

    private void gather(RowBlock block, int[] order, int from, int batch, Workspace ws) {
        int width = numInputs();
        double weight = 0;
        for (int r = 0; r < batch; r++) {
            int row = order[from + r];
            ws.rows[r] = row;
            System.arraycopy(block.features(), row * width, ws.acts[0], r * width, width);
            if (block.weights() != null) {
                ws.weights[r] = block.weights()[row];
                weight += ws.weights[r];
            }
            if (block.isRegression()) {
                int k = block.targetWidth();
                System.arraycopy(block.targets(), row * k, ws.targets, r * k, k);
            } else {
                ws.labels[r] = block.labels()[row];
            }
        }
        ws.chunkWeight = block.weights() == null ? batch : weight;
    }

    private void checkBlock(RowBlock block) {
        if (block.numFeatures() != numInputs()) {
            throw new IllegalArgumentException("data has " + block.numFeatures() + " features per row but the network's "
                    + "input has " + numInputs() + (inputShape().isFlat() ? "" : " (" + inputShape() + ")"));
        }
        if (block.isRegression() && block.targetWidth() != numOutputs()) {
            throw new IllegalArgumentException("data has " + block.targetWidth() + " target values per row but the "
                    + "network has " + numOutputs() + " outputs");
        }
        if (block.isRegression() && !loss.fitsValues()) {
            throw new IllegalArgumentException("regression targets need --loss mse, not " + loss.id());
        }
    }

    private static int argMax(float[] x, int off, int len) {
        int best = 0;
        for (int j = 1; j < len; j++) {
            if (x[off + j] > x[off + best]) {
                best = j;
            }
        }
        return best;
    }
}
