/// Why a run cannot go on, in the library's words: what a script is told. `gen` turns each
/// case into a line that names the flag to change (its `FlagAdvice`).
public enum RunProblem: Error, CustomStringConvertible {
    /// The model cannot be built with the settings asked for.
    case model(ModelProblem)
    /// The data has no training or no test images.
    case noImages(dataset: String, training: Int, test: Int)
    /// A classifier needs labelled images of at least two classes.
    case needsLabelledClasses(dataset: String, classes: Int)
    /// A classifier needs a hidden layer.
    case classifierNeedsHiddenLayer
    /// The epochs asked for end within greedy pretraining.
    case epochsWithinPretraining(epochs: Int, pretrainingEpochs: Int, perLayer: Int, layers: Int)
    /// With k discriminator steps per generator step and fewer batches in an epoch, the
    /// generator would never be updated.
    case generatorNeverUpdated(discriminatorSteps: Int, batches: Int, batchSize: Int)
    /// The checkpoint named is a folder, FIFO or device.
    case checkpointNotRegularFile(path: String)
    /// The checkpoint named cannot be used (`reason` names the file and why); it is left as it is.
    case checkpointUnusable(reason: String)
    /// The checkpoint named holds fewer epochs than asked, and continuing it was not asked for.
    case checkpointHasFewerEpochs(path: String, have: Int, want: Int)
    /// An empty path was given for the checkpoint.
    case emptyCheckpointPath
    /// The checkpoint path goes through too many symbolic links.
    case checkpointLinkLoop(path: String)
    /// The cache folder cannot be made (`reason` says why).
    case cacheUnusable(reason: String)
    /// Images to judge: nothing at `path`.
    case imagesNotFound(path: String)
    /// Images to judge of another size than the judge's.
    case imagesOfAnotherShape(path: String, shape: [Int], judge: [Int])
    /// Images to judge: too few for precision and recall.
    case tooFewImages(path: String, count: Int)
    /// A file to export samples into exists already.
    case exportTargetExists(path: String)
    /// Another process is writing into the output folder `path`.
    case folderInUse(path: String)
    /// Ctrl-C after training, during `phase`; every file written before is whole.
    case interrupted(phase: String)
    /// The folder a checkpoint goes into cannot take one (`reason` names it and why).
    case checkpointNotWritable(reason: String)
    /// A file a run will write is a folder.
    case outputIsFolder(path: String)
    /// The model would need about `estimate` bytes of memory; `available` are free.
    case doesNotFitInMemory(estimate: Double, available: Double)

    public var description: String {
        switch self {
        case let .model(problem):
            return problem.description
        case let .noImages(dataset, training, test):
            return
                "data set \(dataset): \(training) training and \(test) test images; training needs at least one of each"
        case let .needsLabelledClasses(dataset, classes):
            return
                "data set \(dataset): a classifier needs labelled images of at least two classes; this data has \(classes)"
        case .classifierNeedsHiddenLayer:
            return "a classifier needs a hidden layer"
        case let .epochsWithinPretraining(epochs, pretrainingEpochs, perLayer, layers):
            return
                "\(epochs) epochs end within greedy pretraining, which takes \(pretrainingEpochs) (\(perLayer) × \(layers) layers) "
                + "before end-to-end training; ask for more than \(pretrainingEpochs)"
        case let .generatorNeverUpdated(k, batches, batchSize):
            return "\(k) discriminator steps per generator step: an epoch has only \(batches) batches of \(batchSize), "
                + "so the generator would never be updated; use at most \(batches)"
        case let .checkpointNotRegularFile(path):
            return "checkpoint \(path): not a regular file (a folder, FIFO or device cannot hold a checkpoint)"
        case let .checkpointUnusable(reason):
            return "checkpoint \(reason); it is left untouched"
        case let .checkpointHasFewerEpochs(path, have, want):
            return
                "checkpoint \(path): has \(epochsText(have)) of the \(want) asked; resume it, replace it, or ask for \(have)"
        case .emptyCheckpointPath:
            return "an empty checkpoint path names no file"
        case let .checkpointLinkLoop(path):
            return "checkpoint \(path): too many levels of symbolic links"
        case let .cacheUnusable(reason):
            return "\(reason), for the checkpoint cache"
        case let .imagesNotFound(path):
            return "images \(path): no such file or folder"
        case let .imagesOfAnotherShape(path, shape, judge):
            return
                "images \(path): images of \(shape.map(String.init).joined(separator: "×")), the judge reads \(judge.map(String.init).joined(separator: "×")) (C×H×W)"
        case let .tooFewImages(path, count):
            return "images \(path): \(count) images; precision and recall need at least 4"
        case let .exportTargetExists(path):
            return "\(path): exists; name a new file (gen never replaces a file it was not asked to)"
        case let .folderInUse(path):
            return "\(path): another run is writing into this folder; wait for it to end, or write elsewhere"
        case let .checkpointNotWritable(reason):
            return "checkpoint: \(reason)"
        case let .outputIsFolder(path):
            return "\(path): is a folder; the run writes a file of this name"
        case let .doesNotFitInMemory(estimate, available):
            return String(
                format:
                    "training this model needs about %.1f GB (weights, gradients, Adam's moments and a batch's activations) and this machine has %.1f GB available; a smaller network, batch or image fits",
                estimate / 1e9, available / 1e9)
        case let .interrupted(phase):
            return
                "interrupted while \(phase); the trained model is kept, and the figures' folder is as it was before this run (its files are written together or not at all)"
        }
    }
}
