package dev.sparknn.ml;

import dev.sparknn.ops.Network;
import dev.sparknn.ops.Workspace;
import java.io.Serializable;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.linalg.VectorUDT;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
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
     * What to append, in this order; an empty name appends nothing. Made by {@link #forClassifier} or
     * {@link #forRegressor}.
     *
     * @param rawCol         classifier: the logits, a vector of {@code classes} values
     * @param probabilityCol classifier: their softmax, a vector
     * @param predictionCol  the class index (as a double), or the regressor's output in the label's units
     * @param thresholds     classifier: Spark's per-class thresholds (prediction = argmax p/t), or null
     */
    record Outputs(boolean classifier, String rawCol, String probabilityCol, String predictionCol, double[] thresholds)
            implements Serializable {

        static Outputs forClassifier(String rawCol, String probabilityCol, String predictionCol, double[] thresholds) {
            return new Outputs(true, rawCol, probabilityCol, predictionCol, thresholds);
        }

        static Outputs forRegressor(String predictionCol) {
            return new Outputs(false, "", "", predictionCol, null);
        }

        /**
         * {@code schema} with these columns appended (nullable: null features give null outputs), as the models'
         * {@code transformSchema} and the estimators' {@code validateAndTransformSchema} report it.
         *
         * @throws IllegalArgumentException if a column is already there (a DataFrame transformed twice), naming it
         *                                  and its Param
         */
        StructType appendTo(StructType schema) {
            StructType out = append(schema, rawCol, "rawPredictionCol", new VectorUDT());
            out = append(out, probabilityCol, "probabilityCol", new VectorUDT());
            return append(out, predictionCol, "predictionCol", DataTypes.DoubleType);
        }

        private static StructType append(StructType schema, String column, String param, DataType type) {
            if (column.isEmpty()) {
                return schema;
            }
            if (List.of(schema.fieldNames()).contains(column)) {
                throw new IllegalArgumentException("output column '" + column + "' (" + param + ") already exists "
                        + "in the DataFrame; set " + param + " to another name, or to \"\" to leave it out");
            }
            return schema.add(column, type, true);
        }
    }

    /**
     * {@code data} with {@code out}'s columns appended, scored partition by partition (a lazy map, no job runs).
     *
     * @param schema  the output schema: {@code data}'s columns, then the non-empty columns of {@code out}
     *                ({@link Outputs#appendTo})
     * @param weights the flat weights {@code [net.numParams()]}, read once per partition on the executor
     */
    static Dataset<Row> transform(Dataset<?> data, StructType schema, String featuresCol, Network net,
                                  Broadcast<float[]> weights, Outputs out) {
        int featuresIndex = data.schema().fieldIndex(featuresCol);
        int inputs = net.numInputs();
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
                logits = doubles(y, s * k, k);
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
     * @param features a dense or sparse vector of {@code network.numInputs()} values
     * @return the network's outputs, a new array {@code [network.numOutputs()]}
     * @throws IllegalArgumentException if {@code features} does not have {@code network.numInputs()} values
     */
    static float[] outputs(Network network, float[] weights, Vector features) {
        float[] x = new float[network.numInputs()];
        Training.copyFeatures(features, x, 0, x.length);
        float[] out = new float[network.numOutputs()];
        network.outputs(weights, x, 1, network.newWorkspace(1), out);
        return out;
    }

    /** A new array {@code [n]}: {@code values[from .. from+n)} widened to double. */
    static double[] doubles(float[] values, int from, int n) {
        double[] out = new double[n];
        for (int i = 0; i < n; i++) {
            out[i] = values[from + i];
        }
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
