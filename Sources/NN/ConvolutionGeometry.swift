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

    /// How many floats a chunk's col holds at most: a million, 4 MB, which stays in the last
    /// level of cache while it is made, multiplied and spent.
    static let chunkBudget = 1 << 20

    /// Images per chunk: as many as keep one chunk's col within `budget` floats, at least one,
    /// at most the batch.
    func chunk(batch: Int, budget: Int) -> Int {
        Swift.max(1, Swift.min(batch, budget / Swift.max(patchSize * positions, 1)))
    }

}

/// Where each entry of a patch comes from: for kernel offset (u, v) and output position
/// (i, j), the index of its input pixel, worked out once per geometry, so that im2col and
/// col2im are one flat loop per (channel, image, offset) with no bounds arithmetic (DCGAN's 7×7
/// grids made the per-row set-up of the direct loops cost more than the copying: measured).
/// Two tables: im2col gathers from the plane copied into a bordered (H + 2p) × (W + 2p) grid
/// whose border is zero, with no test per value (a -1-for-padding table cost a compare and a
/// masked load per value: im2col 7.8% -> 4.5% of a DCGAN epoch's samples); col2im scatters onto
/// the plane itself and skips the -1s (onto a bordered grid, filling and copying back its
/// interior cost more than the tests: 4.1% -> 5.2%).
public final class PatchMap {
    public let geometry: ConvolutionGeometry
    /// (k·k, P) indices into the bordered plane: im2col's.
    let offsets: UnsafeMutablePointer<Int32>
    /// (k·k, P) indices into the plane, -1 where the kernel reads padding: col2im's.
    let planeOffsets: UnsafeMutablePointer<Int32>
    /// The bordered plane's sides: H + 2p and W + 2p.
    let paddedHeight, paddedWidth: Int
    /// One bordered plane per part of a job (a thread's scratch), made before the job starts.
    /// Only the interior is ever written, so the border stays as zeroed when it was made.
    private var planes: UnsafeMutablePointer<Float>
    private var planeCount = 0

    init(_ g: ConvolutionGeometry) {
        paddedHeight = g.height + 2 * g.padding
        paddedWidth = g.width + 2 * g.padding
        precondition(paddedHeight * paddedWidth < Int(Int32.max), "an image plane of \(g.height)×\(g.width) is too large")
        geometry = g
        let k = g.kernelSize
        offsets = .allocate(capacity: Swift.max(k * k * g.positions, 1))
        planeOffsets = .allocate(capacity: Swift.max(k * k * g.positions, 1))
        for u in 0..<k {
            for v in 0..<k {
                for i in 0..<g.outputHeight {
                    for j in 0..<g.outputWidth {
                        // Inside the bordered plane for every valid geometry: i·s + u ≤ (Ho - 1)·s + k - 1 ≤ H + 2p - 1.
                        let row = i * g.stride + u, column = j * g.stride + v
                        let (ih, iw) = (row - g.padding, column - g.padding)
                        let inside = ih >= 0 && ih < g.height && iw >= 0 && iw < g.width
                        let entry = (u * k + v) * g.positions + i * g.outputWidth + j
                        offsets[entry] = Int32(row * paddedWidth + column)
                        planeOffsets[entry] = inside ? Int32(ih * g.width + iw) : -1
                    }
                }
            }
        }
        planes = .allocate(capacity: 1)
    }

    deinit {
        offsets.deallocate()
        planeOffsets.deallocate()
        planes.deallocate()
    }

    /// The map for `geometry`, kept in `cache` and made again only when the geometry changes.
    static func reuse(_ cache: inout PatchMap?, for geometry: ConvolutionGeometry) -> PatchMap {
        if let map = cache, map.geometry == geometry { return map }
        let map = PatchMap(geometry)
        cache = map
        return map
    }

    /// Scratch for as many bordered planes as the team has threads (grown on first use only).
    private func scratch() -> UnsafeMutablePointer<Float> {
        let parts = ThreadTeam.shared.size
        if planeCount < parts {
            planes.deallocate()
            planes = .allocate(capacity: parts * paddedHeight * paddedWidth)
            planes.initialize(repeating: 0, count: parts * paddedHeight * paddedWidth)
            planeCount = parts
        }
        return planes
    }

    /// col (C·k·k, N·P) from `images` (N, C, H, W): im2col.
    func unfold(_ images: UnsafePointer<Float>, batch: Int, into col: UnsafeMutablePointer<Float>) {
        let g = geometry
        var job = UnfoldJob(geometry: g, offsets: offsets, paddedWidth: paddedWidth, paddedSize: paddedHeight * paddedWidth,
                            planes: scratch(), images: images, col: col, batch: batch)
        ThreadTeam.shared.run(&job, parallel: g.patchSize * batch * g.positions >= elementwiseParallelThreshold) { context, part, parts in
            context.assumingMemoryBound(to: UnfoldJob.self).pointee.compute(part, of: parts)
        }
    }

    /// `images` (N, C, H, W) = f(Σ over the columns of `col` that read each pixel (col2im)), each
    /// channel starting from `bias[c]` (or 0): the adjoint of `unfold`, then `activation`.
    func fold(_ col: UnsafePointer<Float>, batch: Int, bias: UnsafePointer<Float>?, activation: Activation = .identity,
              into images: UnsafeMutablePointer<Float>) {
        let g = geometry
        var job = FoldJob(geometry: g, offsets: planeOffsets, col: col, images: images, bias: bias, activation: activation, batch: batch)
        ThreadTeam.shared.run(&job, parallel: g.patchSize * batch * g.positions >= elementwiseParallelThreshold) { context, part, parts in
            context.assumingMemoryBound(to: FoldJob.self).pointee.compute(part, of: parts)
        }
    }
}

/// Part of im2col: a range of (channel, image) planes, each owning P columns in k·k rows of
/// col. The plane is copied into the part's bordered plane, whose border stays zero, and each
/// of the k·k rows gathers its P values from it.
struct UnfoldJob {
    let geometry: ConvolutionGeometry
    let offsets: UnsafePointer<Int32>
    /// The bordered plane's width and size.
    let paddedWidth, paddedSize: Int
    let planes: UnsafeMutablePointer<Float>
    let images: UnsafePointer<Float>
    let col: UnsafeMutablePointer<Float>
    let batch: Int

    func compute(_ part: Int, of parts: Int) {
        let g = geometry, kk = g.kernelSize * g.kernelSize, p = g.positions, planeSize = g.height * g.width
        let bordered = planes + part * paddedSize, interior = bordered + g.padding * paddedWidth + g.padding
        for index in ThreadTeam.range(part, of: parts, in: g.channels * batch) {
            let c = index / batch, n = index % batch
            let plane = images + (n * g.channels + c) * planeSize
            for r in 0..<g.height { copyRun(plane + r * g.width, to: interior + r * paddedWidth, count: g.width) }
            for offset in 0..<kk {
                let from = offsets + offset * p, out = col + ((c * kk + offset) * batch + n) * p
                for q in 0..<p { out[q] = bordered[Int(from[q])] }
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
        let g = geometry, kk = g.kernelSize * g.kernelSize, p = g.positions, columns = batch * p, planeSize = g.height * g.width
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
