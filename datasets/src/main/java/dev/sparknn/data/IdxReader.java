package dev.sparknn.data;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.Path;

/**
 * Reads unsigned-byte IDX files (the MNIST format), raw or gzip-compressed, through Hadoop's {@code FileSystem}, so
 * local paths, {@code file://}, {@code hdfs://} and {@code s3a://} all work.
 *
 * <p>Layout, big-endian: magic {@code 0x00 0x00 type ndims}, then {@code ndims} 4-byte dimensions, then
 * {@code product(dims)} data bytes. A file is gzip-compressed if and only if its name ends in {@code .gz}; one that
 * is not is refused with a description of what it holds.
 *
 * <p>Call order: {@link #readHeader} once per file (on the driver; it checks the whole file's length), then
 * {@link #readImages} / {@link #readLabels} for any row ranges (on executors). Stateless.
 */
public final class IdxReader {

    /** Unsigned-byte images, 3 dims: {@code [count, rows, cols]}. */
    public static final int IMAGES_MAGIC = 0x00000803;
    /** Unsigned-byte labels, 1 dim: {@code [count]}. */
    public static final int LABELS_MAGIC = 0x00000801;

    private static final int BUFFER_BYTES = 1 << 16;

    private IdxReader() {
    }

    /**
     * Reads and validates the header of {@code file}: the magic, every dimension > 0, at most
     * {@code Integer.MAX_VALUE} data bytes, and a data length that matches the dimensions exactly. For {@code .gz}
     * files that means decompressing the whole file once.
     *
     * @param expectedMagic {@link #IMAGES_MAGIC} or {@link #LABELS_MAGIC}
     * @throws IdxFormatException if the file is not valid gzip (for {@code .gz}) or not a consistent IDX file
     */
    public static IdxHeader readHeader(Configuration conf, String file, int expectedMagic) throws IOException {
        String kind = kind(expectedMagic);
        int ndims = expectedMagic & 0xff;
        long dataOffset = 4L + 4L * ndims;
        if (isGzip(file)) {
            checkGzipMagic(conf, file);
        }
        try (InputStream in = open(conf, file, 0)) {
            ByteBuffer header = ByteBuffer.wrap(new byte[(int) dataOffset]);
            int got = in.readNBytes(header.array(), 0, 4);
            if (got == 4 && header.getInt(0) != expectedMagic) {
                byte[] head = Arrays.copyOf(header.array(), FirstBytes.COUNT);
                int headLength = 4 + in.readNBytes(head, 4, head.length - 4);
                head = Arrays.copyOf(head, headLength);
                // Other IDX files are described by their magic alone; text and images by what they are.
                String what = FirstBytes.isGzip(head) ? "; it looks gzip-compressed, so give it a .gz name"
                        : FirstBytes.isPng(head) || FirstBytes.idxMagic(head) == -1 && FirstBytes.isText(head)
                        ? "; it " + FirstBytes.describe(head) : "";
                throw new IdxFormatException(file, String.format(
                        "invalid IDX magic 0x%08x in %s (expected 0x%08x, an IDX %s file)%s",
                        header.getInt(0), file, expectedMagic, kind, what));
            }
            got += in.readNBytes(header.array(), got, (int) dataOffset - got);
            if (got < dataOffset) {
                throw new IdxFormatException(file, String.format(
                        "%s is truncated: it ends after %d bytes, inside the %d-byte header of an IDX %s file",
                        file, got, dataOffset, kind));
            }
            int[] dims = new int[ndims];
            for (int i = 0; i < ndims; i++) {
                dims[i] = header.getInt(4 + 4 * i);
            }
            long elements = 1;
            for (int i = 0; i < ndims; i++) {
                if (dims[i] <= 0) {
                    throw new IdxFormatException(file, String.format(
                            "dimension %d of %s is %d (dims %s); IDX dimensions must be > 0",
                            i, file, dims[i], Arrays.toString(dims)));
                }
                // Checked per factor, so the long product stays below 2^62.
                elements *= dims[i];
                if (elements > Integer.MAX_VALUE) {
                    throw new IdxFormatException(file, String.format(
                            "%s declares dims %s, more than %d data bytes; files that large are not supported",
                            file, Arrays.toString(dims), Integer.MAX_VALUE));
                }
            }
            long expected = dataOffset + elements;
            long actual;
            String measured;
            if (isGzip(file)) {
                actual = dataOffset + countRemaining(in);
                measured = "it decompresses to";
            } else {
                Path path = new Path(file);
                actual = path.getFileSystem(conf).getFileStatus(path).getLen();
                measured = "the file has";
            }
            if (actual != expected) {
                String problem = actual < expected ? "is truncated" : "has " + (actual - expected) + " trailing bytes";
                throw new IdxFormatException(file, String.format(
                        "%s %s: dims %s need %d bytes (%d header + %d data) but %s %d",
                        file, problem, Arrays.toString(dims), expected, dataOffset, elements, measured, actual));
            }
            return new IdxHeader(file, expectedMagic, dims, dataOffset);
        } catch (ZipException | EOFException e) {
            throw damaged(file, e);
        }
    }

