/**
 * The math that runs inside a Spark partition, with no Spark dependency: the {@link dev.sparknn.ops.Layer}s (affine,
 * activations, convolution, max pooling, dropout, batch normalization) with forward and backward passes side by
 * side, their one spelling ({@link dev.sparknn.ops.LayerSpelling}), loss heads, the flat parameter layout, weight initialisation, float32 matrix products
 * on Breeze views through {@code dev.ludovic.netlib} BLAS ({@link dev.sparknn.ops.Blas}), and a numerical gradient
 * checker.
 *
 * <p>Conventions used throughout: matrices are row-major {@code float[]} with the batch axis first
 * ({@code [batch, width]}, images {@code [batch, channels, height, width]}), seen by the products as Breeze {@code DenseMatrix} views with no copy; every method says whether it overwrites ({@code :=}) or accumulates ({@code +=})
 * into the buffers it is given; callers own all buffers (see {@link dev.sparknn.ops.Workspace}).
 */
package dev.sparknn.ops;
