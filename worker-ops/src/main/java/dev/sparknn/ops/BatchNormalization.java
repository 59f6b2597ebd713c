package dev.sparknn.ops;

/**
 * Batch normalization per channel, {@code [batch, C, H, W] → [batch, C, H, W]} (per feature on a flat
 * {@code [batch, C]}): {@code y = γ·x̂ + β}, {@code x̂ = (x − μ) / √(σ² + ε)}.
 *
 * <p>In training, {@code μ} and {@code σ²} are the batch's (each partition's chunk of rows: as in data-parallel
 * trainers without synchronised statistics), and the running mean and variance move towards them,
 * {@code running := 0.9·running + 0.1·batch} (the book's momentum). At inference they replace the batch's.
 *
 * <p>Its entries in the flat vector, at {@code offset}: {@code γ [C]}, {@code β [C]} (trained), then the running
 * mean {@code [C]} and variance {@code [C]}, non-trained state ({@link Layer#stateRanges}): they are averaged by sample
 * count with the weights at each round, checkpointed and saved in the model.
 *
 * @param shape input and output shape {@code [C, H, W]}
 */
public record BatchNormalization(Shape shape, int offset) implements Layer {

    /** Added to the variance, as ONNX's default {@code epsilon}. */
    public static final float EPSILON = 1e-5f;
    /** The running statistics' weight on their previous value. */
    public static final float MOMENTUM = 0.9f;

    @Override
    public Shape inShape() {
        return shape;
    }

    @Override
    public Shape outShape() {
        return shape;
    }

    private int channels() {
        return shape.channels();
    }

    @Override
    public int numParams() {
        return 4 * channels();
    }

    /** Index of {@code γ[0]}; {@code β} follows, then the running mean, then the running variance. */
    public int gammaOffset() {
        return offset;
    }

    public int betaOffset() {
        return offset + channels();
    }

    public int meanOffset() {
        return offset + 2 * channels();
    }

    public int varianceOffset() {
        return offset + 3 * channels();
    }

    @Override
    public int[] trainedRanges() {
        return new int[] {offset, meanOffset()};
    }

    @Override
    public int[] stateRanges() {
        return new int[] {meanOffset(), offset + numParams()};
    }

    /** {@code x̂ [capacity, C, H, W]}, then the batch's {@code μ [C]}, {@code σ² [C]} and {@code 1/√(σ²+ε) [C]}. */
    @Override
    public long scratchFloats(int capacity) {
        return (long) capacity * shape.size() + 3L * channels();
    }

    @Override
    public void forward(float[] params, int batch, float[] x, float[] y, Workspace ws, int slot) {
        int size = shape.size();
        int hw = shape.height() * shape.width();
        int cs = channels();
        float[] s = ws.floats[slot];
        int stats = ws.capacity * size;
        for (int c = 0; c < cs; c++) {
            float mean;
            float invStd;
            if (ws.training) {
                double sum = 0;
                for (int n = 0; n < batch; n++) {
                    for (int i = n * size + c * hw, end = i + hw; i < end; i++) {
                        sum += x[i];
                    }
                }
                double m = (double) batch * hw;
                double mu = sum / m;
                double sq = 0;
                for (int n = 0; n < batch; n++) {
                    for (int i = n * size + c * hw, end = i + hw; i < end; i++) {
                        double d = x[i] - mu;
                        sq += d * d;
                    }
                }
                mean = (float) mu;
                float var = (float) (sq / m);
                invStd = (float) (1 / Math.sqrt(var + (double) EPSILON));
                s[stats + c] = mean;
                s[stats + cs + c] = var;
                s[stats + 2 * cs + c] = invStd;
            } else {
                mean = params[meanOffset() + c];
                invStd = (float) (1 / Math.sqrt(params[varianceOffset() + c] + (double) EPSILON));
            }
            float gamma = params[gammaOffset() + c];
            float beta = params[betaOffset() + c];
            for (int n = 0; n < batch; n++) {
                for (int i = n * size + c * hw, end = i + hw; i < end; i++) {
                    float xHat = (x[i] - mean) * invStd;
                    s[i] = xHat;
                    y[i] = gamma * xHat + beta;
                }
            }
        }
    }

    /** Also writes the running statistics' new values, times the rows' weight, to their gradient entries. */
    @Override
    public void backward(float[] params, int batch, float[] x, float[] y, float[] dy, float[] dx, float[] grad,
                         boolean accumulate, Workspace ws, int slot) {
        int size = shape.size();
        int hw = shape.height() * shape.width();
        int cs = channels();
        float[] s = ws.floats[slot];
        int stats = ws.capacity * size;
        float w = (float) ws.chunkWeight;
        for (int c = 0; c < cs; c++) {
            double sumDy = 0;
            double sumDyXHat = 0;
            for (int n = 0; n < batch; n++) {
                for (int i = n * size + c * hw, end = i + hw; i < end; i++) {
                    sumDy += dy[i];
                    sumDyXHat += dy[i] * s[i];
                }
            }
            float dBeta = (float) sumDy;
            float dGamma = (float) sumDyXHat;
            float newMean = w * (MOMENTUM * params[meanOffset() + c] + (1 - MOMENTUM) * s[stats + c]);
            float newVar = w * (MOMENTUM * params[varianceOffset() + c] + (1 - MOMENTUM) * s[stats + cs + c]);
            add(grad, gammaOffset() + c, dGamma, accumulate);
            add(grad, betaOffset() + c, dBeta, accumulate);
            add(grad, meanOffset() + c, newMean, accumulate);
            add(grad, varianceOffset() + c, newVar, accumulate);
            if (dx != null) {
                float m = (float) batch * hw;
                float scale = params[gammaOffset() + c] * s[stats + 2 * cs + c] / m;
                for (int n = 0; n < batch; n++) {
                    for (int i = n * size + c * hw, end = i + hw; i < end; i++) {
                        dx[i] = scale * (m * dy[i] - dBeta - s[i] * dGamma);
                    }
                }
            }
        }
    }

    private static void add(float[] grad, int i, float v, boolean accumulate) {
        grad[i] = accumulate ? grad[i] + v : v;
    }

    @Override
    public String parameterName(int index, int number) {
        String[] names = {"gamma", "beta", "running mean", "running variance"};
        int i = index - offset;
        return String.format("%s%d[%d] (layer %d batch normalization)", names[i / channels()].replace(' ', '_'),
                number, i % channels(), number);
    }

    @Override
    public String toString() {
        return "batchnorm";
    }
}
