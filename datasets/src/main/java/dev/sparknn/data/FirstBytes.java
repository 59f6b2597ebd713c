package dev.sparknn.data;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;

/**
 * What the first bytes of a file say it holds, for the message about a file that is not what it is read as: an IDX
 * file by its magic number, a PNG image and gzip data by their signatures, text by its first line.
 */
final class FirstBytes {

    /** Bytes read to describe a file: a signature, and the start of a line of text. */
    static final int COUNT = 40;

    /** The first two bytes of every gzip stream, read big-endian (RFC 1952). */
    static final short GZIP_MAGIC = (short) 0x1f8b;

    /** The 8-byte signature every PNG file starts with (PNG specification, section 5.2). */
    private static final byte[] PNG_SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};

    private FirstBytes() {
    }

    /** The first {@link #COUNT} bytes of {@code file} as stored (not decompressed), fewer for a shorter file. */
    static byte[] read(Configuration conf, String file) throws IOException {
        Path path = new Path(file);
        try (InputStream in = path.getFileSystem(conf).open(path)) {
            return in.readNBytes(COUNT);
        }
    }

    static boolean isGzip(byte[] head) {
        return head.length >= 2 && ByteBuffer.wrap(head).getShort() == GZIP_MAGIC;
    }

    static boolean isPng(byte[] head) {
        return head.length >= PNG_SIGNATURE.length
                && Arrays.equals(head, 0, PNG_SIGNATURE.length, PNG_SIGNATURE, 0, PNG_SIGNATURE.length);
    }

    /**
     * The IDX magic number {@code head} starts with, {@link IdxReader#IMAGES_MAGIC} or
     * {@link IdxReader#LABELS_MAGIC}, or -1 for any other start.
     */
    static int idxMagic(byte[] head) {
        int magic = head.length >= 4 ? ByteBuffer.wrap(head).getInt() : -1;
        return magic == IdxReader.IMAGES_MAGIC || magic == IdxReader.LABELS_MAGIC ? magic : -1;
    }

    /** Whether {@code head} looks like text: printable ASCII, whitespace, or UTF-8 beyond ASCII. */
    static boolean isText(byte[] head) {
        for (byte b : head) {
            int c = b & 0xff;
            if (c < 0x20 && c != '\n' && c != '\r' && c != '\t' || c == 0x7f) {
                return false;
            }
        }
        return true;
    }

    /** The first non-blank line of text {@code head}, without the spaces around it. */
    static String firstLine(byte[] head) {
        return new String(head, StandardCharsets.UTF_8).strip().lines().findFirst().orElse("");
    }

    /** The first (up to) 8 bytes in hexadecimal, {@code 89 50 4e 47}. */
    static String hex(byte[] head) {
        StringBuilder hex = new StringBuilder();
        for (int i = 0; i < Math.min(8, head.length); i++) {
            hex.append(String.format("%s%02x", i == 0 ? "" : " ", head[i] & 0xff));
        }
        return hex.toString();
    }

    /**
     * What {@code head} is, as the rest of a sentence that starts with the file's name: {@code is empty},
     * {@code is a PNG image}, {@code is gzip-compressed}, {@code is a JPEG image},
     * {@code is an IDX images file (magic 0x00000803)},
     * {@code starts with text `a,b`} or {@code starts with bytes 00 11 ...}.
     */
    static String describe(byte[] head) {
        if (head.length == 0) {
            return "is empty";
        }
        if (isPng(head)) {
            return "is a PNG image";
        }
        if (isGzip(head)) {
            return "is gzip-compressed";
        }
        if (head.length >= 3 && (head[0] & 0xff) == 0xff && (head[1] & 0xff) == 0xd8 && (head[2] & 0xff) == 0xff) {
            return "is a JPEG image";                       // SOI marker, then the first segment's marker
        }
        int magic = idxMagic(head);
        if (magic != -1) {
            return String.format("is an IDX %s file (magic 0x%08x)",
                    magic == IdxReader.IMAGES_MAGIC ? "images" : "labels", magic);
        }
        return isText(head) ? "starts with text `" + firstLine(head) + "`" : "starts with bytes " + hex(head);
    }
}
