import Datasets
import Models
import NN

/// Stops training when a figure measured on held-out images stops improving, and puts back
/// the best epoch's weights (and optimizer state): training "to convergence" without choosing
/// an epoch count by looking at the test set.
public final class EarlyStopping {
    /// The held-out images the figure is measured on (a validation split of the training images).
    public let validation: Dataset
    /// The model's evaluation figure to watch, lower being better (`testLoss`); the metrics
    /// line reports it on the validation images as `figure.onValidation` (`validation_loss`).
    public let figure: Metric
    /// How many epochs without improvement end training.
    public let patience: Int
    /// The epoch with the best figure so far, and that figure.
    public private(set) var bestEpoch = 0, bestValue = Double.infinity
    /// The epoch training stopped after, or nil if it ran every epoch asked.
    public private(set) var stoppedAfter: Int?
    private var best: [Tensor] = []

    public init(validation: Dataset, figure: Metric = .testLoss, patience: Int = 3) {
        precondition(patience >= 1, "early stopping waits at least one epoch")
        self.validation = validation
        self.figure = figure
        self.patience = patience
    }

    /// Records epoch `epoch`'s figure; returns whether training should stop now (having put the
    /// best epoch's tensors back into `learner`).
    func shouldStop(after epoch: Int, value: Double, learner: Learner) -> Bool {
        let tensors = learner.checkpointTensors
        if value < bestValue {
            (bestEpoch, bestValue) = (epoch, value)
            if best.count != tensors.count {
                best = tensors.map { $0.value.copy() }
            } else {
                zip(best, tensors).forEach { $0.assign($1.value) }
            }
            return false
        }
        guard epoch - bestEpoch >= patience else { return false }
        zip(tensors, best).forEach { $0.value.assign($1) }
        stoppedAfter = epoch
        return true
    }
}
