// SiLU, the sigmoid-weighted linear unit (Elfwing et al. 2018; "swish"), the nonlinearity of
// diffusion models' U-Nets:
//   y = x · σ(x),  dy/dx = σ(x) · (1 + x · (1 − σ(x)))
// Its derivative is not a function of its output (y is not monotonic below x ≈ −1.28), so
// unlike `Activation` it keeps its input and the gate σ(x) for the backward pass.

/// y = x · σ(x), element by element.
public final class SiLU: Layer {
    public var computesInputGradient = true
    private var input: Tensor?
    private var gate: Tensor?  // σ(x)
    private var output: Tensor?
    private var dInput: Tensor?

    public init() {}

    public var description: String { "SiLU" }

    public func forward(_ input: Tensor, training: Bool) -> Tensor {
        self.input = input
        let gate = Tensor.reuse(&gate, shape: input.shape), y = Tensor.reuse(&output, shape: input.shape)
        var job = SiLUJob(x: input.data, gate: gate.data, target: y.data, dOutput: nil, count: input.count)
        ThreadTeam.shared.run(&job, parallel: input.count >= elementwiseParallelThreshold) { context, part, parts in
            context.assumingMemoryBound(to: SiLUJob.self).pointee.compute(part, of: parts)
        }
        return y
    }

    public func backward(_ dOutput: Tensor) -> Tensor {
        guard let x = input, let gate else { preconditionFailure("SiLU.backward before forward") }
        precondition(dOutput.shape == x.shape, "SiLU dOutput \(dOutput.shape) does not match \(x.shape)")
        guard computesInputGradient else { return noInputGradient }
        let dx = Tensor.reuse(&dInput, shape: x.shape)
        var job = SiLUJob(x: x.data, gate: gate.data, target: dx.data, dOutput: dOutput.data, count: x.count)
        ThreadTeam.shared.run(&job, parallel: x.count >= elementwiseParallelThreshold) { context, part, parts in
            context.assumingMemoryBound(to: SiLUJob.self).pointee.compute(part, of: parts)
        }
        return dx
    }
}

/// Forward (no `dOutput`): gate = σ(x), target = x · gate. Backward: target = dOutput · dy/dx
/// from x and the gate. A flat range per part.
struct SiLUJob {
    let x: UnsafePointer<Float>
    let gate: UnsafeMutablePointer<Float>
    let target: UnsafeMutablePointer<Float>
    let dOutput: UnsafePointer<Float>?
    let count: Int

    func compute(_ part: Int, of parts: Int) {
        let r = ThreadTeam.range(part, of: parts, in: count)
        if let dOutput {
            for i in r { target[i] = dOutput[i] * gate[i] * (1 + x[i] * (1 - gate[i])) }
        } else {
            for i in r {
                let s = stableSigmoid(x[i])
                gate[i] = s
                target[i] = x[i] * s
            }
        }
    }
}
