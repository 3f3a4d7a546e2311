import ArgumentParser
import Datasets
import Foundation
import Lab
import Models

/// A command that trains or runs models with the common flags: `Gen.main` sets the process's
/// thread count from its `--threads` before it runs.
protocol ModelCommand: ParsableCommand {
    var options: CommonOptions { get }
}

/// Flags every model command takes.
struct CommonOptions: ParsableArguments {
    @Flag(help: "Write a grid of generated samples (samples.png).") var samples = false
    @Flag(help: "Write latent interpolations (interpolation.png).") var interpolate = false
    @Flag(help: "Write test images over their reconstructions (reconstruction.png; AE and VAE).") var reconstruct =
        false
    @Flag(help: "Write the test set's codes in 2-D coloured by class (latent-map.png; AE and VAE).") var latentMap =
        false
    @Flag(help: "Write decodings of a grid over the latent plane (manifold.png; needs --latent-dimension 2).")
    var manifold = false
    @Flag(help: "Record the sample grid after every epoch as an animated GIF (film.gif; when training).") var film =
        false
    @Flag(
        help:
            "Write noisy test images over their reconstructions and the clean images (denoising.png; the model's --corruption, else Gaussian σ = 0.5)."
    )
    var denoise = false
    @Option(help: "Interpolation path: linear or slerp.") var path = LatentPath.linear

    @Option(
        help:
            "Networks: mlp (fully connected, the default) or conv (strided convolutions; the GAN becomes a DCGAN). With conv, --hidden gives channel counts, one per halving of the image sides."
    )
    var arch: Architecture?
    @Option(parsing: .unconditional, help: "Training epochs (default: as many as a --checkpoint file has, else 10).")
    var epochs: Int?
    @Option(parsing: .unconditional, help: "Size of the latent code (default: AE 32, VAE 20, GAN 64).")
    var latentDimension: Int?
    @Option(
        help:
            "Hidden layer widths, comma-separated, e.g. 512 or 512,256, or none (gen ae: x → code → x̂); with --arch conv, channel counts, e.g. 32,64 (default: the reference architecture).",
        transform: { try parsed($0, expected: HiddenSizes.expected, HiddenSizes.init(argument:)) })
    var hidden: HiddenSizes?
    @Option(parsing: .unconditional, help: "Images per mini-batch (default: 128; the diffusion U-Net 64).")
    var batchSize: Int?
    @Option(
        parsing: .unconditional,
        help: "Adam's step size (default: AE and VAE 1e-3, GAN 2e-4, diffusion 1e-3, its U-Net 2e-3).")
    var learningRate: Float?
    @Option(
        parsing: .unconditional,
        help:
            "Average the weights over the training steps with this decay (an exponential moving average, as DDPM samples with), or none: evaluation, samples and figures use the average (default: diffusion 0.999, others none).",
        transform: { try parsed($0, expected: WeightAverageDecay.expected, WeightAverageDecay.init(argument:)) })
    var weightAverage: WeightAverageDecay?
    @Option(parsing: .unconditional, help: "Seed for initialisation, shuffling and sampling.") var seed: UInt64 = 0
    @Option(
        help:
            "fashion-mnist, mnist, synthetic, or a folder of IDX files or PNG images (default: fashion-mnist, or a --checkpoint file's)."
    )
    var dataset: DataSource?
    @Option(parsing: .unconditional, help: "Scale PNG images to this many pixels square.") var imageSize: Int?
    @Option(help: "Folder for figures and metrics (a sub-folder per model).") var out = "Gallery"
    @Option(help: "Checkpoint file (default: ~/.cache/gen/<model>-<key>.safetensors).") var checkpoint: String?
    @Option(parsing: .unconditional, help: "Threads for the matrix products and element-wise work.") var threads = 2
    @Option(parsing: .unconditional, help: "Tiles per side of the sample grid.") var grid = 10
    @Option(parsing: .unconditional, help: "Images per interpolation row.") var steps = 10
    @Option(parsing: .unconditional, help: "Scale of the prior's spread when sampling.") var temperature: Float = 1
    @Flag(help: "Train even when a finished checkpoint exists.") var retrain = false
    @Flag(help: "Continue an interrupted run from its checkpoint.") var resume = false
    @Flag(help: "One line per epoch, no progress bar.") var quiet = false

    /// What the run is asked to do.
    var request: RunRequest {
        var r = RunRequest()
        r.dataset = dataset ?? .fashionMNIST
        r.imageSize = imageSize
        r.epochs = epochs
        r.givenBatchSize = batchSize
        r.seed = seed
        r.threads = threads
        r.checkpoint = checkpoint
        r.retrain = retrain
        r.resume = resume
        r.quiet = quiet
        r.out = out
        r.command = commandLineText
        return r
    }

