import NN

// The convolutional networks of `--arch conv`, for images of C×H×W whose sides halve once per
// width in `channels` (28 → 14 → 7 for two). Every down step is Conv(4×4, stride 2, padding 1)
// and every up step TransposedConv(4×4, stride 2, padding 1): the kernel covers its stride twice,
// so no output position is fed by fewer inputs than its neighbours (no checkerboard from the
// stride alone). Networks take and give flat (N, C·H·W) images, as the data and losses use.
//
//   AE / VAE encoder: Conv(C→32)-ReLU-Conv(32→64)-ReLU-Flatten[-Dense(latent)]
//   decoder:          Dense(latent → 64·H/4·W/4)-ReLU-Reshape-TConv(64→32)-ReLU-TConv(32→C), logits
//   DCGAN (Radford et al. 2015, scaled down; bench/torch_anchor.py dcgan):
//   G: Dense(z → 128·H/4·W/4)-BatchNorm-ReLU-Reshape-TConv(128→64)-BatchNorm2D-ReLU-TConv(64→C)-Tanh
//   D: Conv(C→64)-LReLU(0.2)-Conv(64→128)-BatchNorm2D-LReLU(0.2)-Flatten-Dense(1)

/// Which family of networks a model is built from.
public enum Architecture: String, Codable, CaseIterable, Sendable {
    /// Fully connected layers (`--hidden` gives their widths).
    case mlp
    /// Strided convolutions (`--hidden` gives their channel counts, one per halving).
    case conv

    /// Why images of `image` (C, H, W) cannot go through `channels.count` halvings, or nil when they can.
    public static func convolutionProblem(image: Shape, channels: [Int]) -> String? {
        let factor = 1 << channels.count
        guard !channels.isEmpty, channels.count <= 6, channels.allSatisfy({ (1...1024).contains($0) }) else {
            return "--arch conv takes 1 to 6 channel counts from 1 to 1024 in --hidden, got \(channels.map(String.init).joined(separator: ","))"
        }
        guard image[1] % factor == 0, image[2] % factor == 0 else {
            return "--arch conv with \(channels.count) stride-2 layers needs image sides divisible by \(factor), got \(image[1])×\(image[2]) (use --image-size, or fewer --hidden widths)"
        }
        return nil
    }
}

/// The side lengths after `halvings` stride-2 steps.
private func reduced(_ image: Shape, _ halvings: Int) -> (height: Int, width: Int) {
    (image[1] >> halvings, image[2] >> halvings)
}

/// Conv(4×4, stride 2, padding 1): halves the sides.
private func down(_ input: Int, _ output: Int, _ g: inout SeededGenerator) -> Conv2D {
    Conv2D(inputChannels: input, outputChannels: output, kernelSize: 4, stride: 2, padding: 1, generator: &g)
}

/// TransposedConv(4×4, stride 2, padding 1): doubles the sides.
private func up(_ input: Int, _ output: Int, _ g: inout SeededGenerator) -> TransposedConv2D {
    TransposedConv2D(inputChannels: input, outputChannels: output, kernelSize: 4, stride: 2, padding: 1, generator: &g)
}

/// Flat images (N, C·H·W) → features (N, channels.last·H'·W'), through a stride-2 convolution
/// per width in `channels`, each followed by `activation` (and by `BatchNorm2D` after all but
/// the first when `batchNorm`). The first convolution reads data and skips its input gradient
/// when `inputIsData`.
public func convolutionalFeatures(image: Shape, channels: [Int], activation: Activation, batchNorm: Bool = false,
                                  inputIsData: Bool, generator g: inout SeededGenerator) -> Sequential {
    var layers: [any Layer] = [Reshape(itemShape: image.dimensions)]
    var previous = image[0]
    for (i, width) in channels.enumerated() {
        layers.append(down(previous, width, &g))
        if batchNorm && i > 0 { layers.append(BatchNorm2D(featureCount: width)) }
        layers.append(ElementwiseActivation.layer(activation))
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
public func convolutionalGenerator(inputSize: Int, image: Shape, channels: [Int], activation: Activation, output: Activation,
                                   batchNorm: Bool = false, generator g: inout SeededGenerator) -> Sequential {
    let (h, w) = reduced(image, channels.count)
    let first = channels[0] * h * w
    var layers: [any Layer] = []
    if batchNorm {
        layers += [Dense(inputSize: inputSize, outputSize: first, generator: &g), BatchNorm(featureCount: first), ElementwiseActivation.layer(activation)]
    } else {
        layers.append(Dense(inputSize: inputSize, outputSize: first, activation: activation, generator: &g))
    }
    layers.append(Reshape(itemShape: [channels[0], h, w]))
    for (i, width) in channels.enumerated() {
        let next = i + 1 < channels.count ? channels[i + 1] : image[0]
        layers.append(up(width, next, &g))
        if i + 1 < channels.count {
            if batchNorm { layers.append(BatchNorm2D(featureCount: next)) }
            layers.append(ElementwiseActivation.layer(activation))
        } else if output != .identity {
            layers.append(ElementwiseActivation.layer(output))
        }
    }
    layers.append(Flatten())
    return Sequential(layers)
}
