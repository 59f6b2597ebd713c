package dev.sparknn.ops;

import java.io.Serializable;

/**
 * Per-column standardisation {@code x' = (x − mean)·scale} with {@code scale = 1/std}, computed on the training
 * set, of the features or of the regression targets.
 *
 * <p>Features: training runs on standardised rows; {@link #foldInto} then moves the transform into the first
 * affine layer, so a saved model takes raw features and needs no separate preprocessing step:
 * {@code ((x − m)∘s)·W + b = x·(diag(s)·W) + (b − (m∘s)·W)}.
 *
 * <p>Targets: training fits standardised targets {@code t' = (t − μ)/σ}; {@link #foldIntoLastLayer} then undoes the
 * transform on the outputs, {@code y = y'·σ + μ}, inside the last affine layer ({@code W·diag(σ)}, {@code b∘σ + μ}),
 * so the saved model predicts in the targets' units; {@link #lossScale} turns a squared-error loss on the
 * standardised targets back into those units.
 *
 * @param mean  {@code [columns]}
 * @param scale {@code [columns]}; 1 for a constant column, which standardisation leaves centred at 0
 */
public record Standardization(float[] mean, float[] scale) implements Serializable {

    /**
     * Count, mean and sum of squared deviations from the mean ({@code m2}) of each column over one or more blocks,
     * in double. A block's are computed in two passes (the mean, then the deviations), and blocks are merged with
     * Chan et al.'s pairwise update, never from raw sums of squares, whose difference {@code Σx²/n − mean²} loses
     * the variance to rounding: with raw sums, 100,000 rows of the constant 3.3 gave a variance of 3e-11 and a
     * scale of 2e5. Here a constant column's deviations are 0 or within a rounding of it. Merge partitions'
     * moments in a fixed order for bitwise-reproducible statistics.
     */
    public record Moments(long count, double[] mean, double[] m2) implements Serializable {

        /** The moments of a block's features. */
        public static Moments of(RowBlock block) {
            return of(block.features(), block.rows(), block.numFeatures());
        }

        /** The moments of a regression block's targets. */
        public static Moments ofTargets(RowBlock block) {
            if (!block.isRegression()) {
                throw new IllegalArgumentException("a block of class labels has no targets to standardise");
            }
            return of(block.targets(), block.rows(), block.targetWidth());
        }

        /** @param x {@code [rows, d]}, row-major */
        private static Moments of(float[] x, int rows, int d) {
            double[] mean = new double[d];
            double[] m2 = new double[d];
            for (int r = 0; r < rows; r++) {
                for (int j = 0, off = r * d; j < d; j++) {
                    mean[j] += x[off + j];
                }
            }
            for (int j = 0; j < d && rows > 0; j++) {
                mean[j] /= rows;
            }
            for (int r = 0; r < rows; r++) {
                for (int j = 0, off = r * d; j < d; j++) {
                    double dev = x[off + j] - mean[j];
                    m2[j] += dev * dev;
                }
            }
            return new Moments(rows, mean, m2);
        }

        /** The moments of both sets of rows: this one's, then {@code o}'s. */
        public Moments plus(Moments o) {
            if (o.count == 0) {
                return this;
            }
            if (count == 0) {
                return o;
            }
            long n = count + o.count;
            double[] m = mean.clone();
            double[] q = m2.clone();
            for (int j = 0; j < m.length; j++) {
                double delta = o.mean[j] - mean[j];
                m[j] += delta * o.count / n;
                q[j] += o.m2[j] + delta * delta * ((double) count * o.count / n);
            }
            return new Moments(n, m, q);
        }

        /**
         * Mean and population standard deviation of each column. A column whose variance is 0, or at the level
         * of rounding (at most {@code 1e-12·max(1, mean²)}), is constant: its scale is 1, never 1/0.
         */
        public Standardization standardization() {
            if (count == 0) {
                throw new IllegalArgumentException("cannot standardise over 0 rows");
            }
            int d = mean.length;
            float[] mu = new float[d];
            float[] scale = new float[d];
            for (int j = 0; j < d; j++) {
                double m = mean[j];
                double var = m2[j] / count;
                mu[j] = (float) m;
                scale[j] = var > 1e-12 * Math.max(1, m * m) ? (float) (1 / Math.sqrt(var)) : 1f;
            }
            return new Standardization(mu, scale);
        }
    }

