// Group normalisation (Wu & He 2018): each image's channels fall into G groups of C/G, and each
// group is normalised over its m = (C/G)·S values; then every channel is scaled and shifted by
// its own γ and β. N: batch, C: channels, G: groups, S: spatial positions per channel (H·W).
//   x̂ = (x − mean_{n,g}) / sqrt(var_{n,g} + eps),  y = γ_c · x̂ + β_c
// No statistic crosses images, so training and inference compute the same thing and a batch of
// one works: a diffusion model's denoiser samples a few images at a time.
//
// Backward, with g = dy · γ_c the gradient reaching x̂ (γ differs between a group's channels):
//   dγ_c = Σ_{n,s} dy · x̂,  dβ_c = Σ_{n,s} dy
//   dx = r · (g − Σg / m − x̂ · Σ(g · x̂) / m),  r = 1 / sqrt(var + eps), the sums over the group.

/// Group normalisation with a learned scale and shift per channel (PyTorch's nn.GroupNorm).
public final class GroupNorm: Layer {
    /// γ, (C)
    public let weight: Parameter
    /// β, (C)
    public let bias: Parameter
    public let groupCount: Int
    public let epsilon: Float
    public var computesInputGradient = true
    /// When false, `backward` adds nothing to dγ and dβ.
    public var computesParameterGradients = true

    /// The last forward's input, kept for backward to make x̂ from again (as BatchNorm does).
    private var input: Tensor?
    private var means: Tensor?  // the mean per (image, group), (N·G)
    private var inverseStd: Tensor?  // r per (image, group), (N·G)
    private var output: Tensor?
    private var dInput: Tensor?

    public var channelCount: Int { weight.value.count }

    public var description: String { "GroupNorm(\(groupCount) groups, \(channelCount), epsilon \(epsilon))" }

    public init(groupCount: Int, channelCount: Int, epsilon: Float = 1e-5) {
        precondition(
            groupCount > 0 && channelCount > 0 && channelCount % groupCount == 0,
            "GroupNorm needs a channel count (\(channelCount)) that its group count (\(groupCount)) divides")
        weight = Parameter(name: "weight", value: Tensor(shape: [channelCount], repeating: 1))
        bias = Parameter(name: "bias", value: Tensor(zeros: [channelCount]))
        self.groupCount = groupCount
        self.epsilon = epsilon
    }

    public var parameters: [Parameter] { [weight, bias] }

    public func forward(_ input: Tensor, training: Bool) -> Tensor {
        let c = channelCount
        precondition(
            input.shape.rank >= 2 && input.shape[1] == c, "GroupNorm(\(c) channels) got input of shape \(input.shape)")
        let n = input.shape[0], s = input.shape.countPerItem / c
        self.input = input
        let y = Tensor.reuse(&output, shape: input.shape)
        let mean = Tensor.reuse(&means, shape: [n * groupCount]), r = Tensor.reuse(&inverseStd, shape: [n * groupCount])
        var job = GroupNormForwardJob(
            x: input.data, y: y.data, gamma: weight.value.data, beta: bias.value.data, means: mean.data,
            inverseStd: r.data, groups: n * groupCount, groupsPerImage: groupCount, channelsPerGroup: c / groupCount,
            spatial: s, epsilon: epsilon)
        ThreadTeam.shared.run(&job, parallel: input.count >= elementwiseParallelThreshold) { context, part, parts in
            context.assumingMemoryBound(to: GroupNormForwardJob.self).pointee.compute(part, of: parts)
        }
        return y
    }

    public func backward(_ dOutput: Tensor) -> Tensor {
        guard let x = input, let mean = means, let r = inverseStd else {
            preconditionFailure("GroupNorm.backward before forward")
        }
        precondition(dOutput.shape == x.shape, "GroupNorm dOutput \(dOutput.shape) does not match \(x.shape)")
        let c = channelCount, n = x.shape[0], s = x.shape.countPerItem / c
        let parallel = x.count >= elementwiseParallelThreshold
        if computesParameterGradients {
            var job = GroupNormParameterGradientJob(
                dy: dOutput.data, x: x.data, means: mean.data, inverseStd: r.data, dGamma: weight.gradient.data,
                dBeta: bias.gradient.data, batch: n, channels: c, channelsPerGroup: c / groupCount, spatial: s)
            ThreadTeam.shared.run(&job, parallel: parallel) { context, part, parts in
                context.assumingMemoryBound(to: GroupNormParameterGradientJob.self).pointee.compute(part, of: parts)
            }
        }
        guard computesInputGradient else { return noInputGradient }
        let dx = Tensor.reuse(&dInput, shape: x.shape)
        var job = GroupNormInputGradientJob(
            dy: dOutput.data, x: x.data, dx: dx.data, gamma: weight.value.data, means: mean.data, inverseStd: r.data,
            groups: n * groupCount, groupsPerImage: groupCount, channelsPerGroup: c / groupCount, spatial: s)
        ThreadTeam.shared.run(&job, parallel: parallel) { context, part, parts in
            context.assumingMemoryBound(to: GroupNormInputGradientJob.self).pointee.compute(part, of: parts)
        }
        return dx
    }
}

/// The forward pass for a range of (image, group) pairs per part. A group's values are one
/// contiguous run of (C/G)·S floats, summed in one order whatever the thread count.
struct GroupNormForwardJob {
    let x: UnsafePointer<Float>
    let y: UnsafeMutablePointer<Float>
    let gamma, beta: UnsafePointer<Float>
    let means, inverseStd: UnsafeMutablePointer<Float>
    /// N·G, G, C/G and S.
    let groups, groupsPerImage, channelsPerGroup, spatial: Int
    let epsilon: Float

