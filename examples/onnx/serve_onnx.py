"""Serves a sparknn model exported as ONNX with ONNX Runtime for Python: no Spark, no Java.

    pip install onnxruntime numpy
    python3 examples/onnx/serve_onnx.py model.onnx data/mnist/t10k-images-idx3-ubyte 5

The input is what the model was trained on: for IDX images, each pixel / 255, one row of 784 values per image.
"""
import sys

import numpy as np
import onnxruntime as ort

model, images, rows = sys.argv[1], sys.argv[2], int(sys.argv[3]) if len(sys.argv) > 3 else 5

session = ort.InferenceSession(model, providers=["CPUExecutionProvider"])
meta = session.get_modelmeta()
print(f"{model}: {meta.producer_name} {meta.custom_metadata_map['task']}, "
      f"layers {meta.custom_metadata_map['layers']}, outputs {[o.name for o in session.get_outputs()]}")

pixels = np.fromfile(images, dtype=np.uint8, offset=16)
features = (pixels[: rows * 784].reshape(rows, 784) / 255).astype(np.float32)
(probabilities,) = session.run(["probabilities"], {"features": features})
for i, p in enumerate(probabilities):
    print(f"image {i}: digit {p.argmax()} (p = {p.max():.4f})")
