package dev.sparknn.ops;

/**
 * The shape of one row as a layer sees it, {@code [channels, height, width]}; a batch of rows is
 * {@code [batch, channels, height, width]}, stored row-major (NCHW, as the book and ONNX store images). A flat row of
 * {@code n} values is {@code [n, 1, 1]}, so affine layers read any shape flattened in that order.
 */
public record Shape(int channels, int height, int width) implements java.io.Serializable {

    public Shape {
        if (channels <= 0 || height <= 0 || width <= 0) {
            throw new IllegalArgumentException("a shape needs positive sizes, got " + channels + "x" + height + "x"
                    + width);
        }
    }

    /** {@code [n, 1, 1]}: a row of {@code n} values. */
    public static Shape flat(int n) {
        return new Shape(n, 1, 1);
    }

    /** Values per row, {@code channels·height·width}. */
    public int size() {
        return Math.multiplyExact(Math.multiplyExact(channels, height), width);
    }

    public boolean isFlat() {
        return height == 1 && width == 1;
    }

    /** As the layers spelling writes it: {@code 784} when flat, otherwise {@code 1x28x28}. */
    @Override
    public String toString() {
        return isFlat() ? Integer.toString(channels) : channels + "x" + height + "x" + width;
    }
}
