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
    /// Principal component analysis, fitted exactly: the linear baseline every autoencoder is
    /// measured against.
    case pca
    /// A denoising diffusion model (DDPM): an MLP denoiser, or (conv) a U-Net.
    case diffusion

    /// The name in titles and headings.
    public var displayName: String {
        switch self {
        case .ae: return "Autoencoder"
        case .vae: return "VAE"
        case .gan: return "GAN"
        case .pca: return "PCA"
        case .diffusion: return "Diffusion"
        }
    }

    /// Whether it is a network trained by gradient steps (PCA is solved in one pass).
    public var isNetwork: Bool { self != .pca }

    /// Epochs a run trains when neither the command nor a checkpoint says: PCA's one pass fits
    /// it exactly.
    public var defaultEpochs: Int { self == .pca ? 1 : 10 }

    /// Images per mini-batch when the command does not say, and for models built by hand.
    public static let standardBatchSize = 128

    /// Images per mini-batch a run of this kind takes when the command does not say: 128, the
    /// U-Net 64. Within a few epochs the U-Net learns more from twice the steps than from larger
    /// batches, at about the same seconds an epoch (docs/models.md: FD 96.7 against 125.9 after
    /// 5 epochs at Adam 1e-3).
    public func defaultBatchSize(_ architecture: Architecture) -> Int {
        self == .diffusion && architecture == .conv ? 64 : Self.standardBatchSize
    }

    /// The model's name with `architecture`: its gallery folder and checkpoint prefix.
    public func name(_ architecture: Architecture) -> String {
        switch (self, architecture) {
        case (_, .mlp): return rawValue
        case (.gan, .conv): return "dcgan"
        case (.pca, _): return rawValue
        case (_, .conv): return "conv-" + rawValue
        }
    }

    /// The name in titles and headings with `architecture`.
    public func displayName(_ architecture: Architecture) -> String {
        switch (self, architecture) {
        case (_, .mlp), (.pca, _): return displayName
        case (.gan, .conv): return "DCGAN"
        case (.ae, .conv): return "Conv autoencoder"
        case (.vae, .conv): return "Conv VAE"
        case (.diffusion, .conv): return "Diffusion (U-Net)"
        }
    }

    /// The reference MLP architecture and training settings (bench/torch_anchor.py's).
    public var defaultSettings: ModelSettings { defaultSettings(.mlp) }

    /// The reference settings for `architecture`: for conv, `hiddenSizes` are channel counts,
    /// one per stride-2 layer (bench/torch_anchor.py's dcgan for the GAN).
    public func defaultSettings(_ architecture: Architecture) -> ModelSettings {
        switch (self, architecture) {
        case (.ae, .mlp): return ModelSettings(latentDimension: 32, hiddenSizes: [512], learningRate: 1e-3)
        case (.vae, .mlp): return ModelSettings(latentDimension: 20, hiddenSizes: [400], learningRate: 1e-3)
        case (.gan, .mlp): return ModelSettings(latentDimension: 64, hiddenSizes: [256, 512], learningRate: 2e-4)
        case (.ae, .conv):
            return ModelSettings(architecture: .conv, latentDimension: 32, hiddenSizes: [32, 64], learningRate: 1e-3)
        case (.vae, .conv):
            return ModelSettings(architecture: .conv, latentDimension: 20, hiddenSizes: [32, 64], learningRate: 1e-3)
        case (.gan, .conv):
            return ModelSettings(architecture: .conv, latentDimension: 64, hiddenSizes: [128, 64], learningRate: 2e-4)
        // The latent code of a diffusion model is x_T, as large as the image: the dimension here
        // is Fashion-MNIST's, and the model takes its own from the images it is built for. The
        // MLP's layers are wider than the image: the noise it must give back has a number for
        // every pixel, and 512 units passed on too little of it (test loss 0.47 against 0.19).
        // Both sample with their weights averaged over training, as DDPM does (decay 0.9999 there,
        // over 800,000 steps; 0.999 here, over a few thousand): the U-Net's averaged weights after
        // 5 epochs scored a Fréchet distance of 126 on the judge, its weights as trained 186.
        case (.diffusion, .mlp):
            var settings = ModelSettings(latentDimension: 784, hiddenSizes: [1024, 1024], learningRate: 1e-3)
            settings.averageDecay = 0.999
            return settings
        // The U-Net at 16-32 channels: 32-64 took four times as long an epoch (and, before batches
        // were taken in slices, peaked at 1.4 GB). Adam 2e-3 with batches of 64 (its default):
        // after 5 epochs, FD 86.3 against 96.7 at 1e-3 (docs/models.md).
        case (.diffusion, .conv):
            var settings = ModelSettings(
                architecture: .conv, latentDimension: 784, hiddenSizes: [16, 32], learningRate: 2e-3)
            settings.averageDecay = 0.999
            return settings
        // 30 components: Hinton & Salakhutdinov's code size, for comparison with their deep AE.
        case (.pca, _):
            return ModelSettings(
                architecture: architecture, latentDimension: 30, hiddenSizes: [], learningRate: 0,
                reconstructionLoss: .mse)
        }
    }

    /// Why a model with `settings` cannot be built for images of `image` (C, H, W), or nil:
    /// found before any data is trained on.
    public func problem(_ settings: ModelSettings, image: Shape) -> ModelProblem? {
        let s = settings
        if let problem = s.rangeProblem { return problem }
        if s.averageDecay != nil && (self == .pca || (self == .gan && s.architecture == .conv)) {
            return .weightAverageNotFor(
                self == .pca
                    ? "PCA: it is fitted, not stepped"
                    : "the DCGAN yet: its batch norms' running statistics are gathered under the weights as trained")
        }
        if self == .pca {
            if s.architecture == .conv { return .pcaIsLinear }
            if image.count > PrincipalComponentModel.maximumInputSize {
                return .pcaImagesTooLarge(pixels: image.count, maximum: PrincipalComponentModel.maximumInputSize)
            }
            return s.latentDimension <= image.count
                ? nil : .tooManyComponents(asked: s.latentDimension, pixels: image.count)
        }
        if s.hiddenSizes.isEmpty && (self != .ae || s.architecture == .conv) {
            return .noHiddenLayerOutsideMLPAutoencoder
        }
        // The U-Net has two resolutions below the image's: two channel counts, sides divisible by 4
        // (what the convolutional check below asks of two stride-2 layers).
        if self == .diffusion && s.architecture == .conv && s.hiddenSizes.count != 2 {
            return .uNetChannelCounts(s.hiddenSizes)
        }
        if s.architecture == .conv, let problem = Architecture.convolutionProblem(image: image, channels: s.hiddenSizes)
        {
            return problem
        }
        guard self == .ae else { return nil }
        if let problem = s.corruption?.problem(image: image) { return problem }
        if s.architecture == .conv && s.tiedWeights { return .tiedWeightsNeedMLP }
        if s.architecture == .conv && s.pretrainEpochs > 0 { return .pretrainingNeedsMLP }
        return s.objective.problem(
            codeActivation: s.codeActivation, oneLayerEncoder: s.hiddenSizes.isEmpty && s.architecture == .mlp)
    }

    /// The optimizer a model of this kind trains with: Adam at `settings.learningRate`; the
    /// GAN's with β₁ = 0.5 (Radford et al. 2015's DCGAN setting, bench/torch_anchor.py's).
    public func optimizer(_ settings: ModelSettings) -> any Optimizer {
        self == .gan ? Adam(learningRate: settings.learningRate, beta1: 0.5) : Adam(learningRate: settings.learningRate)
    }

    /// The model with `settings`, for images of `image` (C, H, W), initialised from `seed`.
    /// `problem(settings, image:)` must be nil.
    public func makeModel(_ settings: ModelSettings, image: Shape, seed: UInt64) -> any GenerativeModel {
        let s = settings
        precondition(problem(s, image: image) == nil, problem(s, image: image).map(String.init(describing:)) ?? "")
        let imageSize = image.count
        switch (self, s.architecture) {
        case (.pca, _):
            return PrincipalComponentModel(inputSize: imageSize, latentDimension: s.latentDimension)
        case (.ae, .conv):
            return Autoencoder(
                convolutionalFor: image, channels: s.hiddenSizes, latentDimension: s.latentDimension,
                codeActivation: s.codeActivation,
                objective: s.objective, seed: seed)
        case (.vae, .conv):
            return VariationalAutoencoder(
                convolutionalFor: image, channels: s.hiddenSizes, latentDimension: s.latentDimension,
                beta: s.beta, reconstruction: s.reconstructionLoss, seed: seed)
        case (.gan, .conv):
            return GAN(
                convolutionalFor: image, generatorChannels: s.hiddenSizes, latentDimension: s.latentDimension,
                discriminatorSteps: s.discriminatorSteps, generatorLoss: s.generatorLoss, seed: seed)
        case (.ae, .mlp):
            return Autoencoder(
                inputSize: imageSize, hiddenSizes: s.hiddenSizes, latentDimension: s.latentDimension,
                codeActivation: s.codeActivation, tiedWeights: s.tiedWeights, objective: s.objective,
                pretrainingEpochsPerLayer: s.pretrainEpochs, seed: seed)
        case (.vae, .mlp):
            return VariationalAutoencoder(
                inputSize: imageSize, hiddenSizes: s.hiddenSizes, latentDimension: s.latentDimension,
                beta: s.beta, reconstruction: s.reconstructionLoss, seed: seed)
        case (.diffusion, .mlp):
            return DiffusionModel(
                denoiser: MLPDenoiser(dimension: imageSize, hiddenSizes: s.hiddenSizes, seed: seed),
                schedule: NoiseSchedule(s.noiseSchedule, steps: s.diffusionSteps), dimension: imageSize,
                samplingSteps: s.samplingSteps)
        case (.diffusion, .conv):
            return DiffusionModel(
                denoiser: UNetDenoiser(image: image, channels: (s.hiddenSizes[0], s.hiddenSizes[1]), seed: seed),
                schedule: NoiseSchedule(s.noiseSchedule, steps: s.diffusionSteps), dimension: imageSize,
                samplingSteps: s.samplingSteps,
                sliceSize: DiffusionModel.sliceSize(activationsPerItem: activationEstimate(s, image: image)),
                name: "conv-diffusion", displayName: "Diffusion (U-Net)")
        case (.gan, .mlp):
            // The hidden sizes are the generator's widths; the discriminator mirrors them.
            return GAN(
                imageSize: imageSize, latentDimension: s.latentDimension, generatorHiddenSizes: s.hiddenSizes,
                discriminatorHiddenSizes: s.hiddenSizes.reversed(), discriminatorSteps: s.discriminatorSteps,
                generatorLoss: s.generatorLoss, seed: seed)
        }
    }
}

