package dev.sparknn.data;

import java.io.IOException;
import java.nio.file.Files;
import java.util.regex.Pattern;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * Checks of the paths a command reads, made before Spark starts, so that a mistyped path fails at once with one line
 * naming the option and the path. Paths on the local file system (no scheme, or {@code file:}) are checked here;
 * others (HDFS, object stores) need the cluster's settings, and the readers check them once Spark is up.
 */
public final class InputPaths {

    /** IDX file names as MNIST spells them: {@code train-images-idx3-ubyte}, {@code t10k-labels-idx1-ubyte.gz}. */
    private static final Pattern IDX_FILE = Pattern.compile(".*[-.]idx\\d-ubyte(\\.gz)?");

    private InputPaths() {
    }

    /** Whether {@code path} is on the local file system: no scheme, or {@code file:}. */
    public static boolean isLocal(String path) {
        String scheme = new Path(path).toUri().getScheme();
        return scheme == null || scheme.equals("file");
    }

    /** Whether {@code name} (a file name or path) is named like one IDX file. */
    public static boolean isIdxFileName(String name) {
        return IDX_FILE.matcher(new Path(name).getName()).matches();
    }

    /**
     * Requires a local {@code path} to exist: a file or folder, or for a glob at least one match. Does nothing for
     * other file systems.
     *
     * @param option the option that named the path, for the message (e.g. {@code --data})
     * @throws InputException "{@code --data data/mnst: no such file or folder}"
     */
    public static void requireExisting(String option, String path) throws IOException {
        if (!isLocal(path)) {
            return;
        }
        if (isGlob(path)) {
            FileSystem fs = FileSystem.getLocal(new Configuration());
            FileStatus[] matches = fs.globStatus(new Path(path));
            if (matches == null || matches.length == 0) {
                throw new InputException(option + " " + path + ": the pattern matches no file");
            }
            return;
        }
        if (!Files.exists(local(path))) {
            throw new InputException(option + " " + path + ": no such file or folder");
        }
    }

    /**
     * Requires a local {@code path} to be an existing file, not a folder; does nothing for other file systems.
     *
     * @param usualName the file a folder given by mistake usually holds (e.g. {@code model.bin}), suggested when
     *                  it is there; or null
     * @throws InputException naming the option, the path and what it is instead
     */
    public static void requireFile(String option, String path, String usualName) throws IOException {
        if (!isLocal(path)) {
            return;
        }
        java.nio.file.Path p = local(path);
        if (!Files.exists(p)) {
            throw new InputException(option + " " + path + ": no such file");
        }
        if (Files.isDirectory(p)) {
            String hint = usualName != null && Files.isRegularFile(p.resolve(usualName))
                    ? "; pass the file in it: " + option + " " + new Path(path, usualName) : "";
            throw new InputException(option + " " + path + " is a folder, not a file" + hint);
        }
        if (!Files.isReadable(p)) {
            throw new InputException(option + " " + path + ": permission denied");
        }
    }

    private static boolean isGlob(String path) {
        return path.chars().anyMatch(c -> c == '*' || c == '?' || c == '[' || c == '{');
    }

    private static java.nio.file.Path local(String path) {
        return java.nio.file.Path.of(new Path(path).toUri().getPath());
    }
}
