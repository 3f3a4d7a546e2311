import ArgumentParser
import Lab
import Models

struct AutoencoderCommand: ModelCommand {
    static let configuration = CommandConfiguration(
        commandName: "ae",
        abstract:
            "An autoencoder (784-512-32-512-784); samples decode random codes. Denoising, sparse, contractive, tied and stacked variants by flag.",
        discussion: """
            The lectures' variants: a denoising AE (--corruption gaussian:0.5), a sparse one (--sparsity l1:0.001, or \
            --code-activation sigmoid --sparsity kl:0.05:3), a contractive one (--hidden none --code-activation sigmoid \
            --contractive 0.1; the penalty is the closed form for a one-layer encoder, so deeper encoders are refused), \
            tied weights (--tied-weights), greedy layer-wise pretraining (--hidden 1000,500,250 --latent-dimension 30 \
            --pretrain greedy --pretrain-epochs 2; --epochs counts the pretraining epochs too), an overcomplete one \
            (--hidden none --latent-dimension 1000), a linear one (--hidden none --reconstruction-loss mse). \
            --measure reports on the test set what each variant is for.
            """)
    @OptionGroup var options: CommonOptions
    @OptionGroup var autoencoder: AutoencoderOptions
    @Option(help: "The code units' activation: identity (default), sigmoid, relu or tanh.") var codeActivation:
        CodeActivation?
    @Option(
        help:
            "Denoising: corrupt the input with gaussian:SIGMA, mask:FRACTION, salt-pepper:FRACTION, square:SIDE (a blanked square: inpainting), low-resolution:FACTOR (super-resolution) or stroke:WIDTH (a mark to remove); new noise every epoch; the loss scores the clean image.",
        transform: { try parsed($0, expected: Corruption.expected, Corruption.init(argument:)) })
    var corruption: Corruption?
    @Option(
        help:
            "Sparse code: l1:LAMBDA (LAMBDA Σ|h| per image) or kl:RHO:WEIGHT (WEIGHT Σ_j KL(RHO ‖ mean activation of unit j); needs --code-activation sigmoid).",
        transform: { try parsed($0, expected: Sparsity.expected, Sparsity.init(argument:)) })
    var sparsity: Sparsity?
    @Option(
        parsing: .unconditional,
        help:
            "Contractive: LAMBDA ‖J_f(x)‖²_F per image, the encoder's Jacobian in closed form; needs a one-layer encoder (--hidden none)."
    )
    var contractive: Float?
    @Flag(help: "Tie the weights: each decoder layer uses the transpose of its mirror in the encoder (own bias).")
    var tiedWeights = false
    @Option(
        help:
            "greedy: pretrain layer by layer (each a one-hidden-layer AE on the codes of the layers below), then train end to end."
    )
    var pretrain: PretrainMethod?
    @Option(parsing: .unconditional, help: "Epochs per layer of the pretraining (default 2); --epochs counts them too.")
    var pretrainEpochs: Int?

    func validate() throws {
        if let c = contractive, !(c > 0 && c <= 1000) {
            throw ValidationError("--contractive must be above 0 and at most 1000, got \(c)")
        }
        if let e = pretrainEpochs {
            try bound("--pretrain-epochs", e, 1...Limits.epochs)
            guard pretrain != nil else { throw ValidationError("--pretrain-epochs needs --pretrain greedy") }
        }
    }

    /// The settings these flags change.
    func apply(_ settings: inout ModelSettings) {
        autoencoder.apply(&settings)
        if let a = codeActivation { settings.codeActivation = a }
        if let corruption { settings.corruption = corruption }
        if let sparsity { settings.sparsity = sparsity }
        if let c = contractive { settings.contractive = c }
        if tiedWeights { settings.tiedWeights = true }
        if pretrain == .greedy { settings.pretrainEpochs = pretrainEpochs ?? 2 }
    }

    func run() throws { try runModel(.ae, options, measure: autoencoder.measure) { apply(&$0) } }
}

/// How an autoencoder is pretrained.
enum PretrainMethod: String, ExpressibleByArgument, CaseIterable {
    case greedy
}

/// Flags the autoencoders (and PCA, their linear baseline) share.
struct AutoencoderOptions: ParsableArguments {
    @Option(
        help:
            "bce (Bernoulli pixels, the default) or mse (Gaussian pixels of fixed variance: the output is the pixel mean, no sigmoid); both summed over pixels, averaged over images."
    )
    var reconstructionLoss: ReconstructionLoss?
    @Flag(
        help:
            "Measure on the test set: reconstruction error, denoising (Gaussian σ = 0.5), contraction, code sparsity, and noise images' reconstruction (copying); printed and written to measures.json."
    )
    var measure = false

