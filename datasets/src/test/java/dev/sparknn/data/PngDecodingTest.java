package dev.sparknn.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every PNG colour type and bit depth decodes to the grey levels of its raw samples, transparency composited over
 * the background. The digit is the one of the cases' {@code mkpng.py}: a 28x28 vertical bar, background 0, ink 1,
 * edges 128/255.
 */
class PngDecodingTest {

    private static final Configuration CONF = new Configuration();
    private static final int SIDE = 28;
    /**
     * Exact for grey at 8 and 16 bits per sample (128·257 / 65535 = 128 / 255). Colour goes through the float32 luma
     * 0.299·R + 0.587·G + 0.114·B: three products and two sums of values ≤ 1, each within ½ ulp, the float weights'
     * sum within an ulp of 1, and the division by 255 and compositing over the background: under 8 ulps of 1
     * (9.5e-7).
     */
    private static final float TOLERANCE = 1e-6f;

    @TempDir
    Path dir;

    /** 0 background, 1 edge, 2 ink, as mkpng.py. */
    private static int ink(int x, int y) {
        if (4 <= y && y <= 23 && 13 <= x && x <= 15) {
            return 2;
        }
        return 4 <= y && y <= 23 && (x == 12 || x == 16) ? 1 : 0;
    }

    private static final int[] GREY = {0, 128, 255};

    /** The decoded digit every encoding must give: the 8-bit grey levels over 255. */
    private static float[] reference() {
        float[] v = new float[SIDE * SIDE];
        for (int y = 0; y < SIDE; y++) {
            for (int x = 0; x < SIDE; x++) {
                v[y * SIDE + x] = GREY[ink(x, y)] / 255f;
            }
        }
        return v;
    }

    private float[] decode(Path file, boolean invert) throws Exception {
        return FeatureFiles.read(CONF, file.toString(), SIDE * SIDE, invert).values();
    }

    private static Path resource(String name) {
        return Path.of("src/test/resources/cases/png", name);
    }

    /** Case 7: the cases' own files, as the generator wrote them. */
    @Test
    void greyAlphaAndSixteenBitGreyDecodeAsTheEightBitGreyImage() throws Exception {
        float[] a = decode(resource("a-grey8.png"), false);
        assertArrayEquals(reference(), a, TOLERANCE);
        assertEquals(128 / 255f, a[10 * SIDE + 12], TOLERANCE, "an edge pixel is 0.502, not brightened to 0.737");
        assertArrayEquals(a, decode(resource("b-grey-alpha.png"), false), TOLERANCE);
        assertArrayEquals(a, decode(resource("c-grey16.png"), false), TOLERANCE);
    }

    @Test
    void blackOnTransparentWithInvertEqualsBlackOnWhiteWithInvert() throws Exception {
        float[] e = decode(resource("e-black-on-white.png"), true);
        assertArrayEquals(reference(), e, TOLERANCE);
        assertArrayEquals(e, decode(resource("d-black-on-transparent.png"), true), TOLERANCE);
        // Without --invert, transparent is the black background: white ink with alpha reads as the digit itself.
        Path white = dir.resolve("white-on-transparent.png");
        write(white, PngFiles.RGBA, 8, v -> new int[] {255, 255, 255, GREY[v]}, null, null);
        assertArrayEquals(reference(), decode(white, false), TOLERANCE);
    }

    interface Pixel {
        int[] samples(int ink);
    }

    private static void write(Path file, int colorType, int depth, Pixel pixel, byte[] palette, byte[] trns)
            throws Exception {
        int channels = pixel.samples(0).length;
        int[] samples = new int[SIDE * SIDE * channels];
        for (int y = 0; y < SIDE; y++) {
            for (int x = 0; x < SIDE; x++) {
                System.arraycopy(pixel.samples(ink(x, y)), 0, samples, (y * SIDE + x) * channels, channels);
            }
        }
        PngFiles.write(file, SIDE, SIDE, colorType, depth, samples, palette, trns);
    }

    /** Every colour type at every bit depth PNG allows for it, holding the same grey levels. */
    @Test
    void everyColourTypeAndBitDepthReadsItsRawSamples() throws Exception {
        float[] want = reference();
        record Case(String name, int type, int depth, Pixel pixel, byte[] palette, byte[] trns) {
        }
        byte[] greyPalette = {0, 0, 0, (byte) 128, (byte) 128, (byte) 128, (byte) 255, (byte) 255, (byte) 255};
        List<Case> cases = List.of(
                new Case("rgb8", PngFiles.RGB, 8, v -> new int[] {GREY[v], GREY[v], GREY[v]}, null, null),
                new Case("rgb16", PngFiles.RGB, 16, v -> new int[] {257 * GREY[v], 257 * GREY[v], 257 * GREY[v]},
                        null, null),
                new Case("rgba16", PngFiles.RGBA, 16, v -> new int[] {257 * GREY[v], 257 * GREY[v], 257 * GREY[v],
                    65535}, null, null),
                new Case("grey-alpha16", PngFiles.GREY_ALPHA, 16, v -> new int[] {257 * GREY[v], 65535}, null, null),
                new Case("palette8", PngFiles.PALETTE, 8, v -> new int[] {v}, greyPalette, null),
                new Case("palette2", PngFiles.PALETTE, 2, v -> new int[] {v}, greyPalette, null),
                new Case("palette4-transparent", PngFiles.PALETTE, 4, v -> new int[] {v == 0 ? 3 : v},
                        new byte[] {0, 0, 0, (byte) 128, (byte) 128, (byte) 128, (byte) 255, (byte) 255, (byte) 255,
                            (byte) 200, (byte) 200, (byte) 200}, new byte[] {(byte) 255, (byte) 255, (byte) 255, 0}));
        for (Case c : cases) {
            Path file = dir.resolve(c.name() + ".png");
            write(file, c.type(), c.depth(), c.pixel(), c.palette(), c.trns());
            assertArrayEquals(want, decode(file, false), TOLERANCE, c.name());
        }
    }

    /** Grey at 1, 2 and 4 bits: level k of 2^d − 1 reads as k / (2^d − 1). */
    @Test
    void lowBitDepthGreyScalesByItsOwnMaximum() throws Exception {
        for (int depth : new int[] {1, 2, 4}) {
            int max = (1 << depth) - 1;
            int[] levels = {0, max / 2, max};
            Path file = dir.resolve("grey" + depth + ".png");
            write(file, PngFiles.GREY, depth, v -> new int[] {levels[v]}, null, null);
            float[] got = decode(file, false);
            for (int y = 0; y < SIDE; y++) {
                for (int x = 0; x < SIDE; x++) {
                    assertEquals((float) levels[ink(x, y)] / max, got[y * SIDE + x], TOLERANCE,
                            "depth " + depth + " at " + x + "," + y);
                }
            }
        }
    }

    /** A tRNS chunk on grey marks one grey value transparent: it becomes the background. */
    @Test
    void greyWithTransparentColourIsCompositedOverTheBackground() throws Exception {
        Path file = dir.resolve("grey-trns.png");
        // Background stored as 77, declared transparent: over the black background it reads as 0.
        write(file, PngFiles.GREY, 8, v -> new int[] {v == 0 ? 77 : GREY[v]}, null, new byte[] {0, 77});
        assertArrayEquals(reference(), decode(file, false), TOLERANCE);
    }
}