/// The settings of a model `ModelKind` builds: what `gen`'s shape and training flags set. Kept
/// in checkpoints, so that a checkpoint alone rebuilds its model.
public struct ModelSettings: Codable, Equatable, Sendable {
    /// Fully connected or convolutional networks.
    public var architecture = Architecture.mlp
    /// The size of the latent code.
    public var latentDimension: Int
    /// Hidden layer widths (conv: channel counts), input side first (the GAN's generator; its
    /// discriminator mirrors them). Empty: the AE's one-layer encoder and decoder.
    public var hiddenSizes: [Int]
    /// Adam's step size.
    public var learningRate: Float
    /// The VAE's KL weight.
    public var beta: Float = 1
    /// The GAN's k.
    public var discriminatorSteps = 1
    /// The GAN generator's objective.
    public var generatorLoss = GeneratorLoss.nonSaturating
    /// The AE's and VAE's reconstruction term.
    public var reconstructionLoss = ReconstructionLoss.bce
    /// The AE's code units' activation.
    public var codeActivation = CodeActivation.identity
    /// The AE's input corruption (a denoising AE), or nil.
    public var corruption: Corruption?
    /// The AE's sparsity penalty, or nil.
    public var sparsity: Sparsity?
    /// λ of the AE's contractive penalty (0: none).
    public var contractive: Float = 0
    /// Whether the AE's decoder uses the transposes of the encoder's weights.
    public var tiedWeights = false
    /// Epochs per layer of the AE's greedy layer-wise pretraining (0: none).
    public var pretrainEpochs = 0
    /// The diffusion model's β schedule, its T, and the DDIM steps its samples take.
    public var noiseSchedule = NoiseSchedule.Kind.linear
    public var diffusionSteps = 1000
    public var samplingSteps = 50
    /// The decay of the weights' average over training steps that evaluation and sampling
    /// read (`WeightAverage`), or nil: the weights as trained.
    public var averageDecay: Float?