    /// The figures asked for.
    var figures: FigureRequest {
        var f = FigureRequest()
        (f.samples, f.interpolate, f.reconstruct, f.latentMap, f.manifold, f.film, f.denoise) = (
            samples, interpolate, reconstruct, latentMap, manifold, film, denoise
        )
        // The bare command still draws something.
        if figureFlags.allSatisfy({ !$0.given }) { f.samples = true }
        (f.path, f.grid, f.steps, f.temperature) = (path, grid, steps, temperature)
        return f
    }

    /// `settings` with whichever shape and training flags were given.
    func shaped(_ settings: ModelSettings) -> ModelSettings {
        var s = settings
        if let d = latentDimension { s.latentDimension = d }
        if let h = hidden { s.hiddenSizes = h.widths }
        if let lr = learningRate { s.learningRate = lr }
        if let w = weightAverage { s.averageDecay = w.decay }
        return s
    }

    mutating func validate() throws {
        // Every number has an upper bound too: a huge value must be refused here, not
        // overflow or exhaust memory after the data has loaded.
        if let epochs { try bound("--epochs", epochs, 1...Limits.epochs) }
        if let d = latentDimension { try bound("--latent-dimension", d, 1...Limits.width) }
        if let batchSize { try bound("--batch-size", batchSize, 1...Limits.batchSize) }
        if let lr = learningRate, !(lr > 0 && lr <= 10) {
            throw ValidationError("--learning-rate must be a number above 0 and at most 10, got \(lr)")
        }
        if let s = imageSize { try bound("--image-size", s, 1...PNGFolder.maximumResize) }
        try bound("--threads", threads, 1...Limits.threads)
        try bound("--grid", grid, 1...Limits.grid)
        try bound("--steps", steps, 2...Limits.steps)
        guard temperature > 0 && temperature <= 100 else {
            throw ValidationError("--temperature must be above 0 and at most 100, got \(temperature)")
        }
        guard !out.isEmpty else {
            throw ValidationError("--out: an empty path names no folder (the default is Gallery)")
        }
        if let checkpoint, checkpoint.isEmpty { throw ValidationError("--checkpoint: an empty path names no file") }
        guard !(resume && retrain) else {
            throw ValidationError("--resume and --retrain contradict each other; pick one")
        }
        do {
            try checkPathLength(out, "--out")
            if let checkpoint { try checkPathLength(checkpoint, "--checkpoint") }
        } catch { throw ValidationError("\(error)") }
        try checkWritableFolder(out, flag: "--out")
        // A checkpoint that exists may sit on read-only media: reusing it writes nothing, and
        // training on from it is checked before it starts (ModelRun).
        if let path = checkpoint, !FileManager.default.fileExists(atPath: path) {
            try checkWritableFolder(URL(fileURLWithPath: path).deletingLastPathComponent().path, flag: "--checkpoint")
        }
    }

    /// The figure flags and whether each was given.
    var figureFlags: [(flag: String, given: Bool)] {
        [
            ("--samples", samples), ("--interpolate", interpolate), ("--reconstruct", reconstruct),
            ("--latent-map", latentMap), ("--manifold", manifold), ("--film", film), ("--denoise", denoise),
        ]
    }

    /// Refuses the flags of `unused` that were given to `gen command`, which does not use them:
    /// accepted and ignored, a flag misleads.
    func refuseUnused(_ unused: [(flag: String, given: Bool)], command: String) throws {
        let given = unused.filter(\.given).map(\.flag)
        guard given.isEmpty else {
            throw ValidationError(
                "gen \(command) does not use \(given.joined(separator: ", ")); leave \(given.count == 1 ? "it out: it" : "them out: they") would be ignored"
            )
        }
    }
}

/// Refuses a folder that exists but is not a writable folder, or that cannot be created.
func checkWritableFolder(_ path: String, flag: String) throws {
    var isDirectory: ObjCBool = false
    if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) {
        guard isDirectory.boolValue else { throw ValidationError("\(flag) \(path): exists and is not a folder") }
        guard access(path, W_OK) == 0 else { throw ValidationError("\(flag) \(path): folder is not writable") }
        return
    }
    // Walk up to the first existing ancestor; it must be a writable folder for us to create the rest.
    var ancestor = URL(fileURLWithPath: path).deletingLastPathComponent()
    while !FileManager.default.fileExists(atPath: ancestor.path) && ancestor.path != "/" {
        ancestor.deleteLastPathComponent()
    }
    guard FileManager.default.fileExists(atPath: ancestor.path, isDirectory: &isDirectory), isDirectory.boolValue,
        access(ancestor.path, W_OK) == 0
    else {
        throw ValidationError("\(flag) \(path): cannot create it (\(ancestor.path) is not a writable folder)")
    }
}

/// The command line as typed, for captions: `gen vae --samples`, each argument quoted as a POSIX
/// shell needs it, so that pasting a caption's command runs what ran and nothing else.
var commandLineText: String {
    (["gen"] + CommandLine.arguments.dropFirst().map(shellQuoted)).joined(separator: " ")
}
