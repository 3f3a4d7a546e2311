// Batch normalisation (Ioffe & Szegedy 2015) over the channel axis.
// N: batch, C: channels (features), S: spatial positions per channel (H*W; 1 for (N, C) input).
// input is (N, C) or (N, C, H, W); weight (gamma) and bias (beta) are (C); statistics are over N*S.
//   training:  x̂ = (x - mean_B) / sqrt(var_B + eps),  y = gamma * x̂ + beta
//   inference: the same with the running mean and variance.

/// Batch normalisation of each channel (feature), with learned scale and shift.
public final class BatchNorm: Layer {
    /// gamma, (C)
    public let weight: Parameter
    /// beta, (C)
    public let bias: Parameter
    /// Running mean, (C), updated in training: (1 - momentum) * old + momentum * batch mean.
    public let runningMean: Tensor
    /// Running variance, (C), updated with the unbiased batch variance (as PyTorch does).
    public let runningVariance: Tensor
    public let momentum: Float
    public let epsilon: Float
    public var computesInputGradient = true

    private var normalized: Tensor?        // x̂, same shape as the input
    private var inverseStd: Tensor         // 1 / sqrt(var + eps) per channel, from the last forward
    private var output: Tensor?
    private var dInput: Tensor?
    private var lastWasTraining = false

    public var channelCount: Int { weight.value.count }

    public var description: String { "BatchNorm(\(channelCount), momentum \(momentum), epsilon \(epsilon))" }

    public init(featureCount: Int, momentum: Float = 0.1, epsilon: Float = 1e-5) {
        precondition(featureCount > 0, "BatchNorm needs a positive feature count")
        weight = Parameter(name: "weight", value: Tensor(shape: [featureCount], repeating: 1))
        bias = Parameter(name: "bias", value: Tensor(zeros: [featureCount]))
        runningMean = Tensor(zeros: [featureCount])
        runningVariance = Tensor(shape: [featureCount], repeating: 1)
        inverseStd = Tensor(zeros: [featureCount])
        self.momentum = momentum
        self.epsilon = epsilon
    }

    public var parameters: [Parameter] { [weight, bias] }
    public var buffers: [NamedTensor] {
        [NamedTensor(name: "runningMean", value: runningMean), NamedTensor(name: "runningVariance", value: runningVariance)]
    }

    public func forward(_ input: Tensor, training: Bool) -> Tensor {
        let n = input.shape[0], c = channelCount
        precondition(input.shape.rank >= 2 && input.shape[1] == c, "BatchNorm(\(c)) got input of shape \(input.shape)")
        let s = input.shape.countPerItem / c
        let count = n * s
        precondition(!training || count > 1, "BatchNorm needs more than one value per channel to train")
        lastWasTraining = training
        let xhat = Tensor.reuse(&normalized, shape: input.shape)
        let y = Tensor.reuse(&output, shape: input.shape)
        let gamma = weight.value.data, beta = bias.value.data
        for ch in 0..<c {
            var mean: Float, variance: Float
            if training {
                var sum = 0.0, sumSquares = 0.0
                for b in 0..<n {
                    let p = input.data + (b * c + ch) * s
                    for k in 0..<s { sum += Double(p[k]) }
                }
                let m = sum / Double(count)
                for b in 0..<n {
                    let p = input.data + (b * c + ch) * s
                    for k in 0..<s { let d = Double(p[k]) - m; sumSquares += d * d }
                }
                mean = Float(m)
                variance = Float(sumSquares / Double(count))
                runningMean.data[ch] = (1 - momentum) * runningMean.data[ch] + momentum * mean
                runningVariance.data[ch] = (1 - momentum) * runningVariance.data[ch]
                    + momentum * variance * Float(count) / Float(count - 1)
            } else {
                mean = runningMean.data[ch]
                variance = runningVariance.data[ch]
            }
            let invStd = 1 / (variance + epsilon).squareRoot()
            inverseStd.data[ch] = invStd
            for b in 0..<n {
                let offset = (b * c + ch) * s
                for k in 0..<s {
                    let xh = (input.data[offset + k] - mean) * invStd
                    xhat.data[offset + k] = xh
                    y.data[offset + k] = gamma[ch] * xh + beta[ch]
                }
            }
        }
        return y
    }

    public func backward(_ dOutput: Tensor) -> Tensor {
        guard let xhat = normalized else { preconditionFailure("BatchNorm.backward before forward") }
        precondition(dOutput.shape == xhat.shape, "BatchNorm dOutput \(dOutput.shape) does not match \(xhat.shape)")
        let n = xhat.shape[0], c = channelCount, s = xhat.shape.countPerItem / c
        let m = Float(n * s)
        let gamma = weight.value.data
        let dx = computesInputGradient ? Tensor.reuse(&dInput, shape: xhat.shape) : noInputGradient
        for ch in 0..<c {
            var sumDy = 0.0, sumDyXhat = 0.0
            for b in 0..<n {
                let offset = (b * c + ch) * s
                for k in 0..<s {
                    sumDy += Double(dOutput.data[offset + k])
                    sumDyXhat += Double(dOutput.data[offset + k] * xhat.data[offset + k])
                }
            }
            bias.gradient.data[ch] += Float(sumDy)          // dBeta = Σ dy
            weight.gradient.data[ch] += Float(sumDyXhat)    // dGamma = Σ dy · x̂
            guard computesInputGradient else { continue }
            let scale = gamma[ch] * inverseStd.data[ch]
            for b in 0..<n {
                let offset = (b * c + ch) * s
                for k in 0..<s {
                    let dy = dOutput.data[offset + k]
                    if lastWasTraining {
                        // dx = gamma/sqrt(var+eps) · (dy - mean(dy) - x̂ · mean(dy · x̂)): the batch
                        // statistics depend on every x, hence the two correction terms.
                        dx.data[offset + k] = scale * (dy - Float(sumDy) / m - xhat.data[offset + k] * Float(sumDyXhat) / m)
                    } else {
                        dx.data[offset + k] = scale * dy
                    }
                }
            }
        }
        return dx
    }
}
