import CDNNL
import Dispatch
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Which code computes a convolution: oneDNN's kernels, or im2col and an OpenBLAS product
/// (ConvolutionGeometry.swift), which also stays as the oracle the tests hold oneDNN to.
public enum ConvolutionEngine: String, Sendable, CaseIterable {
    case oneDNN = "onednn"
    case im2col

    /// The engine for a convolution between `channels` and `outputs` channels (in the
    /// convolution's direction; a transposed convolution's are swapped), chosen by measurement
    /// in alternating runs (docs/performance.md, "oneDNN's convolutions" and after):
    /// - the conv AE's 32 → 64 convolutions (both ways), Zen 3 (AVX2): oneDNN 0.81x the time of
    ///   `gen bench conv-ae` (median of 6 pairs);
    /// - the DCGAN's 64 → 128, `gen bench dcgan --dataset synthetic`, whole process: on a Zen 3
    ///   median 0.93x (0.82-1.01, 4 pairs), never behind by more than 1.3%; on a Zen 4 (AVX-512,
    ///   oneDNN's avx512_core kernels) median 0.80x (0.75-0.86, 4 pairs);
    /// - one channel on a side (a first or last layer): oneDNN falls back to its own im2col, or
    ///   runs a direct kernel 4-6x slower on the weights' gradient (4.5 ms against 0.8 at batch 128).
    /// So oneDNN takes every convolution with at least 8 channels on each side (its direct
    /// kernels work on blocks of 8 or 16); im2col the rest. A process's entry can put every
    /// convolution with 8 channels a side on one engine (`setProcessChoice`, `gen bench
    /// --convolution`): to time the two side by side on a new machine.
    public static func chosen(channels: Int, outputs: Int) -> ConvolutionEngine {
        let blocked = Swift.min(channels, outputs) >= 8
        switch processChoice {
        case .oneDNN, nil: return blocked ? .oneDNN : .im2col
        case .im2col: return .im2col
        }
    }

    /// The engine every convolution the rule would choose for runs on from now on, or nil for the
    /// rule itself: for a process's entry, before any layer runs (a layer's primitives are made
    /// once, on its first pass).
    public static func setProcessChoice(_ choice: ConvolutionEngine?) {
        storedChoice.store(choice.map { $0 == .oneDNN ? 1 : 2 } ?? 0, ordering: .relaxed)
    }

    /// The engine `setProcessChoice` set, or nil.
    public static var processChoice: ConvolutionEngine? {
        switch storedChoice.load(ordering: .relaxed) {
        case 1: return .oneDNN
        case 2: return .im2col
        default: return nil
        }
    }
    private static let storedChoice = Atomic<Int>(0)
}

/// oneDNN's convolution for one geometry and batch size: forward, backward data and backward
/// weights, each made on first use. In the convolution's own direction throughout: a
/// transposed convolution runs its forward pass as `backwardData` and its input gradient as
/// `forward`, with PyTorch's (C_in, C_out, k, k) weight read as this convolution's OIHW.
///
/// Every pointer is the caller's plain layout (NCHW images, OIHW weights); the primitives
/// run in the blocked layouts their kernels chose, through reorders (OneDNNOperation).
final class ConvolutionPrimitives {
    let geometry: ConvolutionGeometry
    let outputChannels, batch: Int
    /// Whether the forward pass adds a bias and backward weights returns its gradient.
    let withBias: Bool
    /// The layer's description, for the kernel log (nil: not noted, as for a benchmark's own
    /// calls), and whether it is the transpose of this convolution (then its forward pass is
    /// this one's backward data, and the other way round).
    let layerName: String?
    let transposed: Bool

    private let stream: dnnl_stream_t
    private var source, weights, bias, destination: dnnl_memory_desc_t
    /// The bias's descriptor, or a zero one (no bias term) without.
    private var biasOrNone: dnnl_memory_desc_t
    private var anySource, anyWeights, anyDestination: dnnl_memory_desc_t
    private var strides, padding: [Int64]
    private let forwardDescriptor: dnnl_primitive_desc_t
    private var forwardOperation: OneDNNOperation?
    private var backwardDataOperation: OneDNNOperation?
    private var backwardWeightsOperation: OneDNNOperation?
    /// dW and dBias of the last `backwardWeights`: oneDNN overwrites, and the layers add
    /// (a discriminator's gradient sums its real and fake batches).
    let weightGradient: UnsafeMutablePointer<Float>
    let biasGradient: UnsafeMutablePointer<Float>

