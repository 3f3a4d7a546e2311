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
public struct ConvolutionGeometry: Hashable, Sendable, CustomStringConvertible {
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

    public var description: String {
        "\(channels)×\(height)×\(width), \(kernelSize)×\(kernelSize) kernel, stride \(stride), padding \(padding)"
    }

    /// How many floats a chunk's col holds at most: a million, 4 MB, which stays in the last
    /// level of cache while it is made, multiplied and spent.
    static let chunkBudget = 1 << 20

    /// Images per chunk: as many as keep one chunk's col within `budget` floats, at least one,
    /// at most the batch.
    func chunk(batch: Int, budget: Int) -> Int {
        Swift.max(1, Swift.min(batch, budget / Swift.max(patchSize * positions, 1)))
    }

}

/// What im2col and col2im need for one geometry, made once. im2col copies each plane into a
/// bordered (H + 2p) × (W + 2p) grid whose border is zero and reads its rows with no test per
/// value (a -1-for-padding table cost a compare and a masked load per value: im2col 7.8% ->
/// 4.5% of a DCGAN epoch's samples). col2im scatters onto the plane itself through a table:
/// for kernel offset (u, v) and output position (i, j), the index of its pixel in the plane,
/// -1 where the kernel reads padding (onto a bordered grid, filling and copying back its
/// interior cost more than the tests: 4.1% -> 5.2%; rows added eight lanes at a time with the
/// stride, 5.5% -> 7.2%, as DCGAN's rows of seven leave too little to fill a vector).
public final class PatchMap {
    public let geometry: ConvolutionGeometry
    /// (k·k, P) indices into the plane, -1 where the kernel reads padding: col2im's.
    let planeOffsets: UnsafeMutablePointer<Int32>
    /// The bordered plane's sides: H + 2p and W + 2p.
    let paddedHeight, paddedWidth: Int
    /// One bordered plane per part of a job (a thread's scratch), made before the job starts,
    /// with room after the last for a strided copy's read of one value past its row. Only the
    /// interior is ever written, so the border stays as zeroed when it was made.
    private var planes: UnsafeMutablePointer<Float>
    private var planeCount = 0
    /// The values a strided copy may read past the last plane.
    private static let slack = 16

    init(_ g: ConvolutionGeometry) {
        paddedHeight = g.height + 2 * g.padding
        paddedWidth = g.width + 2 * g.padding
        precondition(g.height * g.width < Int(Int32.max), "an image plane of \(g.height)×\(g.width) is too large")
        geometry = g
        let k = g.kernelSize
        planeOffsets = .allocate(capacity: Swift.max(k * k * g.positions, 1))
        for u in 0..<k {
            for v in 0..<k {
                for i in 0..<g.outputHeight {
                    for j in 0..<g.outputWidth {
                        let (ih, iw) = (i * g.stride + u - g.padding, j * g.stride + v - g.padding)
                        let inside = ih >= 0 && ih < g.height && iw >= 0 && iw < g.width
                        planeOffsets[(u * k + v) * g.positions + i * g.outputWidth + j] =
                            inside ? Int32(ih * g.width + iw) : -1
                    }
                }
            }
        }
        planes = .allocate(capacity: 1)
    }

    deinit {
        planeOffsets.deallocate()
        planes.deallocate()
    }

    /// The map for `geometry`, kept in `cache` and made again only when the geometry changes;
    /// `layer` names it in the kernel log.
    static func reuse(
        _ cache: inout PatchMap?, for geometry: ConvolutionGeometry, layer: @autoclosure () -> String
    ) -> PatchMap {
        if let map = cache, map.geometry == geometry { return map }
        KernelLog.note("\(layer()): im2col, OpenBLAS \(BLAS.kernels)")
        let map = PatchMap(geometry)
        cache = map
        return map
    }

    /// Scratch for as many bordered planes as this thread's jobs have parts (grown on first use
    /// only).
    private func scratch() -> UnsafeMutablePointer<Float> {
        let parts = ThreadTeam.shared.parts
        if planeCount < parts {
            planes.deallocate()
            planes = .allocate(capacity: parts * paddedHeight * paddedWidth + PatchMap.slack)
            planes.initialize(repeating: 0, count: parts * paddedHeight * paddedWidth + PatchMap.slack)
            planeCount = parts
        }
        return planes
    }

    /// col (C·k·k, N·P) from `images` (N, C, H, W): im2col.
    func unfold(_ images: UnsafePointer<Float>, batch: Int, into col: UnsafeMutablePointer<Float>) {
        let g = geometry
        var job = UnfoldJob(
            geometry: g, paddedWidth: paddedWidth, paddedSize: paddedHeight * paddedWidth,
            planes: scratch(), images: images, col: col, batch: batch)
        ThreadTeam.shared.run(&job, parallel: g.patchSize * batch * g.positions >= elementwiseParallelThreshold) {
            context, part, parts in
            context.assumingMemoryBound(to: UnfoldJob.self).pointee.compute(part, of: parts)
        }
    }

