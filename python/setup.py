"""Puts the project's application jar (driver/target/sparknn-app.jar, from `mvn package`) into the package as
sparknn/jars/sparknn-app.jar; everything else is in pyproject.toml."""
import os
import shutil

from setuptools import setup
from setuptools.command.build_py import build_py

HERE = os.path.dirname(os.path.abspath(__file__))
BUILT_JAR = os.path.join(HERE, "..", "driver", "target", "sparknn-app.jar")
PACKAGED_JAR = os.path.join(HERE, "sparknn", "jars", "sparknn-app.jar")


class BuildWithJar(build_py):
    def run(self):
        if os.path.isfile(BUILT_JAR):
            os.makedirs(os.path.dirname(PACKAGED_JAR), exist_ok=True)
            shutil.copyfile(BUILT_JAR, PACKAGED_JAR)
        elif not os.path.isfile(PACKAGED_JAR):
            raise SystemExit(
                f"error: {os.path.normpath(BUILT_JAR)} is missing; build the project first "
                "(from the repository root: mvn -B package -DskipTests), then pip install ./python")
        super().run()


setup(cmdclass={"build_py": BuildWithJar})