    /**
     * Reads images {@code [first, first + n)}, scaling each byte {@code b} to {@code (b & 0xff) / 255f}.
     * Overwrites {@code dest[destOffset, destOffset + n * h.rowLength())}.
     *
     * @param h    an images header from {@link #readHeader}
     * @param dest caller-allocated; receives {@code [n, rows * cols]}, row-major
     * @throws IllegalArgumentException if the rows are outside {@code [0, h.count())} or {@code dest} is too short
     */
    public static void readImages(Configuration conf, IdxHeader h, int first, int n, float[] dest, int destOffset)
            throws IOException {
        requireMagic(h, IMAGES_MAGIC);
        checkRange(h, first, n);
        checkDest(h, n, dest.length, destOffset);
        readRows(conf, h, first, n, (chunk, length, done) -> {
            int base = destOffset + (int) done;
            for (int i = 0; i < length; i++) {
                dest[base + i] = (chunk[i] & 0xff) / 255f;
            }
        });
    }

    /**
     * Reads labels {@code [first, first + n)} into {@code dest[destOffset, destOffset + n)} (overwrites).
     *
     * @param h          a labels header from {@link #readHeader}
     * @param numClasses every label must lie in {@code [0, numClasses)}
     * @param dest       caller-allocated; receives {@code [n]} class indices
     * @throws IdxFormatException       if a label is outside {@code [0, numClasses)}
     * @throws IllegalArgumentException if the rows are outside {@code [0, h.count())} or {@code dest} is too short
     */
    public static void readLabels(Configuration conf, IdxHeader h, int first, int n, int numClasses, int[] dest,
            int destOffset) throws IOException {
        requireMagic(h, LABELS_MAGIC);
        if (numClasses <= 0) {
            throw new IllegalArgumentException("numClasses must be > 0, got " + numClasses + " for " + h.file());
        }
        checkRange(h, first, n);
        checkDest(h, n, dest.length, destOffset);
        readRows(conf, h, first, n, (chunk, length, done) -> {
            for (int i = 0; i < length; i++) {
                int label = chunk[i] & 0xff;
                if (label >= numClasses) {
                    throw new IdxFormatException(h.file(), String.format(
                            "label %d at index %d in %s is outside the class range [0, %d)",
                            label, first + done + i, h.file(), numClasses));
                }
                dest[destOffset + (int) done + i] = label;
            }
        });
    }

    /** Fails unless {@code [first, first + n)} lies within the file's items. */
    static void checkRange(IdxHeader h, int first, int n) {
        if (first < 0 || n < 0 || (long) first + n > h.count()) {
            throw new IllegalArgumentException(String.format(
                    "rows [%d, %d) are outside the %d items of %s", first, (long) first + n, h.count(), h.file()));
        }
    }

    private static void checkDest(IdxHeader h, int n, int destLength, int destOffset) {
        long needed = (long) n * h.rowLength();
        if (destOffset < 0 || destOffset + needed > destLength) {
            throw new IllegalArgumentException(String.format(
                    "dest of length %d cannot take %d values at offset %d (reading %s)",
                    destLength, needed, destOffset, h.file()));
        }
    }

    private static void requireMagic(IdxHeader h, int magic) {
        if (h.magic() != magic) {
            throw new IllegalArgumentException(String.format("%s is an IDX %s file, expected an IDX %s file",
                    h.file(), kind(h.magic()), kind(magic)));
        }
    }

