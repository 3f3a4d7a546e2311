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
    /// Applied to gamma · x̂ + beta in the same pass (DCGAN's BatchNorm-ReLU as one layer).
    public let activation: Activation
    public var computesInputGradient = true
    /// When false, `backward` adds nothing to dGamma and dBeta (it still takes the sums dx needs).
    public var computesParameterGradients = true

    /// The last forward's input, kept (as a convolution keeps its own; `Layer` says why it stays
    /// unchanged) for backward to make x̂ from again, rather than a map of x̂ as large as it.
    private var input: Tensor?
    private var means: Tensor  // the mean per channel x̂ was made with: the batch's, or the running one
    private var inverseStd: Tensor  // 1 / sqrt(var + eps) per channel, from the last forward
    /// Per-channel sums in Double for (N, C) input, where a channel's values are a column:
    /// the passes then run along rows, each thread over its range of columns.
    private let columnSums: UnsafeMutablePointer<Double>
    private var output: Tensor?
    private var dInput: Tensor?
    private var dPre: Tensor?  // dy · f'(pre) when no input gradient is asked for
    private var lastWasTraining = false

    public var channelCount: Int { weight.value.count }

    public var description: String {
        "BatchNorm(\(channelCount), momentum \(momentum), epsilon \(epsilon)" + activation.listed + ")"
    }

    public init(featureCount: Int, momentum: Float = 0.1, epsilon: Float = 1e-5, activation: Activation = .identity) {
        precondition(featureCount > 0, "BatchNorm needs a positive feature count")
        weight = Parameter(name: "weight", value: Tensor(shape: [featureCount], repeating: 1))
        bias = Parameter(name: "bias", value: Tensor(zeros: [featureCount]))
        runningMean = Tensor(zeros: [featureCount])
        runningVariance = Tensor(shape: [featureCount], repeating: 1)
        means = Tensor(zeros: [featureCount])
        inverseStd = Tensor(zeros: [featureCount])
        columnSums = .allocate(capacity: 2 * featureCount)
        columnSums.initialize(repeating: 0, count: 2 * featureCount)
        self.momentum = momentum
        self.epsilon = epsilon
        self.activation = activation
    }

    deinit { columnSums.deallocate() }

    public var parameters: [Parameter] { [weight, bias] }
    public var buffers: [NamedTensor] {
        [
            NamedTensor(name: "runningMean", value: runningMean),
            NamedTensor(name: "runningVariance", value: runningVariance),
        ]
    }

    public func forward(_ input: Tensor, training: Bool) -> Tensor {
        let n = input.shape[0], c = channelCount
        precondition(input.shape.rank >= 2 && input.shape[1] == c, "BatchNorm(\(c)) got input of shape \(input.shape)")
        let s = input.shape.countPerItem / c
        precondition(!training || n * s > 1, "BatchNorm needs more than one value per channel to train")
        lastWasTraining = training
        self.input = input
        let y = Tensor.reuse(&output, shape: input.shape)
        var job = BatchNormForwardJob(
            x: input.data, y: y.data, gamma: weight.value.data, beta: bias.value.data,
            runningMean: runningMean.data, runningVariance: runningVariance.data, means: means.data,
            inverseStd: inverseStd.data,
            batch: n, channels: c, spatial: s, momentum: momentum, epsilon: epsilon, training: training,
            activation: activation, columnSums: columnSums)
        ThreadTeam.shared.run(&job, parallel: input.count >= elementwiseParallelThreshold) { context, part, parts in
            context.assumingMemoryBound(to: BatchNormForwardJob.self).pointee.compute(part, of: parts)
        }
        return y
    }

    public func backward(_ dOutput: Tensor) -> Tensor {
        guard let x = input, let y = output else { preconditionFailure("BatchNorm.backward before forward") }
        precondition(dOutput.shape == x.shape, "BatchNorm dOutput \(dOutput.shape) does not match \(x.shape)")
        let n = x.shape[0], c = channelCount, s = x.shape.countPerItem / c
        let dx = computesInputGradient ? Tensor.reuse(&dInput, shape: x.shape) : noInputGradient
        // dz = dy · f'(z), z = gamma · x̂ + beta, is written where dx will go (or to its own buffer).
        let dz = activation == .identity ? nil : computesInputGradient ? dx : Tensor.reuse(&dPre, shape: x.shape)
        var job = BatchNormBackwardJob(
            dy: dOutput.data, x: x.data, dx: computesInputGradient ? dx.data : nil, gamma: weight.value.data,
            means: means.data, inverseStd: inverseStd.data,
            dGamma: computesParameterGradients ? weight.gradient.data : nil,
            dBeta: computesParameterGradients ? bias.gradient.data : nil,
            batch: n, channels: c, spatial: s, training: lastWasTraining,
            activation: activation, output: y.data, dz: dz?.data, columnSums: columnSums)
        ThreadTeam.shared.run(&job, parallel: x.count >= elementwiseParallelThreshold) { context, part, parts in
            context.assumingMemoryBound(to: BatchNormBackwardJob.self).pointee.compute(part, of: parts)
        }
        return dx
    }
}