    /// A transposed layer adds its own bias: its forward pass is oneDNN's backward data, which has none.
    init(geometry g: ConvolutionGeometry, outputChannels: Int, batch: Int, layerName: String?, transposed: Bool) {
        geometry = g
        self.outputChannels = outputChannels
        self.batch = batch
        withBias = !transposed
        self.layerName = layerName
        self.transposed = transposed
        let sourceDims = [batch, g.channels, g.height, g.width],
            weightDims = [outputChannels, g.channels, g.kernelSize, g.kernelSize],
            destinationDims = [batch, outputChannels, g.outputHeight, g.outputWidth]
        source = OneDNN.descriptor(sourceDims, dnnl_nchw)
        weights = OneDNN.descriptor(weightDims, dnnl_oihw)
        bias = OneDNN.descriptor([outputChannels], dnnl_x)
        destination = OneDNN.descriptor(destinationDims, dnnl_nchw)
        biasOrNone = withBias ? bias : dnnl_memory_desc_t()
        anySource = OneDNN.descriptor(sourceDims, dnnl_format_tag_any)
        anyWeights = OneDNN.descriptor(weightDims, dnnl_format_tag_any)
        anyDestination = OneDNN.descriptor(destinationDims, dnnl_format_tag_any)
        strides = [Int64(g.stride), Int64(g.stride)]
        padding = [Int64(g.padding), Int64(g.padding)]
        var stream: dnnl_stream_t?
        OneDNN.check(
            dnnl_stream_create(&stream, OneDNN.engine, dnnl_stream_default_flags.rawValue), "creating a stream")
        self.stream = stream!
        var description = dnnl_convolution_desc_t()
        OneDNN.check(
            dnnl_convolution_forward_desc_init(
                &description, dnnl_forward_training, dnnl_convolution_direct, &anySource, &anyWeights,
                &biasOrNone, &anyDestination, strides, padding, padding), "describing a convolution")
        forwardDescriptor = Self.primitiveDescriptor(&description, hint: nil)
        weightGradient = .allocate(capacity: outputChannels * g.patchSize)
        biasGradient = .allocate(capacity: outputChannels)
    }

    deinit {
        dnnl_primitive_desc_destroy(forwardDescriptor)
        dnnl_stream_destroy(stream)
        weightGradient.deallocate()
        biasGradient.deallocate()
    }

    private static func primitiveDescriptor(
        _ description: inout dnnl_convolution_desc_t, hint: dnnl_primitive_desc_t?
    ) -> dnnl_primitive_desc_t {
        OneDNN.useOneThread()
        var descriptor: dnnl_primitive_desc_t?
        OneDNN.check(
            dnnl_primitive_desc_create(&descriptor, &description, OneDNN.userScratchpad, OneDNN.engine, hint),
            "finding a convolution kernel")
        return descriptor!
    }

    /// output (N, O, Ho, Wo) = W ⋆ input (N, C, H, W) + bias.
    func forward(
        input: UnsafePointer<Float>, weight: UnsafePointer<Float>, bias biasValues: UnsafePointer<Float>?,
        output: UnsafeMutablePointer<Float>
    ) {
        if forwardOperation == nil {
            var arguments: [OneDNNOperation.Argument] = [
                .init(role: DNNL_ARG_SRC, query: dnnl_query_src_md, plain: source, isOutput: false),
                .init(role: DNNL_ARG_WEIGHTS, query: dnnl_query_weights_md, plain: weights, isOutput: false),
            ]
            if withBias {
                arguments.append(
                    .init(role: DNNL_ARG_BIAS, query: dnnl_query_weights_md, index: 1, plain: bias, isOutput: false))
            }
            arguments.append(.init(role: DNNL_ARG_DST, query: dnnl_query_dst_md, plain: destination, isOutput: true))
            forwardOperation = OneDNNOperation(forwardDescriptor, arguments: arguments, stream: stream)
            note(transposed ? "backward data" : "forward", forwardOperation!)
        }
        if withBias {
            forwardOperation!.run(input, weight, biasValues!, output)
        } else {
            forwardOperation!.run(input, weight, output)
        }
    }

    /// dInput (N, C, H, W) = the adjoint of the convolution applied to dOutput (N, O, Ho, Wo):
    /// col2im(Wᵀ · dOutput) without making col.
    func backwardData(dOutput: UnsafePointer<Float>, weight: UnsafePointer<Float>, dInput: UnsafeMutablePointer<Float>)
    {
        if backwardDataOperation == nil {
            var description = dnnl_convolution_desc_t()
            OneDNN.check(
                dnnl_convolution_backward_data_desc_init(
                    &description, dnnl_convolution_direct, &anySource, &anyWeights, &anyDestination, strides, padding,
                    padding), "describing a convolution's backward data")
            let descriptor = Self.primitiveDescriptor(&description, hint: forwardDescriptor)
            defer { dnnl_primitive_desc_destroy(descriptor) }
            backwardDataOperation = OneDNNOperation(
                descriptor,
                arguments: [
                    .init(role: DNNL_ARG_DIFF_DST, query: dnnl_query_diff_dst_md, plain: destination, isOutput: false),
                    .init(role: DNNL_ARG_WEIGHTS, query: dnnl_query_weights_md, plain: weights, isOutput: false),
                    .init(role: DNNL_ARG_DIFF_SRC, query: dnnl_query_diff_src_md, plain: source, isOutput: true),
                ], stream: stream)
            note(transposed ? "forward" : "backward data", backwardDataOperation!)
        }
        backwardDataOperation!.run(dOutput, weight, dInput)
    }

