package dev.sparknn.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sparknn.ops.Network;
import java.awt.Color;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.HeatMapChart;
import org.knowm.xchart.HeatMapChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.internal.chartpart.Chart;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * The run's pictures and report page, written into the output folder after training:
 * {@code loss.png} (train loss per round and per epoch, test loss per epoch) and {@code report.html}, which shows
 * them with the configuration and the per-epoch metrics; for classification also {@code accuracy.png} (test
 * accuracy per epoch), {@code confusion.png} (the final test confusion matrix) and per-class precision, recall and
 * F1; for regression {@code rmse.png} (train and test RMSE per epoch).
 */
public final class Report {

    /** Width and height of every plot, in pixels. */
    public static final int WIDTH = 900;
    public static final int HEIGHT = 500;
    static final int CONFUSION_SIZE = 640;
    private static final ObjectMapper JSON = new ObjectMapper();
    /** The loss plot's series of round losses. */
    static final String PER_ROUND = "train, per round";

    private Report() {
    }

    /**
     * @param metricLines   the metrics.jsonl lines, one per epoch
     * @param stepEpochs  where each of {@code stepLosses} belongs on the epoch axis: after step {@code s} of epoch
     *                    {@code e} of {@code S} steps, {@code e - 1 + s/S}, so that an epoch's last round meets its
     *                    epoch mean at {@code x = e}
     * @param stepLosses  mean training loss of every applied round, in order
     * @param finalTest   the test evaluation after the last epoch
     * @param config      option name → value, shown as a table
     */
    public static void write(Path dir, List<String> metricLines, double[] stepEpochs, double[] stepLosses,
                      Network.Evaluation finalTest, Map<String, String> config) throws IOException {
        write(dir, metricLines, stepEpochs, stepLosses, finalTest, config, List.of());
    }

    /**
     * {@link #write(Path, List, double[], double[], Network.Evaluation, Map)} with the classes' names (by index;
     * empty when the classes are indices), shown in the per-class table.
     */
    public static void write(Path dir, List<String> metricLines, double[] stepEpochs, double[] stepLosses,
                      Network.Evaluation finalTest, Map<String, String> config, List<String> classNames)
            throws IOException {
        System.setProperty("java.awt.headless", "true");
        List<JsonNode> epochs = new ArrayList<>();
        for (String line : metricLines) {
            epochs.add(JSON.readTree(line));
        }
        save(lossChart(epochs, stepEpochs, stepLosses), dir.resolve("loss.png"));
        if (isRegression(finalTest)) {
            save(rmseChart(epochs), dir.resolve("rmse.png"));
        } else {
            save(accuracyChart(epochs), dir.resolve("accuracy.png"));
            save(confusionChart(finalTest, classNames), dir.resolve("confusion.png"));
        }
        Files.writeString(dir.resolve("report.html"), html(epochs, finalTest, config, classNames));
    }

    static XYChart lossChart(List<JsonNode> epochs, double[] stepEpochs, double[] stepLosses) {
        if (stepEpochs.length != stepLosses.length) {
            throw new IllegalArgumentException(stepEpochs.length + " step places for " + stepLosses.length
                    + " step losses");
        }
        XYChart chart = new XYChartBuilder().width(WIDTH).height(HEIGHT).title("Loss").xAxisTitle("epoch")
                .yAxisTitle("mean loss").build();
        chart.getStyler().setDefaultSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
        chart.getStyler().setXAxisDecimalPattern("0.#");
        if (stepLosses.length > 0) {
            XYSeries steps = chart.addSeries(PER_ROUND, stepEpochs, stepLosses);
            steps.setMarker(SeriesMarkers.NONE);
            steps.setLineColor(new Color(160, 190, 230));
        }
        chart.addSeries("train, epoch mean", column(epochs, "epoch"), column(epochs, "train_loss"));
        chart.addSeries("test", column(epochs, "epoch"), column(epochs, "test_loss"));
        return chart;
    }

    private static XYChart accuracyChart(List<JsonNode> epochs) {
        XYChart chart = new XYChartBuilder().width(WIDTH).height(HEIGHT).title("Test accuracy").xAxisTitle("epoch")
                .yAxisTitle("accuracy (%)").build();
        double[] accuracy = column(epochs, "test_accuracy");
        for (int i = 0; i < accuracy.length; i++) {
            accuracy[i] *= 100;
        }
        chart.addSeries("test accuracy", column(epochs, "epoch"), accuracy);
        chart.getStyler().setLegendVisible(false);
        chart.getStyler().setXAxisDecimalPattern("0");
        return chart;
    }

