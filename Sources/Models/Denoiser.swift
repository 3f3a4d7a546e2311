import NN

/// A network that predicts the noise ε in x_t = √ᾱ_t · x_0 + √(1 − ᾱ_t) · ε from x_t and t: what a
/// diffusion model trains (Ho et al. 2020's ε-parameterisation).
public protocol Denoiser: AnyObject, CustomStringConvertible {
    /// ε̂(x_t, t) for a batch (N, D), each item at its own timestep; (N, D) out, the network's own
    /// buffer until its next call.
    func predictNoise(_ noised: Tensor, timesteps: [Int], training: Bool) -> Tensor
    /// Adds dLoss/dθ for the last `predictNoise`, given dLoss/dε̂ (no gradient reaches x_t: it is data).
    func backward(_ dPrediction: Tensor)
    /// Every trained tensor, each once, named as PyTorch's module would name it.
    var parameters: [Parameter] { get }
    /// Parameters and buffers, what a checkpoint holds.
    var stateTensors: [NamedTensor] { get }
}

/// The denoiser for vectors (the toy data of the GAN page, and tests): x_t and t's sinusoidal
/// embedding side by side into an MLP with SiLU units.
///   [x_t, e(t)] (N, D + E) → Dense → SiLU → … → Dense → ε̂ (N, D)
public final class MLPDenoiser: Denoiser {
    public let dimension: Int
    public let embeddingSize: Int
    /// Dense, SiLU, Dense, SiLU, …, Dense: PyTorch's nn.Sequential of the same modules.
    public let network: Sequential
    private let join = ChannelConcatenation()
    private var embedding: Tensor?
    private let layers: NamedLayers

    /// A denoiser of `dimension` numbers with hidden layers `hiddenSizes` and an embedding of
    /// `embeddingSize` numbers (even, at least 4), initialised as PyTorch would from `seed`.
    public init(dimension: Int, hiddenSizes: [Int], embeddingSize: Int = 32, seed: UInt64) {
        precondition(
            !hiddenSizes.isEmpty && embeddingSize >= 4 && embeddingSize % 2 == 0,
            "an MLP denoiser needs a hidden layer and an even embedding of at least 4 numbers")
        var g = SeededGenerator(seed: seed)
        let sizes = [dimension + embeddingSize] + hiddenSizes + [dimension]
        var modules: [any Layer] = []
        for i in 0..<(sizes.count - 1) {
            let dense = Dense(inputSize: sizes[i], outputSize: sizes[i + 1], generator: &g)
            if i == 0 { dense.computesInputGradient = false }  // x_t and t are data
            modules.append(dense)
            if i < sizes.count - 2 { modules.append(SiLU()) }
        }
        self.dimension = dimension
        self.embeddingSize = embeddingSize
        network = Sequential(modules)
        layers = NamedLayers([("network", network)])
    }

    public var description: String { "MLPDenoiser([x, e(t) of \(embeddingSize)] → \(network.description))" }
    public var parameters: [Parameter] { layers.parameters }
    public var stateTensors: [NamedTensor] { layers.stateTensors }

    public func predictNoise(_ noised: Tensor, timesteps: [Int], training: Bool) -> Tensor {
        precondition(
            noised.shape.rank == 2 && noised.shape[1] == dimension, "MLPDenoiser(\(dimension)) got \(noised.shape)")
        let e = Tensor.reuse(&embedding, shape: Shape(timesteps.count, embeddingSize))
        writeTimestepEmbedding(timesteps, into: e)
        return network.forward(join.forward(noised, e), training: training)
    }

    public func backward(_ dPrediction: Tensor) { _ = network.backward(dPrediction) }
}