    /// `images` (N, C, H, W) = f(Σ over the columns of `col` that read each pixel (col2im)), each
    /// channel starting from `bias[c]` (or 0): the adjoint of `unfold`, then `activation`.
    func fold(
        _ col: UnsafePointer<Float>, batch: Int, bias: UnsafePointer<Float>?, activation: Activation = .identity,
        into images: UnsafeMutablePointer<Float>
    ) {
        let g = geometry
        var job = FoldJob(
            geometry: g, offsets: planeOffsets, col: col, images: images, bias: bias, activation: activation,
            batch: batch)
        ThreadTeam.shared.run(&job, parallel: g.patchSize * batch * g.positions >= elementwiseParallelThreshold) {
            context, part, parts in
            context.assumingMemoryBound(to: FoldJob.self).pointee.compute(part, of: parts)
        }
    }
}

/// Part of im2col: a range of (channel, image) planes, each owning P columns in k·k rows of
/// col. The plane is copied into the part's bordered plane, whose border stays zero, and each
/// of the k·k rows of col is filled one output row (Wo values) at a time, read with the
/// stride from the bordered plane's row s·i + u: a vector copy for strides 1 and 2 (DCGAN's
/// and the conv AE's). A table look-up per value took 7.0% of a synthetic DCGAN epoch's
/// samples, this 6.8%: most of im2col's time is writing col, whichever way it is read.
struct UnfoldJob {
    let geometry: ConvolutionGeometry
    /// The bordered plane's width and size.
    let paddedWidth, paddedSize: Int
    let planes: UnsafeMutablePointer<Float>
    let images: UnsafePointer<Float>
    let col: UnsafeMutablePointer<Float>
    let batch: Int

    func compute(_ part: Int, of parts: Int) {
        let g = geometry, k = g.kernelSize, s = g.stride, p = g.positions, wo = g.outputWidth,
            planeSize = g.height * g.width
        let bordered = planes + part * paddedSize, interior = bordered + g.padding * paddedWidth + g.padding
        for index in ThreadTeam.range(part, of: parts, in: g.channels * batch) {
            let c = index / batch, n = index % batch
            let plane = images + (n * g.channels + c) * planeSize
            for r in 0..<g.height { copyRun(plane + r * g.width, to: interior + r * paddedWidth, count: g.width) }
            for u in 0..<k {
                for v in 0..<k {
                    let out = col + ((c * k * k + u * k + v) * batch + n) * p
                    for i in 0..<g.outputHeight {
                        copyStrided(bordered + (i * s + u) * paddedWidth + v, stride: s, to: out + i * wo, count: wo)
                    }
                }
            }
        }
    }
}

/// Part of col2im: a range of (channel, image) planes, each summed over its k·k kernel offsets
/// in a fixed order. Channel-major order: one channel's planes, image after image, read their
/// k·k rows of col front to back rather than hopping between rows a page apart.
struct FoldJob {
    let geometry: ConvolutionGeometry
    let offsets: UnsafePointer<Int32>
    let col: UnsafePointer<Float>
    let images: UnsafeMutablePointer<Float>
    let bias: UnsafePointer<Float>?
    let activation: Activation
    let batch: Int

    func compute(_ part: Int, of parts: Int) {
        let g = geometry, kk = g.kernelSize * g.kernelSize, p = g.positions, columns = batch * p,
            planeSize = g.height * g.width
        for index in ThreadTeam.range(part, of: parts, in: batch * g.channels) {
            let c = index / batch, n = index % batch
            let plane = images + (n * g.channels + c) * planeSize
            plane.update(repeating: bias?[c] ?? 0, count: planeSize)
            for offset in 0..<kk {
                let source = col + (c * kk + offset) * columns + n * p, to = offsets + offset * p
                for q in 0..<p {
                    let o = Int(to[q])
                    if o >= 0 { plane[o] += source[q] }
                }
            }
            // The plane is still in cache: its activation costs no extra trip to memory.
            if activation != .identity { activation.applyWithBias(plane, rows: 1, features: planeSize, bias: nil) }
        }
    }
}

/// to[j] = from[j·stride] for j in 0..<count. Stride 2 reads sixteen values and keeps the even
/// lanes, so it may read one value past the last it keeps (the bordered planes have room).
@inline(__always)
func copyStrided(_ from: UnsafePointer<Float>, stride: Int, to: UnsafeMutablePointer<Float>, count: Int) {
    switch stride {
    case 1:
        copyRun(from, to: to, count: count)
    case 2 where count >= 8:
        var j = 0
        while j + 8 < count { store8(load16(from + 2 * j).evenHalf, to + j); j += 8 }
        store8(load16(from + 2 * (count - 8)).evenHalf, to + count - 8)
    case 2 where count >= 4:
        store4(load8(from).evenHalf, to)
        store4(load8(from + 2 * (count - 4)).evenHalf, to + count - 4)
    default:
        for j in 0..<count { to[j] = from[j * stride] }
    }
}