/// The same layer under the name of PyTorch's nn.BatchNorm2d: on (N, C, H, W) input it
/// normalises each channel over N·H·W values.
public typealias BatchNorm2D = BatchNorm

/// The forward pass for a range of channels per part: each channel's statistics are summed by
/// one thread, in order, so the thread count does not change them.
struct BatchNormForwardJob {
    let x, y: UnsafeMutablePointer<Float>
    let gamma, beta: UnsafePointer<Float>
    let runningMean, runningVariance, means, inverseStd: UnsafeMutablePointer<Float>
    let batch, channels, spatial: Int
    let momentum, epsilon: Float
    let training: Bool
    let activation: Activation
    let columnSums: UnsafeMutablePointer<Double>

    func compute(_ part: Int, of parts: Int) {
        let count = batch * spatial
        if spatial == 1 { return computeColumns(ThreadTeam.range(part, of: parts, in: channels)) }
        for ch in ThreadTeam.range(part, of: parts, in: channels) {
            var mean: Float, variance: Float
            if training {
                // Two passes: the mean, then the squared deviations from it (no cancellation);
                // each image's run summed in eight lanes, the runs added up in Double.
                var sum = 0.0, sumSquares = 0.0
                for b in 0..<batch { sum += Double(laneSum(x + (b * channels + ch) * spatial, spatial)) }
                mean = Float(sum / Double(count))
                for b in 0..<batch {
                    sumSquares += Double(laneSquaredDeviations(x + (b * channels + ch) * spatial, spatial, from: mean))
                }
                variance = Float(sumSquares / Double(count))
                runningMean[ch] = (1 - momentum) * runningMean[ch] + momentum * mean
                runningVariance[ch] =
                    (1 - momentum) * runningVariance[ch] + momentum * variance * Float(count) / Float(count - 1)
            } else {
                mean = runningMean[ch]
                variance = runningVariance[ch]
            }
            let invStd = 1 / (variance + epsilon).squareRoot()
            means[ch] = mean
            inverseStd[ch] = invStd
            let g = gamma[ch], b0 = beta[ch]
            for b in 0..<batch {
                let offset = (b * channels + ch) * spatial
                laneNormalize(x + offset, y + offset, spatial, mean: mean, invStd: invStd, gamma: g, beta: b0)
                if activation != .identity {
                    activation.applyWithBias(y + offset, rows: 1, features: spatial, bias: nil)
                }
            }
        }
    }

    /// (N, C) input: the same two passes, row by row over the columns `r` (a column per channel).
    func computeColumns(_ r: Range<Int>) {
        let width = r.count, c0 = r.lowerBound
        guard width > 0 else { return }
        let mean = columnSums + c0, squares = columnSums + channels + c0
        if training {
            mean.update(repeating: 0, count: width)
            squares.update(repeating: 0, count: width)
            for b in 0..<batch { let row = x + b * channels + c0; for j in 0..<width { mean[j] += Double(row[j]) } }
            for j in 0..<width { mean[j] /= Double(batch) }
            for b in 0..<batch {
                let row = x + b * channels + c0;
                for j in 0..<width { let d = Double(row[j]) - mean[j]; squares[j] += d * d }
            }
            for j in 0..<width {
                let m = Float(mean[j]), variance = Float(squares[j] / Double(batch))
                means[c0 + j] = m
                runningMean[c0 + j] = (1 - momentum) * runningMean[c0 + j] + momentum * m
                runningVariance[c0 + j] =
                    (1 - momentum) * runningVariance[c0 + j] + momentum * variance * Float(batch) / Float(batch - 1)
                inverseStd[c0 + j] = 1 / (variance + epsilon).squareRoot()
            }
        } else {
            for j in 0..<width {
                means[c0 + j] = runningMean[c0 + j]
                inverseStd[c0 + j] = 1 / (runningVariance[c0 + j] + epsilon).squareRoot()
            }
        }
        for b in 0..<batch {
            let o = b * channels + c0
            for j in 0..<width {
                let h = (x[o + j] - means[c0 + j]) * inverseStd[c0 + j]
                y[o + j] = gamma[c0 + j] * h + beta[c0 + j]
            }
            if activation != .identity { activation.applyWithBias(y + o, rows: 1, features: width, bias: nil) }
        }
    }
}

