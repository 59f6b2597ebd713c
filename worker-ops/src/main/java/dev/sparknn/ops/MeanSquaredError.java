package dev.sparknn.ops;

/**
 * Squared error against the one-hot label, as in the book: {@code loss = ½·Σ_j (y_j − t_j)²} per sample, on
 * the last affine layer's outputs as they are (the network applies no activation after its last layer).
 * Gradient: {@code y − t}.
 */
public record MeanSquaredError() implements Loss {

    @Override
    public double lossAndGradient(int batch, int k, float[] logits, int[] labels, float[] grad) {
        double total = 0;
        for (int r = 0; r < batch; r++) {
            int row = r * k;
            int label = labels[r];
            for (int j = 0; j < k; j++) {
                float diff = logits[row + j] - (j == label ? 1f : 0f);
                total += 0.5 * diff * diff;
                if (grad != null) {
                    grad[row + j] = diff;
                }
            }
        }
        return total;
    }

    @Override
    public String id() {
        return "mse";
    }
}
