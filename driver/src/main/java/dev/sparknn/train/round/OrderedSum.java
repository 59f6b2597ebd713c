package dev.sparknn.train.round;

import java.io.Serializable;
import java.util.Map;
import java.util.TreeMap;

/**
 * Adds per-partition payloads in one fixed binary tree over partition indices, whatever order Spark delivers
 * them in, so that the float sum, and with it every weight, is bitwise reproducible run after run.
 *
 * <p>A node at level {@code L} with index {@code i} holds the sum of partitions {@code [i·2^L, (i+1)·2^L)}.
 * Two sibling nodes are merged into their parent as {@code left + right} as soon as both are present; a node
 * whose sibling range lies wholly past the last partition moves up alone. The root, at level
 * {@code ⌈log2 P⌉}, is the total. Partial trees built on different executors merge the same way, because
 * their nodes cover disjoint ranges.
 */
final class OrderedSum implements Serializable {

    private final int partitions;
    private final int rootLevel;
    /** Pending nodes keyed by {@code level << 32 | index}. */
    private final TreeMap<Long, double[]> nodes = new TreeMap<>();
    /** The longest time a partition spent computing its payload, for the step's timing breakdown. */
    private long slowestNanos;
    /** The failure reported by the lowest-numbered partition that reported one, or null. */
    private String problem;
    private int problemPartition = Integer.MAX_VALUE;

    OrderedSum(int partitions) {
        if (partitions <= 0) {
            throw new IllegalArgumentException("partitions must be positive, got " + partitions);
        }
        this.partitions = partitions;
        this.rootLevel = 32 - Integer.numberOfLeadingZeros(partitions - 1);
    }

    /**
     * Adds partition {@code partition}'s payload, which took {@code nanos} to compute; the array is taken over and
     * may be modified.
     */
    OrderedSum add(int partition, double[] payload, long nanos) {
        return add(partition, payload, nanos, null);
    }

    /**
     * As {@link #add(int, double[], long)}, with what the partition found not finite (null if nothing): the sum keeps
     * the lowest-numbered partition's report, whatever the order of arrival.
     */
    OrderedSum add(int partition, double[] payload, long nanos, String failure) {
        slowestNanos = Math.max(slowestNanos, nanos);
        noteProblem(partition, failure);
        return add(partition, payload);
    }

    private void noteProblem(int partition, String failure) {
        if (failure != null && partition < problemPartition) {
            problem = failure;
            problemPartition = partition;
        }
    }

    /** Adds partition {@code partition}'s payload; the array is taken over and may be modified. */
    OrderedSum add(int partition, double[] payload) {
        if (partition < 0 || partition >= partitions) {
            throw new IllegalArgumentException("partition " + partition + " outside [0, " + partitions + ")");
        }
        insert(0, partition, payload);
        return this;
    }

    /** Merges {@code other} into this sum; both must be for the same partition count. */
    OrderedSum merge(OrderedSum other) {
        if (other.partitions != partitions) {
            throw new IllegalArgumentException("cannot merge sums over " + other.partitions + " and " + partitions
                    + " partitions");
        }
        slowestNanos = Math.max(slowestNanos, other.slowestNanos);
        noteProblem(other.problemPartition, other.problem);
        for (Map.Entry<Long, double[]> e : other.nodes.entrySet()) {
            insert((int) (e.getKey() >>> 32), (int) (long) e.getKey(), e.getValue());
        }
        return this;
    }

    /** The longest compute time of any partition added. */
    long slowestNanos() {
        return slowestNanos;
    }

    /** What the lowest-numbered partition that failed reported, or null if none did. */
    String problem() {
        return problem;
    }

    /** The total over every partition. */
    double[] total() {
        double[] root = nodes.get(key(rootLevel, 0));
        if (root == null || nodes.size() != 1) {
            throw new IllegalStateException("payloads missing: have nodes " + nodes.keySet() + " of " + partitions
                    + " partitions");
        }
        return root;
    }

    private void insert(int level, int index, double[] sum) {
        while (level < rootLevel) {
            int sibling = index ^ 1;
            boolean siblingEmpty = ((long) sibling << level) >= partitions;
            if (!siblingEmpty) {
                double[] other = nodes.remove(key(level, sibling));
                if (other == null) {
                    break;
                }
                double[] left = (index & 1) == 0 ? sum : other;
                double[] right = (index & 1) == 0 ? other : sum;
                for (int i = 0; i < left.length; i++) {
                    left[i] += right[i];
                }
                sum = left;
            }
            level++;
            index >>= 1;
        }
        if (nodes.put(key(level, index), sum) != null) {
            throw new IllegalStateException("partition range at level " + level + " index " + index + " added twice");
        }
    }

    private static long key(int level, int index) {
        return (long) level << 32 | index;
    }
}
