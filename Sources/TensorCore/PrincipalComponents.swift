#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Principal component analysis: the mean and the top eigenvectors of the covariance, found by
/// the cyclic Jacobi method (exact for the small symmetric matrices of latent codes, and
/// deterministic). Each component's sign is fixed so that its largest entry is positive.
public struct PrincipalComponents {
    /// (D) the data's mean.
    public let mean: Tensor
    /// (K, D) unit-length components, by decreasing variance.
    public let components: Tensor
    /// (K) the variance along each component.
    public let variances: [Float]

    /// The top `count` components of the rows of `data` (N, D).
    public init(_ data: Tensor, count: Int) {
        let n = data.shape[0], d = data.shape.countPerItem
        precondition(count >= 1 && count <= d, "cannot take \(count) components of \(d) dimensions")
        mean = data.mean(alongAxis: 0)
        var covariance = [Double](repeating: 0, count: d * d)
        for i in 0..<n {
            for a in 0..<d {
                let xa = Double(data[i, a] - mean[a])
                for b in a..<d { covariance[a * d + b] += xa * Double(data[i, b] - mean[b]) }
            }
        }
        for a in 0..<d { for b in a..<d { covariance[a * d + b] /= Double(max(n - 1, 1)); covariance[b * d + a] = covariance[a * d + b] } }
        let (values, vectors) = jacobiEigen(covariance, size: d)
        let order = (0..<d).sorted { values[$0] > values[$1] }
        let top = Array(order.prefix(count))
        let c = Tensor(zeros: [count, d])
        for (k, index) in top.enumerated() {
            var column = (0..<d).map { vectors[$0 * d + index] }
            if let largest = column.indices.max(by: { abs(column[$0]) < abs(column[$1]) }), column[largest] < 0 {
                column = column.map { -$0 }
            }
            for j in 0..<d { c[k, j] = Float(column[j]) }
        }
        components = c
        variances = top.map { Float(values[$0]) }
    }

    /// Rows of `data` (N, D) in component coordinates (N, K).
    public func project(_ data: Tensor) -> Tensor {
        let n = data.shape[0], d = mean.count, k = components.shape[0]
        let out = Tensor(zeros: [n, k])
        for i in 0..<n {
            for c in 0..<k {
                var s: Float = 0
                for j in 0..<d { s += (data[i, j] - mean[j]) * components[c, j] }
                out[i, c] = s
            }
        }
        return out
    }
}

/// Eigenvalues and eigenvectors (columns of a row-major matrix) of a symmetric matrix.
func jacobiEigen(_ matrix: [Double], size d: Int) -> (values: [Double], vectors: [Double]) {
    var a = matrix
    var v = [Double](repeating: 0, count: d * d)
    for i in 0..<d { v[i * d + i] = 1 }
    for _ in 0..<100 {
        var off = 0.0
        for p in 0..<d { for q in (p + 1)..<max(d, p + 1) { off += a[p * d + q] * a[p * d + q] } }
        if off < 1e-22 { break }
        for p in 0..<d {
            for q in (p + 1)..<max(d, p + 1) where abs(a[p * d + q]) > 1e-300 {
                // Rotate in the (p, q) plane to zero a[p][q].
                let theta = (a[q * d + q] - a[p * d + p]) / (2 * a[p * d + q])
                let t = (theta >= 0 ? 1.0 : -1.0) / (abs(theta) + (theta * theta + 1).squareRoot())
                let c = 1 / (t * t + 1).squareRoot(), s = t * c
                for k in 0..<d {
                    let akp = a[k * d + p], akq = a[k * d + q]
                    a[k * d + p] = c * akp - s * akq
                    a[k * d + q] = s * akp + c * akq
                }
                for k in 0..<d {
                    let apk = a[p * d + k], aqk = a[q * d + k]
                    a[p * d + k] = c * apk - s * aqk
                    a[q * d + k] = s * apk + c * aqk
                }
                for k in 0..<d {
                    let vkp = v[k * d + p], vkq = v[k * d + q]
                    v[k * d + p] = c * vkp - s * vkq
                    v[k * d + q] = s * vkp + c * vkq
                }
            }
        }
    }
    return ((0..<d).map { a[$0 * d + $0] }, v)
}
