import NN

// The convolutional networks of the conv architecture, for images of C×H×W whose sides halve once per
// width in `channels` (28 → 14 → 7 for two). Every down step is Conv(4×4, stride 2, padding 1)
// and every up step TransposedConv(4×4, stride 2, padding 1): the kernel covers its stride twice,
// so no output position is fed by fewer inputs than its neighbours (no checkerboard from the
// stride alone). Networks take and give flat (N, C·H·W) images, as the data and losses use.
// Each activation is fused into the layer before it (written -ReLU below).
//
//   AE / VAE encoder: Conv(C→32)-ReLU-Conv(32→64)-ReLU-Flatten[-Dense(latent)]
//   decoder:          Dense(latent → 64·H/4·W/4)-ReLU-Reshape-TConv(64→32)-ReLU-TConv(32→C), logits
//   DCGAN (Radford et al. 2015, scaled down; bench/torch_anchor.py dcgan):
//   G: Dense(z → 128·H/4·W/4)-BatchNorm-ReLU-Reshape-TConv(128→64)-BatchNorm2D-ReLU-TConv(64→C)-Tanh
//   D: Conv(C→64)-LReLU(0.2)-Conv(64→128)-BatchNorm2D-LReLU(0.2)-Flatten-Dense(1)

/// Which family of networks a model is built from.
public enum Architecture: String, Codable, CaseIterable, Sendable {
    /// Fully connected layers (the hidden sizes are their widths).
    case mlp
    /// Strided convolutions (the hidden sizes are their channel counts, one per halving).
    case conv

    /// Why images of `image` (C, H, W) cannot go through `channels.count` halvings, or nil when they can.
    public static func convolutionProblem(image: Shape, channels: [Int]) -> ModelProblem? {
        let factor = 1 << channels.count
        guard !channels.isEmpty, channels.count <= 6, channels.allSatisfy({ (1...1024).contains($0) }) else {
            return .channelCounts(channels)
        }
        guard image[1] % factor == 0, image[2] % factor == 0 else {
            return .sidesNotDivisible(halvings: channels.count, height: image[1], width: image[2])
        }
        return nil
    }
}

/// The side lengths after `halvings` stride-2 steps.
private func reduced(_ image: Shape, _ halvings: Int) -> (height: Int, width: Int) {
    (image[1] >> halvings, image[2] >> halvings)
}

/// Flat images (N, C·H·W) → features (N, channels.last·H'·W'), through a stride-2 convolution
/// per width in `channels`, each with `activation` (after a `BatchNorm2D`, for all but the
/// first, when `batchNorm`). The first convolution reads data and skips its input gradient
/// when `inputIsData`.
public func convolutionalFeatures(
    image: Shape, channels: [Int], activation: Activation, batchNorm: Bool = false,
    inputIsData: Bool, generator g: inout SeededGenerator
) -> Sequential {
    var layers: [any Layer] = [Reshape(itemShape: image.dimensions)]
    var previous = image[0]
    for (i, width) in channels.enumerated() {
        // The activation fused into the layer before it: the convolution, or the batch norm.
        let normalized = batchNorm && i > 0
        layers.append(
            Conv2D(
                inputChannels: previous, outputChannels: width, kernelSize: 4, stride: 2, padding: 1,
                activation: normalized ? .identity : activation, generator: &g))
        if normalized { layers.append(BatchNorm2D(featureCount: width, activation: activation)) }
        previous = width
    }
    layers.append(Flatten())
    let network = Sequential(layers)
    if inputIsData { network.computesInputGradient = false }
    return network
}

/// The number of features `convolutionalFeatures` gives.
public func convolutionalFeatureCount(image: Shape, channels: [Int]) -> Int {
    let (h, w) = reduced(image, channels.count)
    return (channels.last ?? image[0]) * h * w
}

/// Codes (N, inputSize) → flat images (N, C·H·W): Dense to `channels[0]`×H'×W' (then
/// `BatchNorm` when `batchNorm`) and `activation`, then a transposed convolution per
/// further width and a last one to the image's channels, with `activation` (and
/// `BatchNorm2D` when `batchNorm`) between them and `output` after the last.
public func convolutionalGenerator(
    inputSize: Int, image: Shape, channels: [Int], activation: Activation, output: Activation,
    batchNorm: Bool = false, generator g: inout SeededGenerator
) -> Sequential {
    let (h, w) = reduced(image, channels.count)
    let first = channels[0] * h * w
    var layers: [any Layer] =
        batchNorm
        ? [
            Dense(inputSize: inputSize, outputSize: first, generator: &g),
            BatchNorm(featureCount: first, activation: activation),
        ]
        : [Dense(inputSize: inputSize, outputSize: first, activation: activation, generator: &g)]
    layers.append(Reshape(itemShape: [channels[0], h, w]))
    for (i, width) in channels.enumerated() {
        let last = i + 1 == channels.count
        let next = last ? image[0] : channels[i + 1]
        let fused = last ? output : batchNorm ? .identity : activation
        layers.append(
            TransposedConv2D(
                inputChannels: width, outputChannels: next, kernelSize: 4, stride: 2, padding: 1,
                activation: fused, generator: &g))
        if !last && batchNorm { layers.append(BatchNorm2D(featureCount: next, activation: activation)) }
    }
    layers.append(Flatten())
    return Sequential(layers)
}
