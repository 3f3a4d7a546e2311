// Sums over contiguous runs of floats in eight lanes: the reductions of the element-wise passes
// (a batch norm's statistics) at SIMD speed. The lanes are added in a fixed order, so a sum
// does not depend on which thread takes it.

/// Σ p[i] for i < count.
@inlinable @inline(__always)
package func laneSum(_ p: UnsafePointer<Float>, _ count: Int) -> Float {
    var lanes = SIMD8<Float>(), i = 0
    while i + 8 <= count { lanes += UnsafeRawPointer(p + i).loadUnaligned(as: SIMD8<Float>.self); i += 8 }
    var total = lanes.sum()
    while i < count { total += p[i]; i += 1 }
    return total
}

/// Σ (p[i] - center)² for i < count.
@inlinable @inline(__always)
package func laneSquaredDeviations(_ p: UnsafePointer<Float>, _ count: Int, from center: Float) -> Float {
    var lanes = SIMD8<Float>(), i = 0
    let c = SIMD8<Float>(repeating: center)
    while i + 8 <= count {
        let d = UnsafeRawPointer(p + i).loadUnaligned(as: SIMD8<Float>.self) - c
        lanes += d * d
        i += 8
    }
    var total = lanes.sum()
    while i < count { let d = p[i] - center; total += d * d; i += 1 }
    return total
}

// A normalisation layer keeps its input and each run's mean and 1/std, not x̂: every pass that
// needs x̂ makes it again from x, as the forward pass made it, x̂ = (x − mean) · invStd (the
// same operations, so the same bits). A map of x̂ held from forward to backward was a third of
// the DCGAN's batch-norm memory.

/// x̂ = (x − mean) · invStd for the eight values from x.
@inlinable @inline(__always)
package func laneNormalized(_ x: UnsafePointer<Float>, mean: SIMD8<Float>, invStd: SIMD8<Float>) -> SIMD8<Float> {
    (UnsafeRawPointer(x).loadUnaligned(as: SIMD8<Float>.self) - mean) * invStd
}

/// y = gamma · x̂ + beta over a contiguous run, x̂ = (x − mean) · invStd: a batch norm's output.
@inlinable @inline(__always)
package func laneNormalize(
    _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ count: Int,
    mean: Float, invStd: Float, gamma: Float, beta: Float
) {
    var i = 0
    let m = SIMD8<Float>(repeating: mean), s = SIMD8<Float>(repeating: invStd), g = SIMD8<Float>(repeating: gamma),
        b = SIMD8<Float>(repeating: beta)
    while i + 8 <= count {
        let h = laneNormalized(x + i, mean: m, invStd: s)
        UnsafeMutableRawPointer(y + i).storeBytes(of: g * h + b, as: SIMD8<Float>.self)
        i += 8
    }
    while i < count {
        let h = (x[i] - mean) * invStd
        y[i] = gamma * h + beta
        i += 1
    }
}

/// Σ p[i] · x̂[i] for i < count, x̂ = (x − mean) · invStd.
@inlinable @inline(__always)
package func laneDotNormalized(
    _ p: UnsafePointer<Float>, _ x: UnsafePointer<Float>, _ count: Int, mean: Float, invStd: Float
) -> Float {
    var lanes = SIMD8<Float>(), i = 0
    let m = SIMD8<Float>(repeating: mean), s = SIMD8<Float>(repeating: invStd)
    while i + 8 <= count {
        lanes +=
            UnsafeRawPointer(p + i).loadUnaligned(as: SIMD8<Float>.self) * laneNormalized(x + i, mean: m, invStd: s)
        i += 8
    }
    var total = lanes.sum()
    while i < count { total += p[i] * ((x[i] - mean) * invStd); i += 1 }
    return total
}

/// dx = scale · (dy - meanDy - x̂ · meanDyXhat) over a contiguous run, x̂ = (x − mean) · invStd:
/// a batch norm's input gradient in training.
@inlinable @inline(__always)
package func laneNormalizationGradient(
    _ dy: UnsafePointer<Float>, _ x: UnsafePointer<Float>, _ dx: UnsafeMutablePointer<Float>, _ count: Int,
    mean: Float, invStd: Float, scale: Float, meanDy: Float, meanDyXhat: Float
) {
    var i = 0
    let s = SIMD8<Float>(repeating: scale), a = SIMD8<Float>(repeating: meanDy), c = SIMD8<Float>(repeating: meanDyXhat)
    let m = SIMD8<Float>(repeating: mean), r = SIMD8<Float>(repeating: invStd)
    while i + 8 <= count {
        let d = UnsafeRawPointer(dy + i).loadUnaligned(as: SIMD8<Float>.self),
            h = laneNormalized(x + i, mean: m, invStd: r)
        UnsafeMutableRawPointer(dx + i).storeBytes(of: s * (d - a - h * c), as: SIMD8<Float>.self)
        i += 8
    }
    while i < count { dx[i] = scale * (dy[i] - meanDy - ((x[i] - mean) * invStd) * meanDyXhat); i += 1 }
}