    private static XYChart rmseChart(List<JsonNode> epochs) {
        XYChart chart = new XYChartBuilder().width(WIDTH).height(HEIGHT).title("Root mean squared error")
                .xAxisTitle("epoch").yAxisTitle("RMSE").build();
        chart.addSeries("train", column(epochs, "epoch"), column(epochs, "train_rmse"));
        chart.addSeries("test", column(epochs, "epoch"), column(epochs, "test_rmse"));
        chart.getStyler().setXAxisDecimalPattern("0");
        return chart;
    }

    /** Class {@code c} for people: its name, or its index when the classes have none. */
    public static String className(List<String> names, int c) {
        return names.isEmpty() ? Integer.toString(c) : names.get(c);
    }

    /**
     * A precision, recall or F1 for people: 4 decimals, or {@code –} where it is undefined (NaN: 0/0, a class never
     * predicted or without rows), as scikit-learn's {@code zero_division=np.nan} leaves it rather than printing 0.
     */
    public static String ratio(double value) {
        return Double.isNaN(value) ? UNDEFINED : String.format(Locale.ROOT, "%.4f", value);
    }

    /** How an undefined metric is shown. */
    public static final String UNDEFINED = "\u2013";

    /**
     * A warning naming the classes without rows in the evaluated data (their recall is undefined), or empty if
     * every class has rows.
     */
    public static java.util.Optional<String> absentClassesWarning(Network.Evaluation eval, String data) {
        return absentClassesWarning(eval, data, List.of());
    }

    /** {@link #absentClassesWarning(Network.Evaluation, String)} naming the classes by {@link #className}. */
    public static java.util.Optional<String> absentClassesWarning(Network.Evaluation eval, String data,
                                                                  List<String> classNames) {
        List<Integer> absent = eval.absentClasses();
        if (absent.isEmpty()) {
            return java.util.Optional.empty();
        }
        String classes = absent.stream().map(c -> className(classNames, c))
                .collect(java.util.stream.Collectors.joining(", "));
        return java.util.Optional.of(String.format("class%s %s of %d %s no rows in %s: %s recall is undefined (%s)",
                absent.size() == 1 ? "" : "es", classes, eval.classes(), absent.size() == 1 ? "has" : "have", data,
                absent.size() == 1 ? "its" : "their", UNDEFINED));
    }

    static boolean isRegression(Network.Evaluation eval) {
        return eval.classes() == 0;
    }

    /**
     * The final test confusion matrix as a heat map, rows true and columns predicted, class 0 in the top row as
     * {@code evaluate} prints it; both axes are labelled with {@link #className}: the names when {@code classNames}
     * has them (one per class, by index), the indices when it is empty.
     *
     * @throws IllegalArgumentException if {@code classNames} is neither empty nor one name per class
     */
    static HeatMapChart confusionChart(Network.Evaluation eval, List<String> classNames) {
        int k = eval.classes();
        if (!classNames.isEmpty() && classNames.size() != k) {
            throw new IllegalArgumentException(classNames.size() + " class names for " + k + " classes: "
                    + classNames);
        }
        HeatMapChart chart = new HeatMapChartBuilder().width(CONFUSION_SIZE).height(CONFUSION_SIZE)
                .title("Confusion matrix (test): rows true, columns predicted").xAxisTitle("predicted")
                .yAxisTitle("true").build();
        chart.getStyler().setShowValue(true);
        chart.getStyler().setRangeColors(new Color[] {Color.WHITE, new Color(70, 110, 180)});
        List<String> predicted = new ArrayList<>(k);
        List<String> trueDown = new ArrayList<>(k);
        // XChart's cells are [x index, y index, count] with y growing upwards: the true classes go in reverse, so
        // that class 0 is the top row, as evaluate prints the matrix.
        List<Number[]> cells = new ArrayList<>(k * k);
        for (int c = 0; c < k; c++) {
            predicted.add(className(classNames, c));
            trueDown.add(className(classNames, k - 1 - c));
        }
        for (int t = 0; t < k; t++) {
            for (int p = 0; p < k; p++) {
                cells.add(new Number[] {p, k - 1 - t, (int) Math.min(Integer.MAX_VALUE, eval.confusion()[t * k + p])});
            }
        }
        chart.addSeries("count", predicted, trueDown, cells);
        return chart;
    }

