package dev.sparknn.train.round;

import org.apache.spark.api.java.JavaRDD;
import scala.Tuple2;

/** The partitions' payloads of a round, added in {@link OrderedSum}'s fixed order whatever order they arrive in. */
final class Aggregation {

    /** Partition counts up to which the driver merges every payload itself. */
    static final int DIRECT_MERGE_MAX = 8;

    private Aggregation() {
    }

    /**
     * Up to {@value #DIRECT_MERGE_MAX} partitions, the driver collects the float partials and adds them itself.
     * Beyond, executors first merge aligned groups of {@code 2^k ≈ √P} neighbouring partitions (siblings in
     * {@link OrderedSum}'s tree, so the merges really shrink the data), and the driver merges the √P group sums.
     * Spark's own multi-level {@code treeAggregate} groups partitions by index modulo the group count, which pairs no
     * siblings and would ship every payload through an extra shuffle unreduced.
     */
    static OrderedSum sum(JavaRDD<Partial> leaves, int partitions) {
        if (partitions <= DIRECT_MERGE_MAX) {
            OrderedSum sum = new OrderedSum(partitions);
            for (Partial p : leaves.collect()) {
                sum.add(p.slot(), p.payload(), p.nanos(), p.problem());
            }
            return sum;
        }
        int bits = 32 - Integer.numberOfLeadingZeros((int) Math.ceil(Math.sqrt(partitions)) - 1);
        int groups = ((partitions - 1) >> bits) + 1;
        return leaves.mapToPair(p -> new Tuple2<>(p.slot() >> bits, p.toSum(partitions)))
                .reduceByKey(OrderedSum::merge, groups)
                .values()
                .treeAggregate(new OrderedSum(partitions), OrderedSum::merge, OrderedSum::merge, 1);
    }
}
