import Datasets
import Foundation
import Models
import NN

/// Runs of a `Classifier`: what `gen classify` does, for scripts too.
extension ModelRun {
    /// Loads the data and trains (or reuses) a classifier of its labels: the MLP (`hiddenSizes`
    /// its widths, default 256) or the convolutional one (`hiddenSizes` its channel counts,
    /// default 32,64), writing `<out>/<name>/metrics.jsonl`.
    /// `data`: the request's data, already loaded (else it is loaded here). The metrics are
    /// written only for a request that draws in model folders (`drawsInModelFolders`).
    public func trainClassifier(
        architecture: Architecture, hiddenSizes: [Int]? = nil, learningRate: Float = 1e-3,
        data loaded: DatasetSplits? = nil
    ) throws -> (model: Classifier, result: TrainingResult) {
        try preflight()
        let data = try loaded ?? loadData()
        let classes = Set(data.train.labels)
        guard classes.count >= 2, classes.allSatisfy({ $0 >= 0 && $0 < data.train.classNames.count }) else {
            throw RunProblem.needsLabelledClasses(dataset: request.dataset.argument, classes: classes.count)
        }
        let image = data.train.imageShape
        let model: Classifier
        switch architecture {
        case .mlp:
            let hidden = hiddenSizes ?? [256]
            guard !hidden.isEmpty else { throw RunProblem.classifierNeedsHiddenLayer }
            model = Classifier(
                inputSize: image.count, hiddenSizes: hidden, classNames: data.train.classNames, seed: request.seed)
        case .conv:
            let channels = hiddenSizes ?? [32, 64]
            if let problem = Architecture.convolutionProblem(image: image, channels: channels) {
                throw RunProblem.model(problem)
            }
            model = Classifier(
                convolutionalFor: image, channels: channels, classNames: data.train.classNames, seed: request.seed)
        }
        let folder = request.out + "/" + (architecture == .mlp ? "classifier" : "conv-classifier")
        if request.drawsInModelFolders { try claimFolder(folder) }
        let result = try train(model, optimizer: Adam(learningRate: learningRate), data: data)
        if request.drawsInModelFolders {
            try writeAtomically(
                Data((result.metricsLines.joined(separator: "\n") + "\n").utf8), to: folder + "/metrics.jsonl")
        }
        return (model, result)
    }
}
