import NN

/// The models `gen` trains by name: each carries its display name, its default settings, and
/// the factory that builds it. Adding a model is one case here, not a string switched on in
/// every file.
public enum ModelKind: String, CaseIterable, Codable, Sendable {
    /// The plain autoencoder.
    case ae
    /// The variational autoencoder.
    case vae
    /// The generative adversarial network.
    case gan

    /// The name in titles and headings.
    public var displayName: String {
        switch self {
        case .ae: return "Autoencoder"
        case .vae: return "VAE"
        case .gan: return "GAN"
        }
    }

    /// The reference architecture and training settings (bench/torch_anchor.py's).
    public var defaultSettings: ModelSettings {
        switch self {
        case .ae: return ModelSettings(latentDimension: 32, hiddenSizes: [512], learningRate: 1e-3)
        case .vae: return ModelSettings(latentDimension: 20, hiddenSizes: [400], learningRate: 1e-3)
        case .gan: return ModelSettings(latentDimension: 64, hiddenSizes: [256, 512], learningRate: 2e-4)
        }
    }

    /// The model with `settings`, for images of `imageSize` values, initialised from `seed`.
    public func makeModel(_ settings: ModelSettings, imageSize: Int, seed: UInt64) -> any GenerativeModel {
        let s = settings
        switch self {
        case .ae:
            return Autoencoder(inputSize: imageSize, hiddenSizes: s.hiddenSizes, latentDimension: s.latentDimension,
                               learningRate: s.learningRate, seed: seed)
        case .vae:
            return VariationalAutoencoder(inputSize: imageSize, hiddenSizes: s.hiddenSizes, latentDimension: s.latentDimension,
                                          beta: s.beta, learningRate: s.learningRate, seed: seed)
        case .gan:
            // --hidden names the generator's widths; the discriminator mirrors them.
            return GAN(imageSize: imageSize, latentDimension: s.latentDimension, generatorHiddenSizes: s.hiddenSizes,
                       discriminatorHiddenSizes: s.hiddenSizes.reversed(), discriminatorSteps: s.discriminatorSteps,
                       generatorLoss: s.generatorLoss, learningRate: s.learningRate, seed: seed)
        }
    }
}

/// The settings of a model `ModelKind` builds: what `gen`'s shape and training flags set. Kept
/// in checkpoints, so that a checkpoint alone rebuilds its model.
public struct ModelSettings: Codable, Equatable, Sendable {
    /// The size of the latent code.
    public var latentDimension: Int
    /// Hidden layer widths, input side first (the GAN's generator; its discriminator mirrors them).
    public var hiddenSizes: [Int]
    /// Adam's step size.
    public var learningRate: Float
    /// The VAE's KL weight.
    public var beta: Float = 1
    /// The GAN's k.
    public var discriminatorSteps = 1
    /// The GAN generator's objective.
    public var generatorLoss = GeneratorLoss.nonSaturating

    public init(latentDimension: Int, hiddenSizes: [Int], learningRate: Float, beta: Float = 1, discriminatorSteps: Int = 1,
                generatorLoss: GeneratorLoss = .nonSaturating) {
        self.latentDimension = latentDimension
        self.hiddenSizes = hiddenSizes
        self.learningRate = learningRate
        self.beta = beta
        self.discriminatorSteps = discriminatorSteps
        self.generatorLoss = generatorLoss
    }
}
