package dev.sparknn.store;

import dev.sparknn.train.TrainConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * The run's output folder, never half-written: files go to a hidden sibling {@code .<name>.partial-<pid>},
 * which {@link #commit} renames to the final name once everything is written. An existing output folder is
 * refused at start-up unless {@code overwrite}; with it, the old folder is replaced only at commit.
 */
public final class RunOutput {

    private final Path target;
    private final Path partial;
    private final boolean overwrite;

    private RunOutput(Path target, Path partial, boolean overwrite) {
        this.target = target;
        this.partial = partial;
        this.overwrite = overwrite;
    }

    /**
     * @throws TrainConfig.ConfigException if {@code target} exists and {@code overwrite} is false
     */
    public static RunOutput create(Path target, boolean overwrite) throws IOException {
        Path absolute = target.toAbsolutePath().normalize();
        if (Files.exists(absolute) && !overwrite) {
            throw new TrainConfig.ConfigException("--out " + target + " already exists; choose another folder or pass "
                    + "--overwrite to replace it when this run finishes");
        }
        Path parent = absolute.getParent();
        Path partial = parent.resolve("." + absolute.getFileName() + ".partial-" + ProcessHandle.current().pid());
        try {
            Files.createDirectories(parent);
            deleteRecursively(partial);
            Files.createDirectory(partial);
        } catch (IOException e) {
            throw new TrainConfig.ConfigException("--out " + target + ": cannot create " + partial + " ("
                    + e.getClass().getSimpleName() + ": " + e.getMessage() + ")");
        }
        return new RunOutput(absolute, partial, overwrite);
    }

    /** The folder being written until commit. */
    public Path dir() {
        return partial;
    }

    /** Where to write a file of this run before commit. */
    public Path file(String name) {
        return partial.resolve(name);
    }

    public Path target() {
        return target;
    }

    /** Moves the finished folder into place, replacing an old one if {@code overwrite}. */
    public void commit() throws IOException {
        Path old = null;
        if (Files.exists(target)) {
            if (!overwrite) {
                throw new TrainConfig.ConfigException("--out " + target + " appeared while training (another run "
                        + "with the same --out?); this run's results are kept in " + partial);
            }
            old = target.resolveSibling("." + target.getFileName() + ".old-" + ProcessHandle.current().pid());
            Files.move(target, old, StandardCopyOption.ATOMIC_MOVE);
        }
        try {
            Files.move(partial, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            if (old != null) {
                Files.move(old, target, StandardCopyOption.ATOMIC_MOVE);
            }
            throw new IOException("could not move the finished run from " + partial + " to " + target
                    + "; the new results are in " + partial, e);
        }
        if (old != null) {
            deleteRecursively(old);
        }
    }

    /** Removes the partial folder of a run that failed. */
    public void abandon() throws IOException {
        deleteRecursively(partial);
    }

    private static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) paths.sorted(Comparator.reverseOrder())::iterator) {
                Files.delete(p);
            }
        }
    }
}
