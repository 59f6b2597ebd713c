package dev.sparknn.ml;

import dev.sparknn.store.ModelFile;
import dev.sparknn.train.Task;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.function.BiFunction;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.ml.param.Params;
import org.apache.spark.ml.util.DefaultParamsReader;
import org.apache.spark.ml.util.DefaultParamsReader$;
import org.apache.spark.ml.util.DefaultParamsWriter$;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.ml.util.MLWriter;
import org.apache.spark.sql.SparkSession;

/**
 * A model's folder, on any Hadoop file system (local, HDFS, S3), written by {@link Writer} and read by
 * {@link Reader}:
 * <pre>
 * path/metadata/part-00000   Spark's JSON: class, uid, Spark version, every Param (DefaultParamsWriter's layout)
 * path/data/model.bin        the network and its weights, the command line's {@link ModelFile} (evaluate and
 *                            predict read it as it is)
 * path/data/summary.json     the {@link TrainingSummary}, when the model has one
 * path/data/ranges.json      each input's training range, {"min": [...], "max": [...]} (numFeatures values each),
 *                            when the model has them (models saved before they were kept load without)
 * </pre>
 * Spark's {@code MLWriter} has already refused, or cleared with {@code overwrite()}, an existing folder.
 */
final class ModelIO {

    static final String MODEL = "data/model.bin";
    static final String SUMMARY = "data/summary.json";
    static final String RANGES = "data/ranges.json";
    private static final com.fasterxml.jackson.databind.ObjectMapper JSON =
            new com.fasterxml.jackson.databind.ObjectMapper();

    private ModelIO() {
    }

    /** {@code write()} of a model: its Params as Spark's metadata, then its {@link TrainedNetwork}. */
    static final class Writer extends MLWriter {
        private final Params stage;
        private final TrainedNetwork trained;

        Writer(Params stage, TrainedNetwork trained) {
            this.stage = stage;
            this.trained = trained;
        }