    func apply(_ settings: inout ModelSettings) {
        if let loss = reconstructionLoss { settings.reconstructionLoss = loss }
    }
}

struct VAECommand: ModelCommand {
    static let configuration = CommandConfiguration(
        commandName: "vae", abstract: "A variational autoencoder (784-400-20); samples decode z ~ N(0, I).")
    @OptionGroup var options: CommonOptions
    @OptionGroup var autoencoder: AutoencoderOptions
    @Option(parsing: .unconditional, help: "Weight of the KL term (default 1: the plain VAE).") var beta: Float?

    func validate() throws {
        if let beta, !(beta >= 0 && beta.isFinite) {
            throw ValidationError("--beta must be zero or positive, got \(beta)")
        }
    }

    func run() throws {
        try runModel(.vae, options, measure: autoencoder.measure) { settings in
            autoencoder.apply(&settings)
            if let beta { settings.beta = beta }
        }
    }
}

struct PCACommand: ModelCommand {
    static let configuration = CommandConfiguration(
        commandName: "pca",
        abstract:
            "Principal component analysis, exact (LAPACK), with every autoencoder figure: the linear baseline (default 30 components)."
    )
    @OptionGroup var options: CommonOptions
    @Flag(help: "Measure on the test set, as gen ae --measure does; printed and written to measures.json.")
    var measure = false

    func run() throws { try runModel(.pca, options, measure: measure) { _ in } }
}

struct GANCommand: ModelCommand {
    static let configuration = CommandConfiguration(
        commandName: "gan",
        abstract: "A GAN trained by Goodfellow's algorithm: k discriminator steps, then one generator step.")
    @OptionGroup var options: CommonOptions
    @Option(parsing: .unconditional, help: "k: discriminator updates per generator update (default 1).")
    var discriminatorSteps: Int?
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

struct DiffusionCommand: ModelCommand {
    static let configuration = CommandConfiguration(
        commandName: "diffusion",
        abstract:
            "A denoising diffusion model (DDPM): a denoiser trained to predict the noise at every level; samples denoise pure noise step by step (DDIM).",
        discussion: """
            --arch mlp (the default) denoises with an MLP (--hidden 1024,1024), fast but noisy; --arch conv with a \
            small U-Net (--hidden 16,32: its channels at the image's resolution and at half of it). Loss: the \
            squared error between the true and the predicted noise, averaged over every pixel of every image, t \
            uniform in 1…T. Samples and interpolations take --sampling-steps DDIM steps from x_T, the model's latent code.
            """)
    @OptionGroup var options: CommonOptions
    @Option(help: "The β schedule: linear (Ho et al. 2020, the default) or cosine (Nichol & Dhariwal 2021).")
    var schedule: NoiseSchedule.Kind?
    @Option(parsing: .unconditional, help: "T, the number of noising steps (default 1000).")
    var diffusionSteps: Int?
    @Option(parsing: .unconditional, help: "DDIM steps a sample takes, from 1 to T (default 50).")
    var samplingSteps: Int?

    func validate() throws {
        try options.refuseUnused(
            [("--latent-dimension (x_T is as large as the image)", options.latentDimension != nil)],
            command: "diffusion")
        if let t = diffusionSteps { try bound("--diffusion-steps", t, 2...Limits.diffusionSteps) }
        if let s = samplingSteps { try bound("--sampling-steps", s, 1...(diffusionSteps ?? Limits.diffusionSteps)) }
    }

    func run() throws {
        try runModel(.diffusion, options) { settings in
            if let schedule { settings.noiseSchedule = schedule }
            if let t = diffusionSteps { settings.diffusionSteps = t }
            if let s = samplingSteps { settings.samplingSteps = s }
        }
    }
}

extension NoiseSchedule.Kind: ExpressibleByArgument {}

struct ClassifyCommand: ModelCommand {
    static let configuration = CommandConfiguration(
        commandName: "classify",
        abstract:
            "A classifier of the data's labels (MLP 784-256-10, or --arch conv: two strided convolutions and Dense(128)); reports test accuracy.",
        discussion:
            "Loss: softmax cross-entropy, averaged over images. Writes <out>/classifier/metrics.jsonl (conv: conv-classifier); the figure flags do not apply."
    )
    @OptionGroup var options: CommonOptions

    func validate() throws {
        try options.refuseUnused(
            options.figureFlags + [
                ("--latent-dimension", options.latentDimension != nil),
                ("--weight-average", options.weightAverage != nil),
            ], command: "classify")
    }

