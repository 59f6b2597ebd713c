package dev.sparknn.train.round;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Where an epoch's training time went, summed over its rounds (one Spark job each); {@link #toJson} gives means in
 * milliseconds per round:
 * <ul>
 *   <li>{@code broadcast}: creating the weights' broadcast on the driver (and destroying it);</li>
 *   <li>{@code compute}: the slowest partition's forward and backward passes (and, with local steps, its
 *       updates), measured inside its task;</li>
 *   <li>{@code overhead}: the rest of the Spark job, {@code job − compute}: scheduling, task launch and
 *       deserialisation, the broadcast fetch, result serialisation, fetch and merge;</li>
 *   <li>{@code update}: averaging, clipping, the optimizer and the finiteness checks on the driver;</li>
 *   <li>{@code round}: wall time of the whole round;</li>
 * </ul>
 * and {@code step}: wall time per optimizer step (a round of {@code H} local steps counts {@code H});
 * {@code round_first} and {@code round_median}: the wall time of the first round this process ran in the epoch, and
 * the median round's, so that a slow first round (code not yet compiled) shows against the steady ones.
 */
public final class StepTimes {

    private long rounds;
    private long steps;
    private long broadcast;
    private long job;
    private long compute;
    private long update;
    private long step;
    /** Each round's wall time, in the order run (not checkpointed: a resumed epoch lists the rounds after it). */
    private long[] eachRound = new long[16];
    private int listed;

    void add(long broadcastNanos, long jobNanos, long computeNanos, long updateNanos, long roundNanos,
             int roundSteps) {
        rounds++;
        steps += roundSteps;
        broadcast += broadcastNanos;
        job += jobNanos;
        compute += computeNanos;
        update += updateNanos;
        step += roundNanos;
        if (listed == eachRound.length) {
            eachRound = java.util.Arrays.copyOf(eachRound, 2 * listed);
        }
        eachRound[listed++] = roundNanos;
    }

    /** The sums as they stand, for a checkpoint: {@link #restore} takes them back. */
    public long[] state() {
        return new long[] {rounds, steps, broadcast, job, compute, update, step};
    }

    /**
     * Sets the sums from a {@link #state()}; an empty array (a checkpoint without them) leaves them at 0.
     *
     * @throws IllegalArgumentException for an array of another length or with a negative value
     */
    void restore(long[] state) {
        if (state.length == 0) {
            return;
        }
        if (state.length != 7 || java.util.Arrays.stream(state).anyMatch(v -> v < 0)) {
            throw new IllegalArgumentException("step times " + java.util.Arrays.toString(state) + " are not 7 "
                    + "non-negative sums");
        }
        rounds = state[0];
        steps = state[1];
        broadcast = state[2];
        job = state[3];
        compute = state[4];
        update = state[5];
        step = state[6];
    }

    /** Rounds (Spark jobs) so far. */
    public long rounds() {
        return rounds;
    }

    /** Wall time of every round so far, in seconds: the training clock, without evaluations. */
    public double seconds() {
        return step / 1e9;
    }

    /** Mean milliseconds per round of each phase, and per step, into {@code o}. */
    public void toJson(ObjectNode o) {
        double n = Math.max(1, rounds) * 1e6;
        o.put("round", step / n);
        o.put("step", step / (Math.max(1, steps) * 1e6));
        o.put("broadcast", broadcast / n);
        o.put("compute", compute / n);
        o.put("overhead", (job - compute) / n);
        o.put("update", update / n);
        if (listed > 0) {
            long[] sorted = java.util.Arrays.copyOf(eachRound, listed);
            java.util.Arrays.sort(sorted);
            double median = listed % 2 == 1 ? sorted[listed / 2] : (sorted[listed / 2 - 1] + sorted[listed / 2]) / 2.0;
            o.put("round_first", eachRound[0] / 1e6);
            o.put("round_median", median / 1e6);
        }
    }

    /** One line for the debug log. */
    static String describe(long broadcastNanos, long jobNanos, long computeNanos, long updateNanos) {
        return String.format(java.util.Locale.ROOT, "broadcast %.1f ms, compute %.1f ms, overhead %.1f ms, update %.1f ms",
                broadcastNanos / 1e6, computeNanos / 1e6, (jobNanos - computeNanos) / 1e6, updateNanos / 1e6);
    }
}
