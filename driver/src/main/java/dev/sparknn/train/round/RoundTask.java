package dev.sparknn.train.round;

import dev.sparknn.ops.Network;
import dev.sparknn.train.TrainConfig;
import java.io.Serializable;

/**
 * What every partition of one round is told, built once on the driver and shipped with the tasks: the round's steps
 * within its chunk, how the chunk's partitions are numbered, and (with local updates) the optimizer and the learning
 * rate of each step. The weights travel separately, in the round's broadcast.
 *
 * @param net          the network
 * @param optimizer    the inner optimizer each partition runs with {@code localUpdates}; unused otherwise
 * @param localUpdates true for local SGD ({@code H > 1}): each partition steps through the round itself and returns
 *                     its weights and optimizer state; false for {@code H = 1}: it returns the step's gradient sum and
 *                     the driver steps
 * @param seed         the run's seed, which with the epoch and the partition fixes each partition's row order
 * @param epoch        1-based
 * @param chunk        the chunk k the round reads (see {@link RoundPlan})
 * @param chunks       K
 * @param slots        partitions per chunk, P
 * @param first        the round's first step, counted within its chunk
 * @param count        the round's number of steps, {@code 1 ≤ count ≤ H}
 * @param chunkSteps   the chunk's number of steps, {@code S_k}
 * @param lrs          the learning rate of each of the round's {@code count} steps
 * @param firstUpdate  the 1-based update number {@code t} of the round's first step (Adam's bias correction)
 */
record RoundTask(Network net, TrainConfig.OptimizerConfig optimizer, boolean localUpdates, long seed, int epoch,
                 int chunk, int chunks, int slots, int first, int count, int chunkSteps, double[] lrs,
                 long firstUpdate) implements Serializable {

    /**
     * The task of the round {@code [first, end)} of {@code epoch}, over a training RDD of {@code partitions}
     * partitions, after {@code applied} updates.
     */
    static RoundTask of(RoundPlan plan, int partitions, Network net, TrainConfig.OptimizerConfig optimizer,
                        dev.sparknn.train.Schedule schedule, long seed, int epoch, int first, int end, long applied) {
        if (partitions % plan.chunks() != 0) {
            throw new IllegalArgumentException(partitions + " partitions do not make " + plan.chunks()
                    + " equal chunks");
        }
        int position = plan.chunkPosition(first);
        int chunkFirst = plan.chunkFirst(position);
        int count = end - first;
        double[] lrs = new double[count];
        for (int i = 0; i < count; i++) {
            lrs[i] = schedule == null ? Double.NaN : schedule.at(applied + i + 1);
        }
        return new RoundTask(net, optimizer, plan.localSteps() > 1, seed, epoch, plan.chunkAt(position, seed, epoch),
                plan.chunks(), partitions / plan.chunks(), first - chunkFirst, count,
                plan.chunkFirst(position + 1) - chunkFirst, lrs, applied + 1);
    }

    /** The index in the training RDD of slot {@code slot}'s block, which seeds its row order. */
    int block(int slot) {
        return slot * chunks + chunk;
    }

    /** Positions {@code [from, to)} of slot {@code slot}'s shuffled order of {@code rows} for local step {@code i}. */
    int[] slice(int rows, int slot, int i) {
        return RoundPlan.slice(rows, slot, slots, first + i, chunkSteps);
    }
}
