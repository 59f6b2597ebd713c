package dev.sparknn.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnx.proto.OnnxMl;
import dev.sparknn.data.SparkTestSession;
import dev.sparknn.store.ModelFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.LoggerConfig;
import org.apache.logging.log4j.core.config.Property;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Tables as people have them, through the command line, on files written here: named classes, a text feature
 * column, empty cells, and bad cells named by file, line, column and value.
 */
@Timeout(300)
class TablesIT {

    private static final List<String> SPECIES = List.of("setosa", "versicolor", "virginica");

    @TempDir
    static Path tmp;
    /** 600 rows: f1, f2 (every 50th row's empty, from row 8 on, line 9), colour (text), species (named class). */
    private static Path flowers;
    private static MainIT.Run trained;

    @BeforeAll
    static void trainOnNamedClasses() throws IOException {
        SparkTestSession.get();
        Random random = new Random(3);
        List<String> lines = new ArrayList<>(List.of("f1,f2,colour,species"));
        for (int i = 0; i < 600; i++) {
            int k = random.nextInt(3);
            String colour = List.of("red", "green", "blue").get(random.nextDouble() < 0.8 ? k : random.nextInt(3));
            String f2 = i % 50 == 7 ? "" : String.format("%.3f", k + random.nextGaussian() * 0.5);
            lines.add(String.format("%.3f,%s,%s,%s", k + random.nextGaussian() * 0.4, f2, colour, SPECIES.get(k)));
        }
        flowers = tmp.resolve("flowers.csv");
        Files.write(flowers, lines);
        trained = MainIT.run("train", "--data", flowers.toString(), "--label", "species", "--layers", "5,16,3",
                "--epochs", "20", "--out", tmp.resolve("run").toString(), "--master", "local[2]");
    }

    /** Train, evaluate, predict and export with names: the classes sorted by name, the levels one-hot. */
    @Test
    void namedClassesGoRoundTrainEvaluatePredictAndOnnx() throws Exception {
        assertEquals(0, trained.code(), trained.err());
        // The empty cells are counted and filled at load.
        assertTrue(trained.out().contains("warning: " + flowers.toUri().toString().replace("file:///", "file:/")
                + ": column 'f2' has 12 empty cells, filled with the training mean 0.9975"), trained.out());
        Path model = tmp.resolve("run/model.bin");
        ModelFile.Model m = ModelFile.read(model);
        assertEquals(SPECIES, m.classNames());
        assertEquals(List.of("f1", "f2", "colour"), m.columns());
        assertEquals(List.of("f1", "f2", "colour=blue", "colour=green", "colour=red"), m.features());
        assertTrue(Files.readString(tmp.resolve("run/report.html")).contains("<td>versicolor</td>"));

        // evaluate takes the label column from the model, and prints names.
        MainIT.Run r = MainIT.run("evaluate", "--model", model.toString(), "--data", flowers.toString(),
                "--master", "local[2]");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().matches("(?s).*\\n +setosa +\\d+ +0\\.\\d+.*\\nversicolor +\\d+ .*\\n virginica .*"),
                r.out());
        java.util.regex.Matcher accuracy = java.util.regex.Pattern.compile("accuracy ([\\d.]+)%").matcher(r.out());
        assertTrue(accuracy.find() && Double.parseDouble(accuracy.group(1)) > 90, r.out());

        // predict by name, in another column order; an unseen level is all zeros, counted in one warning.
        Path input = tmp.resolve("predict.csv");
        Files.write(input, List.of("colour,f2,f1", "red,0.0,0.0", "blue,2.1,2.0", "purple,1,1", "purple,,1"));
        r = MainIT.run("predict", "--model", model.toString(), "--input", input.toString());
        assertEquals(0, r.code(), r.err());
        List<String> out = r.out().lines().toList();
        assertEquals("source,predicted,class,p0,p1,p2", out.get(0));
        assertTrue(out.get(1).startsWith("predict.csv:0,0,setosa,"), r.out());
        assertTrue(out.get(2).startsWith("predict.csv:1,2,virginica,"), r.out());
        assertEquals(1, r.err().lines().filter(l -> l.startsWith("warning:")).count(), r.err());
        assertTrue(r.err().contains("column 'colour' holds a level unseen in training in 2 of 4 rows (first "
                + "'purple' at line 4), encoded as no level (all zeros); the model knows [blue, green, red]"),
                r.err());