    public init(
        architecture: Architecture = .mlp, latentDimension: Int, hiddenSizes: [Int], learningRate: Float,
        beta: Float = 1,
        discriminatorSteps: Int = 1, generatorLoss: GeneratorLoss = .nonSaturating,
        reconstructionLoss: ReconstructionLoss = .bce
    ) {
        self.architecture = architecture
        self.latentDimension = latentDimension
        self.hiddenSizes = hiddenSizes
        self.learningRate = learningRate
        self.beta = beta
        self.discriminatorSteps = discriminatorSteps
        self.generatorLoss = generatorLoss
        self.reconstructionLoss = reconstructionLoss
    }

    /// Epochs the AE's greedy pretraining takes: `pretrainEpochs` for each of its layers, the
    /// hidden ones and the code layer (what `GreedyPretraining.epochs` counts once built).
    public var pretrainingEpochs: Int { pretrainEpochs * (hiddenSizes.count + 1) }

    /// The AE's objective these settings give.
    public var objective: AutoencoderObjective {
        AutoencoderObjective(
            reconstruction: reconstructionLoss, corruption: corruption, sparsity: sparsity, contraction: contractive)
    }

    private enum CodingKeys: String, CodingKey {
        case architecture, latentDimension, hiddenSizes, learningRate, beta, discriminatorSteps, generatorLoss
        case reconstructionLoss, codeActivation, corruption, sparsity, contractive, tiedWeights, pretrainEpochs
        case noiseSchedule, diffusionSteps, samplingSteps, averageDecay
    }

