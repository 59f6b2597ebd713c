package dev.sparknn.ops;

/**
 * One stage of a {@link Network}, its forward and backward passes side by side. A layer's parameters are a view at
 * {@link #offset()} into the network's flat parameter vector (and the gradient uses the same layout); what the
 * forward pass must keep for the backward pass lives in the {@link Workspace}'s scratch for this layer.
 *
 * <p>Call order, per batch: {@link #forward}, then (training) {@link #backward} on the same workspace, before the
 * next batch's forward pass. Inputs are {@code [batch, inShape]} and outputs {@code [batch, outShape]}, row-major
 * ({@link Shape}). A layer that {@link #mayRunInPlace may run in place} is given {@code y == x} and {@code dx == dy}
 * when the network can spare the copy.
 */
public sealed interface Layer extends java.io.Serializable
        permits Affine, ActivationLayer, Convolution, MaxPooling, Dropout, BatchNormalization {

    Shape inShape();

    Shape outShape();

    /** Index of the layer's first parameter in the flat vector; 0 for a layer without parameters. */
    default int offset() {
        return 0;
    }

    /**
     * Number of entries in the flat vector, trained parameters and non-trained state together; 0 (the default) for a
     * layer without parameters (activations, pooling, dropout).
     */
    default int numParams() {
        return 0;
    }

    /** Whether {@code y} may be {@code x}'s buffer and {@code dx} {@code dy}'s. */
    default boolean mayRunInPlace() {
        return false;
    }

    /** Floats of scratch this layer needs in a workspace of {@code capacity} rows. */
    default long scratchFloats(int capacity) {
        return 0;
    }

    /** Ints of scratch this layer needs in a workspace of {@code capacity} rows. */
    default long scratchInts(int capacity) {
        return 0;
    }

    /** The trained parameters as {@code [from, to)} pairs of flat indices: the ones an optimizer updates. */
    default int[] trainedRanges() {
        return numParams() == 0 ? new int[0] : new int[] {offset(), offset() + numParams()};
    }

    /**
     * Non-trained state as {@code [from, to)} pairs (batch normalization's running statistics). In training,
     * {@link #backward} writes to these gradient entries the sample-weighted new value of the state
     * ({@code Σ w·value}) instead of a gradient, so that the step's mean is the new value ({@link Network#takeState}).
     */
    default int[] stateRanges() {
        return new int[0];
    }

    /**
     * Forward: {@code y := layer(x)}.
     *
     * @param x  {@code [batch, inShape]}
     * @param y  {@code [batch, outShape]}, overwritten (may be {@code x} if {@link #mayRunInPlace})
     * @param ws the workspace, for this layer's scratch ({@code slot}) and the pass's mode (training or inference)
     */
    void forward(float[] params, int batch, float[] x, float[] y, Workspace ws, int slot);

    /**
     * Backward, after {@link #forward} on the same rows: this layer's gradient entries accumulated into
     * ({@code accumulate}) or overwritten, and {@code dx := ∂loss/∂x}.
     *
     * @param x  {@code [batch, inShape]}, the forward pass's input (for an in-place layer, its output)
     * @param y  {@code [batch, outShape]}, the forward pass's output
     * @param dy {@code [batch, outShape]}, ∂loss/∂y
     * @param dx {@code [batch, inShape]}, overwritten; {@code null} to skip (first layer)
     */
    void backward(float[] params, int batch, float[] x, float[] y, float[] dy, float[] dx, float[] grad,
                  boolean accumulate, Workspace ws, int slot);

    /** E.g. {@code W2[3,7] (layer 2 weights)}: flat index {@code index} of this layer, its parameter layer number {@code number}. */
    default String parameterName(int index, int number) {
        return "parameter " + (index - offset()) + " of layer " + number + " (" + this + ")";
    }
}
