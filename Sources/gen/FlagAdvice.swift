import Lab
import Models

// The library says what is wrong in its own words; gen says which flag changes it. One place
// maps every library problem to its flags, so a script is never told to use a flag it lacks.

extension ModelProblem {
    /// The problem as gen says it, naming the flag to change.
    var advice: String {
        switch self {
        case .pcaIsLinear:
            return "gen pca is linear: --arch conv does not apply"
        case let .pcaImagesTooLarge(pixels, maximum):
            return
                "gen pca keeps a \(pixels) × \(pixels) covariance for images of \(pixels) values; at most \(maximum) values (64×64 grey) fit, use --image-size"
        case let .tooManyComponents(asked, pixels):
            return "--latent-dimension \(asked): PCA has at most \(pixels) components for images of \(pixels) values"
        case .noHiddenLayerOutsideMLPAutoencoder:
            return "--hidden none (no hidden layer) is for gen ae with --arch mlp"
        case let .channelCounts(channels):
            return
                "--arch conv takes 1 to 6 channel counts from 1 to 1024 in --hidden, got \(channels.map(String.init).joined(separator: ","))"
        case let .uNetChannelCounts(channels):
            return
                "gen diffusion --arch conv takes two channel counts in --hidden (the U-Net's at the image's resolution and below it), got \(channels.map(String.init).joined(separator: ","))"
        case let .sidesNotDivisible(halvings, height, width):
            return
                "--arch conv with \(halvings) stride-2 layers needs image sides divisible by \(1 << halvings), got \(height)×\(width) (use --image-size, or fewer --hidden widths)"
        case let .corruptionNeedsSquareGreyImages(corruption, image):
            return
                "--corruption \(corruption) is for square grey images, got \(image.map(String.init).joined(separator: "×")) (C×H×W)"
        case let .blocksDoNotDivide(factor, imageSide):
            return "--corruption low-resolution:\(factor): the blocks must divide the \(imageSide)-pixel image side"
        case let .strokeTooWide(width, imageSide):
            return "--corruption stroke:\(width): the stroke must be narrower than the \(imageSide)-pixel images"
        case let .squareCorruptionTooLarge(side, imageSide):
            return "--corruption square:\(side): the square must be smaller than the \(imageSide)-pixel images"
        case let .weightAverageNotFor(model):
            return "--weight-average is not for \(model)"
        case .tiedWeightsNeedMLP:
            return "--tied-weights needs --arch mlp (a transposed Dense layer has no convolutional twin here)"
        case .pretrainingNeedsMLP:
            return "--pretrain greedy needs --arch mlp"
        case let .pretrainingNeedsMirroredNetworks(detail):
            return "--pretrain greedy: \(detail)"
        case .klSparsityNeedsSigmoidCode:
            return "--sparsity kl needs --code-activation sigmoid: ρ̂ is a mean firing rate in (0, 1)"
        case .contractionNeedsOneLayerEncoder:
            return
                "--contractive needs a one-layer encoder (--hidden none, and --arch mlp): its closed form covers h = s(Wx + b) only"
        case let .settingOutOfRange(setting, value, expected):
            let flags: [ModelSettings.Setting: String] = [
                .latentDimension: "--latent-dimension", .hiddenSizes: "--hidden", .learningRate: "--learning-rate",
                .beta: "--beta",
                .discriminatorSteps: "--discriminator-steps", .contraction: "--contractive",
                .pretrainingEpochs: "--pretrain-epochs", .diffusionSteps: "--diffusion-steps",
                .samplingSteps: "--sampling-steps", .averageDecay: "--weight-average",
            ]
            return "\(flags[setting] ?? setting.rawValue) must be \(expected), got \(value)"
        }
    }
}

extension RunProblem {
    /// The problem as gen says it, naming the flag to change.
    var advice: String {
        switch self {
        case let .model(problem):
            return problem.advice
        case let .noImages(dataset, training, test):
            return
                "--dataset \(dataset): \(training) training and \(test) test images; training needs at least one of each"
        case let .needsLabelledClasses(dataset, classes):
            return
                "--dataset \(dataset): a classifier needs labelled images of at least two classes; this data has \(classes)"
        case .classifierNeedsHiddenLayer:
            return "--hidden none: a classifier needs a hidden layer"
        case let .epochsWithinPretraining(epochs, pretrainingEpochs, perLayer, layers):
            return
                "--epochs \(epochs): --epochs counts every epoch, and --pretrain greedy takes \(pretrainingEpochs) (--pretrain-epochs \(perLayer) × \(layers) layers) before end-to-end training; ask for more than \(pretrainingEpochs)"
        case let .generatorNeverUpdated(k, batches, batchSize):
            return
                "--discriminator-steps \(k): an epoch has only \(batches) batches of \(batchSize), so the generator would never be updated; use at most \(batches)"
        case let .checkpointNotRegularFile(path):
            return "--checkpoint \(path): not a regular file (a folder, FIFO or device cannot hold a checkpoint)"
        case let .checkpointUnusable(reason):
            return "--checkpoint \(reason); it is left untouched (--retrain replaces it)"
        case let .checkpointHasFewerEpochs(path, have, want):
            return
                "--checkpoint \(path): has \(have == 1 ? "1 epoch" : "\(have) epochs") of the \(want) asked; --resume continues it, --retrain replaces it, --epochs \(have) uses it as it is"
        case .emptyCheckpointPath:
            return "--checkpoint: an empty path names no file"
        case let .checkpointLinkLoop(path):
            return "--checkpoint \(path): too many levels of symbolic links"
        case let .cacheUnusable(reason):
            return "\(reason), for the checkpoint cache; name a file with --checkpoint"
        case let .imagesNotFound(path):
            return "--images \(path): no such file or folder"
        case let .imagesOfAnotherShape(path, shape, judge):
            return
                "--images \(path): images of \(shape.map(String.init).joined(separator: "×")), the judge reads \(judge.map(String.init).joined(separator: "×")) (C×H×W)"
        case let .tooFewImages(path, count):
            return "--images \(path): \(count) images; precision and recall need at least 4"
        case let .exportTargetExists(path):
            return "--export-samples \(path): exists; name a new file (gen never replaces a file it was not asked to)"
        case let .folderInUse(path):
            return "--out: another gen run is writing into \(path); wait for it to end, or give another --out"
        case let .checkpointNotWritable(reason):
            return "--checkpoint \(reason)"
        case let .outputIsFolder(path):
            return "--out: \(path) is a folder, where the run writes a file of this name"
        case let .doesNotFitInMemory(estimate, available):
            return String(
                format:
                    "training this model needs about %.1f GB (weights, gradients, Adam's moments and a batch's activations) and this machine has %.1f GB available; try a smaller --hidden, --latent-dimension, --batch-size or --image-size",
                estimate / 1e9, available / 1e9)
        case .interrupted:
            return description
        }
    }
}

extension TrainingError {
    /// The stop as gen says it: the flag that helps next.
    var advice: String {
        switch self {
        case let .diverged(model, epoch, batch, loss, kept):
            return
                "training the \(model) diverged: loss \(loss) in epoch \(epoch), batch \(batch); try a lower --learning-rate"
                + (kept.map { ". The last good checkpoint is kept at \($0)" } ?? "")
        case let .interrupted(epoch, kept, completed):
            return "interrupted in epoch \(epoch)"
                + (kept.map { "; the checkpoint after epoch \(completed) is at \($0), continue with --resume" }
                    ?? "; nothing was saved, as no epoch had finished")
        }
    }
}
