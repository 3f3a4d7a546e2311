import ArgumentParser
import Lab
import Models

/// AE vs VAE vs GAN on one latent size and one data set: the lecture's point made visible.
struct CompareCommand: ModelCommand {
    static let configuration = CommandConfiguration(
        commandName: "compare",
        abstract:
            "Train (or reuse) AE, VAE and GAN with one latent size and draw them side by side in --out/compare/ (--arch conv: --out/compare-conv/)."
    )
    @OptionGroup var options: CommonOptions
    @Option(
        help: "Models to compare, comma-separated.",
        transform: { try parsed($0, expected: ModelKinds.expected, ModelKinds.init(argument:)) })
    var models = ModelKinds([.ae, .vae, .gan])
    @Flag(
        inversion: .prefixedNo,
        help: "Score 10,000 samples of each model with the judge (gen judge; trained once, cached) in the table.")
    var judge = true

    static let defaultLatentDimension = 20

    var kinds: [ModelKind] { models.kinds }

    func run() throws {
        let run = ModelRun(options.request)
        let architecture = options.arch ?? .mlp
        let section = architecture == .mlp ? "compare" : "compare-" + architecture.rawValue
        try createFolder(options.out + "/" + section)
        let runs = try kinds.map { kind in
            if !options.quiet { print("— \(kind.displayName(architecture))") }
            var settings = options.shaped(kind.defaultSettings(architecture))
            if options.latentDimension == nil { settings.latentDimension = CompareCommand.defaultLatentDimension }
            return try run.train(kind, settings: settings)
        }
        let scorer = judge ? try run.trainJudge().judge : nil
        try ComparisonSheets(
            runs: runs, request: options.request, figures: options.figures, section: section, judge: scorer
        ).write()
    }
}
