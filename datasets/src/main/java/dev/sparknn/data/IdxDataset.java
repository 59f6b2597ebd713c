package dev.sparknn.data;

import dev.sparknn.ops.RowBlock;
import java.io.IOException;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * One split of an MNIST-style IDX folder: an images file and a labels file with the same item count.
 *
 * <p>Serializable (Spark ships it to executors); Hadoop's {@code Configuration} is not, so each read takes one.
 *
 * @param images header of {@code <split>-images-idx3-ubyte[.gz]} (or {@code <split>-images.idx3-ubyte[.gz]}),
 *               dims {@code [count, rows, cols]}
 * @param labels header of {@code <split>-labels-idx1-ubyte[.gz]} (or the dotted spelling), dims {@code [count]}
 */
public record IdxDataset(IdxHeader images, IdxHeader labels) implements Serializable {

    /** The 60,000-item training split. */
    public static final String TRAIN = "train";
    /** The 10,000-item test split. */
    public static final String TEST = "t10k";

    public IdxDataset {
        if (images.magic() != IdxReader.IMAGES_MAGIC || labels.magic() != IdxReader.LABELS_MAGIC) {
            throw new IllegalArgumentException("IdxDataset needs an images header then a labels header, got "
                    + images + " and " + labels);
        }
    }

    /**
     * Finds and validates the files of {@code split} in {@code dir} (the spellings {@link #find} accepts),
     * preferring raw files over {@code .gz} ones.
     *
     * @param dir   a local path or Hadoop URI of the folder
     * @param split {@link #TRAIN} or {@link #TEST}
     * @throws IdxFormatException if a file is missing or invalid, or the two counts differ
     */
    public static IdxDataset open(Configuration conf, String dir, String split) throws IOException {
        if (!TRAIN.equals(split) && !TEST.equals(split)) {
            throw new IllegalArgumentException("split must be \"" + TRAIN + "\" or \"" + TEST + "\", got \"" + split
                    + "\"");
        }
        IdxHeader images = IdxReader.readHeader(conf, find(conf, dir, split + "-images-idx3-ubyte"),
                IdxReader.IMAGES_MAGIC);
        IdxHeader labels = IdxReader.readHeader(conf, find(conf, dir, split + "-labels-idx1-ubyte"),
                IdxReader.LABELS_MAGIC);
        if (images.count() != labels.count()) {
            throw new IdxFormatException(images.file(), String.format("%s has %d images but %s has %d labels",
                    images.file(), images.count(), labels.file(), labels.count()));
        }
        return new IdxDataset(images, labels);
    }

    /**
     * Reads every label once and checks it lies in {@code [0, numClasses)}: on the driver, so that a wrong class
     * count fails before any Spark job with one message rather than one failed task per partition.
     *
     * @throws IdxFormatException naming the labels file, the first bad label and its index
     */
    public void checkLabels(Configuration conf, int numClasses) throws IOException {
        IdxReader.readLabels(conf, labels, 0, count(), numClasses, new int[count()], 0);
    }

    /** Number of labelled images. */
    public int count() {
        return images.count();
    }

    /** Values per image: {@code rows * cols}. */
    public int numFeatures() {
        return images.rowLength();
    }

    /**
     * Reads items {@code [first, first + n)} into a new block: features {@code [n, numFeatures]} scaled to
     * {@code [0, 1]}, labels {@code [n]}.
     *
     * @throws IdxFormatException       if a label is outside {@code [0, numClasses)} or a file is damaged
     * @throws IllegalArgumentException if the items are outside {@code [0, count())}
     */
    public RowBlock readBlock(Configuration conf, int first, int n, int numClasses) throws IOException {
        // Before allocating: in range, n * numFeatures() fits an int because readHeader caps the file size.
        IdxReader.checkRange(images, first, n);
        float[] features = new float[n * numFeatures()];
        int[] classes = new int[n];
        IdxReader.readImages(conf, images, first, n, features, 0);
        IdxReader.readLabels(conf, labels, first, n, numClasses, classes, 0);
        return new RowBlock(n, numFeatures(), features, classes);
    }

    /**
     * The file of {@code name} ({@code <split>-images-idx3-ubyte}) in {@code dir}, in the first spelling found: as
     * MNIST names it, with a dot before {@code idx} as several mirrors and tutorials do
     * ({@code train-images.idx3-ubyte}), each raw or {@code .gz}, and each also as a folder holding that one file
     * (as unpacking some archives leaves it); then the same names in any letter case.
     *
     * @throws IdxFormatException naming the files of the folder that look like the one wanted, and what to rename
     */
    private static String find(Configuration conf, String dir, String name) throws IOException {
        Path folder = new Path(dir);
        FileSystem fs = folder.getFileSystem(conf);
        if (fs.isFile(folder)) {
            throw new IdxFormatException(dir, dir + " is a file; expected a folder holding " + name + "[.gz] and its "
                    + "partner files");
        }
        List<String> spellings = spellings(name);
        for (String candidate : spellings) {
            Path path = new Path(folder, candidate);
            if (fs.isFile(path)) {
                return path.toString();
            }
            Path inner = new Path(path, candidate);
            if (fs.isDirectory(path) && fs.isFile(inner)) {
                return inner.toString();
            }
        }
        FileStatus[] listing = fs.exists(folder) ? fs.listStatus(folder) : new FileStatus[0];
        for (String candidate : spellings) {
            for (FileStatus f : listing) {
                if (f.isFile() && f.getPath().getName().equalsIgnoreCase(candidate)) {
                    return f.getPath().toString();
                }
            }
        }
        // Files that start like the one wanted (train-images...), whatever follows.
        String stem = name.substring(0, name.indexOf("-idx"));
        List<String> similar = new ArrayList<>();
        for (FileStatus f : listing) {
            String n = f.getPath().getName();
            if (n.toLowerCase(Locale.ROOT).startsWith(stem)) {
                similar.add(n);
            }
        }
        Collections.sort(similar);
        String found = similar.isEmpty() ? "" : String.format("; it holds %s: rename %s to %s",
                String.join(", ", similar), similar.size() == 1 ? "it" : "the right one", name);
        throw new IdxFormatException(dir, String.format(
                "found no %s in %s (looked for %s)%s%s", name, dir, String.join(", ", spellings), found,
                similar.isEmpty() ? " (scripts/fetch-mnist.sh downloads MNIST)" : ""));
    }

    /** {@code name}, its dotted spelling ({@code -idx} as {@code .idx}), and each with {@code .gz}. */
    static List<String> spellings(String name) {
        String dotted = name.replace("-idx", ".idx");
        return List.of(name, dotted, name + ".gz", dotted + ".gz");
    }
}
