import Foundation
import Synchronization

/// What oneDNN's convolutions did in a stretch of work: each call (its pass, geometry and
/// batch), how often it ran, and the time spent inside them. `ProductLog`'s counterpart for
/// the products oneDNN computes in its own layouts: off unless a benchmark turns it on;
/// `gen bench` times each call alone for the floor of an epoch.
public final class ConvolutionLog: @unchecked Sendable {
    /// The log oneDNN's convolutions record into while `isRecording`.
    public static let shared = ConvolutionLog()

    /// One call of a layer's convolution on oneDNN, in the convolution's own direction (a
    /// transposed convolution's forward pass is its `backwardData`).
    public struct Call: Hashable, Sendable, CustomStringConvertible {
        public enum Pass: String, Sendable {
            case forward, backwardData = "backward data", backwardWeights = "backward weights"
        }
        public let pass: Pass
        public let geometry: ConvolutionGeometry
        public let outputChannels, batch: Int
        /// Whether the layer is the transpose of this convolution (it has no bias term here).
        public let transposed: Bool

        /// 2 · O · C·k·k · positions · N: each pass is one product of that size in another layout.
        public var flops: Double {
            2 * Double(outputChannels) * Double(geometry.patchSize) * Double(geometry.positions) * Double(batch)
        }
        public var description: String {
            "\(pass.rawValue) of \(geometry) to \(outputChannels) channels, batch \(batch)"
        }
    }

    /// Whether calls are recorded; set by the benchmark around the stretch it measures (read
    /// by any thread that runs a convolution, tests' included).
    public var isRecording: Bool {
        get { recording.load(ordering: .relaxed) }
        set { recording.store(newValue, ordering: .relaxed) }
    }
    private let recording = Atomic<Bool>(false)
    /// How many times each call ran.
    public var counts: [Call: Int] { lock.withLock { recorded.counts } }
    /// Seconds spent inside the calls while recording.
    public var seconds: Double { lock.withLock { recorded.seconds } }
    private var recorded: (counts: [Call: Int], seconds: Double) = ([:], 0)
    private let lock = NSLock()

    /// Forgets what was recorded.
    public func reset() { lock.withLock { recorded = ([:], 0) } }

    func record(_ call: Call, seconds elapsed: Double) {
        lock.withLock {
            recorded.counts[call, default: 0] += 1
            recorded.seconds += elapsed
        }
    }

    /// The floating-point operations of everything recorded.
    public var flops: Double { counts.reduce(0) { $0 + Double($1.value) * $1.key.flops } }

    /// A function that runs `call` once, as a layer runs it (through the team, in the same
    /// chunks; for the weights' gradient, without adding the chunks' up, which is not oneDNN's
    /// work), on buffers of its own filled with normal noise: the call timed alone.
    public static func runner(for call: Call) -> () -> Void {
        let g = call.geometry, o = call.outputChannels, n = call.batch
        var random = SeededGenerator(seed: 7)
        let image = Tensor.normal(Shape(n * g.imageSize), using: &random)
        let map = Tensor.normal(Shape(n * o * g.positions), using: &random)
        let weight = Tensor.normal(Shape(o * g.patchSize), using: &random)
        let bias = Tensor(zeros: Shape(o))
        let convolution = OneDNNConvolution(outputChannels: o, layerName: nil, transposed: call.transposed)
        return {
            switch call.pass {
            case .forward:
                convolution.run(
                    .forward, g, batch: n, image.data, weight.data, call.transposed ? nil : bias.data, map.data)
            case .backwardData: convolution.run(.backwardData, g, batch: n, map.data, weight.data, nil, image.data)
            case .backwardWeights: convolution.run(.backwardWeights, g, batch: n, image.data, map.data, nil, nil)
            }
        }
    }
}