    func compute(_ part: Int, of parts: Int) {
        let m = channelsPerGroup * spatial
        for group in ThreadTeam.range(part, of: parts, in: groups) {
            let start = group * m, firstChannel = (group % groupsPerImage) * channelsPerGroup
            // Two passes, as in batch norm: the mean, then the squared deviations from it.
            var sum = 0.0, squares = 0.0
            for ch in 0..<channelsPerGroup { sum += Double(laneSum(x + start + ch * spatial, spatial)) }
            let mean = Float(sum / Double(m))
            for ch in 0..<channelsPerGroup {
                squares += Double(laneSquaredDeviations(x + start + ch * spatial, spatial, from: mean))
            }
            let r = 1 / (Float(squares / Double(m)) + epsilon).squareRoot()
            means[group] = mean
            inverseStd[group] = r
            for ch in 0..<channelsPerGroup {
                let o = start + ch * spatial, channel = firstChannel + ch
                laneNormalize(x + o, y + o, spatial, mean: mean, invStd: r, gamma: gamma[channel], beta: beta[channel])
            }
        }
    }
}

/// dγ and dβ for a range of channels per part, each summed over the images in order.
struct GroupNormParameterGradientJob {
    /// dLoss/dy and the forward's input x, x̂ made again from it with each group's mean and r.
    let dy, x, means, inverseStd: UnsafePointer<Float>
    let dGamma, dBeta: UnsafeMutablePointer<Float>
    let batch, channels, channelsPerGroup, spatial: Int

    func compute(_ part: Int, of parts: Int) {
        let groupsPerImage = channels / channelsPerGroup
        for channel in ThreadTeam.range(part, of: parts, in: channels) {
            var sumDy = 0.0, sumDyXhat = 0.0
            for image in 0..<batch {
                let o = (image * channels + channel) * spatial
                let group = image * groupsPerImage + channel / channelsPerGroup
                sumDy += Double(laneSum(dy + o, spatial))
                sumDyXhat += Double(
                    laneDotNormalized(dy + o, x + o, spatial, mean: means[group], invStd: inverseStd[group]))
            }
            dBeta[channel] += Float(sumDy)
            dGamma[channel] += Float(sumDyXhat)
        }
    }
}

/// dx for a range of (image, group) pairs per part.
struct GroupNormInputGradientJob {
    /// dLoss/dy and the forward's input x, x̂ made again from it with each group's mean and r.
    let dy, x: UnsafePointer<Float>
    let dx: UnsafeMutablePointer<Float>
    let gamma, means, inverseStd: UnsafePointer<Float>
    /// N·G, G, C/G and S.
    let groups, groupsPerImage, channelsPerGroup, spatial: Int

    func compute(_ part: Int, of parts: Int) {
        let m = Float(channelsPerGroup * spatial)
        for group in ThreadTeam.range(part, of: parts, in: groups) {
            let start = group * channelsPerGroup * spatial, firstChannel = (group % groupsPerImage) * channelsPerGroup
            // Σg and Σ(g · x̂) over the group, g = dy · γ_c.
            var sumG = 0.0, sumGXhat = 0.0
            let mu = means[group], r = inverseStd[group]
            for ch in 0..<channelsPerGroup {
                let o = start + ch * spatial, g = Double(gamma[firstChannel + ch])
                sumG += g * Double(laneSum(dy + o, spatial))
                sumGXhat += g * Double(laneDotNormalized(dy + o, x + o, spatial, mean: mu, invStd: r))
            }
            let shift = r * Float(sumG) / m, slope = r * Float(sumGXhat) / m
            for ch in 0..<channelsPerGroup {
                let o = start + ch * spatial
                // dx = r·γ_c·dy − r·Σg/m − x̂·r·Σ(g·x̂)/m: batch norm's formula with its scale r·γ_c.
                laneAffineGradient(
                    dy + o, x + o, dx + o, spatial, mean: mu, invStd: r, scale: r * gamma[firstChannel + ch],
                    shift: shift, slope: slope)
            }
        }
    }
}

/// dx = scale · dy − shift − x̂ · slope over a contiguous run, x̂ = (x − mean) · invStd. Batch norm's
/// `laneNormalizationGradient` is the same map grouped as scale · (dy − a − x̂ · c); kept apart
/// because γ differs within a group here (dividing by it would fail at γ = 0) and regrouping
/// batch norm's would change the DCGAN's bits.
@inline(__always)
private func laneAffineGradient(
    _ dy: UnsafePointer<Float>, _ x: UnsafePointer<Float>, _ dx: UnsafeMutablePointer<Float>, _ count: Int,
    mean: Float, invStd: Float, scale: Float, shift: Float, slope: Float
) {
    var i = 0
    let a = SIMD8<Float>(repeating: scale), b = SIMD8<Float>(repeating: shift), c = SIMD8<Float>(repeating: slope)
    let m = SIMD8<Float>(repeating: mean), r = SIMD8<Float>(repeating: invStd)
    while i + 8 <= count {
        store8(a * load8(dy + i) - b - laneNormalized(x + i, mean: m, invStd: r) * c, dx + i)
        i += 8
    }
    while i < count {
        dx[i] = scale * dy[i] - shift - ((x[i] - mean) * invStd) * slope
        i += 1
    }
}
