/// Why a model cannot be built with the settings asked for, in the library's words: a script
/// sees what is wrong with its settings; `gen` adds which flag to change.
public enum ModelProblem: Error, Equatable, CustomStringConvertible {
    /// PCA is linear: no convolutional architecture.
    case pcaIsLinear
    /// PCA's covariance of `pixels` × `pixels` values is larger than it keeps (`maximum` pixels).
    case pcaImagesTooLarge(pixels: Int, maximum: Int)
    /// PCA has at most one component per pixel.
    case tooManyComponents(asked: Int, pixels: Int)
    /// A model without a hidden layer is the fully connected autoencoder only.
    case noHiddenLayerOutsideMLPAutoencoder
    /// A convolutional network takes 1 to 6 channel counts from 1 to 1024.
    case channelCounts([Int])
    /// The diffusion model's U-Net takes two channel counts.
    case uNetChannelCounts([Int])
    /// `halvings` stride-2 layers need image sides divisible by 2^halvings.
    case sidesNotDivisible(halvings: Int, height: Int, width: Int)
    /// The square, low-resolution and stroke corruptions are for square grey images (the
    /// corruption's spelling, `square:8`).
    case corruptionNeedsSquareGreyImages(String, image: [Int])
    /// The low-resolution corruption's blocks must tile the image.
    case blocksDoNotDivide(factor: Int, imageSide: Int)
    /// The stroke corruption's stroke must be narrower than the image.
    case strokeTooWide(width: Int, imageSide: Int)
    /// The square corruption's square must be smaller than the image.
    case squareCorruptionTooLarge(side: Int, imageSide: Int)
    /// A transposed Dense layer has no convolutional twin.
    case tiedWeightsNeedMLP
    /// Greedy pretraining stacks Dense layers.
    case pretrainingNeedsMLP
    /// Greedy pretraining needs a decoder that mirrors the encoder layer by layer (`detail` says where not).
    case pretrainingNeedsMirroredNetworks(detail: String)
    /// KL sparsity targets a mean firing rate in (0, 1): sigmoid code units.
    case klSparsityNeedsSigmoidCode
    /// The contractive penalty's closed form covers a one-layer fully connected encoder.
    case contractionNeedsOneLayerEncoder
    /// Averaged weights for a model that has none (PCA) or whose batch norms' running
    /// statistics were gathered under the weights as trained (the DCGAN): not averaged yet.
    case weightAverageNotFor(String)
    /// A setting outside its range (`setting` names it, `expected` says the range).
    case settingOutOfRange(setting: ModelSettings.Setting, value: String, expected: String)

    public var description: String {
        switch self {
        case .pcaIsLinear:
            return "PCA is linear: a convolutional architecture does not apply"
        case let .pcaImagesTooLarge(pixels, maximum):
            return
                "PCA keeps a \(pixels) × \(pixels) covariance for images of \(pixels) values; at most \(maximum) values (64×64 grey) fit: scale the images down"
        case let .tooManyComponents(asked, pixels):
            return "\(asked) components: PCA has at most \(pixels) components for images of \(pixels) values"
        case .noHiddenLayerOutsideMLPAutoencoder:
            return "no hidden layer is for the fully connected autoencoder only"
        case let .channelCounts(channels):
            return
                "a convolutional network takes 1 to 6 channel counts from 1 to 1024, got \(channels.map(String.init).joined(separator: ","))"
        case let .uNetChannelCounts(channels):
            return
                "the diffusion model's U-Net takes two channel counts (at the image's resolution, then below it), got \(channels.map(String.init).joined(separator: ","))"
        case let .sidesNotDivisible(halvings, height, width):
            return "\(halvings) stride-2 layers need image sides divisible by \(1 << halvings), got \(height)×\(width)"
        case let .corruptionNeedsSquareGreyImages(corruption, image):
            return
                "the corruption \(corruption) is for square grey images, got \(image.map(String.init).joined(separator: "×")) (C×H×W)"
        case let .blocksDoNotDivide(factor, imageSide):
            return
                "the low-resolution corruption's \(factor)-pixel blocks must divide the \(imageSide)-pixel image side"
        case let .strokeTooWide(width, imageSide):
            return "the stroke corruption's width \(width) must be smaller than the \(imageSide)-pixel images"
        case let .squareCorruptionTooLarge(side, imageSide):
            return "the square corruption's side \(side) must be smaller than the \(imageSide)-pixel images"
        case .tiedWeightsNeedMLP:
            return
                "tied weights need fully connected networks (a transposed Dense layer has no convolutional twin here)"
        case .pretrainingNeedsMLP:
            return "greedy pretraining needs fully connected networks"
        case let .pretrainingNeedsMirroredNetworks(detail):
            return
                "greedy pretraining needs fully connected networks whose decoder mirrors the encoder layer by layer: \(detail)"
        case .klSparsityNeedsSigmoidCode:
            return "KL sparsity needs sigmoid code units: ρ̂ is a mean firing rate in (0, 1)"
        case .contractionNeedsOneLayerEncoder:
            return
                "the contractive penalty needs a one-layer fully connected encoder: its closed form covers h = s(Wx + b) only"
        case let .weightAverageNotFor(model):
            return "averaged weights are not for \(model)"
        case let .settingOutOfRange(setting, value, expected):
            return "the \(setting.rawValue) must be \(expected), got \(value)"
        }
    }
}