    /// `weightGradient` (O, C, k, k) = Σ over the batch of dOutput ⋆ input, and `biasGradient`[o]
    /// = Σ dOutput[:, o, :, :] when the convolution has a bias: overwritten, for the caller to add.
    func backwardWeights(input: UnsafePointer<Float>, dOutput: UnsafePointer<Float>) {
        if backwardWeightsOperation == nil {
            var description = dnnl_convolution_desc_t()
            OneDNN.check(
                dnnl_convolution_backward_weights_desc_init(
                    &description, dnnl_convolution_direct, &anySource, &anyWeights, &biasOrNone,
                    &anyDestination, strides, padding, padding), "describing a convolution's backward weights")
            let descriptor = Self.primitiveDescriptor(&description, hint: forwardDescriptor)
            defer { dnnl_primitive_desc_destroy(descriptor) }
            var arguments: [OneDNNOperation.Argument] = [
                .init(role: DNNL_ARG_SRC, query: dnnl_query_src_md, plain: source, isOutput: false),
                .init(role: DNNL_ARG_DIFF_DST, query: dnnl_query_diff_dst_md, plain: destination, isOutput: false),
                .init(role: DNNL_ARG_DIFF_WEIGHTS, query: dnnl_query_diff_weights_md, plain: weights, isOutput: true),
            ]
            if withBias {
                arguments.append(
                    .init(
                        role: DNNL_ARG_DIFF_BIAS, query: dnnl_query_diff_weights_md, index: 1, plain: bias,
                        isOutput: true))
            }
            backwardWeightsOperation = OneDNNOperation(descriptor, arguments: arguments, stream: stream)
            note("backward weights", backwardWeightsOperation!)
        }
        backwardWeightsOperation!.run(input, dOutput, weightGradient, withBias ? biasGradient : nil)
    }

    /// Notes the kernel a layer's pass runs on ("Conv2D(64 → 128, …), forward: oneDNN jit:avx2").
    private func note(_ pass: String, _ operation: OneDNNOperation) {
        if let layerName { KernelLog.note("\(layerName), \(pass): oneDNN \(operation.implementation)") }
    }

}

/// A layer's convolution on oneDNN, run by the team's threads: the batch is cut into at most
/// `chunkCount` chunks of images, each with its own primitives, and every part of a team job
/// runs its chunks on one OpenMP thread (its own). oneDNN's OpenMP threads would be a second
/// pool beside the team: its idle threads spin while the team works and the team's while it
/// works (the DCGAN's epoch on a Zen 3: 150 s with OpenMP's two threads, 133 s with them told
/// to sleep, which needs OMP_WAIT_POLICY set before the process starts).
///
/// The chunks depend on the batch size alone, never on the thread count, and each chunk's
/// weight gradient is added in chunk order: the same numbers on one thread or two.
final class OneDNNConvolution {
    /// At most this many chunks per batch: enough for the team's parts to share out.
    static let chunkCount = 4
    /// Primitive sets by batch size, and when each was last used.
    private var sets: [Int: (chunks: [ConvolutionPrimitives], lastUse: Int)] = [:]
    private var uses = 0
    /// Batch sizes kept: an epoch's (the full batch, the last one), an evaluation's two, a
    /// figure's few. Past that, the least recently used set goes.
    private static let keptBatchSizes = 8
    let outputChannels: Int
    /// The layer's description for the kernel log (nil: not noted), and whether it is this
    /// convolution's transpose.
    let layerName: String?
    let transposed: Bool
    private var withBias: Bool { !transposed }

    init(outputChannels: Int, layerName: String?, transposed: Bool) {
        self.outputChannels = outputChannels
        self.layerName = layerName
        self.transposed = transposed
    }

    /// One primitive set per chunk of a batch of `batch` images, made on first use.
    private func chunks(_ geometry: ConvolutionGeometry, batch: Int) -> [ConvolutionPrimitives] {
        uses += 1
        if let set = sets[batch], set.chunks[0].geometry == geometry {
            sets[batch]!.lastUse = uses
            return set.chunks
        }
        if sets.count >= Self.keptBatchSizes, let oldest = sets.min(by: { $0.value.lastUse < $1.value.lastUse }) {
            sets[oldest.key] = nil
        }
        let count = Swift.min(batch, Self.chunkCount)
        let made = (0..<count).map { chunk in
            ConvolutionPrimitives(
                geometry: geometry, outputChannels: outputChannels,
                batch: ThreadTeam.range(chunk, of: count, in: batch).count, layerName: layerName,
                transposed: transposed)
        }
        sets[batch] = (made, uses)
        return made
    }