    func run() throws {
        let run = ModelRun(options.request)
        let (model, result) = try run.trainClassifier(
            architecture: options.arch ?? .mlp, hiddenSizes: options.hidden?.widths,
            learningRate: options.learningRate ?? 1e-3)
        let accuracy = try result.final(.testAccuracy)
        print(
            "\(model.displayName), \(result.datasetName), \(result.epochs) epochs: test accuracy \(String(format: "%.2f", accuracy * 100))% on \(result.data.test.count) images"
        )
    }
}

/// Trains (or reuses) one model, draws its figures and, when asked, measures it.
func runModel(
    _ kind: ModelKind, _ options: CommonOptions, measure: Bool = false, modelFlags: (inout ModelSettings) -> Void
) throws {
    let (request, settings) = try resolve(kind, options, modelFlags: modelFlags)
    try ModelRun(request).trainAndDraw(kind, settings: settings, figures: options.figures, measure: measure)
}

/// The run and settings the flags ask for. A checkpoint named with --checkpoint supplies the
/// settings and data it was trained with; flags given on top of it override them.
func resolve(_ kind: ModelKind, _ options: CommonOptions, modelFlags: (inout ModelSettings) -> Void = { _ in }) throws
    -> (
        RunRequest, ModelSettings
    )
{
    var request = options.request
    var settings = kind.defaultSettings(options.arch ?? .mlp)
    if let path = options.checkpoint, !options.retrain, let saved = SavedSettings(checkpoint: path, kind: kind) {
        // The file's settings are untrusted input: the same bounds as the flags, before anything is built.
        if let problem = saved.settings.rangeProblem {
            throw RunProblem.checkpointUnusable(
                reason: "\(path): its metadata's settings are out of bounds: \(problem)")
        }
        // The file's architecture unless --arch names another (then the flags start from that one's defaults).
        if options.arch == nil || options.arch == saved.settings.architecture { settings = saved.settings }
        if options.dataset == nil, let data = saved.dataset { request.dataset = data }
    }
    settings = options.shaped(settings)
    modelFlags(&settings)
    return (request, settings)
}

/// `gen explore MODEL`: the live explorer page for a trained (or cached) model: its decoder on
/// sliders, or a diffusion model's DDIM from a noise.
struct ExploreCommand: ModelCommand {
    static let configuration = CommandConfiguration(
        commandName: "explore",
        abstract:
            "Write <out>/<model>/explore.html (<out>/<model>-<N>d/ for a code of N numbers other than the default): the model's decoder running in the browser, with sliders (and a 2-D pad for a 2-D latent); for diffusion, DDIM's steps from a noise, drawn as they run.",
        discussion:
            "The page is one file that works offline (file://). Set the code from the address too: explore.html#z=0.5,-1.2 (diffusion: #seed=7&steps=10)"
    )
    @Argument(help: "ae, vae, gan, pca or diffusion.") var model: ModelKind
    @OptionGroup var options: CommonOptions

    func validate() throws {
        let codeSize = [("--latent-dimension (x_T is as large as the image)", options.latentDimension != nil)]
        try options.refuseUnused(options.figureFlags + (model == .diffusion ? codeSize : []), command: "explore")
    }

    func run() throws {
        let (request, settings) = try resolve(model, options)
        let run = ModelRun(request)
        let (trained, result) = try run.train(model, settings: settings)
        // A code size other than the default gets a folder of its own (`vae-2d`): the default
        // model's explorer beside it stays as it is.
        let defaultSize = settings.latentDimension == model.defaultSettings(settings.architecture).latentDimension
        let folder = request.out + "/" + trained.name + (defaultSize ? "" : "-\(settings.latentDimension)d")
        let details =
            "\(trained.displayName) · \(result.datasetName) · epoch \(result.epochs) · trained from seed \(request.seed) · latent \(trained.latentDimension)"
        // A diffusion model has no decoder network to run once: its page runs the denoiser in
        // DDIM's loop. The page is made before its folder, so a model it cannot run leaves none.
        let html =
            if let diffusion = trained as? DiffusionModel {
                try DiffusionExplorerPage(model: diffusion, layout: result.layout, details: details).html()
            } else {
                try ExplorerPage(model: trained, test: result.data.test, layout: result.layout, details: details).html()
            }
        try createFolder(folder)
        let bytes = try ExplorerPage.write(html, to: folder + "/" + GalleryPage.explorerFile)
        try GalleryPage.updateIndex(root: request.out)
        print(
            "Wrote \(folder)/explore.html (\(String(format: "%.1f", Double(bytes) / 1_000_000)) MB; open it in a browser, no network needed)"
        )
    }
}