    /** {@code block} with standardised features (a new feature array; labels and targets shared). */
    public RowBlock apply(RowBlock block) {
        int d = mean.length;
        if (block.numFeatures() != d) {
            throw new IllegalArgumentException("standardisation is for " + d + " features, the block has "
                    + block.numFeatures());
        }
        float[] x = block.features();
        float[] y = new float[x.length];
        for (int r = 0; r < block.rows(); r++) {
            for (int j = 0, off = r * d; j < d; j++) {
                y[off + j] = (x[off + j] - mean[j]) * scale[j];
            }
        }
        return block.withFeatures(y);
    }

    /** {@code block} with standardised targets (a new target array; features shared). */
    public RowBlock applyToTargets(RowBlock block) {
        int k = mean.length;
        if (!block.isRegression() || block.targetWidth() != k) {
            throw new IllegalArgumentException("standardisation is for " + k + " targets, the block has "
                    + (block.isRegression() ? block.targetWidth() + " targets" : "class labels"));
        }
        float[] t = block.targets();
        float[] standardized = new float[t.length];
        for (int r = 0; r < block.rows(); r++) {
            for (int j = 0, off = r * k; j < k; j++) {
                standardized[off + j] = (t[off + j] - mean[j]) * scale[j];
            }
        }
        return block.withTargets(standardized);
    }

    /**
     * The factor that turns a squared-error loss on targets standardised by this transform into the targets' own
     * units: {@code ½(y − t)² = σ²·½(y' − t')²}, so {@code σ² = 1/scale²}. The RMSE scales by {@code σ}. One
     * target only: with several, each output would need its own factor.
     */
    public double lossScale() {
        if (scale.length != 1) {
            throw new IllegalArgumentException("a loss over " + scale.length + " standardised targets has no single "
                    + "scale factor");
        }
        return 1 / ((double) scale[0] * scale[0]);
    }

    /**
     * Parameters whose outputs are in the targets' units, from {@code params} trained on targets standardised by
     * this transform: {@code y = y'·σ + μ} with {@code σ = 1/scale}, folded into the last affine layer as
     * {@code W·diag(σ)} and {@code b∘σ + μ} (a new array; {@code params} is unchanged).
     */
    public float[] foldIntoLastLayer(Network net, float[] params) {
        java.util.List<Layer> layers = net.layers();
        if (!(layers.get(layers.size() - 1) instanceof Affine last)) {
            throw new IllegalArgumentException("standardised targets fold only into a last affine layer, not "
                    + layers.get(layers.size() - 1));
        }
        int in = last.numIn();
        int out = last.numOut();
        if (out != mean.length) {
            throw new IllegalArgumentException("standardisation is for " + mean.length + " targets, the network "
                    + "has " + out + " outputs");
        }
        float[] folded = params.clone();
        for (int j = 0; j < out; j++) {
            double sigma = 1.0 / scale[j];
            for (int i = 0; i < in; i++) {
                int w = last.offset() + i * out + j;
                folded[w] = (float) (params[w] * sigma);
            }
            int b = last.biasOffset() + j;
            folded[b] = (float) (params[b] * sigma + mean[j]);
        }
        return folded;
    }

    /**
     * Whether standardised features can be folded into {@code net}: only a first affine layer takes a scale and a
     * shift per feature; a convolution shares its weights across pixels, pooling and dropout have none.
     */
    public static boolean foldsInto(Network net) {
        return net.layers().get(0) instanceof Affine;
    }

    /**
     * Parameters that give on raw features what {@code params} give on standardised ones: the first layer's
     * weights scaled row-wise and its bias shifted (a new array; {@code params} is unchanged).
     */
    public float[] foldInto(Network net, float[] params) {
        if (!(net.layers().get(0) instanceof Affine first)) {
            throw new IllegalArgumentException("standardised features fold only into a first affine layer, not "
                    + net.layers().get(0) + " (use --standardize false)");
        }
        int in = first.numIn();
        int out = first.numOut();
        if (in != mean.length) {
            throw new IllegalArgumentException("standardisation is for " + mean.length + " features, the network "
                    + "takes " + in);
        }
        float[] folded = params.clone();
        double[] shift = new double[out];
        for (int i = 0; i < in; i++) {
            int row = first.offset() + i * out;
            for (int j = 0; j < out; j++) {
                float w = params[row + j] * scale[i];
                folded[row + j] = w;
                shift[j] += (double) mean[i] * w;
            }
        }
        for (int j = 0; j < out; j++) {
            folded[first.biasOffset() + j] = (float) (params[first.biasOffset() + j] - shift[j]);
        }
        return folded;
    }
}
