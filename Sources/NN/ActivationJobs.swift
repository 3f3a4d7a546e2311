// The activations' element-wise passes as thread-team jobs: each struct holds a pass's
// pointers and sizes on the caller's stack, and `compute` does one part of it.

/// y = f(y + bias) for a block of rows, a range of rows per part.
struct BiasActivationJob {
    let y: UnsafeMutablePointer<Float>
    let rows, features: Int
    let bias: UnsafePointer<Float>?
    let activation: Activation

    func compute(_ part: Int, of parts: Int) {
        let r = ThreadTeam.range(part, of: parts, in: rows)
        activation.applyWithBias(y + r.lowerBound * features, rows: r.count, features: features, bias: bias)
    }
}

/// dPre = dOut * f'(pre) and the bias gradient, a range of columns per part.
struct BiasGradientJob {
    let y, dOutput: UnsafePointer<Float>
    let dPre: UnsafeMutablePointer<Float>
    let rows, features: Int
    let dBias: UnsafeMutablePointer<Float>
    let activation: Activation

    func compute(_ part: Int, of parts: Int) {
        let columns = ThreadTeam.range(part, of: parts, in: features)
        guard !columns.isEmpty else { return }
        for r in 0..<rows {
            let o = r * features + columns.lowerBound
            if activation != .identity {
                activation.backward(output: y + o, dOutput: dOutput + o, dPre: dPre + o, count: columns.count)
            }
            let d = (activation == .identity ? dOutput : UnsafePointer(dPre)) + o
            let db = dBias + columns.lowerBound
            for j in 0..<columns.count { db[j] += d[j] }
        }
    }
}

/// An activation (or, with `extra` holding dOut, its derivative) over a flat range per part.
struct ElementwiseJob {
    let source: UnsafePointer<Float>
    let extra: UnsafePointer<Float>?
    let target: UnsafeMutablePointer<Float>
    let count: Int
    let activation: Activation

    func compute(_ part: Int, of parts: Int) {
        let r = ThreadTeam.range(part, of: parts, in: count)
        if let dOutput = extra {
            activation.backward(
                output: source + r.lowerBound, dOutput: dOutput + r.lowerBound, dPre: target + r.lowerBound,
                count: r.count)
        } else {
            (target + r.lowerBound).update(from: source + r.lowerBound, count: r.count)
            activation.applyWithBias(target + r.lowerBound, rows: 1, features: r.count, bias: nil)
        }
    }
}
