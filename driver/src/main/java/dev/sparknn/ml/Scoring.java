package dev.sparknn.ml;

import dev.sparknn.ops.Network;
import dev.sparknn.ops.Workspace;
import java.io.Serializable;
import java.util.Iterator;
import java.util.NoSuchElementException;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.StructType;

/**
 * The models' {@code transform}: each partition's rows are scored in blocks of up to {@link #BLOCK_ROWS}, one BLAS
 * product per layer per block ({@link Network#outputs}), not one row at a time. A row whose features are null gets
 * null outputs. Works on batch and streaming DataFrames alike (a map over partitions, no action).
 */
final class Scoring {

    /** Rows scored per forward pass; the training's chunk size, which bounds the scratch buffers likewise. */
    static final int BLOCK_ROWS = 1024;

    private Scoring() {
    }

    /**
     * What to append, in this order; an empty name appends nothing.
     *
     * @param rawCol        classifier: the logits, a vector of {@code classes} values
     * @param probabilityCol classifier: their softmax
     * @param predictionCol the class index (as a double), or the regressor's output in the label's units
     * @param thresholds    classifier: Spark's per-class thresholds (prediction = argmax p/t), or null
     */
    record Outputs(boolean classifier, String rawCol, String probabilityCol, String predictionCol, double[] thresholds)
            implements Serializable {
    }

    /**
     * @param schema the output schema: {@code data}'s columns, then the non-empty columns of {@code out}
     */
    static Dataset<Row> transform(Dataset<?> data, StructType schema, String featuresCol, Network net,
                                  Broadcast<float[]> weights, Outputs out) {
        int featuresIndex = data.schema().fieldIndex(featuresCol);
        int inputs = net.sizes()[0];
        int k = net.numOutputs();
        int added = schema.size() - data.schema().size();
        MapPartitionsFunction<Row, Row> score = rows -> new Scored(rows, net, weights.value(), featuresIndex,
                inputs, k, added, out);
        return data.toDF().mapPartitions(score, Encoders.row(schema));
    }

    /** The scored rows of one partition, a block at a time. */
    private static final class Scored implements Iterator<Row> {
        private final Iterator<Row> rows;
        private final Network net;
        private final float[] params;
        private final int featuresIndex;
        private final int inputs;
        private final int k;
        private final int added;
        private final Outputs out;
        private final Workspace ws;
        private final Row[] block = new Row[BLOCK_ROWS];
        private final float[] x;
        private final float[] y;
        /** For each row of the block, its row in {@code x}, or −1 if its features are null. */
        private final int[] slot = new int[BLOCK_ROWS];
        private int size;
        private int next;

        Scored(Iterator<Row> rows, Network net, float[] params, int featuresIndex, int inputs, int k, int added,
               Outputs out) {
            this.rows = rows;
            this.net = net;
            this.params = params;
            this.featuresIndex = featuresIndex;
            this.inputs = inputs;
            this.k = k;
            this.added = added;
            this.out = out;
            ws = net.newWorkspace(BLOCK_ROWS);
            x = new float[BLOCK_ROWS * inputs];
            y = new float[BLOCK_ROWS * k];
        }

        @Override
        public boolean hasNext() {
            if (next < size) {
                return true;
            }
            if (!rows.hasNext()) {
                return false;
            }
            size = 0;
            next = 0;
            int n = 0;
            while (size < BLOCK_ROWS && rows.hasNext()) {
                Row row = rows.next();
                Object features = row.get(featuresIndex);
                if (features == null) {
                    slot[size] = -1;
                } else {
                    Training.copyFeatures(features, x, n * inputs, inputs);
                    slot[size] = n++;
                }
                block[size++] = row;
            }
            if (n > 0) {
                net.outputs(params, x, n, ws, y);
            }
            return true;
        }

        @Override
        public Row next() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            Row row = block[next];
            int s = slot[next];
            block[next++] = null;
            Object[] values = new Object[row.size() + added];
            for (int i = 0; i < row.size(); i++) {
                values[i] = row.get(i);
            }
            int at = row.size();
            if (!out.classifier()) {
                if (!out.predictionCol().isEmpty()) {
                    values[at] = s < 0 ? null : (double) y[s];
                }
                return RowFactory.create(values);
            }
            double[] logits = null;
            double[] probs = null;
            if (s >= 0) {
                logits = new double[k];
                for (int c = 0; c < k; c++) {
                    logits[c] = y[s * k + c];
                }
                probs = softmax(logits);
            }
            if (!out.rawCol().isEmpty()) {
                values[at++] = s < 0 ? null : Vectors.dense(logits);
            }
            if (!out.probabilityCol().isEmpty()) {
                values[at++] = s < 0 ? null : Vectors.dense(probs);
            }
            if (!out.predictionCol().isEmpty()) {
                values[at] = s < 0 ? null : predict(probs, out.thresholds());
            }
            return RowFactory.create(values);
        }
    }

    /**
     * One row through the network (Spark's single-row {@code predict}/{@code predictRaw}; {@link #transform} scores
     * blocks). Allocates its own input, workspace and output.
     *
     * @param features a dense or sparse vector of {@code network.sizes()[0]} values
     * @return the network's outputs, {@code [network.numOutputs()]}
     */
    static float[] outputs(Network network, float[] weights, org.apache.spark.ml.linalg.Vector features) {
        float[] x = new float[network.sizes()[0]];
        Training.copyFeatures(features, x, 0, x.length);
        float[] out = new float[network.numOutputs()];
        network.outputs(weights, x, 1, network.newWorkspace(1), out);
        return out;
    }

    /** Softmax in double, shifted by the largest logit. */
    static double[] softmax(double[] logits) {
        double max = Double.NEGATIVE_INFINITY;
        for (double z : logits) {
            max = Math.max(max, z);
        }
        double sum = 0;
        double[] p = new double[logits.length];
        for (int c = 0; c < p.length; c++) {
            p[c] = Math.exp(logits[c] - max);
            sum += p[c];
        }
        for (int c = 0; c < p.length; c++) {
            p[c] /= sum;
        }
        return p;
    }

    /**
     * The class of the largest probability, or with {@code thresholds} of the largest {@code p/t} (a threshold of
     * 0 wins), as Spark's {@code probability2prediction}.
     */
    static double predict(double[] probs, double[] thresholds) {
        int best = 0;
        double bestScore = Double.NEGATIVE_INFINITY;
        for (int c = 0; c < probs.length; c++) {
            double score = thresholds == null ? probs[c]
                    : thresholds[c] == 0 ? Double.POSITIVE_INFINITY : probs[c] / thresholds[c];
            if (score > bestScore) {
                best = c;
                bestScore = score;
            }
        }
        return best;
    }
}
