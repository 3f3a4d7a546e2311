import Testing
@testable import NN

/// Checks a layer's backward pass against central finite differences of the scalar
/// L = Σ output · R for a fixed random R (so every output element gets a distinct weight).
/// Both dInput and every parameter gradient are checked.
func checkLayerGradients(
    _ layer: any Layer, input: Tensor, training: Bool = true,
    step: Float = 1e-2, tolerance: Float = 2e-2,
    sourceLocation: SourceLocation = #_sourceLocation
) {
    var g = SeededGenerator(seed: 99)
    let probe = Tensor.normal(layer.forward(input, training: training).shape, using: &g)
    func objective() -> Double {
        let y = layer.forward(input, training: training)
        var s = 0.0
        for i in 0..<y.count { s += Double(y[i]) * Double(probe[i]) }
        return s
    }
    layer.parameters.zeroGradients()
    _ = layer.forward(input, training: training)
    let dInput = layer.backward(probe).copy()
    let analyticParameters = layer.parameters.map { $0.gradient.copy() }

    compare(
        analytic: dInput, numeric: numericGradient(of: input, step: step, objective), what: "dInput",
        tolerance: tolerance, sourceLocation: sourceLocation)
    for (p, analytic) in zip(layer.parameters, analyticParameters) {
        compare(
            analytic: analytic, numeric: numericGradient(of: p.value, step: step, objective),
            what: "d\(p.name)", tolerance: tolerance, sourceLocation: sourceLocation)
    }
}

/// dObjective/dTensor by central differences, one element at a time.
func numericGradient(of t: Tensor, step: Float, _ objective: () -> Double) -> Tensor {
    let numeric = Tensor(zeros: t.shape)
    for i in 0..<t.count {
        let saved = t[i]
        t[i] = saved + step
        let up = objective()
        t[i] = saved - step
        let down = objective()
        t[i] = saved
        numeric[i] = Float((up - down) / (2 * Double(step)))
    }
    return numeric
}

/// Fails when the two gradients differ by more than `tolerance` relative to their scale.
func compare(
    analytic: Tensor, numeric: Tensor, what: String, tolerance: Float,
    sourceLocation: SourceLocation = #_sourceLocation
) {
    #expect(analytic.shape == numeric.shape, "\(what) shape", sourceLocation: sourceLocation)
    var worst: Float = 0, worstIndex = 0
    for i in 0..<analytic.count {
        let error = abs(analytic[i] - numeric[i]) / max(1, abs(numeric[i]))
        if error > worst { worst = error; worstIndex = i }
    }
    #expect(
        worst < tolerance,
        "\(what)[\(worstIndex)]: analytic \(analytic[worstIndex]), numeric \(numeric[worstIndex])",
        sourceLocation: sourceLocation)
}

/// A tensor of normal draws pushed away from 0, so that ReLU kinks are never within a
/// finite-difference step.
func awayFromZero(_ shape: Shape, seed: UInt64) -> Tensor {
    var g = SeededGenerator(seed: seed)
    return Tensor.normal(shape, using: &g).map { $0 >= 0 ? $0 + 0.1 : $0 - 0.1 }
}
