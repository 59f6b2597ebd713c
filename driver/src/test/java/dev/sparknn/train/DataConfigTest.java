package dev.sparknn.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;

/** Paths made absolute on the driver, before executors that run in other folders see them. */
class DataConfigTest {

    private static final Configuration LOCAL = new Configuration();
    private static final String CWD = Path.of("").toAbsolutePath().toString();

    @Test
    void relativePathsBecomeAbsoluteAgainstTheDriversWorkingFolder() throws IOException {
        assertEquals("file:" + CWD + "/data/mnist", DataConfig.qualify(LOCAL, "data/mnist"));
        assertEquals("file:" + CWD + "/data/mnist", DataConfig.qualify(LOCAL, "./data/mnist/"));
        assertEquals("file:/srv/mnist", DataConfig.qualify(LOCAL, "/srv/mnist"));
        assertEquals("file:/srv/mnist", DataConfig.qualify(LOCAL, "file:///srv/mnist"));
        assertEquals("file:" + CWD + "/shards/part-*.parquet", DataConfig.qualify(LOCAL, "shards/part-*.parquet"),
                "a glob is kept for Spark to expand");
    }

    @Test
    void pathsWithoutASchemeGoToTheDefaultFileSystemRelativeToItsHomeFolder() throws IOException {
        Configuration conf = new Configuration();
        // Building an HDFS client does not connect: nothing needs to listen there.
        conf.set("fs.defaultFS", "hdfs://127.0.0.1:8020");
        String user = org.apache.hadoop.security.UserGroupInformation.getCurrentUser().getShortUserName();
        assertEquals("hdfs://127.0.0.1:8020/user/" + user + "/data/mnist", DataConfig.qualify(conf, "data/mnist"));
        assertEquals("hdfs://127.0.0.1:8020/mnist", DataConfig.qualify(conf, "/mnist"));
        assertEquals("file:/srv/mnist", DataConfig.qualify(conf, "file:///srv/mnist"), "an explicit scheme wins");
    }

    @Test
    void bothDataPathsAreQualifiedAndAnEmptyTestPathStaysEmpty() throws IOException {
        DataConfig c = new DataConfig("data/a", DataConfig.Format.AUTO, "label", List.of(), "data/b", 0.1,
                DataConfig.Standardize.AUTO, dev.sparknn.data.TableDataset.Missing.MEAN).qualified(LOCAL);
        assertEquals("file:" + CWD + "/data/a", c.path());
        assertEquals("file:" + CWD + "/data/b", c.testData());
        assertEquals("", new DataConfig("a", DataConfig.Format.AUTO, "label", List.of(), "", 0.1,
                DataConfig.Standardize.AUTO, dev.sparknn.data.TableDataset.Missing.MEAN).qualified(LOCAL).testData());
    }

    @Test
    void anUnknownSchemeIsRefusedByName() {
        IOException e = assertThrows(IOException.class, () -> DataConfig.qualify(LOCAL, "nosuch://host/data"));
        assertEquals(true, e.getMessage().contains("nosuch"), e.getMessage());
    }
}
