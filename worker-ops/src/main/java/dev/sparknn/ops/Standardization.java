package dev.sparknn.ops;

import java.io.Serializable;

/**
 * Per-feature standardisation {@code x' = (x − mean)·scale} with {@code scale = 1/std}, computed on the training
 * set. Training runs on standardised rows; {@link #foldInto} then moves the transform into the first affine layer,
 * so a saved model takes raw features and needs no separate preprocessing step:
 * {@code ((x − m)∘s)·W + b = x·(diag(s)·W) + (b − (m∘s)·W)}.
 *
 * @param mean  {@code [numFeatures]}
 * @param scale {@code [numFeatures]}; 1 for a constant feature, which standardisation leaves centred at 0
 */
public record Standardization(float[] mean, float[] scale) implements Serializable {

    /**
     * Running sums of one or more blocks' features, in double; merge partitions' moments in a fixed order for
     * bitwise-reproducible statistics.
     */
    public record Moments(long count, double[] sum, double[] sumSquares) implements Serializable {

        public static Moments of(RowBlock block) {
            int d = block.numFeatures();
            double[] sum = new double[d];
            double[] sq = new double[d];
            float[] x = block.features();
            for (int r = 0; r < block.rows(); r++) {
                for (int j = 0, off = r * d; j < d; j++) {
                    double v = x[off + j];
                    sum[j] += v;
                    sq[j] += v * v;
                }
            }
            return new Moments(block.rows(), sum, sq);
        }

        public Moments plus(Moments o) {
            double[] s = sum.clone();
            double[] q = sumSquares.clone();
            for (int j = 0; j < s.length; j++) {
                s[j] += o.sum[j];
                q[j] += o.sumSquares[j];
            }
            return new Moments(count + o.count, s, q);
        }

        /** Mean and population standard deviation of each feature. */
        public Standardization standardization() {
            if (count == 0) {
                throw new IllegalArgumentException("cannot standardise features over 0 rows");
            }
            int d = sum.length;
            float[] mean = new float[d];
            float[] scale = new float[d];
            for (int j = 0; j < d; j++) {
                double m = sum[j] / count;
                double var = Math.max(0, sumSquares[j] / count - m * m);
                mean[j] = (float) m;
                scale[j] = var > 1e-12 * Math.max(1, m * m) ? (float) (1 / Math.sqrt(var)) : 1f;
            }
            return new Standardization(mean, scale);
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

    /**
     * Parameters that give on raw features what {@code params} give on standardised ones: the first layer's
     * weights scaled row-wise and its bias shifted (a new array; {@code params} is unchanged).
     */
    public float[] foldInto(Network net, float[] params) {
        Affine first = net.layers()[0];
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
