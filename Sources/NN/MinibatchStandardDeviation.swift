// Minibatch standard deviation (Karras et al. 2018, "Progressive Growing of GANs", §3), the
// simplest form of Salimans et al. 2016's minibatch discrimination: a discriminator judging one
// sample at a time cannot see that a generator's samples are all alike; this layer appends to
// every sample one feature that describes the whole batch, the features' mean spread:
//   y[n, 0..<F] = x[n, :],   y[n, F] = s = (1/F) Σ_f √(v_f + ε),   v_f = (1/N) Σ_n (x[n, f] − μ_f)²
// and, since every y[n, F] is the same s,
//   dx[n, f] = dy[n, f] + (Σ_m dy[m, F]) · (x[n, f] − μ_f) / (F · N · √(v_f + ε)).
// N: batch size, F: features per sample.

/// Appends the batch's mean feature standard deviation to every sample: (N, F) → (N, F + 1).
/// A batch of one has no spread (0, with ε's square root): the layer never fails on a last,
/// short batch.
public final class MinibatchStandardDeviation: Layer {
    public var computesInputGradient = true
    /// Added to each variance before its square root, so a batch of identical samples has a
    /// finite gradient.
    public let epsilon: Float
    private var input: Tensor?
    private var output: Tensor?, dInput: Tensor?
    private var means: [Float] = [], deviations: [Float] = []

    public init(epsilon: Float = 1e-8) { self.epsilon = epsilon }

    public var description: String { "MinibatchStandardDeviation" }

    public func forward(_ input: Tensor, training: Bool) -> Tensor {
        let n = input.shape[0], f = input.shape.countPerItem
        self.input = input
        if means.count != f { (means, deviations) = ([Float](repeating: 0, count: f), [Float](repeating: 0, count: f)) }
        for j in 0..<f { (means[j], deviations[j]) = (0, 0) }
        for i in 0..<n { for j in 0..<f { means[j] += input.data[i * f + j] } }
        for j in 0..<f { means[j] /= Float(n) }
        for i in 0..<n {
            for j in 0..<f {
                let centred = input.data[i * f + j] - means[j]
                deviations[j] += centred * centred
            }
        }
        for j in 0..<f { deviations[j] = (deviations[j] / Float(n) + epsilon).squareRoot() }
        let spread = deviations.reduce(0, +) / Float(f)
        let y = Tensor.reuse(&output, shape: Shape(n, f + 1))
        for i in 0..<n {
            for j in 0..<f { y.data[i * (f + 1) + j] = input.data[i * f + j] }
            y.data[i * (f + 1) + f] = spread
        }
        return y
    }

    public func backward(_ dOutput: Tensor) -> Tensor {
        guard computesInputGradient else { return noInputGradient }
        guard let x = input else { preconditionFailure("MinibatchStandardDeviation.backward before forward") }
        let n = x.shape[0], f = x.shape.countPerItem
        var dSpread: Float = 0
        for i in 0..<n { dSpread += dOutput.data[i * (f + 1) + f] }
        let dx = Tensor.reuse(&dInput, shape: x.shape)
        for i in 0..<n {
            for j in 0..<f {
                let centred = x.data[i * f + j] - means[j]
                dx.data[i * f + j] =
                    dOutput.data[i * (f + 1) + j] + dSpread * centred / (Float(f * n) * deviations[j])
            }
        }
        return dx
    }
}