    private static String kind(int magic) {
        return switch (magic) {
            case IMAGES_MAGIC -> "images";
            case LABELS_MAGIC -> "labels";
            default -> throw new IllegalArgumentException(String.format(
                    "unsupported IDX magic 0x%08x; supported are 0x%08x (images) and 0x%08x (labels)",
                    magic, IMAGES_MAGIC, LABELS_MAGIC));
        };
    }

    /** Receives consecutive chunks of the requested data; {@code done} counts the bytes delivered before. */
    private interface ChunkSink {
        void accept(byte[] chunk, int length, long done) throws IdxFormatException;
    }

    private static void readRows(Configuration conf, IdxHeader h, int first, int n, ChunkSink sink)
            throws IOException {
        long total = (long) n * h.rowLength();
        if (total == 0) {
            return;
        }
        try (InputStream in = open(conf, h.file(), h.dataOffset() + (long) first * h.rowLength())) {
            byte[] chunk = new byte[(int) Math.min(BUFFER_BYTES, total)];
            for (long done = 0; done < total; ) {
                int want = (int) Math.min(chunk.length, total - done);
                int got = in.readNBytes(chunk, 0, want);
                if (got < want) {
                    throw new IdxFormatException(h.file(), String.format(
                            "%s is truncated: rows [%d, %d) end %d bytes early (changed since its header was read?)",
                            h.file(), first, first + n, total - done - got));
                }
                sink.accept(chunk, got, done);
                done += got;
            }
        } catch (ZipException | EOFException e) {
            throw damaged(h.file(), e);
        }
    }

    /** Opens {@code file}, decompressed if its name ends in {@code .gz}, at uncompressed byte {@code position}. */
    private static InputStream open(Configuration conf, String file, long position) throws IOException {
        Path path = new Path(file);
        FSDataInputStream raw = path.getFileSystem(conf).open(path);
        InputStream in = raw;
        try {
            if (isGzip(file)) {
                in = new GZIPInputStream(raw, BUFFER_BYTES);
                in.skipNBytes(position);
            } else {
                raw.seek(position);
            }
            return in;
        } catch (IOException | RuntimeException e) {
            in.close();
            throw e;
        }
    }

    /**
     * Fails unless a {@code .gz} file starts with gzip's magic bytes, saying what the bytes are instead: an
     * uncompressed IDX file (as a browser that unpacks downloads leaves it), or text such as an HTML error page.
     */
    private static void checkGzipMagic(Configuration conf, String file) throws IOException {
        byte[] head = FirstBytes.read(conf, file);
        if (FirstBytes.isGzip(head)) {
            return;
        }
        String what;
        int magic = FirstBytes.idxMagic(head);
        if (head.length == 0) {
            what = "is empty";
        } else if (magic != -1) {
            what = String.format("is an uncompressed IDX %s file (magic 0x%08x), not gzip: remove .gz from its name",
                    kind(magic), magic);
        } else if (FirstBytes.isText(head)) {
            what = "starts with text `" + FirstBytes.firstLine(head) + "`, not gzip (a web page saved under the "
                    + "file's name? download it again)";
        } else {
            what = "starts with bytes " + FirstBytes.hex(head) + ", not gzip's 1f 8b";
        }
        throw new IdxFormatException(file, file + " " + what + "; files named *.gz are read as gzip");
    }

    private static boolean isGzip(String file) {
        return file.endsWith(".gz");
    }

    private static long countRemaining(InputStream in) throws IOException {
        byte[] buffer = new byte[BUFFER_BYTES];
        long count = 0;
        for (int r; (r = in.read(buffer)) >= 0; ) {
            count += r;
        }
        return count;
    }

    /** The JDK reports bad gzip data as ZipException and a stream cut short as EOFException. */
    private static IdxFormatException damaged(String file, IOException e) {
        String message = e instanceof ZipException
                ? String.format("%s is not a valid gzip file (%s); files named *.gz are read as gzip",
                        file, e.getMessage())
                : String.format("%s is truncated: the %s ends early", file, isGzip(file) ? "gzip stream" : "file");
        return new IdxFormatException(file, message, e);
    }
}
