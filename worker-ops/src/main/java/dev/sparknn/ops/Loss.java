package dev.sparknn.ops;

/**
 * An output head: turns the last layer's outputs ("logits", {@code [batch, k]}) into a per-sample loss and its
 * gradient. Losses are sums over the batch, never means: the driver divides by the step's total sample count so
 * that every sample weighs the same whatever the partitioning.
 */
public sealed interface Loss extends java.io.Serializable permits SoftmaxCrossEntropy, MeanSquaredError {

    /**
     * Loss summed over the batch; if {@code grad} is not null, also {@code grad := ∂(Σ loss)/∂logits}.
     *
     * @param logits  {@code [batch, k]}
     * @param labels  {@code [batch]} class indices in {@code [0, k)}, or null for regression
     * @param targets {@code [batch, k]} real-valued targets for regression, or null for classification
     * @param grad    {@code [batch, k]} or null; may be the same array as {@code logits}
     */
    default double lossAndGradient(int batch, int k, float[] logits, int[] labels, float[] targets, float[] grad) {
        return lossAndGradient(batch, k, logits, labels, targets, null, grad);
    }

    /**
     * As {@link #lossAndGradient(int, int, float[], int[], float[], float[])} with each row's loss, and its gradient,
     * multiplied by its weight: {@code Σ w_r·loss_r}, {@code grad row r := w_r·∂loss_r/∂logits_r}.
     *
     * @param weights {@code [batch]}, or null for 1 each
     */
    double lossAndGradient(int batch, int k, float[] logits, int[] labels, float[] targets, float[] weights,
                           float[] grad);

    /** Whether this head can fit real-valued targets (regression) rather than class labels only. */
    default boolean fitsValues() {
        return false;
    }

    /** Parses {@code softmax-ce|mse}. */
    static Loss parse(String name) {
        return switch (name.toLowerCase(java.util.Locale.ROOT)) {
            case "softmax-ce" -> new SoftmaxCrossEntropy();
            case "mse" -> new MeanSquaredError();
            default -> throw new IllegalArgumentException("unknown loss '" + name + "' (expected softmax-ce or mse)");
        };
    }

    /** Name accepted by {@link #parse}. */
    String id();
}
