package dev.sparknn.ops;

/**
 * Softmax followed by cross-entropy against the label: {@code loss = logΣ_j exp(z_j) − z_label}, computed with
 * the log-sum-exp shift so that no {@code exp} overflows and no {@code log(0)} occurs, in double per row.
 * Gradient: {@code softmax(z) − onehot(label)}.
 */
public record SoftmaxCrossEntropy() implements Loss {

    @Override
    public double lossAndGradient(int batch, int k, float[] logits, int[] labels, float[] targets, float[] weights,
                                  float[] grad) {
        if (labels == null) {
            throw new IllegalArgumentException("softmax-ce needs class labels; regression targets need --loss mse");
        }
        double total = 0;
        for (int r = 0; r < batch; r++) {
            int row = r * k;
            int label = labels[r];
            double lse = logSumExp(logits, row, k);
            float w = weights == null ? 1f : weights[r];
            total += w * (lse - logits[row + label]);
            if (grad != null) {
                expShifted(logits, row, k, lse, grad);
                grad[row + label] -= 1f;
                if (weights != null) {
                    for (int j = 0; j < k; j++) {
                        grad[row + j] *= w;
                    }
                }
            }
        }
        return total;
    }

    /**
     * Row-wise probabilities, {@code probs := softmax(logits)}.
     *
     * @param logits {@code [batch, k]}
     * @param probs  {@code [batch, k]}, may be the same array
     */
    public static void softmax(int batch, int k, float[] logits, float[] probs) {
        for (int r = 0; r < batch; r++) {
            expShifted(logits, r * k, k, logSumExp(logits, r * k, k), probs);
        }
    }

    /** {@code log Σ_j exp(z[row+j])}, shifted by the row maximum so that the largest term is {@code exp(0)}. */
    private static double logSumExp(float[] z, int row, int k) {
        float max = z[row];
        for (int j = 1; j < k; j++) {
            max = Math.max(max, z[row + j]);
        }
        double sum = 0;
        for (int j = 0; j < k; j++) {
            sum += Math.exp(z[row + j] - max);
        }
        return max + Math.log(sum);
    }

    /** {@code out[row+j] := exp(z[row+j] − lse)}. */
    private static void expShifted(float[] z, int row, int k, double lse, float[] out) {
        for (int j = 0; j < k; j++) {
            out[row + j] = (float) Math.exp(z[row + j] - lse);
        }
    }

    @Override
    public String id() {
        return "softmax-ce";
    }
}
