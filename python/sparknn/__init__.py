"""sparknn from Python: the project's jar (jar_path) and the spark.ml wrappers (sparknn.ml).

    from pyspark.sql import SparkSession
    import sparknn
    spark = SparkSession.builder.master("local[2]").config("spark.jars", sparknn.jar_path()).getOrCreate()
"""
import os

__version__ = "0.1.0"

#: The Spark line the jar is built against (Scala 2.13); pyspark must be of the same minor version.
SPARK_VERSION = "4.2.0"
SUPPORTED_PYSPARK = "4.2.x"

_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__))


def jar_path():
    """The application jar (our classes and the small libraries Spark lacks, no Spark), for spark.jars or --jars.

    The jar carried by the installed package; in a source checkout (python/ on PYTHONPATH), the one `mvn package`
    built (driver/target/sparknn-app.jar). SPARKNN_JAR, if set, wins.
    """
    candidates = [os.environ.get("SPARKNN_JAR"),
                  os.path.join(_PACKAGE_DIR, "jars", "sparknn-app.jar"),
                  os.path.join(_PACKAGE_DIR, "..", "..", "driver", "target", "sparknn-app.jar")]
    for path in candidates:
        if path and os.path.isfile(path):
            return os.path.normpath(path)
    raise FileNotFoundError(
        "sparknn's jar is missing: neither the package's sparknn/jars/sparknn-app.jar nor a built "
        "driver/target/sparknn-app.jar exists; build with mvn -B package -DskipTests, then pip install ./python")


def check_pyspark(version=None):
    """Raises ImportError naming the supported versions unless pyspark (or `version`) is 4.2.x.

    The jar is compiled against Spark 4.2's spark.ml classes, which change between minor versions, and PySpark talks
    to it through those classes, so another minor version is refused at import rather than failing mid-fit.
    """
    if version is None:
        import pyspark
        version = pyspark.__version__
    if version.split(".")[:2] != SPARK_VERSION.split(".")[:2]:
        raise ImportError(
            f"sparknn {__version__} supports pyspark {SUPPORTED_PYSPARK} (its jar is built for Spark {SPARK_VERSION}); "
            f"found pyspark {version}: pip install 'pyspark=={SPARK_VERSION}'")
