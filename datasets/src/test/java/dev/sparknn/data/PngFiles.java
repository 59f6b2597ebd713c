package dev.sparknn.data;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.CRC32;
import java.util.zip.DeflaterOutputStream;

/**
 * Writes PNG files byte by byte, as the PNG specification lays them out (IHDR, optional PLTE and tRNS, one IDAT,
 * IEND; filter 0 on every line), so that tests can make every colour type and bit depth that Java's own writer
 * cannot.
 */
final class PngFiles {

    static final int GREY = 0;
    static final int RGB = 2;
    static final int PALETTE = 3;
    static final int GREY_ALPHA = 4;
    static final int RGBA = 6;

    private PngFiles() {
    }

    /**
     * @param samples  {@code [height, width, channels]} raw sample values (palette indices for {@link #PALETTE})
     * @param palette  PLTE's RGB triples, or null
     * @param trns     the tRNS chunk's bytes, or null
     */
    static void write(Path file, int width, int height, int colorType, int bitDepth, int[] samples, byte[] palette,
                      byte[] trns) throws IOException {
        int channels = switch (colorType) {
            case GREY, PALETTE -> 1;
            case GREY_ALPHA -> 2;
            case RGB -> 3;
            case RGBA -> 4;
            default -> throw new IllegalArgumentException("colour type " + colorType);
        };
        ByteArrayOutputStream raw = new ByteArrayOutputStream();
        for (int y = 0; y < height; y++) {
            raw.write(0);
            int bits = 0;
            int acc = 0;
            for (int i = 0; i < width * channels; i++) {
                int v = samples[y * width * channels + i];
                if (bitDepth == 16) {
                    raw.write(v >> 8);
                    raw.write(v & 0xff);
                } else if (bitDepth == 8) {
                    raw.write(v);
                } else {
                    acc = acc << bitDepth | v;
                    bits += bitDepth;
                    if (bits == 8) {
                        raw.write(acc);
                        acc = 0;
                        bits = 0;
                    }
                }
            }
            if (bits > 0) {
                raw.write(acc << (8 - bits));
            }
        }
        ByteArrayOutputStream compressed = new ByteArrayOutputStream();
        try (DeflaterOutputStream z = new DeflaterOutputStream(compressed)) {
            z.write(raw.toByteArray());
        }
        ByteArrayOutputStream png = new ByteArrayOutputStream();
        png.write(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
        ByteArrayOutputStream ihdr = new ByteArrayOutputStream();
        DataOutputStream d = new DataOutputStream(ihdr);
        d.writeInt(width);
        d.writeInt(height);
        d.write(new byte[] {(byte) bitDepth, (byte) colorType, 0, 0, 0});
        chunk(png, "IHDR", ihdr.toByteArray());
        if (palette != null) {
            chunk(png, "PLTE", palette);
        }
        if (trns != null) {
            chunk(png, "tRNS", trns);
        }
        chunk(png, "IDAT", compressed.toByteArray());
        chunk(png, "IEND", new byte[0]);
        Files.write(file, png.toByteArray());
    }

    private static void chunk(ByteArrayOutputStream out, String type, byte[] data) throws IOException {
        DataOutputStream d = new DataOutputStream(out);
        byte[] t = type.getBytes(StandardCharsets.US_ASCII);
        d.writeInt(data.length);
        d.write(t);
        d.write(data);
        CRC32 crc = new CRC32();
        crc.update(t);
        crc.update(data);
        d.writeInt((int) crc.getValue());
    }
}
