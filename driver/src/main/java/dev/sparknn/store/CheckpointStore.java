package dev.sparknn.store;

import dev.sparknn.train.TrainConfig;
import dev.sparknn.train.TrainOptions;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.ChecksumException;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A folder of checkpoints on any Hadoop file system, named {@code ckpt-<steps run>.bin} (applied plus skipped
 * steps, so every save has its own name). Each is written to a temporary name and renamed, so a crash mid-write
 * never leaves a file that looks complete; after a save, only the newest {@code keep} up to it are kept. Loading
 * walks back from the newest to the first that validates.
 *
 * <p>On HDFS a rename is atomic. On object stores (S3, GCS) it is a copy and a delete: slower, but readers still
 * see only whole objects, and a file left half-copied fails its checksum and is skipped.
 */
public final class CheckpointStore {

    private static final Logger LOG = LoggerFactory.getLogger(CheckpointStore.class);
    private static final Pattern NAME = Pattern.compile("ckpt-(\\d+)\\.bin");
    private static final Pattern TMP_NAME = Pattern.compile("\\.ckpt-\\d+\\.bin\\.tmp");

    private final FileSystem fs;
    private final Path dir;
    private final int keep;

    public CheckpointStore(Configuration conf, String dir, int keep) throws IOException {
        this.dir = new Path(dir);
        this.fs = this.dir.getFileSystem(conf);
        this.keep = keep;
    }

    public String dir() {
        return fs.makeQualified(dir).toString();
    }

    /**
     * Writes {@code checkpoint} atomically, then deletes all but the newest {@code keep} up to it; returns its path.
     * Files of higher steps (damaged ones a resume walked past) are left alone, so they can never push out the
     * checkpoint just written.
     */
    public String save(Checkpoint checkpoint) throws IOException {
        fs.mkdirs(dir);
        long step = checkpoint.globalStep() + checkpoint.skippedSteps();
        Path target = new Path(dir, String.format("ckpt-%012d.bin", step));
        Path tmp = new Path(dir, "." + target.getName() + ".tmp");
        try (OutputStream out = fs.create(tmp, true)) {
            out.write(checkpoint.toBytes());
        }
        // Only a resumed run re-saves a step it already saved; the old file is the same state.
        fs.delete(target, false);
        if (!fs.rename(tmp, target)) {
            throw new IOException("could not rename " + tmp + " to " + target);
        }
        int kept = 0;
        for (Path file : list()) {
            if (step(file) <= step && ++kept > keep) {
                fs.delete(file, false);
            }
        }
        // Temporary files of writes a crash interrupted; this run is the folder's only writer.
        for (FileStatus status : fs.listStatus(dir, p -> TMP_NAME.matcher(p.getName()).matches())) {
            fs.delete(status.getPath(), false);
        }
        return target.toString();
    }

    /** Deletes every checkpoint and leftover temporary file in the folder (a fresh run with --overwrite). */
    public void clear() throws IOException {
        if (!fs.exists(dir)) {
            return;
        }
        for (FileStatus status : fs.listStatus(dir)) {
            String name = status.getPath().getName();
            if (NAME.matcher(name).matches() || TMP_NAME.matcher(name).matches()) {
                fs.delete(status.getPath(), false);
            }
        }
    }

    /**
     * The newest checkpoint that validates, skipping (with a warning) damaged ones; empty if none.
     *
     * @throws TrainConfig.ConfigException if the newest valid checkpoint was written with another configuration
     */
    public Optional<Checkpoint> newestValid(Map<String, String> identity) throws IOException {
        for (Path file : list()) {
            Checkpoint checkpoint;
            try {
                checkpoint = read(file);
            } catch (Checkpoint.CorruptCheckpointException e) {
                LOG.warn("{}; falling back to an older checkpoint", e.getMessage());
                continue;
            }
            checkSameRun(file, checkpoint.config(), identity);
            return Optional.of(checkpoint);
        }
        return Optional.empty();
    }

    /** Reads one checkpoint file, refusing sizes beyond what any valid checkpoint can have. */
    Checkpoint read(Path file) throws IOException {
        long length = fs.getFileStatus(file).getLen();
        if (length > Integer.MAX_VALUE - 64) {
            throw new Checkpoint.CorruptCheckpointException(file.toString(), "is " + length + " bytes, too large");
        }
        byte[] bytes = new byte[(int) length];
        try (InputStream in = fs.open(file)) {
            int n = in.readNBytes(bytes, 0, bytes.length);
            if (n != bytes.length) {
                throw new Checkpoint.CorruptCheckpointException(file.toString(), "shrank while being read");
            }
        } catch (ChecksumException e) {
            // File systems with their own checksums (HDFS, Hadoop's local .crc files) see damage first.
            throw new Checkpoint.CorruptCheckpointException(file.toString(), "fails the file system's checksum: "
                    + e.getMessage());
        }
        return Checkpoint.fromBytes(bytes, file.toString());
    }

    /** Checkpoint files, newest (highest step) first. */
    public List<Path> list() throws IOException {
        List<Path> files = new ArrayList<>();
        if (!fs.exists(dir)) {
            return files;
        }
        for (FileStatus status : fs.listStatus(dir)) {
            if (status.isFile() && NAME.matcher(status.getPath().getName()).matches()) {
                files.add(status.getPath());
            }
        }
        files.sort(Comparator.comparingLong(CheckpointStore::step).reversed());
        return files;
    }

    private static long step(Path file) {
        Matcher m = NAME.matcher(file.getName());
        return m.matches() ? Long.parseLong(m.group(1)) : -1;
    }

    /**
     * Options added since checkpoints were first written, whose default trains as the versions before them did
     * ({@code --missing mean}: those versions refused empty cells, so their data had none): a checkpoint without
     * one resumes when the run has the default.
     */
    private static final java.util.Set<String> ADDED_AT_DEFAULT = java.util.Set.of("missing");

    private static void checkSameRun(Path file, Map<String, String> stored, Map<String, String> current) {
        for (Map.Entry<String, String> e : current.entrySet()) {
            String was = stored.get(e.getKey());
            if (was == null && ADDED_AT_DEFAULT.contains(e.getKey())
                    && TrainOptions.named(e.getKey()).map(o -> o.defaultText().equals(e.getValue())).orElse(false)) {
                continue;
            }
            if (was == null) {
                throw new TrainConfig.ConfigException(String.format("cannot resume from %s: it records no --%s (a "
                        + "checkpoint of an older version); start afresh", file, e.getKey()));
            }
            if (!e.getValue().equals(was)) {
                throw new TrainConfig.ConfigException(String.format("cannot resume from %s: it was written with "
                        + "--%s %s but this run has --%s %s; leave --%s out to resume with the checkpoint's", file,
                        e.getKey(), was, e.getKey(), e.getValue(), e.getKey()));
            }
        }
    }
}
