package dev.sparknn.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sparknn.testing.Mnist;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.hdfs.MiniDFSCluster;
import org.apache.hadoop.yarn.api.records.FinalApplicationStatus;
import org.apache.hadoop.yarn.conf.YarnConfiguration;
import org.apache.hadoop.yarn.server.MiniYARNCluster;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged application on YARN, as the README's YARN section runs it: Hadoop's in-process YARN (a
 * MiniYARNCluster: a resource manager and one node manager that launches real container JVMs) and HDFS (a
 * MiniDFSCluster), both on 127.0.0.1; {@code scripts/submit.sh --master yarn --deploy-mode client} with the data in
 * {@code hdfs://}, the Spark jars from the bundled runtime (which carries spark-yarn), executors in YARN containers.
 * The weights must be bitwise those of {@code local[2]} on the same rows from the local disk. YARN starts containers
 * with a clean environment: with {@code OPENBLAS_CORETYPE} set for this JVM (CI runs it so), only the executors'
 * pinned core type ({@code BlasKernels}) keeps their OpenBLAS kernel that of the driver's.
 */
@Timeout(900)
class YarnIT {

    @TempDir
    Path tmp;

    @Test
    void clientModeOnYarnWithDataOnHdfsGivesTheWeightsOfLocal() throws Exception {
        Path data = Mnist.subset(tmp.resolve("mnist"), 4000, 1000);
        List<String> common = List.of("--layers", "784,64,10", "--epochs", "2", "--batch-size", "200",
                "--partitions", "2", "--seed", "3", "--local-steps", "4");
        Path local = ClusterIT.submit(tmp, withData(common, data.toString()), "local[2]", "local", Map.of());

        Configuration conf = new YarnConfiguration();
        conf.set(MiniDFSCluster.HDFS_MINIDFS_BASEDIR, tmp.resolve("hdfs").toString());
        conf.set("dfs.datanode.address", "127.0.0.1:0");
        conf.set("dfs.datanode.http.address", "127.0.0.1:0");
        conf.set("dfs.datanode.ipc.address", "127.0.0.1:0");
        conf.set("dfs.namenode.http-address", "127.0.0.1:0");
        // One node manager with room for the application master and two executors (1 GiB containers each), and no
        // virtual-memory check, which a JVM's reserved address space fails on most machines.
        conf.setInt(YarnConfiguration.NM_PMEM_MB, 4096);
        conf.setInt(YarnConfiguration.NM_VCORES, 4);
        conf.setInt(YarnConfiguration.RM_SCHEDULER_MINIMUM_ALLOCATION_MB, 256);
        conf.setBoolean(YarnConfiguration.NM_VMEM_CHECK_ENABLED, false);
        // The FIFO scheduler: the capacity scheduler's queue file is not in the minicluster jar.
        conf.set(YarnConfiguration.RM_SCHEDULER, "org.apache.hadoop.yarn.server.resourcemanager.scheduler.fifo.FifoScheduler");
        conf.set(YarnConfiguration.RM_HOSTNAME, "127.0.0.1");
        conf.set(YarnConfiguration.NM_ADDRESS, "127.0.0.1:0");
        conf.set(YarnConfiguration.NM_LOCALIZER_ADDRESS, "127.0.0.1:0");
        conf.set(YarnConfiguration.NM_WEBAPP_ADDRESS, "127.0.0.1:0");
        conf.set(YarnConfiguration.RM_WEBAPP_ADDRESS, "127.0.0.1:0");
        MiniDFSCluster hdfs = null;
        MiniYARNCluster yarn = null;
        try {
            hdfs = new MiniDFSCluster.Builder(conf).numDataNodes(1).build();
            hdfs.waitActive();
            conf.set("fs.defaultFS", hdfs.getURI().toString());
            yarn = new MiniYARNCluster("sparknn", 1, 1, 1);
            yarn.init(conf);
            yarn.start();
            assertTrue(yarn.waitForNodeManagersToConnect(60_000), "the node manager registers");

            // The client's Hadoop settings, where spark-submit looks for them (HADOOP_CONF_DIR): the file system and
            // the resource manager's addresses, and none of the test clusters' own settings.
            Path confDir = Files.createDirectories(tmp.resolve("hadoop-conf"));
            Configuration core = new Configuration(false);
            core.set("fs.defaultFS", hdfs.getURI().toString());
            Configuration site = new Configuration(false);
            for (Map.Entry<String, String> e : yarn.getConfig()) {
                if (e.getKey().startsWith("yarn.resourcemanager.")) {
                    site.set(e.getKey(), e.getValue());
                }
            }
            try (OutputStream out = Files.newOutputStream(confDir.resolve("core-site.xml"))) {
                core.writeXml(out);
            }
            try (OutputStream out = Files.newOutputStream(confDir.resolve("yarn-site.xml"))) {
                site.writeXml(out);
            }
            FileSystem fs = hdfs.getFileSystem();
            fs.copyFromLocalFile(new org.apache.hadoop.fs.Path(data.toUri()), new org.apache.hadoop.fs.Path("/mnist"));
            String hdfsData = hdfs.getURI() + "/mnist";

            Path runtimeJars = ClusterIT.REPO.resolve("driver/target/spark-runtime/jars");
            String java = System.getProperty("java.home");
            // The Spark jars are on every node already (this machine): no 280 MB upload to the staging folder.
            // Containers get no JAVA_HOME from a node manager started inside a test; executors bind to loopback.
            String submitArgs = String.join(" ", "--num-executors 2 --executor-cores 1 --executor-memory 512m",
                    "--conf spark.yarn.am.memory=384m --conf spark.yarn.jars=local:" + runtimeJars + "/*",
                    "--conf spark.yarn.appMasterEnv.JAVA_HOME=" + java, "--conf spark.executorEnv.JAVA_HOME=" + java,
                    "--conf spark.yarn.appMasterEnv.SPARK_LOCAL_IP=127.0.0.1",
                    "--conf spark.executorEnv.SPARK_LOCAL_IP=127.0.0.1");
            Path events = Files.createDirectories(tmp.resolve("events"));
            Path out = ClusterIT.submit(tmp, withData(common, hdfsData), "yarn", "yarn",
                    Map.of("HADOOP_CONF_DIR", confDir.toString(), "SPARK_SUBMIT_ARGS",
                            "--deploy-mode client " + submitArgs + " " + ClusterIT.eventLog(events)));
            // Every executor reported its kernel: two executors in containers, and the driver. Kernels that differ
            // are told in one warning line, and only then.
            JsonNode kernels = ClusterIT.JSON.readTree(Files.readString(out.resolve("config.json"))).get("blas_kernels");
            assertEquals(3, kernels.size(), kernels.toString());
            Set<String> distinct = new TreeSet<>();
            kernels.forEach(k -> distinct.add(k.asText()));
            String log = Files.readString(tmp.resolve("yarn.log"));
            assertEquals(distinct.size() > 1, log.contains("warning: BLAS kernels differ: the driver has "), log);
            ClusterIT.assertSameWeights(local, "YARN", out);
            // It ran on YARN: the resource manager knows one Spark application, finished and succeeded, and the
            // node manager launched containers for its application master and executors.
            var apps = yarn.getResourceManager().getRMContext().getRMApps().values();
            assertEquals(1, apps.size(), "applications " + apps);
            var app = apps.iterator().next();
            assertEquals("SPARK", app.getApplicationType());
            // The application master reports its end to the resource manager a moment after the driver stops.
            for (int i = 0; i < 300 && app.getFinalApplicationStatus() == FinalApplicationStatus.UNDEFINED; i++) {
                Thread.sleep(100);
            }
            assertEquals(FinalApplicationStatus.SUCCEEDED, app.getFinalApplicationStatus(),
                    app.getDiagnostics().toString());
            // Its executors ran in YARN containers: their log links in Spark's event log name the containers.
            Set<String> containers = new TreeSet<>();
            for (JsonNode added : ClusterIT.events(events, "SparkListenerExecutorAdded")) {
                String logs = added.get("Executor Info").get("Log Urls").toString();
                Matcher m = Pattern.compile("container_[0-9_]+").matcher(logs);
                if (m.find()) {
                    containers.add(m.group());
                }
            }
            assertEquals(2, containers.size(), "executors in containers " + containers);
            // Checkpoints default to {out}.ckpt on the driver's disk, not the default file system (HDFS).
            assertTrue(Files.isDirectory(tmp.resolve("yarn.ckpt")), "checkpoints next to --out");
        } finally {
            if (yarn != null) {
                yarn.stop();
            }
            if (hdfs != null) {
                hdfs.shutdown(true);
            }
        }
    }

    private static List<String> withData(List<String> common, String data) {
        List<String> all = new java.util.ArrayList<>(List.of("--data", data));
        all.addAll(common);
        return all;
    }
}
