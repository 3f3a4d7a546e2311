/// How a weight tensor's first values are drawn, from its fan-in and fan-out.
public enum Initialization: String, Sendable, CaseIterable {
    /// He-uniform (He et al. 2015), for ReLU layers: bound = sqrt(6 / fanIn).
    case heUniform
    /// He-normal: std = sqrt(2 / fanIn).
    case heNormal
    /// Xavier-uniform (Glorot & Bengio 2010), for tanh and sigmoid layers: bound = sqrt(6 / (fanIn + fanOut)).
    case xavierUniform
    /// Xavier-normal: std = sqrt(2 / (fanIn + fanOut)).
    case xavierNormal
    /// PyTorch's nn.Linear and nn.Conv2d default: bound = 1 / sqrt(fanIn) (kaiming_uniform with a = sqrt(5)).
    case torchDefault

    /// Fills `weight` by this rule.
    public func fill(_ weight: Tensor, fanIn: Int, fanOut: Int, using generator: inout SeededGenerator) {
        let fanSum = Float(Swift.max(fanIn + fanOut, 1))
        let fanIn = Float(Swift.max(fanIn, 1))
        switch self {
        case .heUniform:
            let bound = (6 / fanIn).squareRoot()
            weight.fillUniform(low: -bound, high: bound, using: &generator)
        case .heNormal:
            weight.fillNormal(standardDeviation: (2 / fanIn).squareRoot(), using: &generator)
        case .xavierUniform:
            let bound = (6 / fanSum).squareRoot()
            weight.fillUniform(low: -bound, high: bound, using: &generator)
        case .xavierNormal:
            weight.fillNormal(standardDeviation: (2 / fanSum).squareRoot(), using: &generator)
        case .torchDefault:
            let bound = 1 / fanIn.squareRoot()
            weight.fillUniform(low: -bound, high: bound, using: &generator)
        }
    }
}

/// Φ⁻¹(p), the standard normal quantile, for p in (0, 1): Acklam's rational approximation
/// (relative error below 1.2e-9), computed in Double.
public func inverseNormalCDF(_ p: Float) -> Float {
    let q = Double(p)
    precondition(q > 0 && q < 1, "the normal quantile needs p in (0, 1), got \(p)")
    let a = [
        -3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02, 1.383577518672690e+02,
        -3.066479806614716e+01, 2.506628277459239e+00,
    ]
    let b = [
        -5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02, 6.680131188771972e+01,
        -1.328068155288572e+01,
    ]
    let c = [
        -7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00, -2.549732539343734e+00,
        4.374664141464968e+00, 2.938163982698783e+00,
    ]
    let d = [7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00, 3.754408661907416e+00]
    let low = 0.02425
    if q < low || q > 1 - low {
        let r = (-2 * _log(q < low ? q : 1 - q)).squareRoot()
        let x =
            (((((c[0] * r + c[1]) * r + c[2]) * r + c[3]) * r + c[4]) * r + c[5])
            / ((((d[0] * r + d[1]) * r + d[2]) * r + d[3]) * r + 1)
        return Float(q < low ? x : -x)
    }
    let u = q - 0.5, r = u * u
    return Float(
        (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * u
            / (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1))
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
@inline(__always) private func _log(_ x: Double) -> Double { log(x) }
