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
/// from x and the gate. A flat range per part, eight values at a time through `vectorExp` (libm's
/// expf, one call a value, was a fifth of a U-Net's step); a partial last group goes through the
/// same vector function, so a value's result does not depend on where a thread's range begins.
struct SiLUJob {
    let x: UnsafePointer<Float>
    let gate: UnsafeMutablePointer<Float>
    let target: UnsafeMutablePointer<Float>
    let dOutput: UnsafePointer<Float>?
    let count: Int

    func compute(_ part: Int, of parts: Int) {
        let r = ThreadTeam.range(part, of: parts, in: count)
        var i = r.lowerBound
        if let dOutput {
            while i + 8 <= r.upperBound {
                let s = load8(gate + i), v = load8(x + i)
                store8(load8(dOutput + i) * s * (1 + v * (1 - s)), target + i)
                i += 8
            }
            for i in i..<r.upperBound { target[i] = dOutput[i] * gate[i] * (1 + x[i] * (1 - gate[i])) }
            return
        }
        while i + 8 <= r.upperBound {
            let v = load8(x + i), s = 1 / (1 + vectorExp(-v))
            store8(s, gate + i)
            store8(v * s, target + i)
            i += 8
        }
        guard i < r.upperBound else { return }
        var v = SIMD8<Float>(repeating: 0)
        for l in 0..<(r.upperBound - i) { v[l] = x[i + l] }
        let s = 1 / (1 + vectorExp(-v))
        for l in 0..<(r.upperBound - i) { (gate[i + l], target[i + l]) = (s[l], v[l] * s[l]) }
    }
}
