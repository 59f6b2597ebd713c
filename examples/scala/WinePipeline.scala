// A spark.ml Pipeline from Scala: VectorAssembler -> NeuralNetClassifier on the UCI wine table, evaluated, saved
// and loaded as a PipelineModel. Run with examples/scala/run.sh (compiles this file against the driver's classes).
import dev.sparknn.ml.{NeuralNetClassificationModel, NeuralNetClassifier}
import org.apache.spark.ml.{Pipeline, PipelineModel}
import org.apache.spark.ml.evaluation.MulticlassClassificationEvaluator
import org.apache.spark.ml.feature.VectorAssembler
import org.apache.spark.sql.SparkSession

object WinePipeline {
  def main(args: Array[String]): Unit = {
    val Array(trainCsv, testCsv, out) = args
    val spark = SparkSession.builder().master("local[2]").appName("wine-pipeline")
      .config("spark.ui.enabled", "false").config("spark.driver.host", "127.0.0.1").getOrCreate()
    spark.sparkContext.setLogLevel("WARN")
    def csv(path: String) = spark.read.option("header", "true").option("inferSchema", "true").csv(path)
    val (train, test) = (csv(trainCsv), csv(testCsv))

    val assembler = new VectorAssembler()
      .setInputCols(train.columns.filter(_ != "label"))   // 13 measurements, from 0.1 to 1,680
      .setOutputCol("features")
    val classifier = new NeuralNetClassifier()
      .setLayers(13, 64, 3)                               // standardised inside, folded into the model
      .setEpochs(100)
    val model = new Pipeline().setStages(Array(assembler, classifier)).fit(train)

    val accuracy = new MulticlassClassificationEvaluator().setMetricName("accuracy")
    println(f"test accuracy ${accuracy.evaluate(model.transform(test))}%.4f")
    val nn = model.stages(1).asInstanceOf[NeuralNetClassificationModel]
    println(f"training loss, first and last epoch: ${nn.summary.objectiveHistory.head}%.4f " +
      f"${nn.summary.objectiveHistory.last}%.4f")

    model.write.overwrite().save(out)
    val loaded = PipelineModel.load(out)
    println(f"loaded from $out: test accuracy ${accuracy.evaluate(loaded.transform(test))}%.4f")
    spark.stop()
  }
}
