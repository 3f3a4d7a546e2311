import NN

// The conv AE, conv VAE and DCGAN: the same models as the MLP defaults, built from the
// convolutional networks of ConvolutionalNetworks.swift.

extension Autoencoder {
    /// Conv(C→32)-ReLU-Conv(32→64)-ReLU-Dense(latent) | Dense-ReLU-TConv(64→32)-ReLU-TConv(32→C), for `channels` [32, 64].
    public convenience init(
        convolutionalFor image: Shape, channels: [Int] = [32, 64], latentDimension: Int = 32,
        codeActivation: CodeActivation = .identity, objective: AutoencoderObjective = AutoencoderObjective(),
        seed: UInt64
    ) {
        var g = SeededGenerator(seed: seed)
        let features = convolutionalFeatures(
            image: image, channels: channels, activation: .relu, inputIsData: true, generator: &g)
        let featureCount = convolutionalFeatureCount(image: image, channels: channels)
        let encoder = Sequential(
            features.layers + [
                Dense(
                    inputSize: featureCount, outputSize: latentDimension, activation: codeActivation.activation,
                    generator: &g)
            ])
        encoder.computesInputGradient = false
        let decoder = convolutionalGenerator(
            inputSize: latentDimension, image: image, channels: channels.reversed(), activation: .relu,
            output: .identity, generator: &g)
        self.init(
            encoder: encoder, decoder: decoder, latentDimension: latentDimension, objective: objective,
            name: ModelKind.ae.name(.conv), displayName: ModelKind.ae.displayName(.conv))
    }
}

extension VariationalAutoencoder {
    /// The conv AE's encoder features with two Dense heads (mu, log sigma²) and its decoder.
    public convenience init(
        convolutionalFor image: Shape, channels: [Int] = [32, 64], latentDimension: Int = 20, beta: Float = 1,
        reconstruction: ReconstructionLoss = .bce, seed: UInt64
    ) {
        var g = SeededGenerator(seed: seed)
        let encoder = convolutionalFeatures(
            image: image, channels: channels, activation: .relu, inputIsData: true, generator: &g)
        let featureCount = convolutionalFeatureCount(image: image, channels: channels)
        let meanHead = Dense(inputSize: featureCount, outputSize: latentDimension, generator: &g)
        let logVarianceHead = Dense(inputSize: featureCount, outputSize: latentDimension, generator: &g)
        let decoder = convolutionalGenerator(
            inputSize: latentDimension, image: image, channels: channels.reversed(), activation: .relu,
            output: .identity, generator: &g)
        self.init(
            encoder: encoder, meanHead: meanHead, logVarianceHead: logVarianceHead, decoder: decoder,
            latentDimension: latentDimension, beta: beta, reconstruction: reconstruction,
            name: ModelKind.vae.name(.conv), displayName: ModelKind.vae.displayName(.conv))
    }
}

extension GAN {
    /// DCGAN: G Dense-BatchNorm-ReLU, then TConv-BatchNorm2D-ReLU per width, then TConv to the
    /// image and tanh; D the mirror with LeakyReLU(0.2) and BatchNorm2D after its second
    /// convolution on. `generatorChannels` [128, 64] gives bench/torch_anchor.py's dcgan.
    public convenience init(
        convolutionalFor image: Shape, generatorChannels: [Int] = [128, 64], latentDimension: Int = 64,
        discriminatorSteps: Int = 1, generatorLoss: GeneratorLoss = .nonSaturating,
        seed: UInt64
    ) {
        var g = SeededGenerator(seed: seed)
        let generator = convolutionalGenerator(
            inputSize: latentDimension, image: image, channels: generatorChannels, activation: .relu,
            output: .tanh, batchNorm: true, generator: &g)
        let discriminatorChannels = Array(generatorChannels.reversed())
        let features = convolutionalFeatures(
            image: image, channels: discriminatorChannels, activation: .leakyReLU(slope: 0.2),
            batchNorm: true, inputIsData: false, generator: &g)
        let discriminator = Sequential(
            features.layers + [
                Dense(
                    inputSize: convolutionalFeatureCount(image: image, channels: discriminatorChannels),
                    outputSize: 1, generator: &g)
            ])
        self.init(
            generator: generator, discriminator: discriminator, latentDimension: latentDimension,
            discriminatorSteps: discriminatorSteps,
            generatorLoss: generatorLoss,
            name: ModelKind.gan.name(.conv), displayName: ModelKind.gan.displayName(.conv))
    }
}
