package dev.sparknn.ops;

/**
 * Squared error, as in the book: {@code loss = ½·Σ_j (y_j − t_j)²} per sample, on the last affine layer's outputs
 * as they are (the network applies no activation after its last layer). The target {@code t} is the row's
 * real-valued targets for regression, or the one-hot encoding of its class label. Gradient: {@code y − t}.
 */
public record MeanSquaredError() implements Loss {

    @Override
    public double lossAndGradient(int batch, int k, float[] logits, int[] labels, float[] targets, float[] weights,
                                  float[] grad) {
        double total = 0;
        for (int r = 0; r < batch; r++) {
            int row = r * k;
            int label = labels == null ? -1 : labels[r];
            float w = weights == null ? 1f : weights[r];
            for (int j = 0; j < k; j++) {
                float target = targets != null ? targets[row + j] : j == label ? 1f : 0f;
                float diff = logits[row + j] - target;
                total += 0.5 * w * diff * diff;
                if (grad != null) {
                    grad[row + j] = w * diff;
                }
            }
        }
        return total;
    }

    @Override
    public boolean fitsValues() {
        return true;
    }

    @Override
    public String id() {
        return "mse";
    }
}
