package dev.sparknn.data;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The ranges a model's inputs held in training, and a count of the values far outside them in other data, so that
 * inputs scaled otherwise than in training (raw 0-255 pixels for a model trained on pixel / 255) are said before
 * their predictions are trusted.
 *
 * <p>A value is <b>far outside</b> a training range {@code [min, max]} when it lies more than the range's width
 * beyond it (outside {@code [min − w, max + w]}, {@code w = max − min}, or {@code max(1, |max|)} for a constant
 * column): the test rows of a dataset stay inside, a rescaled input does not.
 *
 * @param names  each checked group's name for people: a column, or {@code inputs} for an image's pixels
 * @param inputs per group, the inputs it covers (indices into a row)
 * @param min    per group, the smallest training value
 * @param max    per group, the largest training value
 */
public record InputRanges(List<String> names, List<int[]> inputs, double[] min, double[] max)
        implements Serializable {

    /** Groups named in a warning; the rest are counted. */
    static final int NAMED = 5;

    /** One range over every input of rows {@code width} wide (images: their pixels share a scale). */
    public static InputRanges whole(int width, double min, double max) {
        int[] all = new int[width];
        for (int i = 0; i < width; i++) {
            all[i] = i;
        }
        return new InputRanges(List.of("inputs"), List.<int[]>of(all), new double[] {min}, new double[] {max});
    }

    /** The numeric columns of a table encoding, each over its one input; null if it has none. */
    public static InputRanges of(TableEncoding encoding) {
        List<String> names = new ArrayList<>();
        List<int[]> inputs = new ArrayList<>();
        List<double[]> bounds = new ArrayList<>();
        int at = 0;
        for (TableEncoding.Column c : encoding.columns()) {
            if (c instanceof TableEncoding.Numeric n) {
                names.add(n.name());
                inputs.add(new int[] {at});
                bounds.add(new double[] {n.min(), n.max()});
            }
            at += c.width();
        }
        return names.isEmpty() ? null : new InputRanges(names, inputs,
                bounds.stream().mapToDouble(b -> b[0]).toArray(), bounds.stream().mapToDouble(b -> b[1]).toArray());
    }

    /** The values seen per group: how many lay far outside, of how many, and their range. */
    public record Seen(long[] outside, long[] values, double[] min, double[] max) implements Serializable {
        /** The sum of two counts (a new one). */
        public Seen plus(Seen o) {
            int g = outside.length;
            Seen s = new Seen(new long[g], new long[g], new double[g], new double[g]);
            for (int i = 0; i < g; i++) {
                s.outside[i] = outside[i] + o.outside[i];
                s.values[i] = values[i] + o.values[i];
                s.min[i] = Math.min(min[i], o.min[i]);
                s.max[i] = Math.max(max[i], o.max[i]);
            }
            return s;
        }
    }

    /** Counts the values of {@code rows} rows, {@code width} each, in {@code x} (row-major). */
    public Seen scan(float[] x, int rows, int width) {
        int g = names.size();
        Seen s = new Seen(new long[g], new long[g], new double[g], new double[g]);
        for (int i = 0; i < g; i++) {
            double w = max[i] > min[i] ? max[i] - min[i] : Math.max(1, Math.abs(max[i]));
            double lo = min[i] - w;
            double hi = max[i] + w;
            double seenMin = Double.POSITIVE_INFINITY;
            double seenMax = Double.NEGATIVE_INFINITY;
            long out = 0;
            for (int r = 0; r < rows; r++) {
                for (int j : inputs.get(i)) {
                    float v = x[r * width + j];
                    seenMin = Math.min(seenMin, v);
                    seenMax = Math.max(seenMax, v);
                    if (v < lo || v > hi) {
                        out++;
                    }
                }
            }
            s.outside[i] = out;
            s.values[i] = (long) rows * inputs.get(i).length;
            s.min[i] = seenMin;
            s.max[i] = seenMax;
        }
        return s;
    }

    /**
     * One warning naming each group with values far outside its training range (the first {@value #NAMED}, then
     * how many more), with the range seen against the training range, or empty when there is none.
     *
     * @param data the data's name, to start the line
     */
    public Optional<String> warning(Seen seen, String data) {
        List<String> parts = new ArrayList<>();
        int more = 0;
        for (int i = 0; i < names.size(); i++) {
            if (seen.outside[i] > 0 && parts.size() == NAMED) {
                more++;
            } else if (seen.outside[i] > 0) {
                parts.add(String.format(Locale.ROOT, "%s: %,d of %,d values, seen %s against %s in training",
                        names.get(i), seen.outside[i], seen.values[i], range(seen.min[i], seen.max[i]),
                        range(min[i], max[i])));
            }
        }
        if (parts.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(data + " holds values far outside the model's training range (" + String.join("; ", parts)
                + (more > 0 ? String.format(Locale.ROOT, "; and %,d more", more) : "") + "); scale the inputs as the training data was (IDX images are read as pixel / 255), or the "
                + "predictions mean little");
    }

    private static String range(double lo, double hi) {
        return "[" + number(lo) + ", " + number(hi) + "]";
    }

    /** 4 significant digits, without trailing zeros: {@code 255}, {@code 0.1}, {@code -1.234}, {@code 1.500e-07}. */
    private static String number(double v) {
        if (v == Math.rint(v) && Math.abs(v) < 1e15) {
            return Long.toString((long) v);
        }
        String s = String.format(Locale.ROOT, "%.4g", v);
        return s.contains(".") && !s.contains("e") ? s.replaceAll("\\.?0+$", "") : s;
    }
}
