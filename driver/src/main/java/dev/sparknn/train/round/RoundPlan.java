package dev.sparknn.train.round;

import java.util.SplittableRandom;

/**
 * Which rows each round of an epoch reads: pure arithmetic on the step, chunk and partition counts, with no Spark in
 * it, so that a resumed epoch has the same rounds and every executor agrees with the driver.
 *
 * <p>Steps: an epoch over {@code N} rows has {@code S = ⌈N / batchSize⌉} steps. Chunks: with {@code K > 1} chunks
 * the training RDD has {@code P·K} partitions, and partition {@code p·K + k} is chunk {@code k} of slot {@code p};
 * chunk position {@code j} of an epoch owns steps {@code [⌊j·S/K⌋, ⌊(j+1)·S/K⌋)} and reads the chunk that an order
 * shuffled by {@code (seed, epoch)} puts at {@code j}. Rounds: a round takes the next {@code H} steps of its chunk,
 * fewer at the chunk's end. Slices: each epoch, partition {@code p} of {@code P} shuffles its {@code r} rows with a
 * generator seeded by {@code (seed, epoch, p)}, and step {@code s} of the chunk's {@code S_k} takes positions
 * {@code [⌊(s·r + φ)/S_k⌋, ⌊((s+1)·r + φ)/S_k⌋)} of that order, with phase {@code φ = ⌊p·S_k/P⌋} so that the
 * partitions' rounding remainders land in different steps. An epoch therefore visits every row exactly once.
 *
 * @param steps      S, steps per epoch
 * @param chunks     K, chunks per partition slot; 1 for data that fits the cache
 * @param localSteps H, optimizer steps per round; 1 for synchronous SGD
 */
public record RoundPlan(int steps, int chunks, int localSteps) {

    public RoundPlan {
        if (steps < 1 || chunks < 1 || localSteps < 1) {
            throw new IllegalArgumentException("steps, chunks and local steps must be at least 1, got " + steps + ", "
                    + chunks + ", " + localSteps);
        }
    }

    /** Number of optimizer steps in an epoch over {@code rows} training rows. */
    public static int stepsPerEpoch(long rows, int batchSize) {
        return (int) Math.max(1, (rows + batchSize - 1) / batchSize);
    }

    /** Number of rounds (Spark jobs) in an epoch: {@code ⌈S_k / H⌉} summed over the chunks' shares {@code S_k}. */
    public int rounds() {
        int rounds = 0;
        for (int step = 0; step < steps; step = roundEnd(step)) {
            rounds++;
        }
        return rounds;
    }

    /**
     * The end (exclusive) of the round that starts at {@code step}: {@code H} steps on from the round grid that starts
     * at the step's chunk, cut at the chunk's end.
     */
    public int roundEnd(int step) {
        int position = chunkPosition(step);
        int first = chunkFirst(position);
        long roundStart = first + (long) (step - first) / localSteps * localSteps;
        return (int) Math.min(chunkFirst(position + 1), roundStart + localSteps);
    }

    /** The {@code j} with {@code ⌊j·S/K⌋ ≤ step < ⌊(j+1)·S/K⌋}: which of the epoch's K chunk positions a step is in. */
    public int chunkPosition(int step) {
        int j = (int) Math.min(chunks - 1, (long) step * chunks / steps);
        while (chunkFirst(j) > step) {
            j--;
        }
        while (j + 1 < chunks && chunkFirst(j + 1) <= step) {
            j++;
        }
        return j;
    }

    /** The first step of chunk position {@code position}; {@code chunkFirst(K)} is {@code S}. */
    public int chunkFirst(int position) {
        return (int) ((long) position * steps / chunks);
    }

    /** The chunk {@code k} that chunk position {@code position} of {@code epoch} reads. */
    public int chunkAt(int position, long seed, int epoch) {
        return chunks == 1 ? 0 : shuffledOrder(chunks, seed, epoch, -1)[position];
    }

    /**
     * Positions {@code [from, to)} of a block's shuffled order of {@code rows} that step {@code step} of
     * {@code steps} takes in slot {@code slot} of {@code slots}.
     */
    static int[] slice(int rows, int slot, int slots, int step, int steps) {
        long phase = (long) slot * steps / slots;
        return new int[] {(int) (((long) step * rows + phase) / steps),
                (int) (((long) (step + 1) * rows + phase) / steps)};
    }

    /** A permutation of {@code [0, rows)}, Fisher–Yates with a generator seeded by (seed, epoch, partition). */
    static int[] shuffledOrder(int rows, long seed, int epoch, int partition) {
        SplittableRandom random = new SplittableRandom(seed ^ (0x9E3779B97F4A7C15L * (epoch + 1))
                ^ (0xC2B2AE3D27D4EB4FL * (partition + 1)));
        int[] order = new int[rows];
        for (int i = 0; i < rows; i++) {
            order[i] = i;
        }
        for (int i = rows - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        return order;
    }
}
