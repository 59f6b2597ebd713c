package dev.sparknn.cli;

import dev.sparknn.store.Checkpoint;
import dev.sparknn.store.CheckpointStore;
import dev.sparknn.train.TrainConfig;
import java.io.IOException;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.SparkConf;
import org.apache.spark.deploy.SparkHadoopUtil;

/** {@code --resume DIR} before Spark starts: the checkpoint folder checked, and the options its run had. */
final class ResumeFolder {

    /** The suffix of the default checkpoint folder, {@code {out}.ckpt} (conf/train.conf). */
    private static final String CHECKPOINT_SUFFIX = ".ckpt";

    private ResumeFolder() {
    }

    /** The file-system settings a Spark session would have (spark.hadoop.* from spark-submit included). */
    static Configuration hadoopConf() {
        return SparkHadoopUtil.get().newConfiguration(new SparkConf());
    }

    /**
     * The options recorded in the newest valid checkpoint in {@code dir} (option name without dashes to value,
     * with {@code out}, the interrupted run's output folder); empty for no {@code --resume}.
     *
     * @throws TrainConfig.ConfigException if {@code dir} holds no valid checkpoint, pointing at {@code DIR.ckpt}
     *                                     when {@code dir} is the output folder of a run whose checkpoints are there
     */
    static Map<String, String> options(String dir) throws IOException {
        if (dir == null || dir.isBlank()) {
            return Map.of();
        }
        Configuration conf = hadoopConf();
        CheckpointStore store = new CheckpointStore(conf, dir, 1);
        org.apache.hadoop.fs.Path path = new org.apache.hadoop.fs.Path(dir);
        boolean exists = path.getFileSystem(conf).exists(path);
        if (store.list().isEmpty()) {
            String trimmed = dir.replaceAll("/+$", "");
            if (!trimmed.endsWith(CHECKPOINT_SUFFIX)
                    && !new CheckpointStore(conf, trimmed + CHECKPOINT_SUFFIX, 1).list().isEmpty()) {
                throw new TrainConfig.ConfigException("--resume " + dir + " holds no checkpoints; it is the output "
                        + "folder, and its run's checkpoints are in " + trimmed + CHECKPOINT_SUFFIX + ": --resume "
                        + trimmed + CHECKPOINT_SUFFIX);
            }
            if (!exists) {
                throw new TrainConfig.ConfigException("--resume " + dir + ": no such folder");
            }
        }
        Checkpoint newest = store.newestValid(Map.of()).orElseThrow(() -> new TrainConfig.ConfigException(
                "--resume " + dir + " holds no valid checkpoint (ckpt-*.bin)"));
        return newest.config();
    }
}