    /// Settings saved before a field existed take its default (checkpoints written before
    /// `--arch` are MLPs; before the AE variants, plain AEs).
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        architecture = try c.decodeIfPresent(Architecture.self, forKey: .architecture) ?? .mlp
        latentDimension = try c.decode(Int.self, forKey: .latentDimension)
        hiddenSizes = try c.decode([Int].self, forKey: .hiddenSizes)
        learningRate = try c.decode(Float.self, forKey: .learningRate)
        beta = try c.decodeIfPresent(Float.self, forKey: .beta) ?? 1
        discriminatorSteps = try c.decodeIfPresent(Int.self, forKey: .discriminatorSteps) ?? 1
        generatorLoss = try c.decodeIfPresent(GeneratorLoss.self, forKey: .generatorLoss) ?? .nonSaturating
        reconstructionLoss = try c.decodeIfPresent(ReconstructionLoss.self, forKey: .reconstructionLoss) ?? .bce
        codeActivation = try c.decodeIfPresent(CodeActivation.self, forKey: .codeActivation) ?? .identity
        corruption = try c.decodeIfPresent(Corruption.self, forKey: .corruption)
        sparsity = try c.decodeIfPresent(Sparsity.self, forKey: .sparsity)
        contractive = try c.decodeIfPresent(Float.self, forKey: .contractive) ?? 0
        tiedWeights = try c.decodeIfPresent(Bool.self, forKey: .tiedWeights) ?? false
        pretrainEpochs = try c.decodeIfPresent(Int.self, forKey: .pretrainEpochs) ?? 0
        noiseSchedule = try c.decodeIfPresent(NoiseSchedule.Kind.self, forKey: .noiseSchedule) ?? .linear
        diffusionSteps = try c.decodeIfPresent(Int.self, forKey: .diffusionSteps) ?? 1000
        samplingSteps = try c.decodeIfPresent(Int.self, forKey: .samplingSteps) ?? 50
        averageDecay = try c.decodeIfPresent(Float.self, forKey: .averageDecay)
    }
}

extension ModelSettings {
    /// The settings that have bounds, as the library names them.
    public enum Setting: String, Sendable {
        case latentDimension = "latent dimension", hiddenSizes = "hidden sizes", learningRate = "learning rate", beta =
            "β"
        case discriminatorSteps = "number of discriminator steps", contraction = "contractive weight"
        case pretrainingEpochs = "number of pretraining epochs per layer"
        case diffusionSteps = "number of diffusion steps", samplingSteps = "number of sampling steps"
        case averageDecay = "weight average's decay"
    }

    /// The first setting outside its bounds, or nil: one check for flags and for the settings a
    /// checkpoint's metadata carries (untrusted input), made before any model is built.
    public var rangeProblem: ModelProblem? {
        func outOfRange(_ setting: Setting, _ value: CustomStringConvertible, _ expected: String) -> ModelProblem {
            .settingOutOfRange(setting: setting, value: value.description, expected: expected)
        }
        if !(1...Limits.width).contains(latentDimension) {
            return outOfRange(.latentDimension, latentDimension, "from 1 to \(Limits.width)")
        }
        if hiddenSizes.count > Limits.hiddenLayers || !hiddenSizes.allSatisfy({ (1...Limits.width).contains($0) }) {
            return outOfRange(
                .hiddenSizes, hiddenSizes, "at most \(Limits.hiddenLayers) widths from 1 to \(Limits.width)")
        }
        // PCA's learning rate is 0: it is fitted, not stepped.
        if !(learningRate >= 0 && learningRate <= 10) { return outOfRange(.learningRate, learningRate, "from 0 to 10") }
        if !(beta >= 0 && beta.isFinite) { return outOfRange(.beta, beta, "zero or positive") }
        if !(1...Limits.discriminatorSteps).contains(discriminatorSteps) {
            return outOfRange(.discriminatorSteps, discriminatorSteps, "from 1 to \(Limits.discriminatorSteps)")
        }
        if !(contractive >= 0 && contractive <= 1000) { return outOfRange(.contraction, contractive, "from 0 to 1000") }
        if !(0...Limits.epochs).contains(pretrainEpochs) {
            return outOfRange(.pretrainingEpochs, pretrainEpochs, "from 0 to \(Limits.epochs)")
        }
        if !(2...Limits.diffusionSteps).contains(diffusionSteps) {
            return outOfRange(.diffusionSteps, diffusionSteps, "from 2 to \(Limits.diffusionSteps)")
        }
        if !(1...diffusionSteps).contains(samplingSteps) {
            return outOfRange(
                .samplingSteps, samplingSteps, "from 1 to the number of diffusion steps, \(diffusionSteps)")
        }
        if let averageDecay, !(averageDecay > 0 && averageDecay < 1) {
            return outOfRange(.averageDecay, averageDecay, "above 0 and below 1")
        }
        return nil
    }
}
