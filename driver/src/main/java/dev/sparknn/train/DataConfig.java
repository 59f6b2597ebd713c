package dev.sparknn.train;

import dev.sparknn.data.IdxDataset;
import dev.sparknn.data.InputException;
import dev.sparknn.data.InputPaths;
import dev.sparknn.data.TableDataset;
import dev.sparknn.ops.Network;
import dev.sparknn.ops.Standardization;
import java.io.IOException;
import java.util.List;
import java.util.Locale;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * Where a run's data is and how to read it: {@code --data}, {@code --format}, {@code --label}, {@code --features},
 * {@code --test-data}, {@code --test-fraction}, {@code --standardize} and {@code --missing}, each already checked by
 * its declaration in
 * {@link TrainOptions}.
 *
 * @param path         an IDX folder, or CSV/Parquet file, folder or glob (local path or Hadoop URI)
 * @param label        tables: the label column (class index, or the regression target)
 * @param features     tables: the feature columns; empty for the {@code features} array column or every other column
 * @param testData     where the test rows are: empty for the IDX folder's t10k files or a held-out share of a table
 * @param testFraction tables without {@code testData}: the share of rows held out for testing, in {@code [0, 1)}
 * @param standardize  when to standardise every feature (and a regression target) with the training set's mean
 *                     and standard deviation
 * @param missing      tables: what an empty feature cell becomes
 */
public record DataConfig(String path, Format format, String label, List<String> features, String testData,
                         double testFraction, Standardize standardize, TableDataset.Missing missing) {

    /**
     * {@code --standardize}: {@code auto} standardises tables (CSV, Parquet) for a network that starts with an affine
     * layer, and keeps IDX images, and the input of any other network, in their own scaling; {@code true}
     * standardises any data (for a network that starts with an affine layer: {@link TrainConfig} refuses others);
     * {@code false} none. Standardised features are folded into the model's first layer, and a standardised
     * regression target into its last layer.
     */
    public enum Standardize {
        AUTO, TRUE, FALSE;

        public static Standardize parse(String name) {
            return dev.sparknn.ops.EnumNames.parse(Standardize.class, "value", name);
        }

        /** Whether data of this (resolved) format is standardised for training {@code net}. */
        public boolean appliesTo(Format resolved, Network net) {
            return this == TRUE || this == AUTO && resolved != Format.IDX && Standardization.foldsInto(net);
        }

        @Override
        public String toString() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** {@code --format}: {@code auto} tells IDX, CSV and Parquet apart by the files' names. */
    public enum Format {
        AUTO, IDX, CSV, PARQUET;

        public static Format parse(String name) {
            return dev.sparknn.ops.EnumNames.parse(Format.class, "format", name);
        }

        @Override
        public String toString() {
            return name().toLowerCase(Locale.ROOT);
        }

        public TableDataset.Format table() {
            return this == CSV ? TableDataset.Format.CSV : TableDataset.Format.PARQUET;
        }
    }

    public DataConfig {
        features = List.copyOf(features);
    }

    /**
     * {@code location} made absolute on the driver, against the driver's working folder (local paths) or the file
     * system's home folder (a relative path on HDFS), with the file system's scheme and authority
     * ({@code data/mnist} becomes {@code file:/home/me/sparknn/data/mnist}): executors run in other folders, and
     * would resolve a relative path against their own. Hadoop's {@link FileSystem#makeQualified}; globs pass through.
     *
     * @throws IOException if the location's file system cannot be reached (an unknown scheme, a down name node)
     */
    public static String qualify(Configuration conf, String location) throws IOException {
        Path p = new Path(location);
        return p.getFileSystem(conf).makeQualified(p).toString();
    }

    /** This configuration with {@link #path} and a non-empty {@link #testData} {@linkplain #qualify qualified}. */
    public DataConfig qualified(Configuration conf) throws IOException {
        return new DataConfig(qualify(conf, path), format, label, features,
                testData.isBlank() ? testData : qualify(conf, testData), testFraction, standardize, missing);
    }

    /**
     * Checks before Spark starts that {@code --data} and {@code --test-data} exist (local paths; see
     * {@link InputPaths}) and that neither is one IDX file of a folder.
     *
     * @throws InputException naming the option and the path, and for an IDX file the folder to pass instead
     */
    public void checkPaths() throws IOException {
        checkPath("--data", path);
        if (!testData.isBlank()) {
            checkPath("--test-data", testData);
        }
    }

    private void checkPath(String option, String location) throws IOException {
        if ((format == Format.AUTO || format == Format.IDX) && InputPaths.isIdxFileName(location)
                && (!InputPaths.isLocal(location) || java.nio.file.Files.isRegularFile(
                        java.nio.file.Path.of(new Path(location).toUri().getPath())))) {
            throw idxFile(option, location);
        }
        InputPaths.requireExisting(option, location);
    }

    /** An IDX file given where its folder is wanted: the message names the folder to pass. */
    private static InputException idxFile(String option, String location) {
        Path parent = new Path(location).getParent();
        return new InputException(option + " " + location + " is one IDX file; pass the folder that holds the "
                + IdxDataset.TRAIN + "-* and " + IdxDataset.TEST + "-* files: " + option + " "
                + (parent == null ? "." : parent.toString()));
    }

    /**
     * The format of {@code location}: {@link #format} unless auto, else IDX for a folder with MNIST-named files,
     * CSV or Parquet by the file names ({@code .csv}, {@code .csv.gz}, {@code .parquet}) of the path or of the
     * folder's files. Reads only the folder listing.
     *
     * @throws InputException if the path does not exist or its format cannot be told
     */
    public Format resolve(Configuration conf, String location) throws IOException {
        if (format != Format.AUTO) {
            return format;
        }
        TableDataset.Format byName = TableDataset.Format.fromName(location);
        if (byName != null) {
            return byName == TableDataset.Format.CSV ? Format.CSV : Format.PARQUET;
        }
        Path p = new Path(location);
        FileSystem fs = p.getFileSystem(conf);
        if (!fs.exists(p)) {
            throw new InputException(location + ": no such file or folder");
        }
        if (InputPaths.isIdxFileName(location) && fs.getFileStatus(p).isFile()) {
            throw idxFile(location.equals(path) ? "--data" : "--test-data", location);
        }
        if (fs.getFileStatus(p).isDirectory()) {
            for (FileStatus f : fs.listStatus(p)) {
                String name = f.getPath().getName();
                if (name.startsWith(IdxDataset.TRAIN + "-images") || name.startsWith(IdxDataset.TEST + "-images")) {
                    return Format.IDX;
                }
                TableDataset.Format table = TableDataset.Format.fromName(name);
                if (table != null) {
                    return table == TableDataset.Format.CSV ? Format.CSV : Format.PARQUET;
                }
            }
        }
        throw new InputException(location + ": cannot tell its format (no MNIST-named IDX files, no .csv or "
                + ".parquet names); pass --format idx, csv or parquet");
    }
}
