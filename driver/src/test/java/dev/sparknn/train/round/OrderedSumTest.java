package dev.sparknn.train.round;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class OrderedSumTest {

    @Test
    void totalIsBitwiseTheSameForEveryArrivalOrderAndGrouping() {
        Random random = new Random(1);
        for (int partitions : new int[] {1, 2, 3, 5, 8, 13}) {
            // Values of wildly different magnitudes, so that float addition order matters.
            double[][] payloads = new double[partitions][4];
            for (double[] p : payloads) {
                for (int i = 0; i < p.length; i++) {
                    p[i] = random.nextGaussian() * Math.pow(10, random.nextInt(16) - 8);
                }
            }
            double[] reference = null;
            for (int trial = 0; trial < 50; trial++) {
                List<Integer> order = new ArrayList<>();
                for (int p = 0; p < partitions; p++) {
                    order.add(p);
                }
                Collections.shuffle(order, random);
                // Split arrivals between two "executors" at a random point, then merge, as treeAggregate may.
                int cut = random.nextInt(partitions + 1);
                OrderedSum a = new OrderedSum(partitions);
                OrderedSum b = new OrderedSum(partitions);
                for (int k = 0; k < partitions; k++) {
                    int p = order.get(k);
                    (k < cut ? a : b).add(p, payloads[p].clone());
                }
                double[] total = (random.nextBoolean() ? a.merge(b) : b.merge(a)).total();
                if (reference == null) {
                    reference = total;
                } else {
                    assertArrayEquals(reference, total, 0.0, partitions + " partitions, trial " + trial);
                }
            }
            double[] naive = new double[4];
            double[] bound = new double[4];
            for (double[] p : payloads) {
                for (int i = 0; i < 4; i++) {
                    naive[i] += p[i];
                    // Any order of n double additions is within (n - 1)·u·Σ|p| of the exact sum, u = ε/2 (Higham,
                    // "Accuracy and Stability of Numerical Algorithms", ch. 4), so two orders within (n - 1)·ε·Σ|p|;
                    // the factor 2 covers the second-order term.
                    bound[i] += 2 * Math.max(1, partitions - 1) * Math.ulp(1.0) * Math.abs(p[i]);
                }
            }
            for (int i = 0; i < 4; i++) {
                assertEquals(naive[i], reference[i], bound[i], "it is still the sum, component " + i);
            }
        }
    }

    @Test
    void sevenPartitionsFollowTheDocumentedTree() {
        // ((p0+p1)+(p2+p3)) + ((p4+p5)+p6)
        double[] v = {1e16, 1, -1e16, 1, 3, 5, 7};
        OrderedSum sum = new OrderedSum(7);
        for (int p = 6; p >= 0; p--) {
            sum.add(p, new double[] {v[p]});
        }
        double expected = ((v[0] + v[1]) + (v[2] + v[3])) + ((v[4] + v[5]) + v[6]);
        assertEquals(expected, sum.total()[0], 0.0);
    }

    @Test
    void missingOrDuplicatePartitionsAreReported() {
        OrderedSum sum = new OrderedSum(3).add(0, new double[1]).add(2, new double[1]);
        assertThrows(IllegalStateException.class, sum::total);
        assertThrows(IllegalStateException.class, () -> new OrderedSum(4).add(1, new double[1]).add(1, new double[1]));
        assertThrows(IllegalArgumentException.class, () -> new OrderedSum(4).add(4, new double[1]));
    }
}
