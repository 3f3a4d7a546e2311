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
}

extension ConvolutionGeometry {
    /// col (C·k·k, N·P) from `images` (N, C, H, W): im2col.
    func unfold(_ images: UnsafePointer<Float>, batch: Int, into col: UnsafeMutablePointer<Float>) {
        var job = UnfoldJob(geometry: self, images: images, col: col, batch: batch)
        ThreadTeam.shared.run(&job, parallel: patchSize * batch * positions >= elementwiseParallelThreshold) { context, part, parts in
            context.assumingMemoryBound(to: UnfoldJob.self).pointee.compute(part, of: parts)
        }
    }

    /// `images` (N, C, H, W) = Σ over the columns of `col` that read each pixel (col2im), each
    /// channel starting from `bias[c]` (or 0): the adjoint of `unfold`.
    func fold(_ col: UnsafePointer<Float>, batch: Int, bias: UnsafePointer<Float>?, into images: UnsafeMutablePointer<Float>) {
        var job = FoldJob(geometry: self, col: col, images: images, bias: bias, batch: batch)
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
        let g = geometry, k = g.kernelSize, p = g.positions, columns = batch * p
        for row in ThreadTeam.range(part, of: parts, in: g.patchSize) {
            let c = row / (k * k), ki = (row / k) % k, kj = row % k
            for n in 0..<batch {
                let plane = images + (n * g.channels + c) * g.height * g.width
                let target = col + row * columns + n * p
                for oh in 0..<g.outputHeight {
                    let ih = oh * g.stride - g.padding + ki
                    let out = target + oh * g.outputWidth
                    guard ih >= 0 && ih < g.height else { out.update(repeating: 0, count: g.outputWidth); continue }
                    let source = plane + ih * g.width
                    for ow in 0..<g.outputWidth {
                        let iw = ow * g.stride - g.padding + kj
                        out[ow] = iw >= 0 && iw < g.width ? source[iw] : 0
                    }
                }
            }
        }
    }
}

/// Part of col2im: a range of (image, channel) planes, each summed over its k·k kernel offsets
/// in a fixed order.
struct FoldJob {
    let geometry: ConvolutionGeometry
    let col: UnsafePointer<Float>
    let images: UnsafeMutablePointer<Float>
    let bias: UnsafePointer<Float>?
    let batch: Int

    func compute(_ part: Int, of parts: Int) {
        let g = geometry, k = g.kernelSize, p = g.positions, columns = batch * p, planeSize = g.height * g.width
        for index in ThreadTeam.range(part, of: parts, in: batch * g.channels) {
            let n = index / g.channels, c = index % g.channels
            let plane = images + index * planeSize
            plane.update(repeating: bias?[c] ?? 0, count: planeSize)
            for ki in 0..<k {
                for kj in 0..<k {
                    let source = col + ((c * k + ki) * k + kj) * columns + n * p
                    for oh in 0..<g.outputHeight {
                        let ih = oh * g.stride - g.padding + ki
                        guard ih >= 0 && ih < g.height else { continue }
                        let row = plane + ih * g.width, from = source + oh * g.outputWidth
                        for ow in 0..<g.outputWidth {
                            let iw = ow * g.stride - g.padding + kj
                            if iw >= 0 && iw < g.width { row[iw] += from[ow] }
                        }
                    }
                }
            }
        }
    }
}

/// Moves values between NCHW, (N, C, S), and channel-major, (C, N·S), layouts.
enum ChannelLayout {
    /// batchMajor (N, C, S) = channelMajor (C, N, S), plus `bias[c]` when given.
    static func toBatchMajor(_ channelMajor: UnsafePointer<Float>, batch: Int, channels: Int, spatial: Int,
                             bias: UnsafePointer<Float>?, into batchMajor: UnsafeMutablePointer<Float>) {
        var job = ToBatchMajorJob(source: channelMajor, target: batchMajor, bias: bias, batch: batch, channels: channels, spatial: spatial)
        ThreadTeam.shared.run(&job, parallel: batch * channels * spatial >= elementwiseParallelThreshold) { context, part, parts in
            context.assumingMemoryBound(to: ToBatchMajorJob.self).pointee.compute(part, of: parts)
        }
    }

    /// channelMajor (C, N, S) = batchMajor (N, C, S) when `channelMajor` is given, and
    /// sums[c] += Σ_{n,s} batchMajor[n, c, s] when `sums` is (a bias gradient).
    static func toChannelMajor(_ batchMajor: UnsafePointer<Float>, batch: Int, channels: Int, spatial: Int,
                               into channelMajor: UnsafeMutablePointer<Float>?, addingSumsTo sums: UnsafeMutablePointer<Float>?) {
        var job = ToChannelMajorJob(source: batchMajor, target: channelMajor, sums: sums, batch: batch, channels: channels, spatial: spatial)
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
    let batch, channels, spatial: Int

    func compute(_ part: Int, of parts: Int) {
        for n in ThreadTeam.range(part, of: parts, in: batch) {
            for c in 0..<channels {
                let from = source + (c * batch + n) * spatial, to = target + (n * channels + c) * spatial
                if let bias {
                    let b = bias[c]
                    for s in 0..<spatial { to[s] = from[s] + b }
                } else {
                    to.update(from: from, count: spatial)
                }
            }
        }
    }
}

/// A range of channels per part: each channel's sum is taken by one thread, in order.
struct ToChannelMajorJob {
    let source: UnsafePointer<Float>
    let target: UnsafeMutablePointer<Float>?
    let sums: UnsafeMutablePointer<Float>?
    let batch, channels, spatial: Int

    func compute(_ part: Int, of parts: Int) {
        for c in ThreadTeam.range(part, of: parts, in: channels) {
            var total: Float = 0
            for n in 0..<batch {
                let from = source + (n * channels + c) * spatial
                target.map { ($0 + (c * batch + n) * spatial).update(from: from, count: spatial) }
                if sums != nil {
                    var s: Float = 0
                    for i in 0..<spatial { s += from[i] }
                    total += s
                }
            }
            if let sums { sums[c] += total }
        }
    }
}