        // ONNX metadata carries the names.
        Path onnx = tmp.resolve("model.onnx");
        r = MainIT.run("export", "--model", model.toString(), "--output", onnx.toString());
        assertEquals(0, r.code(), r.err());
        Map<String, String> props = OnnxMl.ModelProto.parseFrom(Files.readAllBytes(onnx)).getMetadataPropsList()
                .stream().collect(Collectors.toMap(OnnxMl.StringStringEntryProto::getKey,
                        OnnxMl.StringStringEntryProto::getValue));
        assertEquals("setosa,versicolor,virginica", props.get("class_names"));
        assertTrue(props.get("table_encoding").contains("\"levels\":[\"blue\",\"green\",\"red\"]"),
                props.get("table_encoding"));
    }

    /**
     * Case (b) of the issue: raw 0-255 pixels given to a model trained on IDX images, read as pixel / 255, are
     * predicted with a warning naming the range seen against the training range; a table column likewise.
     */
    @Test
    void inputsFarOutsideTheTrainingRangeAreSaid() throws IOException {
        Path idx = Path.of("../datasets/src/test/resources/cases/idx");
        MainIT.Run r = MainIT.run("train", "--data", idx.toString(), "--layers", "16,8,3", "--epochs", "1",
                "--out", tmp.resolve("idx").toString(), "--master", "local[2]");
        assertEquals(0, r.code(), r.err());
        Path model = tmp.resolve("idx/model.bin");
        double[] range = ModelFile.read(model).inputRange();
        assertTrue(range[0] >= 0 && range[1] <= 1 && range[1] > 0.5, java.util.Arrays.toString(range));
        List<String> pixels = new ArrayList<>(List.of(java.util.stream.IntStream.range(0, 16)
                .mapToObj(i -> "p" + i).collect(Collectors.joining(","))));
        for (int row = 0; row < 3; row++) {
            int shift = row;
            pixels.add(java.util.stream.IntStream.range(0, 16).mapToObj(i -> Integer.toString((i * 17 + shift) % 256))
                    .collect(Collectors.joining(",")));
        }
        Path raw = tmp.resolve("raw-pixels.csv");
        Files.write(raw, pixels);
        r = MainIT.run("predict", "--model", model.toString(), "--input", raw.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.err().matches("(?s).*warning: \\S*raw-pixels\\.csv holds values far outside the model's "
                + "training range \\(inputs: \\d+ of 48 values, seen \\[0, 255\\] against \\[0, 0?\\.?\\d*\\] in "
                + "training\\); scale the inputs as the training data was.*"), r.err());
        // The same pixels scaled to [0, 1] draw no warning.
        List<String> scaled = new ArrayList<>(List.of(pixels.get(0)));
        pixels.subList(1, pixels.size()).forEach(l -> scaled.add(java.util.Arrays.stream(l.split(","))
                .map(v -> Double.toString(Integer.parseInt(v) / 255.0)).collect(Collectors.joining(","))));
        Files.write(raw, scaled);
        r = MainIT.run("predict", "--model", model.toString(), "--input", raw.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(!r.err().contains("warning"), r.err());

        // A table's column: f1 in centimetres instead of metres, say.
        Path input = tmp.resolve("f1-scaled.csv");
        Files.write(input, List.of("f1,f2,colour", "100,0.5,red", "1,0.5,red", "250,1,blue"));
        r = MainIT.run("predict", "--model", tmp.resolve("run/model.bin").toString(), "--input", input.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.err().matches("(?s).*f1-scaled\\.csv holds values far outside the model's training range "
                + "\\(f1: 2 of 3 values, seen \\[1, 250\\] against \\[-\\d\\.\\d+, \\d\\.\\d+\\] in training\\);.*"),
                r.err());
        r = MainIT.run("evaluate", "--model", tmp.resolve("run/model.bin").toString(), "--data", flowers.toString(),
                "--master", "local[2]");
        assertEquals(0, r.code(), r.err());
        assertTrue(!r.err().contains("warning"), r.err());
        // evaluate on rows with f1 out of scale and a colour the model never saw: one warning each.
        Path odd = tmp.resolve("odd.csv");
        Files.write(odd, List.of("f1,f2,colour,species", "100,0.5,red,setosa", "0.1,0.2,pink,setosa",
                "2,2,blue,virginica"));
        r = MainIT.run("evaluate", "--model", tmp.resolve("run/model.bin").toString(), "--data", odd.toString(),
                "--master", "local[2]");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.err().contains("odd.csv: levels unseen in training, encoded as no level (all zeros): 'colour' "
                + "in 1 rows (the model knows [blue, green, red])"), r.err());
        assertTrue(r.err().matches("(?s).*odd\\.csv holds values far outside the model's training range \\(f1: 1 of 3 "
                + "values, seen \\[0\\.1, 100\\].*"), r.err());
        assertTrue(r.err().contains("class versicolor of 3 has no rows in "), r.err());
    }

    /**
     * Case (a) of the issue, R's write.csv (a first column of row names under an empty header cell, every name
     * quoted), and pandas' to_csv (its index the same way) train without that column, with --layers auto,8,auto
     * taken from the data; a semicolon-separated file is refused in one line saying what it is.
     */
    @Test
    void filesAsRAndPandasWriteThemTrainWithWidthsFromTheData() throws Exception {
        Random random = new Random(5);
        List<String> r = new ArrayList<>(List.of("\"\",\"a\",\"b\",\"label\""));
        List<String> pandas = new ArrayList<>(List.of(",a,b,label"));
        List<String> semicolons = new ArrayList<>(List.of("a;b;label"));
        for (int i = 0; i < 300; i++) {
            double a = random.nextDouble();
            double b = random.nextDouble();
            int y = a > b ? 1 : 0;
            r.add(String.format("\"%d\",%.4f,%.4f,%d", i + 1, a, b, y));
            pandas.add(String.format("%d,%.4f,%.4f,%d", i, a, b, y));
            semicolons.add(String.format("%.4f;%.4f;%d", a, b, y).replace('.', ','));
        }
        for (String name : new String[] {"rwrite.csv", "pandas.csv"}) {
            Path file = tmp.resolve(name);
            Files.write(file, name.equals("rwrite.csv") ? r : pandas);
            List<String> logged = new ArrayList<>();
            MainIT.Run run = logging(logged, () -> MainIT.run("train", "--data", file.toString(), "--layers",
                    "auto,8,auto", "--epochs", "20", "--out", tmp.resolve("out-" + name).toString(), "--master",
                    "local[2]"));
            assertEquals(0, run.code(), name + ": " + run.err());
            // The widths come from the pass that chooses the encoding; the load reuses it, and the schema read.
            assertEquals(1, logged.stream().filter(m -> m.startsWith("reading the schema of ")).count(), name
                    + ": " + logged);
            assertEquals(1, logged.stream().filter(m -> m.endsWith(" once to choose each column's encoding")).count(),
                    name + ": " + logged);
            assertTrue(run.out().contains("--layers 2,8,2 (auto from "), run.out());
            assertEquals(List.of("a", "b"), ModelFile.read(tmp.resolve("out-" + name + "/model.bin")).columns());
            assertTrue(Files.readString(tmp.resolve("out-" + name + "/config.conf")).contains("layers = \"2,8,2\""),
                    name);
        }
        Path semi = tmp.resolve("semicolons.csv");
        Files.write(semi, semicolons);
        MainIT.Run run = MainIT.run("train", "--data", semi.toString(), "--layers", "auto,8,auto", "--out",
                tmp.resolve("out-semi").toString(), "--master", "local[2]");
        assertEquals(Main.EXIT_DATA, run.code(), run.err());
        assertTrue(run.err().contains("semicolons.csv: the header 'a;b;label' is one column holding ';': a "
                + "semicolon-separated file"), run.err());

        run = MainIT.run("train", "--data", semi.toString(), "--layers", "2,auto,2", "--out",
                tmp.resolve("out-hidden").toString(), "--master", "local[2]");
        assertEquals(Main.EXIT_CONFIG, run.code(), run.err());
        assertTrue(run.err().contains("--layers 2,auto,2: auto stands for the input width (first) or the class "
                + "count (last), not a hidden width (position 2)"), run.err());
        // The default --out is named after the data.
        assertEquals("iris", TrainCommand.dataName("data/iris.csv.gz"));
        assertEquals("mnist", TrainCommand.dataName("/home/u/data/mnist/"));
        assertEquals("part", TrainCommand.dataName("s3a://bucket/t/part.parquet"));
    }

    /** {@code action}'s result; the messages our classes log (INFO and above) while it runs go into {@code into}. */
    private static <T> T logging(List<String> into, Supplier<T> action) {
        LoggerContext context = (LoggerContext) LogManager.getContext(false);
        List<String> messages = Collections.synchronizedList(into);
        AbstractAppender appender = new AbstractAppender("TablesIT", null, null, true, Property.EMPTY_ARRAY) {
            @Override
            public void append(LogEvent event) {
                messages.add(event.getMessage().getFormattedMessage());
            }
        };
        appender.start();
        LoggerConfig ours = context.getConfiguration().getLoggerConfig("dev.sparknn");
        ours.addAppender(appender, Level.INFO, null);
        context.updateLoggers();
        try {
            return action.get();
        } finally {
            ours.removeAppender(appender.getName());
            context.updateLoggers();
            appender.stop();
        }
    }

    /** --missing refuse names the first empty cell's line; a --layers that does not fit proposes one that does. */
    @Test
    void refusedEmptyCellsAndWrongWidthsSayWhereAndWhat() {
        MainIT.Run r = MainIT.run("train", "--data", flowers.toString(), "--label", "species", "--layers", "5,16,3",
                "--missing", "refuse", "--out", tmp.resolve("refuse").toString(), "--master", "local[2]");
        assertEquals(Main.EXIT_DATA, r.code(), r.err());
        assertTrue(r.err().contains("flowers.csv line 9: column 'f2' is empty (--missing refuse; --missing mean "
                + "fills it)"), r.err());

        r = MainIT.run("train", "--data", flowers.toString(), "--label", "species", "--layers", "3,16,2",
                "--out", tmp.resolve("widths").toString(), "--master", "local[2]");
        assertEquals(Main.EXIT_CONFIG, r.code(), r.err());
        assertTrue(r.err().contains("gives 5 per row (f1, f2, colour (3 levels)); pass --layers 5,16,3"), r.err());
        r = MainIT.run("train", "--data", flowers.toString(), "--label", "species", "--layers", "5,16,2",
                "--out", tmp.resolve("classes").toString(), "--master", "local[2]");
        assertEquals(Main.EXIT_CONFIG, r.code(), r.err());
        assertTrue(r.err().contains("--layers ends with 2 outputs but label 'species' of ") && r.err().contains(
                "names 3 classes [setosa, versicolor, virginica]; pass --layers 5,16,3"), r.err());
    }

    /**
     * datasets inspect reads a table as train does: it accepts what train accepts (named classes, a text column,
     * empty cells under --missing mean) and says how each column will be encoded, and refuses what train refuses.
     */
    @Test
    void inspectAgreesWithTrain() {
        MainIT.Run r = MainIT.run("datasets", "inspect", "--data", flowers.toString(), "--label", "species");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("label 'species': 3 classes, indexed in this order: setosa, versicolor, "
                + "virginica\n      setosa  "), r.out());
        assertTrue(r.out().matches("(?s).*\n  f2 +numeric +12 +-?[\\d.]+ +[\\d.]+ +[\\d.]+\n.*"), r.out());
        assertTrue(r.out().contains("\n  colour  one-hot         0  3 levels: blue, green, red\n"), r.out());
        assertTrue(r.out().contains("every row is valid: 600 rows of 5 inputs each (empty cells filled as above)"),
                r.out());
        r = MainIT.run("datasets", "inspect", "--data", flowers.toString(), "--label", "species", "--missing",
                "refuse");
        assertEquals(Main.EXIT_DATA, r.code(), r.err());
        assertTrue(r.err().contains("flowers.csv line 9: column 'f2' is empty (--missing refuse"), r.err());
        r = MainIT.run("datasets", "inspect", "--data", flowers.toString(), "--label", "species", "--task",
                "regression");
        assertEquals(Main.EXIT_DATA, r.code(), r.err());
        assertTrue(r.err().contains("line 2: column 'species' holds '") && r.err().contains("(--task regression "
                + "needs numeric labels)"), r.err());
    }

    /** Each bad cell named by its file, line, column and value, not by its label. */
    @Test
    void badCellsNameTheirLine() throws IOException {
        assertRefused("text-among-numbers.csv", List.of("a,b,label", "1,2,0", "3,4,1", "5,green,0", "6,7,1"),
                "text-among-numbers.csv line 4: column 'b' holds 'green', not a decimal number, where 3 other rows "
                        + "hold numbers");
        assertRefused("empty-label.csv", List.of("a,b,label", "1,2,0", "3,4,", "5,6,1"),
                "empty-label.csv line 3: the label column 'label' is empty");
        assertRefused("suffix.csv", List.of("a,b,label", "1,2,0", "3,4.5f,1"),
                "suffix.csv line 3: column 'b' holds '4.5f', not a decimal number");
        assertRefused("class-range.csv", List.of("a,b,label", "1,2,0", "3,4,1", "5,6,7"),
                "class-range.csv line 4: label 7 is not a class in [0, 2)");
        assertRefused("header-only.csv", List.of("a,b,label"), "header-only.csv: holds no rows");
        List<String> many = new ArrayList<>(List.of("a,b,label"));
        for (int i = 0; i < 150; i++) {
            many.add(i + ",id" + i + "," + (i % 2));
        }
        assertRefused("ids.csv", many, "column 'b' has 150 distinct texts ('id0', 'id1', 'id10', ...), more than "
                + "the 100 levels a categorical column may have; leave it out with --features");
    }

    private static void assertRefused(String name, List<String> lines, String expected) throws IOException {
        Path file = tmp.resolve(name);
        Files.write(file, lines);
        MainIT.Run r = MainIT.run("train", "--data", file.toString(), "--layers", "2,4,2", "--test-fraction",
                "0.3", "--out", tmp.resolve("out-" + name).toString(), "--master", "local[2]");
        assertEquals(Main.EXIT_DATA, r.code(), r.err());
        assertTrue(r.err().contains(expected), r.err());
        assertEquals(1, r.err().lines().filter(l -> l.startsWith("data error")).count(), r.err());
    }
}