/// Moves values between NCHW, (N, C, S), and channel-major, (C, N·S), layouts.
enum ChannelLayout {
    /// batchMajor (N, C, S) = f(channelMajor (C, N, S) + `bias[c]`), the bias when given.
    static func toBatchMajor(
        _ channelMajor: UnsafePointer<Float>, batch: Int, channels: Int, spatial: Int,
        bias: UnsafePointer<Float>?, activation: Activation = .identity, into batchMajor: UnsafeMutablePointer<Float>
    ) {
        var job = ToBatchMajorJob(
            source: channelMajor, target: batchMajor, bias: bias, activation: activation, batch: batch,
            channels: channels, spatial: spatial)
        ThreadTeam.shared.run(&job, parallel: batch * channels * spatial >= elementwiseParallelThreshold) {
            context, part, parts in
            context.assumingMemoryBound(to: ToBatchMajorJob.self).pointee.compute(part, of: parts)
        }
    }

    /// channelMajor (C, N, S) = batchMajor (N, C, S) when `channelMajor` is given, and
    /// sums[c] += Σ_{n,s} batchMajor[n, c, s] when `sums` is (a bias gradient). Given the
    /// output `activated` of `activation`, the values moved and summed are dPre = d · f'(pre)
    /// (then `channelMajor` must be given).
    static func toChannelMajor(
        _ batchMajor: UnsafePointer<Float>, batch: Int, channels: Int, spatial: Int,
        into channelMajor: UnsafeMutablePointer<Float>?, addingSumsTo sums: UnsafeMutablePointer<Float>?,
        activation: Activation = .identity, activated: UnsafePointer<Float>? = nil
    ) {
        precondition(
            activation == .identity || (activated != nil && channelMajor != nil),
            "an activation's gradient needs its output and a target")
        var job = ToChannelMajorJob(
            source: batchMajor, target: channelMajor, sums: sums, activation: activation, activated: activated,
            batch: batch, channels: channels, spatial: spatial)
        ThreadTeam.shared.run(&job, parallel: batch * channels * spatial >= elementwiseParallelThreshold) {
            context, part, parts in
            context.assumingMemoryBound(to: ToChannelMajorJob.self).pointee.compute(part, of: parts)
        }
    }
}

extension ChannelLayout {
    /// images (N, C, S) = f(images + `bias[c]`), in place.
    static func addBias(
        _ bias: UnsafePointer<Float>, activation: Activation, to images: UnsafeMutablePointer<Float>, batch: Int,
        channels: Int, spatial: Int
    ) {
        var job = ChannelBiasJob(
            images: images, bias: bias, activation: activation, channels: channels, spatial: spatial, batch: batch)
        ThreadTeam.shared.run(&job, parallel: batch * channels * spatial >= elementwiseParallelThreshold) {
            context, part, parts in
            context.assumingMemoryBound(to: ChannelBiasJob.self).pointee.compute(part, of: parts)
        }
    }
}

/// A range of images per part.
struct ChannelBiasJob {
    let images: UnsafeMutablePointer<Float>
    let bias: UnsafePointer<Float>
    let activation: Activation
    let channels, spatial, batch: Int

    func compute(_ part: Int, of parts: Int) {
        for n in ThreadTeam.range(part, of: parts, in: batch) {
            for c in 0..<channels {
                activation.applyWithBias(
                    images + (n * channels + c) * spatial, rows: 1, features: spatial, bias: nil, adding: bias[c])
            }
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
                copyRun(from, to: to, count: spatial)
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
                        copyRun(moved, to: to, count: spatial)
                    }
                    moved = UnsafePointer(to)
                }
                if sums != nil { total += laneSum(moved, spatial) }
            }
            if let sums { sums[c] += total }
        }
    }
}

/// to[0..<count] = from[0..<count] for the short rows of im2col and the layout passes (a call
/// to memmove per row of 7 to 28 floats cost more than the copy: about 4% of a DCGAN epoch's
/// samples): eight or four lanes at a time, the last vector overlapping the one before it
/// rather than a scalar tail.
@inline(__always)
func copyRun(_ from: UnsafePointer<Float>, to: UnsafeMutablePointer<Float>, count: Int) {
    if count >= 8 {
        var j = 0
        while j + 8 < count { store8(load8(from + j), to + j); j += 8 }
        store8(load8(from + count - 8), to + count - 8)
    } else if count >= 4 {
        store4(load4(from), to)
        store4(load4(from + count - 4), to + count - 4)
    } else {
        for j in 0..<count { to[j] = from[j] }
    }
}
