/// How a model builds the optimizer for a list of its parameters: given to the model rather
/// than built inside it (swift-models' `TrainingLoop` and mlx-swift keep the optimizer outside
/// the model too), so a script can swap Adam for SGD, or train only part of a model.
public struct OptimizerFactory: CustomStringConvertible, Sendable {
    /// The optimizer and its settings in words (`Adam(lr 0.001, beta1 0.9, beta2 0.999)`), recorded in
    /// a model's configuration so that a cache key changes when they do.
    public let description: String
    private let make: @Sendable ([Parameter]) -> any Optimizer

    /// A factory from a description and a builder.
    public init(description: String, make: @escaping @Sendable ([Parameter]) -> any Optimizer) {
        self.description = description
        self.make = make
    }

    /// The optimizer for `parameters`.
    public func callAsFunction(_ parameters: [Parameter]) -> any Optimizer { make(parameters) }

    /// Adam (Kingma & Ba 2014) with these settings.
    public static func adam(learningRate: Float = 1e-3, beta1: Float = 0.9, beta2: Float = 0.999,
                            epsilon: Float = 1e-8) -> OptimizerFactory {
        OptimizerFactory(description: "Adam(lr \(learningRate), beta1 \(beta1), beta2 \(beta2), epsilon \(epsilon))") {
            Adam(parameters: $0, learningRate: learningRate, beta1: beta1, beta2: beta2, epsilon: epsilon)
        }
    }

    /// SGD with momentum.
    public static func sgd(learningRate: Float, momentum: Float = 0) -> OptimizerFactory {
        OptimizerFactory(description: "SGD(lr \(learningRate), momentum \(momentum))") {
            SGD(parameters: $0, learningRate: learningRate, momentum: momentum)
        }
    }

    /// The same optimizer over only the parameters whose names pass `include`: the others stay
    /// frozen (a pretrained encoder under a new classification head). `what` names the subset.
    public func restricted(to what: String, _ include: @escaping @Sendable (Parameter) -> Bool) -> OptimizerFactory {
        let make = self.make
        return OptimizerFactory(description: description + " on \(what)") { make($0.filter(include)) }
    }
}
