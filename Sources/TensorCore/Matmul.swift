import CBLAS

// Matrix products. Every product in training goes through `gemm` (OpenBLAS's cblas_sgemm);
// `matmulReference` is the plain triple loop it is tested against, as llm.c keeps
// `matmul_forward_naive` beside its fast kernel.

/// The BLAS library's process-wide settings.
public enum BLAS {
    /// Sets how many threads the BLAS uses for each product.
    public static func setThreadCount(_ n: Int) { openblas_set_num_threads(Int32(Swift.max(1, n))) }
    /// How many threads the BLAS uses for each product.
    public static var threadCount: Int { Int(openblas_get_num_threads()) }
}

/// The rows and columns of `t` as a matrix, after an optional transpose: a (N, C, H, W)
/// tensor counts as N rows of C*H*W.
@inline(__always)
private func matrixDimensions(_ t: Tensor, transposed: Bool) -> (rows: Int, columns: Int) {
    precondition(t.shape.rank >= 1, "a matrix product needs at least a vector, got \(t.shape)")
    let rows = t.shape.rank == 1 ? 1 : t.shape[0]
    let columns = t.shape.rank == 1 ? t.shape[0] : t.shape.countPerItem
    return transposed ? (columns, rows) : (rows, columns)
}

/// `c = alpha * op(a) · op(b) + beta * c`, where op transposes when asked. With beta = 1 the
/// product accumulates into `c` (how parameter gradients add up over a batch). `c` must
/// already have the result's shape (M, N).
public func gemm(_ a: Tensor, transposeA: Bool = false, _ b: Tensor, transposeB: Bool = false,
                 into c: Tensor, alpha: Float = 1, beta: Float = 0) {
    let (m, k) = matrixDimensions(a, transposed: transposeA)
    let (kb, n) = matrixDimensions(b, transposed: transposeB)
    precondition(k == kb, "matrix product of \(a.shape)\(transposeA ? "ᵀ" : "") and \(b.shape)\(transposeB ? "ᵀ" : ""): inner sizes \(k) and \(kb) differ")
    let (cm, cn) = matrixDimensions(c, transposed: false)
    precondition(cm == m && cn == n, "result of shape \(c.shape) cannot hold a (\(m), \(n)) product")
    if m == 0 || n == 0 { return }
    let lda = transposeA ? m : k, ldb = transposeB ? k : n
    cblas_sgemm(CblasRowMajor, transposeA ? CblasTrans : CblasNoTrans, transposeB ? CblasTrans : CblasNoTrans,
                Int32(m), Int32(n), Int32(k), alpha, a.data, Int32(Swift.max(lda, 1)), b.data, Int32(Swift.max(ldb, 1)),
                beta, c.data, Int32(Swift.max(n, 1)))
}

/// The matrix product op(a) · op(b) as a new (M, N) tensor, through the BLAS.
public func matmul(_ a: Tensor, transposeA: Bool = false, _ b: Tensor, transposeB: Bool = false) -> Tensor {
    let m = matrixDimensions(a, transposed: transposeA).rows
    let n = matrixDimensions(b, transposed: transposeB).columns
    let c = Tensor(zeros: [m, n])
    gemm(a, transposeA: transposeA, b, transposeB: transposeB, into: c)
    return c
}

/// The same product as `matmul` by the textbook triple loop, in Double: the test oracle.
public func matmulReference(_ a: Tensor, transposeA: Bool = false, _ b: Tensor, transposeB: Bool = false) -> Tensor {
    let (m, k) = matrixDimensions(a, transposed: transposeA)
    let (kb, n) = matrixDimensions(b, transposed: transposeB)
    precondition(k == kb, "inner sizes \(k) and \(kb) differ")
    let c = Tensor(zeros: [m, n])
    let aColumns = matrixDimensions(a, transposed: false).columns
    let bColumns = matrixDimensions(b, transposed: false).columns
    for i in 0..<m {
        for j in 0..<n {
            var s = 0.0
            for p in 0..<k {
                let x = transposeA ? a.data[p * aColumns + i] : a.data[i * aColumns + p]
                let y = transposeB ? b.data[j * bColumns + p] : b.data[p * bColumns + j]
                s += Double(x) * Double(y)
            }
            c.data[i * n + j] = Float(s)
        }
    }
    return c
}
