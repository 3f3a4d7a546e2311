import ArgumentParser
import Datasets
import Gallery
import Models

/// Settings only some models take, with their defaults.
struct ModelExtras {
    var beta: Float = 1
    var discriminatorSteps = 1
    var generatorLoss = GeneratorLoss.nonSaturating
}

/// The model `kind` names, shaped by the flags and sized for the data.
func makeModel(_ kind: String, options: CommonOptions, extras: ModelExtras, data: DataSource.Splits) -> any GenerativeModel {
    switch kind {
    case "ae":
        return Autoencoder(options.shaped(AutoencoderConfiguration(), imageSize: data.train.imageSize), seed: options.seed)
    case "vae":
        var c = options.shaped(VAEConfiguration(), imageSize: data.train.imageSize)
        c.beta = extras.beta
        return VariationalAutoencoder(c, seed: options.seed)
    default:
        var c = GANConfiguration()
        c.imageSize = data.train.imageSize
        c.discriminatorSteps = extras.discriminatorSteps
        c.generatorLoss = extras.generatorLoss
        if let d = options.latentDimension { c.latentDimension = d }
        if let h = options.hiddenSizes { c.generatorHiddenSizes = h; c.discriminatorHiddenSizes = h.reversed() }
        if let lr = options.learningRate { c.learningRate = lr }
        return GAN(c, seed: options.seed)
    }
}

struct AutoencoderCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ae", abstract: "A plain autoencoder (784-512-32-512-784); samples decode random codes.")
    @OptionGroup var options: CommonOptions

    func run() throws { try runModel("ae", options, ModelExtras()) }
}

struct VAECommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "vae", abstract: "A variational autoencoder (784-400-20); samples decode z ~ N(0, I).")
    @OptionGroup var options: CommonOptions
    @Option(help: "Weight of the KL term (1: the plain VAE).") var beta: Float = 1

    func validate() throws {
        guard beta >= 0 && beta.isFinite else { throw ValidationError("--beta must be zero or positive, got \(beta)") }
    }

    func run() throws { try runModel("vae", options, ModelExtras(beta: beta)) }
}

struct GANCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gan", abstract: "A GAN trained by Goodfellow's algorithm: k discriminator steps, then one generator step.")
    @OptionGroup var options: CommonOptions
    @Option(help: "k: discriminator updates per generator update.") var discriminatorSteps = 1
    @Option(help: "non-saturating (-log D(G(z))) or minimax (log(1 - D(G(z))), the paper's).")
    var generatorLoss: String = GeneratorLoss.nonSaturating.rawValue

    func validate() throws {
        guard discriminatorSteps >= 1 else { throw ValidationError("--discriminator-steps must be at least 1, got \(discriminatorSteps)") }
        guard GeneratorLoss(rawValue: generatorLoss) != nil else {
            throw ValidationError("--generator-loss must be non-saturating or minimax, got '\(generatorLoss)'")
        }
    }

    func run() throws {
        try runModel("gan", options, ModelExtras(discriminatorSteps: discriminatorSteps, generatorLoss: GeneratorLoss(rawValue: generatorLoss)!))
    }
}

/// Trains (or reuses) one model, recording the film if asked, then draws its figures.
func runModel(_ kind: String, _ options: CommonOptions, _ extras: ModelExtras) throws {
    let recorder = options.film ? FilmRecorder(side: options.grid, seed: options.seed, temperature: options.temperature) : nil
    let trained = try ModelRun(options: options).train(
        makeModel: { makeModel(kind, options: options, extras: extras, data: $0) },
        onEpoch: { model, epoch, data in recorder?.record(model, epoch: epoch, data: data.train) })
    try ModelFigures(options: options, trained: trained, film: recorder).write()
}

extension CommonOptions {
    /// `configuration` with the data's image size and whichever shape flags were given.
    func shaped<C: AutoencoderShape>(_ configuration: C, imageSize: Int) -> C {
        var c = configuration
        c.inputSize = imageSize
        if let d = latentDimension { c.latentDimension = d }
        if let h = hiddenSizes { c.hiddenSizes = h }
        if let lr = learningRate { c.learningRate = lr }
        return c
    }
}
