package dev.sparknn.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import javax.imageio.ImageIO;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FeatureFilesTest {

    private static final Configuration CONF = new Configuration();

    @TempDir
    Path dir;

    @Test
    void csvWithByteOrderMarkAndHeaderKeepsEveryDataRow() throws Exception {
        Path csv = dir.resolve("rows.csv");
        Files.writeString(csv, "\uFEFFa,b\n0.5,1\n\n0,0.25\n");
        FeatureFiles.Features f = FeatureFiles.read(CONF, csv.toString(), 2, false);
        assertEquals(2, f.rows());
        assertArrayEquals(new float[] {0.5f, 1f, 0f, 0.25f}, f.values());
        assertEquals(List.of("rows.csv:0", "rows.csv:1"), f.sources());
        // Without a header, a BOM must not turn the first data row into one.
        Files.writeString(csv, "\uFEFF0.5,1\n0,0.25\n");
        assertEquals(2, FeatureFiles.read(CONF, csv.toString(), 2, false).rows());
    }

    @Test
    void badCsvCellsAndRowsAreNamedByFileLineAndColumn() throws Exception {
        Path csv = dir.resolve("bad.csv");
        Files.writeString(csv, "0.5,1\n0.5,x\n");
        assertRefused(csv, 2, "bad.csv line 2 column 2: 'x' is not a number");
        Files.writeString(csv, "0.5,1\n0.5\n");
        assertRefused(csv, 2, "bad.csv line 2 has 1 values, the model takes 2");
        Files.writeString(csv, "0.5,NaN\n");
        assertRefused(csv, 2, "bad.csv line 1 column 2: NaN is not finite");
    }

    @Test
    void pngsAreReadAsGreyLevelsAndBadOnesRefused() throws Exception {
        BufferedImage img = new BufferedImage(2, 2, BufferedImage.TYPE_BYTE_GRAY);
        img.getRaster().setSample(1, 0, 0, 255);
        img.getRaster().setSample(0, 1, 0, 51);
        Path png = dir.resolve("digit.png");
        ImageIO.write(img, "png", png.toFile());
        assertArrayEquals(new float[] {0f, 1f, 0.2f, 0f}, FeatureFiles.read(CONF, png.toString(), 4, false).values());
        assertArrayEquals(new float[] {1f, 0f, 0.8f, 1f}, FeatureFiles.read(CONF, png.toString(), 4, true).values(),
                1e-6f);

        assertRefused(png, 9, "digit.png is 2x2 = 4 pixels, the model takes 9 (3x3)");
        byte[] bytes = Files.readAllBytes(png);
        Files.write(png, Arrays.copyOf(bytes, 40));
        assertRefused(png, 4, "digit.png is not a readable PNG image");
        BufferedImage wide = new BufferedImage(4, 1, BufferedImage.TYPE_BYTE_GRAY);
        ImageIO.write(wide, "png", png.toFile());
        assertRefused(png, 4, "digit.png is 4x1 = 4 pixels, the model takes 4 (2x2)");
    }

    @Test
    void missingInputAndEmptyFolderAreNamed() throws Exception {
        assertRefused(dir.resolve("nothing.png"), 4, "nothing.png does not exist");
        assertRefused(Files.createDirectories(dir.resolve("empty")), 4, "empty holds no .png files");
    }

    private static void assertRefused(Path input, int features, String expected) {
        InputException e = assertThrows(InputException.class,
                () -> FeatureFiles.read(CONF, input.toString(), features, false));
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }
}
