import ArgumentParser
import Lab
import Models

struct AutoencoderCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ae", abstract: "A plain autoencoder (784-512-32-512-784); samples decode random codes.")
    @OptionGroup var options: CommonOptions

    func run() throws { try runModel(.ae, options) { _ in } }
}

struct VAECommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "vae", abstract: "A variational autoencoder (784-400-20); samples decode z ~ N(0, I).")
    @OptionGroup var options: CommonOptions
    @Option(help: "Weight of the KL term (default 1: the plain VAE).") var beta: Float?

    func validate() throws {
        if let beta, !(beta >= 0 && beta.isFinite) { throw ValidationError("--beta must be zero or positive, got \(beta)") }
    }

    func run() throws { try runModel(.vae, options) { if let beta { $0.beta = beta } } }
}

struct GANCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gan", abstract: "A GAN trained by Goodfellow's algorithm: k discriminator steps, then one generator step.")
    @OptionGroup var options: CommonOptions
    @Option(help: "k: discriminator updates per generator update (default 1).") var discriminatorSteps: Int?
    @Option(help: "non-saturating (-log D(G(z)), the default) or minimax (log(1 - D(G(z))), the paper's).")
    var generatorLoss: GeneratorLoss?

    func validate() throws {
        if let k = discriminatorSteps { try bound("--discriminator-steps", k, 1...Limits.discriminatorSteps) }
    }

    func run() throws {
        try runModel(.gan, options) { settings in
            if let k = discriminatorSteps { settings.discriminatorSteps = k }
            if let loss = generatorLoss { settings.generatorLoss = loss }
        }
    }
}

/// Trains (or reuses) one model and draws its figures.
func runModel(_ kind: ModelKind, _ options: CommonOptions, modelFlags: (inout ModelSettings) -> Void) throws {
    let (request, settings) = resolve(kind, options, modelFlags: modelFlags)
    try ModelRun(request).trainAndDraw(kind, settings: settings, figures: options.figures)
}

/// The run and settings the flags ask for. A checkpoint named with --checkpoint supplies the
/// settings and data it was trained with; flags given on top of it override them.
func resolve(_ kind: ModelKind, _ options: CommonOptions, modelFlags: (inout ModelSettings) -> Void = { _ in }) -> (RunRequest, ModelSettings) {
    var request = options.request
    var settings = kind.defaultSettings(options.arch ?? .mlp)
    if let path = options.checkpoint, !options.retrain, let saved = SavedSettings(checkpoint: path, kind: kind) {
        // The file's architecture unless --arch names another (then the flags start from that one's defaults).
        if options.arch == nil || options.arch == saved.settings.architecture { settings = saved.settings }
        if options.dataset == nil, let data = saved.dataset { request.dataset = data }
    }
    settings = options.shaped(settings)
    modelFlags(&settings)
    return (request, settings)
}

/// `gen explore MODEL`: the live latent explorer page for a trained (or cached) model.
struct ExploreCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "explore",
        abstract: "Write <out>/<model>/explore.html: the model's decoder running in the browser, with sliders (and a 2-D pad for a 2-D latent).",
        discussion: "The page is one file that works offline (file://). Set the code from the address too: explore.html#z=0.5,-1.2")
    @Argument(help: "ae, vae or gan.") var model: ModelKind
    @OptionGroup var options: CommonOptions

    func run() throws {
        let (request, settings) = resolve(model, options)
        let run = ModelRun(request)
        let (trained, result) = try run.train(model, settings: settings)
        let folder = request.out + "/" + trained.name
        try createFolder(folder)
        let page = ExplorerPage(model: trained, test: result.data.test, layout: result.layout,
                                details: "\(trained.displayName) · \(result.datasetName) · epoch \(result.epochs) · seed \(request.seed) · latent \(trained.latentDimension)")
        let bytes = try page.write(to: folder + "/" + GalleryPage.explorerFile)
        try GalleryPage.updateIndex(root: request.out)
        print("Wrote \(folder)/explore.html (\(String(format: "%.1f", Double(bytes) / 1_000_000)) MB; open it in a browser, no network needed)")
    }
}
