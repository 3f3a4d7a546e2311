// The data movement around a convolution's matrix product, as thread-team jobs.
//
// A convolution of a batch of N images (C, H, W) with O kernels of C×k×k is one GEMM:
//   col (C·k·k, N·P) holds, column by column, the patch each output position sees (im2col),
//   P = Ho·Wo output positions per image, Ho = (H + 2·padding - k) / stride + 1;
//   out (O, N·P) = W (O, C·k·k) · col.
// The batch goes into the columns so that the BLAS sees one large product instead of N thin
// ones; the price is that `out` is channel-major, (O, N, P), and one pass puts it back into
// NCHW (adding the bias on the way). col2im is im2col's adjoint: it adds every column entry
// back onto the pixel it was read from (the input gradient of a convolution, and the forward
// pass of a transposed one).
//
// Every job writes disjoint memory per part and sums in an order that does not depend on the
// part count: the same numbers on one thread or two.

/// The sizes of a convolution over NCHW images: the image side (channels, height, width), the
/// kernel, and the grid of output positions it implies.
public struct ConvolutionGeometry: Equatable, Sendable, CustomStringConvertible {
    /// The image side: a convolution's input, a transposed convolution's output.
    public let channels, height, width: Int
    public let kernelSize, stride, padding: Int

    public init(channels: Int, height: Int, width: Int, kernelSize: Int, stride: Int, padding: Int) {
        self.channels = channels
        self.height = height
        self.width = width
        self.kernelSize = kernelSize
        self.stride = stride
        self.padding = padding
    }

    /// Ho = (H + 2p - k) / s + 1: the grid of kernel positions.
    public var outputHeight: Int { (height + 2 * padding - kernelSize) / stride + 1 }
    public var outputWidth: Int { (width + 2 * padding - kernelSize) / stride + 1 }
    /// Kernel positions per image, P.
    public var positions: Int { outputHeight * outputWidth }
    /// Values one kernel position sees, C·k·k: the rows of `col`.
    public var patchSize: Int { channels * kernelSize * kernelSize }
    /// Values per image on the image side.
    public var imageSize: Int { channels * height * width }
    /// Whether the kernel fits the padded image at least once.
    public var isValid: Bool {
        channels > 0 && height > 0 && width > 0 && kernelSize > 0 && stride > 0 && padding >= 0
            && height + 2 * padding >= kernelSize && width + 2 * padding >= kernelSize
    }

    public var description: String { "\(channels)×\(height)×\(width), \(kernelSize)×\(kernelSize) kernel, stride \(stride), padding \(padding)" }

    /// The output positions whose kernel offset `offset` lands inside `0..<size` on the image
    /// side (`s·o - p + offset`): worked out once per kernel row or column, so the inner
    /// loops run without a bounds test.
    @inline(__always)
    func inside(offset: Int, size: Int, positions: Int) -> Range<Int> {
        let shift = offset - padding                       // image index = s·o + shift
        let low = shift >= 0 ? 0 : (-shift + stride - 1) / stride
        let high = Swift.min(positions, size - 1 - shift < 0 ? 0 : (size - 1 - shift) / stride + 1)
        return low..<Swift.max(low, high)
    }
}

extension ConvolutionGeometry {
    /// col (C·k·k, N·P) from `images` (N, C, H, W): im2col.
    func unfold(_ images: UnsafePointer<Float>, batch: Int, into col: UnsafeMutablePointer<Float>) {
        var job = UnfoldJob(geometry: self, images: images, col: col, batch: batch)
        ThreadTeam.shared.run(&job, parallel: patchSize * batch * positions >= elementwiseParallelThreshold) { context, part, parts in
            context.assumingMemoryBound(to: UnfoldJob.self).pointee.compute(part, of: parts)
        }
    }

