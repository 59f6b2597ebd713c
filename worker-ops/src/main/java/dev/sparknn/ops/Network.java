package dev.sparknn.ops;

import java.io.Serializable;
import java.util.Arrays;
import java.util.Random;

/**
 * A multi-layer perceptron {@code sizes[0] → sizes[1] → … → sizes[L]}: affine layers with {@code hidden}
 * activations between them, the last affine layer's outputs fed to the {@code loss} head.
 *
 * <p>All parameters live in one flat {@code float[]} of {@link #numParams()} values; each {@link Affine}
 * is a view at its offset, in layer order ({@code W1, b1, W2, b2, …}). Gradients use the same layout, so the
 * driver broadcasts, aggregates, updates and saves single arrays.
 *
 * <p>Call order on a worker: {@link #newWorkspace} once per task, then {@link #gradient},
 * {@link #accumulateGradient} or {@link #evaluate} for as many batches as needed.
 */
public final class Network implements Serializable {

    private final int[] sizes;
    private final Activation hidden;
    private final Loss loss;
    private final Affine[] layers;
    private final int numParams;

    public Network(int[] sizes, Activation hidden, Loss loss) {
        if (sizes.length < 2) {
            throw new IllegalArgumentException("a network needs at least an input and an output size, got "
                    + Arrays.toString(sizes));
        }
        this.sizes = sizes.clone();
        this.hidden = hidden;
        this.loss = loss;
        layers = new Affine[sizes.length - 1];
        long offset = 0;
        for (int i = 0; i < layers.length; i++) {
            if (sizes[i] <= 0 || sizes[i + 1] <= 0) {
                throw new IllegalArgumentException("layer sizes must be positive, got " + Arrays.toString(sizes));
            }
            layers[i] = new Affine(sizes[i], sizes[i + 1], (int) offset);
            offset += layers[i].numParams();
            if (offset > Integer.MAX_VALUE - 8) {
                throw new IllegalArgumentException("too many parameters for one flat vector: layers "
                        + Arrays.toString(sizes));
            }
        }
        numParams = (int) offset;
    }

    public int[] sizes() {
        return sizes.clone();
    }

    public int numOutputs() {
        return sizes[sizes.length - 1];
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

    /** The affine layers, in order, with their offsets into the flat vector. */
    public Affine[] layers() {
        return layers.clone();
    }

    /** A new flat parameter vector: weights drawn per {@code init} from a generator seeded by {@code seed}, biases 0. */
    public float[] initParams(WeightInit init, long seed) {
        float[] params = new float[numParams];
        Random random = new Random(seed);
        for (int i = 0; i < layers.length; i++) {
            Affine layer = layers[i];
            // The last layer feeds the loss head, not an activation: scale it as a linear layer.
            double std = init.std(layer.numIn(), i == layers.length - 1 ? Activation.IDENTITY : hidden);
            for (int w = layer.offset(), end = layer.biasOffset(); w < end; w++) {
                params[w] = (float) (random.nextGaussian() * std);
            }
        }
        return params;
    }

    /** Scratch buffers for batches of up to {@code capacityRows} rows. */
    public Workspace newWorkspace(int capacityRows) {
        return new Workspace(sizes, capacityRows);
    }

    /**
     * {@code gradSum += Σ w·∂loss/∂params} over the rows {@code order[from], …, order[from+n-1]} of {@code block};
     * returns {@code Σ w·loss} over those rows ({@code w} the rows' {@link RowBlock#weights}, 1 without). Rows are processed in chunks of at most the workspace's capacity.
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
            forward(params, batch, ws);
            float[] delta = ws.deltaA;
            float[] other = ws.deltaB;
            lossSum += loss.lossAndGradient(batch, numOutputs(), ws.acts[layers.length],
                    block.isRegression() ? null : ws.labels, block.isRegression() ? ws.targets : null,
                    block.weights() == null ? null : ws.weights, delta);
            for (int i = layers.length - 1; i >= 0; i--) {
                float[] dx = i == 0 ? null : other;
                layers[i].backward(params, batch, ws.acts[i], delta, dx, gradSum, accumulate || done > 0);
                if (i > 0) {
                    hidden.backward(ws.acts[i], dx, 0, batch * sizes[i]);
                    other = delta;
                    delta = dx;
                }
            }
            done += batch;
        }
        return lossSum;
    }

    /**
     * Loss sum over every row of {@code block} and, for class labels, the confusion matrix of the arg-max
     * predictions.
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
     * @param features {@code [rows, sizes[0]]}
     * @param out      {@code [rows, numOutputs()]}, overwritten
     */
    public void predict(float[] params, float[] features, int rows, Workspace ws, float[] out) {
        outputs(params, features, rows, ws, out);
        if (loss instanceof SoftmaxCrossEntropy) {
            SoftmaxCrossEntropy.softmax(rows, numOutputs(), out, out);
        }
    }

    /**
     * The last affine layer's outputs of {@code rows} inputs, before any loss head: the logits of a classifier,
     * the predictions of a regressor. Computed in batches of the workspace's capacity, each a BLAS product per layer.
     *
     * @param features {@code [rows, sizes[0]]}
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
     * A fingerprint of which ReLU units are active, over every row of {@code block}: two points with the same
     * fingerprint lie on the same linear piece (almost surely), so a gradient check can tell when a probe crossed
     * a kink. 0 for smooth activations.
     */
    public long activationRegime(float[] params, RowBlock block, Workspace ws) {
        if (hidden != Activation.RELU) {
            return 0;
        }
        long hash = 1;
        for (int start = 0; start < block.rows(); start += ws.capacity) {
            int batch = Math.min(ws.capacity, block.rows() - start);
            forwardRows(params, block.features(), start, batch, ws);
            for (int l = 1; l < layers.length; l++) {
                float[] y = ws.acts[l];
                for (int i = 0, end = batch * sizes[l]; i < end; i++) {
                    hash = hash * 31 + (y[i] > 0f ? 1 : 0);
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

    /** Forward of the contiguous rows {@code [start, start+batch)} of {@code features} ({@code [rows, sizes[0]]}). */
    private void forwardRows(float[] params, float[] features, int start, int batch, Workspace ws) {
        System.arraycopy(features, start * sizes[0], ws.acts[0], 0, batch * sizes[0]);
        forward(params, batch, ws);
    }

    /** {@code acts[i+1] := hidden(acts[i]·W_i + b_i)}, no activation after the last layer. */
    private void forward(float[] params, int batch, Workspace ws) {
        for (int i = 0; i < layers.length; i++) {
            layers[i].forward(params, batch, ws.acts[i], ws.acts[i + 1]);
            if (i < layers.length - 1) {
                hidden.forward(ws.acts[i + 1], 0, batch * sizes[i + 1]);
            }
        }
    }

    private void gather(RowBlock block, int[] order, int from, int batch, Workspace ws) {
        int width = sizes[0];
        for (int r = 0; r < batch; r++) {
            int row = order[from + r];
            System.arraycopy(block.features(), row * width, ws.acts[0], r * width, width);
            if (block.weights() != null) {
                ws.weights[r] = block.weights()[row];
            }
            if (block.isRegression()) {
                int k = block.targetWidth();
                System.arraycopy(block.targets(), row * k, ws.targets, r * k, k);
            } else {
                ws.labels[r] = block.labels()[row];
            }
        }
    }

    private void checkBlock(RowBlock block) {
        if (block.numFeatures() != sizes[0]) {
            throw new IllegalArgumentException("data has " + block.numFeatures() + " features per row but the network's "
                    + "input layer has " + sizes[0]);
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
