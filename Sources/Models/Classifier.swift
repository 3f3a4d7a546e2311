import Datasets
import Foundation
import NN

// A classifier of images into K classes: logits = head(features(x)), trained by softmax
// cross-entropy averaged over images. `features` ends in the penultimate representation, which
// the judge of `gen eval` uses as its feature space, and which the few-label experiments of the
// lectures swap for a pretrained encoder.

/// An image classifier from a feature network and a linear head.
public final class Classifier: TrainableModel {
    public let name: String
    public let displayName: String
    /// x (N, C·H·W) → features (N, F).
    public let features: any Layer
    /// features (N, F) → logits (N, K).
    public let head: Dense
    /// The classes' names, K of them.
    public let classNames: [String]
    /// Whether training updates the features too, or the head alone (a frozen pretrained encoder).
    public let trainsFeatures: Bool
    let loss = SoftmaxCrossEntropy()
    private let layers: NamedLayers
    /// Every trained tensor, each once.
    public let parameters: [Parameter]
    private var sums = (loss: 0.0, correct: 0), imageCount = 0

    /// A classifier whose `features` feed `head` (head.outputSize classes, named `classNames`);
    /// without `trainsFeatures`, training updates the head alone and the features stay as given.
    public init(
        features: any Layer, head: Dense, classNames: [String], trainsFeatures: Bool = true,
        name: String = "classifier", displayName: String = "Classifier"
    ) {
        precondition(
            head.outputSize == classNames.count,
            "the head has \(head.outputSize) outputs for \(classNames.count) classes")
        self.name = name
        self.displayName = displayName
        self.features = features
        self.head = head
        self.classNames = classNames
        layers = NamedLayers([("features", features), ("head", head)])
        parameters = layers.parameters
        self.trainsFeatures = trainsFeatures
    }

    /// An MLP: inputSize-hidden...-ReLU, then the head.
    public convenience init(inputSize: Int = 784, hiddenSizes: [Int] = [256], classNames: [String], seed: UInt64) {
        var g = SeededGenerator(seed: seed)
        precondition(!hiddenSizes.isEmpty, "an MLP classifier needs a hidden layer")
        let features = multilayerPerceptron(
            [inputSize] + hiddenSizes, hidden: .relu, output: .relu, inputIsData: true, generator: &g)
        let head = Dense(inputSize: hiddenSizes.last!, outputSize: classNames.count, generator: &g)
        self.init(features: features, head: head, classNames: classNames)
    }

    /// The convolutional classifier: the conv AE's strided convolutions (`channels`), then
    /// Dense(featureSize)-ReLU (the features), then the head.
    public convenience init(
        convolutionalFor image: Shape, channels: [Int] = [32, 64], featureSize: Int = 128, classNames: [String],
        seed: UInt64
    ) {
        var g = SeededGenerator(seed: seed)
        let convolutions = convolutionalFeatures(
            image: image, channels: channels, activation: .relu, inputIsData: true, generator: &g)
        let dense = Dense(
            inputSize: convolutionalFeatureCount(image: image, channels: channels), outputSize: featureSize,
            activation: .relu, generator: &g)
        let features = Sequential(convolutions.layers + [dense])
        features.computesInputGradient = false
        let head = Dense(inputSize: featureSize, outputSize: classNames.count, generator: &g)
        self.init(
            features: features, head: head, classNames: classNames,
            name: "conv-classifier", displayName: "Conv classifier")
    }

    public var pixelRange: PixelRange { .unit }
    public var lossDescription: String { loss.description }
    public func configurationJSON(optimizer: String) -> String {
        jsonObject([
            ("model", jsonQuoted(name)), ("features", jsonQuoted(features.description)),
            ("head", jsonQuoted(head.description)),
            ("classes", "\(classNames.count)"), ("loss", jsonQuoted(lossDescription)),
            ("optimizer", jsonQuoted(trainsFeatures ? optimizer : optimizer + " on the head")),
        ])
    }
    public var stateTensors: [NamedTensor] { layers.stateTensors }

    /// Every parameter, or the head's alone when the features are frozen.
    public var parameterGroups: [ParameterGroup] {
        [
            ParameterGroup(
                name: "model",
                parameters: trainsFeatures ? parameters : parameters.filter { $0.name.hasPrefix("head.") },
                stateName: "optimizer")
        ]
    }

    public func beginEpoch() { sums = (0, 0); imageCount = 0 }

    /// Softmax cross-entropy of the logits against the batch's labels, averaged over images.
    public func accumulateGradients(group: Int, batch: Batch, generator: inout SeededGenerator) -> Float {
        let n = batch.count
        let logits = head.forward(features.forward(batch.images, training: true), training: true)
        let (value, dLogits) = loss.lossAndGradient(logits: logits, labels: batch.labels)
        sums.correct += Classifier.correct(logits, batch.labels)
        let dFeatures = head.backward(dLogits)
        if trainsFeatures { _ = features.backward(dFeatures) }  // frozen features need no gradients
        sums.loss += Double(value) * Double(n); imageCount += n
        return value
    }

    public func epochMetrics() -> [(Metric, Double)] {
        let n = Double(max(imageCount, 1))
        return [(.trainLoss, sums.loss / n), (.trainAccuracy, Double(sums.correct) / n)]
    }

    public func evaluate(_ test: Dataset, generator: inout SeededGenerator) -> [(Metric, Double)] {
        var total = 0.0, correct = 0, start = 0
        test.forEachChunk(range: .unit) { x in
            let labels = test.labels[start..<(start + x.shape[0])]
            let logits = self.logits(x)
            total += Double(loss.loss(logits: logits, labels: labels)) * Double(x.shape[0])
            correct += Classifier.correct(logits, labels)
            start += x.shape[0]
        }
        let n = Double(max(test.count, 1))
        return [(.testLoss, total / n), (.testAccuracy, Double(correct) / n)]
    }

    /// Logits (N, K) of images in [0, 1] (the head's buffer).
    public func logits(_ x: Tensor) -> Tensor { head(features(x)) }
    /// The penultimate features (N, F) of images in [0, 1], copied.
    public func embed(_ x: Tensor) -> Tensor { features(x).copy() }
    /// The most likely class of each image.
    public func predict(_ x: Tensor) -> [Int] { Classifier.mostLikely(logits(x)) }
    /// The most likely class of each row of features already computed (`embed`): the head alone.
    public func predict(features f: Tensor) -> [Int] { Classifier.mostLikely(head(f)) }

    /// Each row's most likely class.
    static func mostLikely(_ logits: Tensor) -> [Int] {
        let k = logits.shape.countPerItem
        return (0..<logits.shape[0]).map { mostLikely(logits.data + $0 * k, classes: k) }
    }

    /// The class with the largest of `k` logits (ties: the first).
    @inline(__always)
    static func mostLikely(_ z: UnsafePointer<Float>, classes k: Int) -> Int {
        var best = 0
        for j in 1..<k where z[j] > z[best] { best = j }
        return best
    }

    /// How many rows of `logits` put their largest value on their label.
    static func correct(_ logits: Tensor, _ labels: some RandomAccessCollection<Int>) -> Int {
        let k = logits.shape.countPerItem
        var count = 0
        for (r, label) in labels.enumerated() where mostLikely(logits.data + r * k, classes: k) == label { count += 1 }
        return count
    }
}
