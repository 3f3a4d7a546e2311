import Datasets
import Models

/// What a run is asked to do: the data, how long to train, where checkpoints and figures go.
/// A plain value: `gen` fills it from its flags, a script writes it out.
public struct RunRequest: Sendable {
    /// Where the images come from.
    public var dataset: DataSource = .fashionMNIST
    /// How many synthetic digits to draw for training when `dataset` is `.synthetic` (a sixth
    /// as many more for testing): fewer make a quick run quicker.
    public var syntheticCount = 12_000
    /// For PNG folders: scale every image to this many pixels square.
    public var imageSize: Int?
    /// Training epochs; nil: as many as a checkpoint the user named already has, else `defaultEpochs`.
    public var epochs: Int?
    /// Images per mini-batch as the command gave them; nil: the model kind's own
    /// (`batchSize(for:_:)`), or 128 for a model built by hand (`batchSize`).
    public var givenBatchSize: Int?
    /// Images per mini-batch of a model built by hand: the command's, else 128.
    public var batchSize: Int { givenBatchSize ?? ModelKind.standardBatchSize }
    /// Seed for initialisation, shuffling and sampling.
    public var seed: UInt64 = 0
    /// Threads for the matrix products.
    public var threads = 2
    /// A checkpoint file the user named; nil: the cache (`cacheFolder`), keyed by everything
    /// that changes the trained weights.
    public var checkpoint: String?
    /// Train from scratch even when a usable checkpoint exists, replacing it.
    public var retrain = false
    /// Continue a named checkpoint that has fewer epochs than asked.
    public var resume = false
    /// One line per epoch and no notes on stdout (errors still go to stderr).
    public var quiet = false
    /// The folder figures, metrics and pages go to (a sub-folder per model).
    public var out = "Gallery"
    /// Where cached checkpoints live; nil: $XDG_CACHE_HOME/gen or ~/.cache/gen.
    public var cacheFolder: String?
    /// How a figure caption names the command that made it (`gen vae --samples`).
    public var command = "gen"
    /// Whether a model's run holds `<out>/<model>` (the judge's: `<out>/conv-classifier`) for
    /// this process and writes there, as gen's runs do. A notebook's models draw into the
    /// notebook's own folder: pages side by side must not lock each other out of folders
    /// neither writes.
    public var drawsInModelFolders = true

    /// The epochs a run trains when neither the request nor a named checkpoint says.
    public static let defaultEpochs = 10

    /// Images per mini-batch of a run of `kind` with `architecture`: the command's, else the kind's.
    public func batchSize(for kind: ModelKind, _ architecture: Architecture) -> Int {
        givenBatchSize ?? kind.defaultBatchSize(architecture)
    }

    public init() {}
}

/// Which figures a model's run draws, and how.
public struct FigureRequest: Sendable {
    /// A grid of generated samples (samples.png).
    public var samples = false
    /// Latent interpolations (interpolation.png).
    public var interpolate = false
    /// Test images over their reconstructions (reconstruction.png; models with an encoder).
    public var reconstruct = false
    /// The test set's codes in 2-D, coloured by class (latent-map.png; models with an encoder).
    public var latentMap = false
    /// Decodings of a grid over the latent plane (manifold.png; a 2-D latent).
    public var manifold = false
    /// The sample grid after every epoch as an animated GIF (film.gif; when training).
    public var film = false
    /// Noisy test images, their reconstructions and the clean images (denoising.png; models
    /// with an encoder): the model's own corruption, else Gaussian σ = 0.5.
    public var denoise = false
    /// The interpolation path.
    public var path = LatentPath.linear
    /// Tiles per side of the sample grid.
    public var grid = 10
    /// Images per interpolation row.
    public var steps = 10
    /// Scale of the prior's spread when sampling.
    public var temperature: Float = 1

    public init() {}
}

/// `argument` as a POSIX shell reads it back unchanged: as it is when it holds only characters
/// no shell treats specially, else in single quotes (a single quote inside becoming '\'').
public func shellQuoted(_ argument: String) -> String {
    let plain = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_@%+=:,./-")
    if !argument.isEmpty && argument.allSatisfy(plain.contains) { return argument }
    return "'" + argument.replacingOccurrences(of: "'", with: "'\\''") + "'"
}
