package dev.sparknn.ml;

import dev.sparknn.store.ModelFile;
import dev.sparknn.train.Task;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.ml.param.Params;
import org.apache.spark.ml.util.DefaultParamsReader;
import org.apache.spark.ml.util.DefaultParamsReader$;
import org.apache.spark.ml.util.DefaultParamsWriter$;
import org.apache.spark.sql.SparkSession;

/**
 * A model's folder, on any Hadoop file system (local, HDFS, S3):
 * <pre>
 * path/metadata/part-00000   Spark's JSON: class, uid, Spark version, every Param (DefaultParamsWriter's layout)
 * path/data/model.bin        the network and its weights, the command line's {@link ModelFile} (evaluate and
 *                            predict read it as it is)
 * path/data/summary.json     the {@link TrainingSummary}, when the model was fitted in this version
 * </pre>
 * Spark's {@code MLWriter} has already refused, or cleared with {@code overwrite()}, an existing folder.
 */
final class ModelIO {

    static final String MODEL = "data/model.bin";
    static final String SUMMARY = "data/summary.json";

    private ModelIO() {
    }

    static void save(Params stage, String path, SparkSession spark, ModelFile.Model model, TrainingSummary summary)
            throws IOException {
        DefaultParamsWriter$.MODULE$.saveMetadata(stage, path, spark);
        Configuration conf = spark.sparkContext().hadoopConfiguration();
        Path dir = new Path(path);
        FileSystem fs = dir.getFileSystem(conf);
        // ModelFile writes local files; its bytes are copied as they are.
        java.nio.file.Path local = Files.createTempFile("sparknn-model", ".bin");
        try {
            ModelFile.write(local, model.network(), model.task(), model.params());
            fs.copyFromLocalFile(false, true, new Path(local.toUri()), new Path(dir, MODEL));
        } finally {
            Files.deleteIfExists(local);
        }
        if (summary != null) {
            try (OutputStream out = fs.create(new Path(dir, SUMMARY), true)) {
                out.write(summary.toJson().getBytes(StandardCharsets.UTF_8));
            }
        }
    }

    /** A loaded folder: its metadata, network and summary (null if none was saved). */
    record Loaded(DefaultParamsReader.Metadata metadata, ModelFile.Model model, TrainingSummary summary) {
    }

    /**
     * @param className the class the metadata must name
     * @param task      what the model file must hold
     * @throws IOException if a file is missing or damaged, or holds the other task, naming it
     */
    static Loaded load(String path, SparkSession spark, String className, Task task) throws IOException {
        DefaultParamsReader.Metadata metadata = DefaultParamsReader$.MODULE$.loadMetadata(path, spark, className);
        Configuration conf = spark.sparkContext().hadoopConfiguration();
        Path dir = new Path(path);
        FileSystem fs = dir.getFileSystem(conf);
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
        return new Loaded(metadata, model, summary);
    }

    /** Sets on {@code stage} the Params its metadata holds. */
    static void setParams(Loaded loaded, Params stage) {
        loaded.metadata().getAndSetParams(stage, scala.Option.empty());
    }
}
