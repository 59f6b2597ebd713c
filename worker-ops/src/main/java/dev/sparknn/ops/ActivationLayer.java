package dev.sparknn.ops;

/**
 * An element-wise {@link Activation} as a layer, {@code y = f(x)} on any shape. It runs in place: its backward pass
 * needs only its output ({@link Activation#backward}).
 *
 * @param function the activation
 * @param shape    input and output shape
 */
public record ActivationLayer(Activation function, Shape shape) implements Layer {

    @Override
    public Shape inShape() {
        return shape;
    }

    @Override
    public Shape outShape() {
        return shape;
    }

    @Override
    public boolean mayRunInPlace() {
        return true;
    }

    @Override
    public void forward(float[] params, int batch, float[] x, float[] y, Workspace ws, int slot) {
        int n = batch * shape.size();
        if (y != x) {
            System.arraycopy(x, 0, y, 0, n);
        }
        function.forward(y, 0, n);
    }

    @Override
    public void backward(float[] params, int batch, float[] x, float[] y, float[] dy, float[] dx, float[] grad,
                         boolean accumulate, Workspace ws, int slot) {
        if (dx == null) {
            return;
        }
        int n = batch * shape.size();
        if (dx != dy) {
            System.arraycopy(dy, 0, dx, 0, n);
        }
        function.backward(y, dx, 0, n);
    }

    @Override
    public String toString() {
        return function.name().toLowerCase(java.util.Locale.ROOT);
    }
}