    /// output = W ⋆ input + bias, for (N, C, H, W) images.
    func forward(
        _ g: ConvolutionGeometry, batch: Int, input: UnsafePointer<Float>, weight: UnsafePointer<Float>,
        bias: UnsafePointer<Float>?, output: UnsafeMutablePointer<Float>
    ) {
        run(.forward, g, batch: batch, input, weight, bias, output)
    }

    /// dInput = the convolution's adjoint applied to dOutput.
    func backwardData(
        _ g: ConvolutionGeometry, batch: Int, dOutput: UnsafePointer<Float>, weight: UnsafePointer<Float>,
        dInput: UnsafeMutablePointer<Float>
    ) {
        run(.backwardData, g, batch: batch, dOutput, weight, nil, dInput)
    }

    /// dWeight += Σ over the batch of dOutput ⋆ input, and dBias += the sums of dOutput per
    /// channel when given.
    func backwardWeights(
        _ g: ConvolutionGeometry, batch: Int, input: UnsafePointer<Float>, dOutput: UnsafePointer<Float>,
        addingTo dWeight: UnsafeMutablePointer<Float>, biasGradient dBias: UnsafeMutablePointer<Float>?
    ) {
        let set = run(.backwardWeights, g, batch: batch, input, dOutput, nil, nil)
        for chunk in set {  // in chunk order, whichever thread made each
            add(chunk.weightGradient, into: dWeight, count: outputChannels * g.patchSize)
            if let dBias, withBias { add(chunk.biasGradient, into: dBias, count: outputChannels) }
        }
    }

    /// One pass over the batch, each chunk on its own primitives, through the team: the
    /// pointers as `ChunkJob` takes them. The weights' gradients stay in the chunks.
    @discardableResult
    func run(
        _ pass: ConvolutionLog.Call.Pass, _ g: ConvolutionGeometry, batch: Int, _ a: UnsafePointer<Float>,
        _ b: UnsafePointer<Float>, _ c: UnsafePointer<Float>?, _ d: UnsafeMutablePointer<Float>?
    ) -> [ConvolutionPrimitives] {
        let log = ConvolutionLog.shared, recording = log.isRecording
        let start = recording ? DispatchTime.now().uptimeNanoseconds : 0
        let set = chunks(g, batch: batch)
        var job = ChunkJob(
            pass: pass, set: set, batch: batch, geometry: g, outputChannels: outputChannels, a: a, b: b, c: c, d: d)
        ThreadTeam.shared.run(&job, parallel: set.count > 1) { context, part, parts in
            context.assumingMemoryBound(to: ChunkJob.self).pointee.compute(part, of: parts)
        }
        if recording {
            log.record(
                .init(pass: pass, geometry: g, outputChannels: outputChannels, batch: batch, transposed: transposed),
                seconds: Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
        }
        return set
    }

    private func add(_ values: UnsafePointer<Float>, into target: UnsafeMutablePointer<Float>, count: Int) {
        for i in 0..<count { target[i] += values[i] }
    }

}

/// A range of chunks per part, each through its own primitives.
private struct ChunkJob {
    let pass: ConvolutionLog.Call.Pass
    let set: [ConvolutionPrimitives]
    let batch: Int
    let geometry: ConvolutionGeometry
    let outputChannels: Int
    /// forward: input, weight, bias, output; backward data: dOutput, weight, -, dInput;
    /// backward weights: input, dOutput.
    let a, b: UnsafePointer<Float>
    let c: UnsafePointer<Float>?
    let d: UnsafeMutablePointer<Float>?

    func compute(_ part: Int, of parts: Int) {
        let imageSize = geometry.imageSize,
            outputSize = outputChannels * geometry.outputHeight * geometry.outputWidth
        for chunk in ThreadTeam.range(part, of: parts, in: set.count) {
            let first = ThreadTeam.range(chunk, of: set.count, in: batch).lowerBound, primitives = set[chunk]
            switch pass {
            case .forward:
                primitives.forward(
                    input: a + first * imageSize, weight: b, bias: c, output: d! + first * outputSize)
            case .backwardData:
                primitives.backwardData(dOutput: a + first * outputSize, weight: b, dInput: d! + first * imageSize)
            case .backwardWeights:
                primitives.backwardWeights(input: a + first * imageSize, dOutput: b + first * outputSize)
            }
        }
    }
}
