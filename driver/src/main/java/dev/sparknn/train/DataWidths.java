package dev.sparknn.train;

import dev.sparknn.ops.LayerSpelling;

import dev.sparknn.data.IdxDataset;
import dev.sparknn.data.IdxReader;
import dev.sparknn.data.TableDataset;
import dev.sparknn.data.TableEncoding;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.SparkSession;

/**
 * {@code --layers auto,64,auto}: the input width and the output count taken from the data, by a pre-pass over the
 * layer text that puts numbers in place of {@code auto} before the option's own parser reads it. The first
 * {@code auto} stands for the inputs per row (a table's after its encoding), the last for the class count (named
 * classes, or the largest class index plus one; 1 for regression). Hidden widths are the user's.
 */
public final class DataWidths {

    private static final String AUTO = "auto";

    private DataWidths() {
    }

    /** Whether the layer text has an {@code auto} token. */
    public static boolean hasAuto(String layers) {
        return List.of(layers.split(",")).stream().anyMatch(t -> t.strip().toLowerCase(Locale.ROOT).equals(AUTO));
    }

    /**
     * The layer text with {@code auto} replaced: the first token by {@code inputs}, the last by {@code outputs}.
     *
     * @throws TrainConfig.ConfigException for {@code auto} in a hidden layer's place
     */
    public static String resolve(String layers, int inputs, int outputs) {
        String[] tokens = layers.split(",", -1);
        List<String> out = new ArrayList<>();
        for (int i = 0; i < tokens.length; i++) {
            boolean auto = tokens[i].strip().toLowerCase(Locale.ROOT).equals(AUTO);
            if (auto && i > 0 && i < tokens.length - 1) {
                throw new TrainConfig.ConfigException("--layers " + layers + ": auto stands for the input width "
                        + "(first) or the class count (last), not a hidden width (position " + (i + 1) + ")");
            }
            out.add(!auto ? tokens[i].strip() : i == 0 ? Integer.toString(inputs) : Integer.toString(outputs));
        }
        return String.join(",", out);
    }

    /**
     * {@code layers} respelt to take {@code inputs} values and give {@code outputs}, for a message: a widths-only
     * spelling's first and last widths, an explicit list's flat input width (a shape is kept) and last
     * {@code affine:N}.
     */
    public static String propose(String layers, int inputs, int outputs) {
        String[] tokens = LayerSpelling.normalise(layers).split(",");
        if (LayerSpelling.isWidths(layers)) {
            tokens[0] = Integer.toString(inputs);
            tokens[tokens.length - 1] = Integer.toString(outputs);
            return String.join(",", tokens);
        }
        if (tokens[0].matches("\\d+")) {
            tokens[0] = Integer.toString(inputs);
        }
        for (int i = tokens.length - 1; i > 0; i--) {
            if (tokens[i].startsWith("affine:")) {
                tokens[i] = "affine:" + outputs;
                break;
            }
        }
        return String.join(",", tokens);
    }

    /**
     * The layer text with every {@code auto} a placeholder width, for checking the other options before the data
     * is read.
     *
     * @throws TrainConfig.ConfigException for {@code auto} in a hidden layer's place
     */
    public static String placeholder(String layers) {
        return hasAuto(layers) ? resolve(layers, 1, 2) : layers;      // 2: the fewest classes
    }

    /**
     * The widths the data gives {@code auto}.
     *
     * @param inputs  the inputs per row
     * @param outputs the class count, or 1 for regression
     * @param table   a table's opened and profiled training table, for {@link TrainingData#load} to reuse; null for
     *                an IDX folder
     */
    public record Found(int inputs, int outputs, TrainingData.TableProfile table) {
    }

    /**
     * The data's inputs per row and output count: an IDX folder's pixels per image and largest label plus one
     * (from its labels file), or a table's encoded width and class count, from the pass over its rows that chooses
     * its encoding (which {@link TrainingData#load} then reuses).
     */
    public static Found of(SparkSession spark, DataConfig data, Task task) throws IOException {
        Configuration hadoop = spark.sparkContext().hadoopConfiguration();
        DataConfig qualified = data.qualified(hadoop);
        DataConfig.Format format = qualified.resolve(hadoop, qualified.path());
        if (format == DataConfig.Format.IDX) {
            IdxDataset set = IdxDataset.open(hadoop, qualified.path(), IdxDataset.TRAIN);
            int[] labels = new int[set.count()];
            IdxReader.readLabels(hadoop, set.labels(), 0, set.count(), 256, labels, 0);
            return new Found(set.numFeatures(), task == Task.REGRESSION ? 1
                    : java.util.Arrays.stream(labels).max().orElse(0) + 1, null);
        }
        TableDataset table = TableDataset.open(spark, qualified.path(), format.table(), qualified.label(),
                qualified.features());
        TableEncoding encoding = table.profile(task.anyTableTarget(), qualified.missing());
        TrainingData.TableProfile profile = new TrainingData.TableProfile(table, encoding);
        int inputs = encoding == null ? table.numFeatures() : encoding.width();
        if (task == Task.REGRESSION) {
            return new Found(inputs, 1, profile);
        }
        if (encoding != null && !encoding.classes().isEmpty()) {
            return new Found(inputs, encoding.classes().size(), profile);
        }
        double max = table.labelMax();
        if (Double.isNaN(max) || max != Math.rint(max) || max < 0 || max >= 1 << 20) {
            throw new TrainConfig.ConfigException("--layers ...,auto: the label column '" + qualified.label() + "' of "
                    + qualified.path() + " holds no class indices to count (largest " + max + "); give the class "
                    + "count");
        }
        return new Found(inputs, (int) max + 1, profile);
    }
}