    /// `images` (N, C, H, W) = f(Σ over the columns of `col` that read each pixel (col2im)), each
    /// channel starting from `bias[c]` (or 0): the adjoint of `unfold`, then `activation`.
    func fold(_ col: UnsafePointer<Float>, batch: Int, bias: UnsafePointer<Float>?, activation: Activation = .identity,
              into images: UnsafeMutablePointer<Float>) {
        var job = FoldJob(geometry: self, col: col, images: images, bias: bias, activation: activation, batch: batch)
        ThreadTeam.shared.run(&job, parallel: patchSize * batch * positions >= elementwiseParallelThreshold) { context, part, parts in
            context.assumingMemoryBound(to: FoldJob.self).pointee.compute(part, of: parts)
        }
    }
}

/// Part of im2col: a range of col's rows, each a (channel, kernel row, kernel column) triple.
struct UnfoldJob {
    let geometry: ConvolutionGeometry
    let images: UnsafePointer<Float>
    let col: UnsafeMutablePointer<Float>
    let batch: Int

    func compute(_ part: Int, of parts: Int) {
        let g = geometry, k = g.kernelSize, p = g.positions
        let wo = g.outputWidth, s = g.stride
        for row in ThreadTeam.range(part, of: parts, in: g.patchSize) {
            let c = row / (k * k), ki = (row / k) % k, kj = row % k
            let rows = g.inside(offset: ki, size: g.height, positions: g.outputHeight)
            let columns = g.inside(offset: kj, size: g.width, positions: wo)
            let shift = kj - g.padding
            for n in 0..<batch {
                let plane = images + (n * g.channels + c) * g.height * g.width
                let target = col + row * (batch * p) + n * p
                // Rows the kernel row misses read padding: zeros.
                target.update(repeating: 0, count: rows.lowerBound * wo)
                (target + rows.upperBound * wo).update(repeating: 0, count: (g.outputHeight - rows.upperBound) * wo)
                for oh in rows {
                    let source = plane + (oh * s - g.padding + ki) * g.width + shift
                    let out = target + oh * wo
                    for ow in 0..<columns.lowerBound { out[ow] = 0 }
                    if s == 1 {
                        (out + columns.lowerBound).update(from: source + columns.lowerBound, count: columns.count)
                    } else {
                        for ow in columns { out[ow] = source[ow * s] }
                    }
                    for ow in columns.upperBound..<wo { out[ow] = 0 }
                }
            }
        }
    }
}

/// Part of col2im: a range of (channel, image) planes, each summed over its k·k kernel offsets
/// in a fixed order.
struct FoldJob {
    let geometry: ConvolutionGeometry
    let col: UnsafePointer<Float>
    let images: UnsafeMutablePointer<Float>
    let bias: UnsafePointer<Float>?
    let activation: Activation
    let batch: Int

    func compute(_ part: Int, of parts: Int) {
        let g = geometry, k = g.kernelSize, p = g.positions, columns = batch * p, planeSize = g.height * g.width
        let wo = g.outputWidth, s = g.stride
        // Channel-major order: one channel's planes image after image read its k·k rows of col
        // front to back, rather than hopping between rows a page apart.
        for index in ThreadTeam.range(part, of: parts, in: batch * g.channels) {
            let c = index / batch, n = index % batch
            let plane = images + (n * g.channels + c) * planeSize
            plane.update(repeating: bias?[c] ?? 0, count: planeSize)
            for ki in 0..<k {
                let rows = g.inside(offset: ki, size: g.height, positions: g.outputHeight)
                for kj in 0..<k {
                    let source = col + ((c * k + ki) * k + kj) * columns + n * p
                    let positions = g.inside(offset: kj, size: g.width, positions: wo)
                    for oh in rows {
                        let row = plane + (oh * s - g.padding + ki) * g.width + kj - g.padding, from = source + oh * wo
                        for ow in positions { row[ow * s] += from[ow] }
                    }
                }
            }
            // The plane is still in cache: its activation costs no extra trip to memory.
            if activation != .identity { activation.applyWithBias(plane, rows: 1, features: planeSize, bias: nil) }
        }
    }
}

