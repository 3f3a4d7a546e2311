/// The name of a figure a training run reports per epoch: `metrics.jsonl`'s keys, typed, so a
/// misspelt name does not compile. A script's own model names its own figures with `init(_:)`.
public struct Metric: Hashable, Sendable, CustomStringConvertible {
    /// The key in `metrics.jsonl`.
    public let name: String

    public init(_ name: String) { self.name = name }
    public var description: String { name }

    // What every run reports.
    /// The epoch's number, from 1.
    public static let epoch = Metric("epoch")
    /// The epoch's training time in seconds.
    public static let seconds = Metric("seconds")
    /// Images trained on per second of the epoch.
    public static let imagesPerSecond = Metric("images_per_second")

    // Training figures: averages over the epoch's steps.
    /// The training objective, averaged over the epoch's images.
    public static let trainLoss = Metric("train_loss")
    /// The reconstruction term alone (a penalised AE, the VAE).
    public static let trainReconstruction = Metric("train_reconstruction")
    /// A penalised AE's penalty term.
    public static let trainPenalty = Metric("train_penalty")
    /// The VAE's KL term.
    public static let trainKL = Metric("train_kl")
    /// The layer greedy pretraining trained this epoch (from 1).
    public static let pretrainingLayer = Metric("pretraining_layer")
    /// PCA: the share of the training images' variance its components keep.
    public static let explainedVariance = Metric("explained_variance")
    /// A classifier's accuracy on its training batches.
    public static let trainAccuracy = Metric("train_accuracy")
    /// The GAN: D's loss, G's loss, and D's mean output on real and on generated images.
    public static let dLoss = Metric("d_loss"), gLoss = Metric("g_loss"), dReal = Metric("d_real"),
        dFake = Metric("d_fake")

    // Figures on the test images.
    /// The training objective on the test images.
    public static let testLoss = Metric("test_loss")
    /// The reconstruction loss of the clean test images.
    public static let testReconstruction = Metric("test_reconstruction")
    /// The VAE's KL term on the test images.
    public static let testKL = Metric("test_kl")
    /// A classifier's test accuracy.
    public static let testAccuracy = Metric("test_accuracy")
    /// The GAN's figures on the test images and as many fresh samples.
    public static let testDLoss = Metric("test_d_loss"), testGLoss = Metric("test_g_loss"),
        testDReal = Metric("test_d_real"),
        testDFake = Metric("test_d_fake")

    // Early stopping.
    /// The epoch whose weights an early-stopped run kept.
    public static let bestEpoch = Metric("best_epoch")
    /// A test figure measured on the validation images instead: `validation_loss` for `test_loss`.
    public var onValidation: Metric {
        Metric("validation_" + (name.hasPrefix("test_") ? String(name.dropFirst(5)) : name))
    }
}
