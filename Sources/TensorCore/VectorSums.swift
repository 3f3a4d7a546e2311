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

/// Σ p[i] · q[i] for i < count.
@inlinable @inline(__always)
package func laneDot(_ p: UnsafePointer<Float>, _ q: UnsafePointer<Float>, _ count: Int) -> Float {
    var lanes = SIMD8<Float>(), i = 0
    while i + 8 <= count {
        lanes +=
            UnsafeRawPointer(p + i).loadUnaligned(as: SIMD8<Float>.self)
            * UnsafeRawPointer(q + i).loadUnaligned(as: SIMD8<Float>.self)
        i += 8
    }
    var total = lanes.sum()
    while i < count { total += p[i] * q[i]; i += 1 }
    return total
}

/// x̂ = (x - mean) · invStd and y = gamma · x̂ + beta over a contiguous run: a batch norm's output.
@inlinable @inline(__always)
package func laneNormalize(
    _ x: UnsafePointer<Float>, _ xhat: UnsafeMutablePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ count: Int,
    mean: Float, invStd: Float, gamma: Float, beta: Float
) {
    var i = 0
    let m = SIMD8<Float>(repeating: mean), s = SIMD8<Float>(repeating: invStd), g = SIMD8<Float>(repeating: gamma),
        b = SIMD8<Float>(repeating: beta)
    while i + 8 <= count {
        let h = (UnsafeRawPointer(x + i).loadUnaligned(as: SIMD8<Float>.self) - m) * s
        UnsafeMutableRawPointer(xhat + i).storeBytes(of: h, as: SIMD8<Float>.self)
        UnsafeMutableRawPointer(y + i).storeBytes(of: g * h + b, as: SIMD8<Float>.self)
        i += 8
    }
    while i < count {
        let h = (x[i] - mean) * invStd
        xhat[i] = h
        y[i] = gamma * h + beta
        i += 1
    }
}

/// dx = scale · (dy - meanDy - x̂ · meanDyXhat) over a contiguous run: a batch norm's input gradient in training.
@inlinable @inline(__always)
package func laneNormalizationGradient(
    _ dy: UnsafePointer<Float>, _ xhat: UnsafePointer<Float>, _ dx: UnsafeMutablePointer<Float>, _ count: Int,
    scale: Float, meanDy: Float, meanDyXhat: Float
) {
    var i = 0
    let s = SIMD8<Float>(repeating: scale), a = SIMD8<Float>(repeating: meanDy), c = SIMD8<Float>(repeating: meanDyXhat)
    while i + 8 <= count {
        let d = UnsafeRawPointer(dy + i).loadUnaligned(as: SIMD8<Float>.self),
            h = UnsafeRawPointer(xhat + i).loadUnaligned(as: SIMD8<Float>.self)
        UnsafeMutableRawPointer(dx + i).storeBytes(of: s * (d - a - h * c), as: SIMD8<Float>.self)
        i += 8
    }
    while i < count { dx[i] = scale * (dy[i] - meanDy - xhat[i] * meanDyXhat); i += 1 }
}
