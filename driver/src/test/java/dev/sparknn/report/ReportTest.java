package dev.sparknn.report;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sparknn.ops.Network;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReportTest {

    @TempDir
    Path dir;

    @Test
    void writesThreeValidPngsOfTheExpectedSizeAndAPageThatLinksThem() throws Exception {
        List<String> metrics = List.of(
                "{\"epoch\":1,\"train_loss\":0.9,\"test_loss\":0.5,\"test_accuracy\":0.81,\"samples_per_second\":1000,"
                        + "\"elapsed_seconds\":2.0,\"weights_sha256\":\"ab12\"}",
                "{\"epoch\":2,\"train_loss\":0.4,\"test_loss\":0.3,\"test_accuracy\":0.9,\"samples_per_second\":1200,"
                        + "\"elapsed_seconds\":3.5,\"train_seconds\":2.0,\"weights_sha256\":\"cd34\"}");
        // 3 classes: true 0 → [5, 1, 0], true 1 → [0, 4, 0], true 2 → [1, 0, 3].
        Network.Evaluation eval = new Network.Evaluation(3.0, 14, 3, 3, new long[] {5, 1, 0, 0, 4, 0, 1, 0, 3});
        Map<String, String> config = new LinkedHashMap<>();
        config.put("layers", "784,10");
        config.put("data", "<script>alert(1)</script>");

        Report.write(dir, metrics, new double[] {1 / 3.0, 2 / 3.0, 1, 4 / 3.0, 5 / 3.0, 2},
                new double[] {1.2, 1.0, 0.8, 0.7, 0.5, 0.45}, eval, config);

        assertPng("loss.png", Report.WIDTH, Report.HEIGHT);
        assertPng("accuracy.png", Report.WIDTH, Report.HEIGHT);
        assertPng("confusion.png", Report.CONFUSION_SIZE, Report.CONFUSION_SIZE);
        String html = Files.readString(dir.resolve("report.html"));
        for (String img : new String[] {"loss.png", "accuracy.png", "confusion.png"}) {
            assertTrue(html.contains("<img src=\"" + img + "\""), "report links " + img);
        }
        assertTrue(html.contains("Test accuracy 90.00% after 2 epochs"), html);
        assertTrue(html.contains("2.0 s of training steps in 3.5 s elapsed"), "the training clock, then wall time");
        // Class 0: precision 5/6, recall 5/6; class 2: precision 3/3, recall 3/4.
        assertTrue(html.contains("<td>0</td><td>6</td><td>0.8333</td><td>0.8333</td><td>0.8333</td>"), html);
        assertTrue(html.contains("<td>2</td><td>4</td><td>1.0000</td><td>0.7500</td><td>0.8571</td>"), html);
        assertTrue(html.contains("&lt;script&gt;") && !html.contains("<script>"), "config values are escaped");
    }

    /**
     * The confusion plot reads like evaluate's printed matrix: true class 0 in the top row. XChart draws its y
     * values upwards, so the last y category is the top row.
     */
    @Test
    void confusionPlotHasClassZeroInTheTopRowAsTheConsolePrintsIt() throws Exception {
        // 3 classes: true 0 → [5, 1, 0], true 1 → [0, 4, 0], true 2 → [1, 0, 3].
        Network.Evaluation eval = new Network.Evaluation(3.0, 14, 3, 3, new long[] {5, 1, 0, 0, 4, 0, 1, 0, 3});
        org.knowm.xchart.HeatMapSeries series = Report.confusionChart(eval, List.of()).getSeriesMap().get("count");
        assertEquals(List.of("0", "1", "2"), series.getXData(), "predicted classes left to right");
        assertEquals(List.of("2", "1", "0"), series.getYData(), "true classes bottom to top");
        // getHeatData: [x index, y index, value]; the top row (y index 2) is true class 0.
        Map<String, Number> cells = new LinkedHashMap<>();
        for (Number[] cell : series.getHeatData()) {
            cells.put(cell[0] + "," + cell[1], cell[2]);
        }
        assertEquals(5, cells.get("0,2").intValue());
        assertEquals(1, cells.get("1,2").intValue());
        assertEquals(1, cells.get("0,0").intValue(), "true 2, predicted 0: bottom left");
        assertEquals(3, cells.get("2,0").intValue());
        Report.write(dir, List.of("{\"epoch\":1,\"train_loss\":0.9,\"test_loss\":0.5,\"test_accuracy\":0.81,"
                + "\"samples_per_second\":1000,\"elapsed_seconds\":2.0,\"weights_sha256\":\"ab12\"}"),
                new double[] {1.0}, new double[] {1.0}, eval, new LinkedHashMap<>());
    }

    /**
     * A model trained on a table with named classes (a CSV's setosa, versicolor, virginica) labels the confusion
     * plot's axes with the names, in the same order as the counts, as the per-class table does; too few names is a
     * caller's error, not a plot with indices.
     */
    @Test
    void confusionPlotLabelsItsAxesWithTheClassNames() throws Exception {
        // 3 classes: true 0 → [5, 1, 0], true 1 → [0, 4, 0], true 2 → [1, 0, 3].
        Network.Evaluation eval = new Network.Evaluation(3.0, 14, 3, 3, new long[] {5, 1, 0, 0, 4, 0, 1, 0, 3});
        List<String> names = List.of("setosa", "versicolor", "virginica");
        org.knowm.xchart.HeatMapSeries series = Report.confusionChart(eval, names).getSeriesMap().get("count");
        assertEquals(names, series.getXData(), "predicted, left to right");
        assertEquals(List.of("virginica", "versicolor", "setosa"), series.getYData(), "true, bottom to top");
        Map<String, Number> cells = new LinkedHashMap<>();
        for (Number[] cell : series.getHeatData()) {
            cells.put(series.getXData().get(cell[0].intValue()) + "," + series.getYData().get(cell[1].intValue()),
                    cell[2]);
        }
        assertEquals(5, cells.get("setosa,setosa").intValue());
        assertEquals(1, cells.get("versicolor,setosa").intValue(), "true setosa, predicted versicolor");
        assertEquals(1, cells.get("setosa,virginica").intValue(), "true virginica, predicted setosa");
        assertEquals(3, cells.get("virginica,virginica").intValue());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Report.confusionChart(eval, List.of("setosa", "versicolor")));
        assertTrue(e.getMessage().startsWith("2 class names for 3 classes"), e.getMessage());

        Report.write(dir, List.of("{\"epoch\":1,\"train_loss\":0.9,\"test_loss\":0.5,\"test_accuracy\":0.81,"
                + "\"samples_per_second\":1000,\"elapsed_seconds\":2.0,\"weights_sha256\":\"ab12\"}"),
                new double[] {1.0}, new double[] {1.0}, eval, new LinkedHashMap<>(), names);
        assertPng("confusion.png", Report.CONFUSION_SIZE, Report.CONFUSION_SIZE);
    }

    /**
     * The per-step line is drawn at the places the run recorded, on the same epoch axis as the epoch means: the
     * default run's rounds of 64 steps in epochs of 469 end at 64/469, 128/469, ..., 1, then 1 + 64/469, ..., 2.
     * (The plot used to place round i at i/469, squeezing 5 epochs of rounds into x < 0.1.)
     */
    @Test
    void theLossPlotDrawsEachRoundAtItsPlaceOnTheEpochAxis() throws Exception {
        double[] places = new double[16];
        double[] losses = new double[16];
        for (int i = 0; i < 16; i++) {
            int epoch = i / 8 + 1;
            int step = Math.min(469, 64 * (i % 8 + 1));
            places[i] = epoch - 1 + step / 469.0;
            losses[i] = 1.0 / (i + 1);
        }
        com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
        List<com.fasterxml.jackson.databind.JsonNode> epochs = List.of(
                json.readTree("{\"epoch\":1,\"train_loss\":0.4,\"test_loss\":0.2}"),
                json.readTree("{\"epoch\":2,\"train_loss\":0.1,\"test_loss\":0.1}"));
        org.knowm.xchart.XYChart chart = Report.lossChart(epochs, places, losses);
        org.knowm.xchart.XYSeries steps = chart.getSeriesMap().get(Report.PER_ROUND);
        assertArrayEquals(places, steps.getXData());
        assertArrayEquals(losses, steps.getYData());
        double[] epochX = chart.getSeriesMap().get("train, epoch mean").getXData();
        assertEquals(epochX[0], steps.getXData()[7], "epoch 1's last round meets its epoch mean");
        assertEquals(epochX[1], steps.getXData()[15], "as does epoch 2's");
        assertEquals(64 / 469.0, steps.getXData()[0], 1e-15);
        assertThrows(IllegalArgumentException.class, () -> Report.lossChart(epochs, new double[1], losses));
    }

    private void assertPng(String name, int width, int height) throws Exception {
        byte[] bytes = Files.readAllBytes(dir.resolve(name));
        assertEquals((byte) 0x89, bytes[0]);
        assertEquals("PNG", new String(bytes, 1, 3, java.nio.charset.StandardCharsets.US_ASCII));
        BufferedImage image = ImageIO.read(dir.resolve(name).toFile());
        assertNotNull(image, name + " decodes");
        assertEquals(width, image.getWidth(), name);
        assertEquals(height, image.getHeight(), name);
    }
}
