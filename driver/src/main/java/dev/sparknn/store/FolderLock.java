package dev.sparknn.store;

import dev.sparknn.train.TrainConfig;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileAlreadyExistsException;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * A folder owned by one run: the file {@code .lock} in it, created atomically at start-up (fails if it exists) and
 * deleted when the run ends. It holds {@code pid@host since}; a lock left by a process of this host that is no
 * longer alive (a run killed with SIGKILL) is taken over, so only a live run, or one on another host, keeps a
 * second run out.
 */
public final class FolderLock implements AutoCloseable {

    static final String NAME = ".lock";

    private final FileSystem fs;
    private final Path file;
    /** Whether taking the lock created the folder: an empty one is removed again on release. */
    private final boolean created;

    private FolderLock(FileSystem fs, Path file, boolean created) {
        this.fs = fs;
        this.file = file;
        this.created = created;
    }

    /**
     * Takes the lock on {@code dir} (creating the folder if needed).
     *
     * @param option the option and value that chose the folder, for the message (e.g. {@code --out runs/x})
     * @throws TrainConfig.ConfigException if another live run holds it, naming that run and the lock file, or if
     *                                     the folder cannot be created
     */
    public static FolderLock take(Configuration conf, String dir, String option) throws IOException {
        Path folder = new Path(dir);
        FileSystem fs = folder.getFileSystem(conf);
        boolean created = !fs.exists(folder);
        try {
            fs.mkdirs(folder);
        } catch (IOException e) {
            throw new TrainConfig.ConfigException(option + ": cannot create the checkpoint folder " + dir + " ("
                    + e.getClass().getSimpleName() + ": " + e.getMessage() + ")");
        }
        Path file = new Path(folder, NAME);
        String me = ProcessHandle.current().pid() + "@" + host() + " " + Instant.now();
        for (int attempt = 0; attempt < 2; attempt++) {
            if (create(fs, file, me)) {
                return new FolderLock(fs, file, created);
            }
            String owner = read(fs, file);
            if (owner != null && !stale(owner)) {
                throw new TrainConfig.ConfigException(String.format("%s: the checkpoint folder %s is in use by "
                        + "another run (process %s); wait for it to finish or choose another folder (if no such "
                        + "run is alive, delete %s)", option, dir, owner, file));
            }
            fs.delete(file, false);
        }
        throw new TrainConfig.ConfigException(option + ": another run took the lock " + file
                + " at the same time");
    }

    /** Creates the lock file if it does not exist; false if it does. Local files are created with O_EXCL. */
    private static boolean create(FileSystem fs, Path file, String content) throws IOException {
        if (fs.getScheme().equals("file")) {
            try {
                java.nio.file.Files.writeString(java.nio.file.Path.of(file.toUri().getPath()), content,
                        java.nio.file.StandardOpenOption.CREATE_NEW, java.nio.file.StandardOpenOption.WRITE);
                return true;
            } catch (java.nio.file.FileAlreadyExistsException e) {
                return false;
            }
        }
        try (OutputStream out = fs.create(file, false)) {
            out.write(content.getBytes(StandardCharsets.UTF_8));
            return true;
        } catch (FileAlreadyExistsException e) {
            return false;
        }
    }

    private static String read(FileSystem fs, Path file) throws IOException {
        try (InputStream in = fs.open(file)) {
            return new String(in.readNBytes(256), StandardCharsets.UTF_8).strip();
        } catch (java.io.FileNotFoundException e) {
            return null;
        }
    }

    /** A lock of a process on this host that has ended. */
    private static boolean stale(String owner) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(\\d+)@(\\S+).*").matcher(owner);
        return m.matches() && m.group(2).equals(host())
                && ProcessHandle.of(Long.parseLong(m.group(1))).map(p -> !p.isAlive()).orElse(true);
    }

    private static String host() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "localhost";
        }
    }

    /** Releases the lock, and removes the folder if taking the lock created it and nothing was written since. */
    @Override
    public void close() throws IOException {
        fs.delete(file, false);
        Path folder = file.getParent();
        if (created && fs.listStatus(folder).length == 0) {
            fs.delete(folder, false);
        }
    }
}
