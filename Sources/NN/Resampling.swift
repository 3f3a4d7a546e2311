// Halving and doubling an image's height and width, for the classic convolutional autoencoder
// (conv, pool, ..., upsample, conv). Both work plane by plane over NCHW batches, the planes
// shared out among the team's threads.
//   MaxPool2D:  y[n, c, i, j] = max_{u, v < k} x[n, c, k·i + u, k·j + v]  (window k, stride k)
//   Upsample2D: y[n, c, i, j] = x[n, c, ⌊i / f⌋, ⌊j / f⌋]                   (nearest, factor f)

/// The largest value of each k×k window (stride k; rows and columns beyond the last whole
/// window are dropped, as PyTorch does). The gradient flows to the first largest value.
public final class MaxPool2D: Layer {
    public let kernelSize: Int
    public var computesInputGradient = true
    private var input: Tensor?
    private var output: Tensor?
    private var dInput: Tensor?

    public init(kernelSize: Int = 2) {
        precondition(kernelSize > 0, "MaxPool2D needs a positive window")
        self.kernelSize = kernelSize
    }

    public var description: String { "MaxPool2D(\(kernelSize)×\(kernelSize))" }

    public func forward(_ input: Tensor, training: Bool) -> Tensor {
        precondition(
            input.shape.rank == 4 && input.shape[2] >= kernelSize && input.shape[3] >= kernelSize,
            "\(self) got input of shape \(input.shape)")
        self.input = input
        let s = input.shape
        let y = Tensor.reuse(&output, shape: Shape(s[0], s[1], s[2] / kernelSize, s[3] / kernelSize))
        var job = PlaneJob(
            kind: .maxPool, x: input.data, y: y.data, planes: s[0] * s[1], height: s[2], width: s[3], factor: kernelSize
        )
        job.run()
        return y
    }

    public func backward(_ dOutput: Tensor) -> Tensor {
        guard computesInputGradient else { return noInputGradient }
        guard let x = input, let y = output else { preconditionFailure("MaxPool2D.backward before forward") }
        precondition(dOutput.shape == y.shape, "\(self) dOutput \(dOutput.shape) does not match output \(y.shape)")
        let dx = Tensor.reuse(&dInput, shape: x.shape)
        var job = PlaneJob(
            kind: .maxPoolBackward, x: x.data, y: dx.data, planes: x.shape[0] * x.shape[1], height: x.shape[2],
            width: x.shape[3], factor: kernelSize, dOutput: dOutput.data)
        job.run()
        return dx
    }
}

/// Nearest-neighbour upsampling by an integer factor: each value becomes an f×f block.
public final class Upsample2D: Layer {
    public let factor: Int
    public var computesInputGradient = true
    private var inputShape: Shape?
    private var output: Tensor?
    private var dInput: Tensor?

    public init(factor: Int = 2) {
        precondition(factor > 0, "Upsample2D needs a positive factor")
        self.factor = factor
    }

    public var description: String { "Upsample2D(×\(factor), nearest)" }

    public func forward(_ input: Tensor, training: Bool) -> Tensor {
        precondition(input.shape.rank == 4, "\(self) got input of shape \(input.shape)")
        inputShape = input.shape
        let s = input.shape
        let y = Tensor.reuse(&output, shape: Shape(s[0], s[1], s[2] * factor, s[3] * factor))
        var job = PlaneJob(
            kind: .upsample, x: input.data, y: y.data, planes: s[0] * s[1], height: s[2], width: s[3], factor: factor)
        job.run()
        return y
    }

    /// dx[i, j] = Σ of dy over the f×f block that x[i, j] was copied to.
    public func backward(_ dOutput: Tensor) -> Tensor {
        guard computesInputGradient else { return noInputGradient }
        guard let s = inputShape, let y = output else { preconditionFailure("Upsample2D.backward before forward") }
        precondition(dOutput.shape == y.shape, "\(self) dOutput \(dOutput.shape) does not match output \(y.shape)")
        let dx = Tensor.reuse(&dInput, shape: s)
        var job = PlaneJob(
            kind: .upsampleBackward, x: dOutput.data, y: dx.data, planes: s[0] * s[1], height: s[2], width: s[3],
            factor: factor)
        job.run()
        return dx
    }
}

/// One of the four plane-by-plane passes over a range of (image, channel) planes per part.
/// `height` and `width` are the larger side's for pooling and the smaller side's for upsampling.
struct PlaneJob {
    enum Kind { case maxPool, maxPoolBackward, upsample, upsampleBackward }
    let kind: Kind
    /// maxPool: input → output; maxPoolBackward: input (to find the maxima) → dInput;
    /// upsample: input → output; upsampleBackward: dOutput → dInput.
    let x: UnsafePointer<Float>
    let y: UnsafeMutablePointer<Float>
    let planes, height, width, factor: Int
    var dOutput: UnsafePointer<Float>? = nil

    mutating func run() {
        ThreadTeam.shared.run(&self, parallel: planes * height * width >= elementwiseParallelThreshold) {
            context, part, parts in
            context.assumingMemoryBound(to: PlaneJob.self).pointee.compute(part, of: parts)
        }
    }

    func compute(_ part: Int, of parts: Int) {
        let f = factor
        for plane in ThreadTeam.range(part, of: parts, in: planes) {
            switch kind {
            case .maxPool, .maxPoolBackward:
                let ho = height / f, wo = width / f
                let source = x + plane * height * width,
                    target = y + (kind == .maxPool ? plane * ho * wo : plane * height * width)
                if kind == .maxPoolBackward { target.update(repeating: 0, count: height * width) }
                for i in 0..<ho {
                    for j in 0..<wo {
                        var best = source[i * f * width + j * f], bestIndex = i * f * width + j * f
                        for u in 0..<f {
                            for v in 0..<f {
                                let index = (i * f + u) * width + j * f + v
                                if source[index] > best { best = source[index]; bestIndex = index }
                            }
                        }
                        if kind == .maxPool {
                            target[i * wo + j] = best
                        } else {
                            target[bestIndex] = dOutput![plane * ho * wo + i * wo + j]
                        }
                    }
                }
            case .upsample:
                // Each source row is widened once, then copied to the f - 1 rows below it: a
                // division per output pixel (j / f) was most of this pass's time.
                let source = x + plane * height * width, target = y + plane * height * width * f * f
                let wide = width * f
                for i in 0..<height {
                    let row = source + i * width, out = target + i * f * wide
                    for j in 0..<width {
                        for v in 0..<f { out[j * f + v] = row[j] }
                    }
                    for u in 1..<f { (out + u * wide).update(from: out, count: wide) }
                }
            case .upsampleBackward:
                let source = x + plane * height * width * f * f, target = y + plane * height * width
                for i in 0..<height {
                    for j in 0..<width {
                        var s: Float = 0
                        for u in 0..<f { for v in 0..<f { s += source[(i * f + u) * width * f + j * f + v] } }
                        target[i * width + j] = s
                    }
                }
            }
        }
    }
}
