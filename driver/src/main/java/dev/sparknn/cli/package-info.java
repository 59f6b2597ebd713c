/**
 * The command line: {@link dev.sparknn.cli.Main} and its commands ({@code train}, {@code evaluate}, {@code predict},
 * {@code export}, {@code gradcheck}, {@code datasets}), the declared training options as picocli options
 * ({@link dev.sparknn.cli.DeclaredOptions}), and the layers a train run's values come from: the declarations, a
 * checkpoint, {@code --config} and the command line ({@link dev.sparknn.cli.OptionLayers}). It turns options into a
 * {@link dev.sparknn.train.TrainConfig} and errors into exit codes.
 *
 * <p>May use every other package. Nothing uses it.
 */
package dev.sparknn.cli;
