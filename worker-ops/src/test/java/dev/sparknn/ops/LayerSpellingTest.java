package dev.sparknn.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LayerSpellingTest {

    @Test
    void theBooksSimpleConvNetAsWritten() {
        Network net = new Network("1x28x28,conv:30:5,relu,maxpool:2,affine:100,relu,affine:10", Activation.TANH,
                new SoftmaxCrossEntropy());
        List<Layer> layers = net.layers();
        assertEquals(new Shape(30, 24, 24), layers.get(0).outShape());
        assertEquals(new Shape(30, 12, 12), layers.get(2).outShape());
        assertEquals(4320, ((Affine) layers.get(3)).numIn());
        assertEquals(784, net.numInputs());
        assertEquals(10, net.numOutputs());
        assertEquals(30 * 25 + 30 + 4320 * 100 + 100 + 100 * 10 + 10, net.numParams());
        assertEquals(Activation.RELU, ((ActivationLayer) layers.get(1)).function(), "--activation plays no part");
        assertEquals("1x28x28,conv:30:5,relu,maxpool:2,affine:100,relu,affine:10",
                LayerSpelling.normalise(" 1x28x28, CONV:30:5,relu,maxpool:2 ,affine:100,relu,affine:10"));
        assertEquals("1x28x28,conv:30:5,relu,affine:10", LayerSpelling.describe("1x28x28,conv:30:5,relu,affine:10",
                "tanh"), "a run's start line shows no --activation for an explicit list");
        assertEquals("784,512,10 tanh", LayerSpelling.describe("784,512,10", "tanh"));
    }

    @Test
    void widthsKeepTheirMeaning() {
        Network net = new Network("784,512,10", Activation.SIGMOID, new SoftmaxCrossEntropy());
        assertTrue(net.isPerceptron());
        assertEquals("784,512,10", net.spelling());
        assertEquals(List.of("affine:512", "sigmoid", "affine:10"),
                net.layers().stream().map(Object::toString).toList());
        assertEquals(new Shape(1, 28, 28), new Network("28x28,affine:10", Activation.RELU,
                new SoftmaxCrossEntropy()).inputShape());
    }

    @Test
    void eachMistakeNamesItsTokenAndTheShapes() {
        Map<String, String> mistakes = Map.ofEntries(
                Map.entry("1x3x3,conv:30:5,affine:10", "token 2 'conv:30:5': a 5x5 kernel with padding 0 does not "
                        + "fit an input of [channels, height, width] = 1x3x3"),
                Map.entry("1x28x28,conv:30:5,maxpool:30,affine:10", "token 3 'maxpool:30': a 30x30 window does not "
                        + "fit an input of [channels, height, width] = 30x24x24"),
                Map.entry("784,conv:30:5,affine:10", "token 2 'conv:30:5': a 5x5 kernel with padding 0 does not "
                        + "fit an input of [channels, height, width] = 784"),
                Map.entry("1x28x28,conv:30,affine:10", "token 2 'conv:30': expected "
                        + "conv:FILTERS:SIZE[:STRIDE[:PADDING]]"),
                Map.entry("1x28x28,conv:0:5,affine:10", "token 2 'conv:0:5': filters, size and stride must be "
                        + "positive"),
                Map.entry("784,maxpool:2:0,affine:10", "token 2 'maxpool:2:0': size and stride must be positive"),
                Map.entry("784,affine:x", "token 2 'affine:x': 'x' is not a size (an integer in [0, 9999999])"),
                Map.entry("784,affine:0", "token 2 'affine:0': the width must be positive"),
                Map.entry("784,dropout:1,affine:10", "token 2 'dropout:1': the drop probability must be a number "
                        + "in [0, 1), got '1'"),
                Map.entry("784,batchnorm:2,affine:10", "token 2 'batchnorm:2': expected batchnorm"),
                Map.entry("784,relu:1,affine:10", "token 2 'relu:1': expected relu"),
                Map.entry("784,softmax,affine:10", "token 2 'softmax': unknown layer 'softmax' (expected conv, "
                        + "maxpool, affine, dropout, batchnorm, relu, sigmoid, tanh or identity)"),
                Map.entry("784,100,affine:10", "token 2 '100': a bare width belongs in a widths-only list such as "
                        + "784,512,10; after an input shape write affine:100"),
                Map.entry("conv:30:5,affine:10", "token 1 'conv:30:5': the list must start with the input shape, "
                        + "such as 784 or 1x28x28 (channels x height x width)"),
                Map.entry("1x0x28,affine:10", "token 1 '1x0x28': input sizes must be positive"),
                Map.entry("1x28x28", "'1x28x28' has an input shape but no layers"),
                Map.entry("784", "needs at least an input and an output size, got '784'"),
                Map.entry("784,0,10", "token 2 '0': sizes must be positive"),
                Map.entry("1x28x28,maxpool:2", "'1x28x28,maxpool:2' has no parameters to train"));
        mistakes.forEach((text, message) -> assertEquals(message, assertThrows(IllegalArgumentException.class,
                () -> new Network(text, Activation.RELU, new SoftmaxCrossEntropy())).getMessage(), text));
    }
}
