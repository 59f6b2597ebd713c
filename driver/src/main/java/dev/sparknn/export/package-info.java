/**
 * Trained models in formats that other programs read: {@link dev.sparknn.export.OnnxExport} writes a model as an
 * ONNX graph (a node per layer: Conv, MaxPool, BatchNormalization, Gemm and activations, with the reshapes between
 * flat rows and images; a softmax for classifiers) that ONNX Runtime runs from Java, Python, C# or a phone without
 * this project or Spark. The ONNX messages are Tribuo's generated protobuf classes
 * ({@code ai.onnx.proto.OnnxMl}); no bytes are encoded by hand.
 *
 * <p>May use {@code dev.sparknn.ops} (the network's layout), {@code dev.sparknn.train} (the task) and
 * {@code dev.sparknn.store} (the model file). Used by the command line and the Spark ML API; must not use either,
 * nor the run or the reports.
 */
package dev.sparknn.export;
