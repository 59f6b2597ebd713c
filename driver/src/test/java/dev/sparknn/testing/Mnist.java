package dev.sparknn.testing;

import static org.junit.jupiter.api.Assertions.fail;

import dev.sparknn.data.IdxFixtures;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/** The real MNIST fetched by scripts/fetch-mnist.sh (the README's test command runs it first), and subsets of it. */
public final class Mnist {

    private Mnist() {
    }

    public static Path dir() {
        Path dir = Path.of(System.getProperty("sparknn.repo", "."), "data", "mnist");
        if (!Files.isRegularFile(dir.resolve("train-images-idx3-ubyte"))) {
            fail("real MNIST is missing from " + dir + ": run scripts/fetch-mnist.sh (scripts/test.sh does)");
        }
        return dir;
    }

    /** Writes the first {@code trainRows} training and {@code testRows} test images as an MNIST-named IDX folder. */
    public static Path subset(Path target, int trainRows, int testRows) throws IOException {
        Files.createDirectories(target);
        copy(target, "train", trainRows);
        copy(target, "t10k", testRows);
        return target;
    }

    private static void copy(Path target, String split, int rows) throws IOException {
        byte[] pixels = head(dir().resolve(split + "-images-idx3-ubyte"), 16, rows * 784);
        byte[] labels = head(dir().resolve(split + "-labels-idx1-ubyte"), 8, rows);
        IdxFixtures.writeSplit(target, split, 28, 28, pixels, labels);
    }

    private static byte[] head(Path file, int headerBytes, int n) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            in.skipNBytes(headerBytes);
            return in.readNBytes(n);
        }
    }
}