    private static String html(List<JsonNode> epochs, Network.Evaluation test, Map<String, String> config,
                               List<String> classNames) {
        StringBuilder h = new StringBuilder();
        JsonNode last = epochs.get(epochs.size() - 1);
        h.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>sparknn run report</title>\n")
                .append("<style>body{font-family:sans-serif;margin:2em;max-width:1000px}table{border-collapse:")
                .append("collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:3px 8px;text-align:right}")
                .append("th{background:#eef}td.k{text-align:left}img{max-width:100%}</style></head><body>\n");
        boolean regression = isRegression(test);
        h.append(regression
                ? String.format(Locale.ROOT, "<h1>Test RMSE %.4g after %d epochs</h1>\n", last.get("test_rmse").asDouble(),
                        last.get("epoch").asInt())
                : String.format(Locale.ROOT, "<h1>Test accuracy %.2f%% after %d epochs</h1>\n",
                        100 * last.get("test_accuracy").asDouble(), last.get("epoch").asInt()));
        // elapsed_seconds counts evaluations and checkpoints too; train_seconds is the steps' own clock.
        h.append(String.format(Locale.ROOT, "<p>test loss %.4f &middot; train loss %.4f &middot; %.1f s of training "
                        + "steps in %.1f s elapsed &middot; weights SHA-256 <code>%s</code></p>\n",
                last.get("test_loss").asDouble(), last.get("train_loss").asDouble(),
                last.path("train_seconds").asDouble(), last.get("elapsed_seconds").asDouble(),
                escape(last.path("weights_sha256").asText())));
        h.append("<img src=\"loss.png\" alt=\"loss per round and epoch\">\n");
        h.append(regression ? "<img src=\"rmse.png\" alt=\"train and test RMSE per epoch\">\n"
                : "<img src=\"accuracy.png\" alt=\"test accuracy per epoch\">\n");
        h.append("<h2>Per epoch</h2>\n<table><tr><th>epoch</th><th>train loss</th><th>test loss</th>")
                .append(regression ? "<th>train RMSE</th><th>test RMSE</th>" : "<th>test accuracy</th>")
                .append("<th>samples/s</th><th>elapsed (s)</th></tr>\n");
        for (JsonNode e : epochs) {
            String score = regression ? String.format(Locale.ROOT, "<td>%.4g</td><td>%.4g</td>",
                    e.get("train_rmse").asDouble(), e.get("test_rmse").asDouble())
                    : String.format(Locale.ROOT, "<td>%.2f%%</td>", 100 * e.get("test_accuracy").asDouble());
            h.append(String.format(Locale.ROOT, "<tr><td>%d</td><td>%.4f</td><td>%.4f</td>%s<td>%,.0f"
                            + "</td><td>%.1f</td></tr>\n", e.get("epoch").asInt(), e.get("train_loss").asDouble(),
                    e.get("test_loss").asDouble(), score, e.get("samples_per_second").asDouble(),
                    e.get("elapsed_seconds").asDouble()));
        }
        h.append("</table>\n");
        if (!regression) {
            h.append("<h2>Per class (test)</h2>\n<img src=\"confusion.png\" alt=\"confusion matrix\">\n")
                    .append("<table><tr><th>class</th><th>rows</th><th>precision</th><th>recall</th><th>F1</th></tr>\n");
            boolean undefined = false;
            for (int c = 0; c < test.classes(); c++) {
                undefined |= Double.isNaN(test.precision(c)) || Double.isNaN(test.recall(c));
                long rows = 0;
                for (int p = 0; p < test.classes(); p++) {
                    rows += test.confusion()[c * test.classes() + p];
                }
                h.append(String.format(Locale.ROOT, "<tr><td>%s</td><td>%d</td><td>%s</td><td>%s</td><td>%s</td>"
                        + "</tr>\n", escape(className(classNames, c)), rows, ratio(test.precision(c)),
                        ratio(test.recall(c)), ratio(test.f1(c))));
            }
            h.append("</table>\n");
            if (undefined) {
                h.append("<p>").append(UNDEFINED).append(": undefined (0/0), for a class never predicted (precision) "
                        + "or without test rows (recall)</p>\n");
            }
            absentClassesWarning(test, "the test rows", classNames).ifPresent(w -> h.append("<p><b>Warning:</b> ")
                    .append(escape(w)).append("</p>\n"));
        }
        h.append("<h2>Configuration</h2>\n<table>\n");
        config.forEach((k, v) -> h.append("<tr><td class=\"k\">").append(escape(k)).append("</td><td class=\"k\">")
                .append(escape(v)).append("</td></tr>\n"));
        return h.append("</table>\n</body></html>\n").toString();
    }

    private static double[] column(List<JsonNode> rows, String field) {
        return rows.stream().mapToDouble(r -> r.get(field).asDouble()).toArray();
    }

    private static void save(Chart<?, ?> chart, Path file) throws IOException {
        BitmapEncoder.saveBitmap(chart, file.toString(), BitmapEncoder.BitmapFormat.PNG);
    }

    private static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
