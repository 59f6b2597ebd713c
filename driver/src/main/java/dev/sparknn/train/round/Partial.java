package dev.sparknn.train.round;

import java.io.Serializable;

/**
 * One partition's result of a round: float values (exactly what it computed, so shipping floats rather than doubles
 * loses nothing and halves the result; {@link PackedFloats}, so they are serialised in bulk), each to be multiplied
 * by {@code weight} in double, with its loss sum, sample count, compute time and, if a local step failed, what was
 * not finite.
 *
 * @param slot    the partition's place among the round's partitions
 * @param values  the gradient sum ({@code H = 1}, weight 1) or {@code [weights..., optimizer state...]}
 *                ({@code H > 1}, weight = the round's sample count {@code n_p})
 * @param loss    loss sum over the partition's samples of the round
 * @param count   sample count (with row weights, their sum)
 * @param nanos   the partition's compute time, inside its task
 * @param problem null, or what a local step found not finite
 */
record Partial(int slot, PackedFloats values, double weight, double loss, double count, long nanos, String problem)
        implements Serializable {

    /** {@code [weight·values..., loss sum, sample count]} in double, as {@link OrderedSum} adds it. */
    double[] payload() {
        float[] v = values.values();
        int n = v.length;
        double[] payload = new double[n + 2];
        for (int i = 0; i < n; i++) {
            payload[i] = weight * v[i];
        }
        payload[n] = loss;
        payload[n + 1] = count;
        return payload;
    }

    OrderedSum toSum(int partitions) {
        return new OrderedSum(partitions).add(slot, payload(), nanos, problem);
    }
}