/// Moves values between NCHW, (N, C, S), and channel-major, (C, N·S), layouts.
enum ChannelLayout {
    /// batchMajor (N, C, S) = f(channelMajor (C, N, S) + `bias[c]`), the bias when given.
    static func toBatchMajor(_ channelMajor: UnsafePointer<Float>, batch: Int, channels: Int, spatial: Int,
                             bias: UnsafePointer<Float>?, activation: Activation = .identity, into batchMajor: UnsafeMutablePointer<Float>) {
        var job = ToBatchMajorJob(source: channelMajor, target: batchMajor, bias: bias, activation: activation, batch: batch, channels: channels, spatial: spatial)
        ThreadTeam.shared.run(&job, parallel: batch * channels * spatial >= elementwiseParallelThreshold) { context, part, parts in
            context.assumingMemoryBound(to: ToBatchMajorJob.self).pointee.compute(part, of: parts)
        }
    }

    /// channelMajor (C, N, S) = batchMajor (N, C, S) when `channelMajor` is given, and
    /// sums[c] += Σ_{n,s} batchMajor[n, c, s] when `sums` is (a bias gradient). Given the
    /// output `activated` of `activation`, the values moved and summed are dPre = d · f'(pre)
    /// (then `channelMajor` must be given).
    static func toChannelMajor(_ batchMajor: UnsafePointer<Float>, batch: Int, channels: Int, spatial: Int,
                               into channelMajor: UnsafeMutablePointer<Float>?, addingSumsTo sums: UnsafeMutablePointer<Float>?,
                               activation: Activation = .identity, activated: UnsafePointer<Float>? = nil) {
        precondition(activation == .identity || (activated != nil && channelMajor != nil), "an activation's gradient needs its output and a target")
        var job = ToChannelMajorJob(source: batchMajor, target: channelMajor, sums: sums, activation: activation, activated: activated,
                                    batch: batch, channels: channels, spatial: spatial)
        ThreadTeam.shared.run(&job, parallel: batch * channels * spatial >= elementwiseParallelThreshold) { context, part, parts in
            context.assumingMemoryBound(to: ToChannelMajorJob.self).pointee.compute(part, of: parts)
        }
    }
}

/// A range of images per part.
struct ToBatchMajorJob {
    let source: UnsafePointer<Float>
    let target: UnsafeMutablePointer<Float>
    let bias: UnsafePointer<Float>?
    let activation: Activation
    let batch, channels, spatial: Int

    func compute(_ part: Int, of parts: Int) {
        for n in ThreadTeam.range(part, of: parts, in: batch) {
            for c in 0..<channels {
                let from = source + (c * batch + n) * spatial, to = target + (n * channels + c) * spatial
                to.update(from: from, count: spatial)
                activation.applyWithBias(to, rows: 1, features: spatial, bias: nil, adding: bias?[c] ?? 0)
            }
        }
    }
}

/// A range of channels per part: each channel's sum is taken by one thread, in order.
struct ToChannelMajorJob {
    let source: UnsafePointer<Float>
    let target: UnsafeMutablePointer<Float>?
    let sums: UnsafeMutablePointer<Float>?
    let activation: Activation
    let activated: UnsafePointer<Float>?
    let batch, channels, spatial: Int

    func compute(_ part: Int, of parts: Int) {
        for c in ThreadTeam.range(part, of: parts, in: channels) {
            var total: Float = 0
            for n in 0..<batch {
                let offset = (n * channels + c) * spatial
                var moved = source + offset
                if let target {
                    let to = target + (c * batch + n) * spatial
                    if let activated, activation != .identity {
                        activation.backward(output: activated + offset, dOutput: moved, dPre: to, count: spatial)
                    } else {
                        to.update(from: moved, count: spatial)
                    }
                    moved = UnsafePointer(to)
                }
                if sums != nil { total += laneSum(moved, spatial) }
            }
            if let sums { sums[c] += total }
        }
    }
}
