import CBLAS

// Principal component analysis, exact: the covariance through the BLAS (dsyrk, a batch of rows
// at a time) and its eigen-decomposition through LAPACK (dsyevd), in Double. D: dimensions.
//   mean μ = (1/N) Σ_n x_n,   C = (1/(N-1)) (Σ_n x_n x_nᵀ - N μ μᵀ)
// The components are C's eigenvectors by decreasing eigenvalue (the variance along each).

/// Σ x and Σ x xᵀ over the rows seen so far: a covariance built a batch at a time.
public final class CovarianceAccumulator {
    /// D.
    public let dimension: Int
    /// Rows added so far.
    public private(set) var count = 0
    private var sums: [Double]
    /// Σ x xᵀ, its upper triangle (row-major) kept up to date by dsyrk.
    private var products: [Double]
    private var batch: [Double] = []

    public init(dimension: Int) {
        precondition(dimension > 0, "a covariance needs at least one dimension")
        self.dimension = dimension
        sums = [Double](repeating: 0, count: dimension)
        products = [Double](repeating: 0, count: dimension * dimension)
    }

    /// Forgets every row.
    public func reset() {
        count = 0
        for i in sums.indices { sums[i] = 0 }
        for i in products.indices { products[i] = 0 }
    }

    /// Adds the rows of `rows` (N, D).
    public func add(_ rows: Tensor) {
        let n = rows.shape[0], d = dimension
        precondition(rows.shape.countPerItem == d, "covariance of \(d) dimensions got rows of shape \(rows.shape)")
        guard n > 0 else { return }
        if batch.count < n * d { batch = [Double](repeating: 0, count: n * d) }
        for i in 0..<(n * d) { batch[i] = Double(rows.data[i]) }
        for r in 0..<n { for j in 0..<d { sums[j] += batch[r * d + j] } }
        batch.withUnsafeBufferPointer { x in
            products.withUnsafeMutableBufferPointer { c in
                // C += Xᵀ X: X is (n, d) row-major; only the upper triangle is written.
                cblas_dsyrk(
                    CblasRowMajor, CblasUpper, CblasTrans, Int32(d), Int32(n), 1, x.baseAddress, Int32(d), 1,
                    c.baseAddress, Int32(d))
            }
        }
        count += n
    }

    /// μ (D).
    public var mean: [Double] { sums.map { $0 / Double(max(count, 1)) } }

    /// The unbiased covariance (D × D, both triangles filled).
    public var covariance: [Double] {
        let d = dimension, m = mean, n = Double(count), denominator = Double(max(count - 1, 1))
        var c = [Double](repeating: 0, count: d * d)
        for a in 0..<d {
            for b in a..<d {
                let value = (products[a * d + b] - n * m[a] * m[b]) / denominator
                c[a * d + b] = value
                c[b * d + a] = value
            }
        }
        return c
    }
}

/// The mean and the leading principal components of a set of rows.
public struct PrincipalComponents {
    /// (D) the data's mean.
    public let mean: Tensor
    /// (K, D) unit-length components, by decreasing variance. Each one's sign is fixed so that
    /// its largest entry is positive (an eigenvector's sign is otherwise arbitrary).
    public let components: Tensor
    /// (K) the variance along each component.
    public let variances: [Float]
    /// The total variance: the covariance's trace (the sum of all D eigenvalues).
    public let totalVariance: Double

    /// The top `count` components of the rows of `data` (N, D).
    public init(_ data: Tensor, count: Int) {
        let accumulator = CovarianceAccumulator(dimension: data.shape.countPerItem)
        accumulator.add(data)
        self.init(accumulator, count: count)
    }

    /// The top `count` components of the rows `accumulator` has seen.
    public init(_ accumulator: CovarianceAccumulator, count: Int) {
        let d = accumulator.dimension
        precondition(count >= 1 && count <= d, "cannot take \(count) components of \(d) dimensions")
        let covariance = accumulator.covariance
        totalVariance = (0..<d).reduce(0) { $0 + covariance[$1 * d + $1] }
        let (values, vectors) = symmetricEigenDecomposition(covariance, size: d)
        let c = Tensor(zeros: [count, d])
        var variances: [Float] = []
        for k in 0..<count {
            let index = d - 1 - k  // dsyevd sorts the eigenvalues ascending
            // eigenvector `index`: a column, contiguous in column-major
            let column = vectors[(index * d)..<(index * d + d)]
            // d ≥ 1: never empty
            let largest = column.indices.max { abs(column[$0]) < abs(column[$1]) } ?? column.startIndex
            let sign: Double = column[largest] < 0 ? -1 : 1
            for (j, value) in column.enumerated() { c[k, j] = Float(sign * value) }
            variances.append(Float(max(values[index], 0)))
        }
        mean = Tensor(shape: [d], values: accumulator.mean.map(Float.init))
        components = c
        self.variances = variances
    }

    /// Rows of `data` (N, D) in component coordinates (N, K): (x − μ) Vᵀ.
    public func project(_ data: Tensor) -> Tensor {
        let n = data.shape[0], d = mean.count
        let centered = Tensor(zeros: [n, d])
        for r in 0..<n { for j in 0..<d { centered.data[r * d + j] = data.data[r * d + j] - mean.data[j] } }
        return matmul(centered, components, transposeB: true)
    }
}

/// The eigenvalues (ascending) and eigenvectors (column-major: vector k is entries
/// k·D ..< (k+1)·D) of the symmetric D × D matrix `matrix`, by LAPACK's dsyevd.
public func symmetricEigenDecomposition(_ matrix: [Double], size d: Int) -> (values: [Double], vectors: [Double]) {
    precondition(matrix.count == d * d, "a \(d) × \(d) matrix needs \(d * d) values, got \(matrix.count)")
    var a = matrix, w = [Double](repeating: 0, count: d)
    var n = Int32(d), lda = Int32(d), info: Int32 = 0
    var lwork: Int32 = -1, liwork: Int32 = -1
    var workSize = 0.0, iworkSize: Int32 = 0
    let jobz: CChar = 86 /* V */, uplo: CChar = 85 /* U */
    var j = jobz, u = uplo
    dsyevd_(&j, &u, &n, &a, &lda, &w, &workSize, &lwork, &iworkSize, &liwork, &info, 1, 1)  // workspace query
    precondition(info == 0, "dsyevd workspace query failed (info \(info))")
    lwork = Int32(workSize); liwork = iworkSize
    var work = [Double](repeating: 0, count: Int(lwork)), iwork = [Int32](repeating: 0, count: Int(liwork))
    dsyevd_(&j, &u, &n, &a, &lda, &w, &work, &lwork, &iwork, &liwork, &info, 1, 1)
    precondition(info == 0, "dsyevd did not converge (info \(info))")
    return (w, a)
}