/// The backward pass for a range of channels per part.
struct BatchNormBackwardJob {
    /// dLoss/dy and the forward's input x, from which x̂ is made again with `mean` and `inverseStd`.
    let dy, x: UnsafePointer<Float>
    let dx: UnsafeMutablePointer<Float>?
    let gamma, means, inverseStd: UnsafePointer<Float>
    /// nil when the layer's parameter gradients are not wanted.
    let dGamma, dBeta: UnsafeMutablePointer<Float>?
    let batch, channels, spatial: Int
    let training: Bool
    let activation: Activation
    /// The layer's output y = f(z), and where dz = dy · f'(z) goes (nil without an activation: dz is dy).
    let output: UnsafePointer<Float>
    let dz: UnsafeMutablePointer<Float>?
    let columnSums: UnsafeMutablePointer<Double>

    func compute(_ part: Int, of parts: Int) {
        let m = Float(batch * spatial)
        if spatial == 1 { return computeColumns(ThreadTeam.range(part, of: parts, in: channels)) }
        for ch in ThreadTeam.range(part, of: parts, in: channels) {
            var sumDy = 0.0, sumDyXhat = 0.0
            let dy =
                dz.map { dz in
                    for b in 0..<batch {
                        let offset = (b * channels + ch) * spatial
                        activation.backward(
                            output: output + offset, dOutput: self.dy + offset, dPre: dz + offset, count: spatial)
                    }
                    return UnsafePointer(dz)
                } ?? self.dy
            for b in 0..<batch {
                let offset = (b * channels + ch) * spatial
                sumDy += Double(laneSum(dy + offset, spatial))
                sumDyXhat += Double(
                    laneDotNormalized(dy + offset, x + offset, spatial, mean: means[ch], invStd: inverseStd[ch]))
            }
            dBeta?[ch] += Float(sumDy)  // dBeta = Σ dy
            dGamma?[ch] += Float(sumDyXhat)  // dGamma = Σ dy · x̂
            guard let dx else { continue }
            let scale = gamma[ch] * inverseStd[ch]
            let meanDy = Float(sumDy) / m, meanDyXhat = Float(sumDyXhat) / m
            // Training: dx = gamma/sqrt(var+eps) · (dy - mean(dy) - x̂ · mean(dy · x̂)); the batch
            // statistics depend on every x, hence the two correction terms. Inference: a fixed
            // affine map, the same formula with both means taken as 0.
            for b in 0..<batch {
                let offset = (b * channels + ch) * spatial
                laneNormalizationGradient(
                    dy + offset, x + offset, dx + offset, spatial, mean: means[ch], invStd: inverseStd[ch],
                    scale: scale,
                    meanDy: training ? meanDy : 0, meanDyXhat: training ? meanDyXhat : 0)
            }
        }
    }

    /// (N, C) input: the same passes row by row over the columns `r`.
    func computeColumns(_ r: Range<Int>) {
        let width = r.count, c0 = r.lowerBound
        guard width > 0 else { return }
        let sumDy = columnSums + c0, sumDyXhat = columnSums + channels + c0
        sumDy.update(repeating: 0, count: width)
        sumDyXhat.update(repeating: 0, count: width)
        for b in 0..<batch {
            let o = b * channels + c0
            var d = dy + o
            if let dz {
                activation.backward(output: output + o, dOutput: d, dPre: dz + o, count: width)
                d = UnsafePointer(dz + o)
            }
            for j in 0..<width {
                sumDy[j] += Double(d[j])
                sumDyXhat[j] += Double(d[j] * ((x[o + j] - means[c0 + j]) * inverseStd[c0 + j]))
            }
        }
        for j in 0..<width {
            dBeta?[c0 + j] += Float(sumDy[j])
            dGamma?[c0 + j] += Float(sumDyXhat[j])
        }
        guard let dx else { return }
        let m = Float(batch)
        for b in 0..<batch {
            let o = b * channels + c0
            let d = dz.map { UnsafePointer($0 + o) } ?? dy + o
            for j in 0..<width {
                let scale = gamma[c0 + j] * inverseStd[c0 + j]
                let meanDy = training ? Float(sumDy[j]) / m : 0, meanDyXhat = training ? Float(sumDyXhat[j]) / m : 0
                let xhat = (x[o + j] - means[c0 + j]) * inverseStd[c0 + j]
                dx[o + j] = scale * (d[j] - meanDy - xhat * meanDyXhat)
            }
        }
    }
}