        /** @throws UncheckedIOException if a file cannot be written */
        @Override
        public void saveImpl(String path) {
            try {
                ModelIO.save(stage, trained, path, sparkSession());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /**
     * {@code read()} of a model class: the folder's metadata must name {@code type} and its {@code model.bin} must
     * hold {@code task}; the model is made by {@code create(uid, trained)} and gets the saved Params.
     *
     * @param <M> the model class
     */
    static final class Reader<M extends Params> extends MLReader<M> {
        private final Class<M> type;
        private final Task task;
        private final BiFunction<String, TrainedNetwork, M> create;

        Reader(Class<M> type, Task task, BiFunction<String, TrainedNetwork, M> create) {
            this.type = type;
            this.task = task;
            this.create = create;
        }

        /**
         * @throws IllegalArgumentException if the metadata names another class (Spark's check)
         * @throws UncheckedIOException     if a file is missing or damaged, or holds the other task, naming the file
         */
        @Override
        public M load(String path) {
            try {
                SparkSession spark = sparkSession();
                DefaultParamsReader.Metadata metadata = DefaultParamsReader$.MODULE$.loadMetadata(path, spark,
                        type.getName());
                M model = create.apply(metadata.uid(), trained(path, spark, type.getName(), task));
                metadata.getAndSetParams(model, scala.Option.empty());
                return model;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    private static void save(Params stage, TrainedNetwork trained, String path, SparkSession spark)
            throws IOException {
        DefaultParamsWriter$.MODULE$.saveMetadata(stage, path, spark);
        Path dir = new Path(path);
        FileSystem fs = dir.getFileSystem(spark.sparkContext().hadoopConfiguration());
        // ModelFile writes local files; its bytes are copied as they are.
        java.nio.file.Path local = Files.createTempFile("sparknn-model", ".bin");
        try {
            ModelFile.Model model = trained.modelFile();
            ModelFile.write(local, model.network(), model.task(), model.params());
            fs.copyFromLocalFile(false, true, new Path(local.toUri()), new Path(dir, MODEL));
        } finally {
            Files.deleteIfExists(local);
        }
        if (trained.hasSummary()) {
            try (OutputStream out = fs.create(new Path(dir, SUMMARY), true)) {
                out.write(trained.summary().toJson().getBytes(StandardCharsets.UTF_8));
            }
        }
        if (trained.hasInputRanges()) {
            double[][] r = trained.inputRanges();
            com.fasterxml.jackson.databind.node.ObjectNode root = JSON.createObjectNode();
            java.util.Arrays.stream(r[0]).forEach(root.putArray("min")::add);
            java.util.Arrays.stream(r[1]).forEach(root.putArray("max")::add);
            try (OutputStream out = fs.create(new Path(dir, RANGES), true)) {
                out.write(JSON.writeValueAsBytes(root));
            }
        }
    }

    /**
     * The folder's {@code model.bin} and {@code summary.json} (none if the file is absent).
     *
     * @param className the model class, named in the error
     * @param task      what the model file must hold
     * @throws IOException if a file is missing or damaged, or holds the other task, naming it
     */
    private static TrainedNetwork trained(String path, SparkSession spark, String className, Task task)
            throws IOException {
        Path dir = new Path(path);
        FileSystem fs = dir.getFileSystem(spark.sparkContext().hadoopConfiguration());
        Path modelPath = new Path(dir, MODEL);
        java.nio.file.Path local = Files.createTempFile("sparknn-model", ".bin");
        ModelFile.Model model;
        try {
            fs.copyToLocalFile(false, modelPath, new Path(local.toUri()), true);
            model = ModelFile.read(local);
        } catch (ModelFile.ModelFormatException e) {
            throw new IOException(e.getMessage().replace(local.toString(), modelPath.toString()), e);
        } finally {
            Files.deleteIfExists(local);
        }
        if (model.task() != task) {
            throw new IOException("model file " + modelPath + " holds a " + model.task() + " model; "
                    + className + " needs a " + task + " one");
        }
        TrainingSummary summary = null;
        Path summaryPath = new Path(dir, SUMMARY);
        if (fs.exists(summaryPath)) {
            try (InputStream in = fs.open(summaryPath)) {
                summary = TrainingSummary.fromJson(new String(in.readAllBytes(), StandardCharsets.UTF_8));
            } catch (IllegalArgumentException e) {
                throw new IOException(summaryPath + ": " + e.getMessage(), e);
            }
        }
        double[][] ranges = ranges(fs, new Path(dir, RANGES), model.network().numInputs());
        return new TrainedNetwork(model.network(), model.task(), model.params(), summary,
                ranges == null ? null : ranges[0], ranges == null ? null : ranges[1]);
    }

    /**
     * @return {@code [minima, maxima]} from {@code ranges.json}, or null when the folder has none
     * @throws IOException naming the file if it is not JSON, or {@code min} or {@code max} is not an array of
     *                     {@code inputs} numbers
     */
    private static double[][] ranges(FileSystem fs, Path file, int inputs) throws IOException {
        if (!fs.exists(file)) {
            return null;
        }
        com.fasterxml.jackson.databind.JsonNode root;
        try (InputStream in = fs.open(file)) {
            root = JSON.readTree(in);
        } catch (com.fasterxml.jackson.core.JacksonException e) {
            throw new IOException(file + ": not JSON (" + e.getOriginalMessage() + ")", e);
        }
        double[][] out = new double[2][];
        String[] keys = {"min", "max"};
        for (int k = 0; k < 2; k++) {
            com.fasterxml.jackson.databind.JsonNode values = root.path(keys[k]);
            if (!values.isArray() || values.size() != inputs) {
                throw new IOException(file + ": '" + keys[k] + "' must be an array of " + inputs + " numbers (one per "
                        + "input), it is " + (values.isMissingNode() ? "missing" : values.toString().length() > 60
                        ? values.getNodeType() + " of " + values.size() : values.toString()));
            }
            out[k] = new double[inputs];
            for (int j = 0; j < inputs; j++) {
                if (!values.get(j).isNumber()) {
                    throw new IOException(file + ": '" + keys[k] + "' holds " + values.get(j) + " at position " + j
                            + ", not a number");
                }
                out[k][j] = values.get(j).asDouble();
            }
        }
        return out;
    }
}
