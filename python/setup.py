"""Puts the project's application jar (driver/target/sparknn-app.jar, from `mvn package`) into the built package as
sparknn/jars/sparknn-app.jar; everything else is in pyproject.toml. The copy goes to the build folder only, so a
source checkout never holds a stale jar."""
import os
import shutil

from setuptools import setup
from setuptools.command.build_py import build_py

HERE = os.path.dirname(os.path.abspath(__file__))
BUILT_JAR = os.path.normpath(os.path.join(HERE, "..", "driver", "target", "sparknn-app.jar"))


class BuildWithJar(build_py):
    def run(self):
        if not os.path.isfile(BUILT_JAR):
            raise SystemExit(f"error: {BUILT_JAR} is missing; build the project first (from the repository root: "
                             "mvn -B package -DskipTests), then pip install ./python")
        super().run()
        target = os.path.join(self.build_lib, "sparknn", "jars")
        os.makedirs(target, exist_ok=True)
        shutil.copyfile(BUILT_JAR, os.path.join(target, "sparknn-app.jar"))


setup(cmdclass={"build_py": BuildWithJar})
