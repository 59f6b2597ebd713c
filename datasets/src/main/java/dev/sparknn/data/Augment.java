package dev.sparknn.data;

import java.util.SplittableRandom;

/**
 * Deterministic image augmentation for growing a dataset: each copy of a row is the image rotated by a small
 * angle about its centre and shifted by whole pixels, both drawn from a generator seeded by
 * {@code (seed, copy, row)}, so the same arguments give the same pixels on any machine and partitioning.
 * Copy 0 is the original image.
 */
public final class Augment {

    /** Largest shift, in pixels, along each axis. */
    public static final int MAX_SHIFT = 2;
    /** Largest rotation, in degrees, either way. */
    public static final double MAX_DEGREES = 10;

    private Augment() {
    }

    /**
     * Copy {@code copy} of a {@code height × width} row-major image: rotated (bilinear, zero outside) and shifted.
     *
     * @param image {@code [height * width]}, unchanged
     * @return a new array of the same size; {@code image.clone()} for copy 0
     */
    public static float[] copy(float[] image, int height, int width, long seed, int copy, long row) {
        if (image.length != height * width) {
            throw new IllegalArgumentException("image has " + image.length + " values, not " + height + "x" + width);
        }
        if (copy == 0) {
            return image.clone();
        }
        SplittableRandom random = new SplittableRandom(seed ^ (0x9E3779B97F4A7C15L * (copy + 1))
                ^ (0xC2B2AE3D27D4EB4FL * (row + 1)));
        double angle = Math.toRadians((2 * random.nextDouble() - 1) * MAX_DEGREES);
        int dx = random.nextInt(-MAX_SHIFT, MAX_SHIFT + 1);
        int dy = random.nextInt(-MAX_SHIFT, MAX_SHIFT + 1);
        double cos = Math.cos(angle);
        double sin = Math.sin(angle);
        double cy = (height - 1) / 2.0;
        double cx = (width - 1) / 2.0;
        float[] out = new float[image.length];
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                // Output pixel (x, y) comes from the source point rotated back by the angle, before the shift.
                double ox = x - dx - cx;
                double oy = y - dy - cy;
                double sx = cos * ox + sin * oy + cx;
                double sy = -sin * ox + cos * oy + cy;
                out[y * width + x] = bilinear(image, height, width, sx, sy);
            }
        }
        return out;
    }

    private static float bilinear(float[] img, int height, int width, double x, double y) {
        int x0 = (int) Math.floor(x);
        int y0 = (int) Math.floor(y);
        double fx = x - x0;
        double fy = y - y0;
        return (float) ((1 - fx) * (1 - fy) * at(img, height, width, x0, y0) + fx * (1 - fy) * at(img, height, width,
                x0 + 1, y0) + (1 - fx) * fy * at(img, height, width, x0, y0 + 1) + fx * fy * at(img, height, width,
                x0 + 1, y0 + 1));
    }

    private static float at(float[] img, int height, int width, int x, int y) {
        return x < 0 || y < 0 || x >= width || y >= height ? 0f : img[y * width + x];
    }
}
