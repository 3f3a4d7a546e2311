import CBLAS
import Foundation

// Matrix products. Every product in training goes through `gemm` (OpenBLAS's cblas_sgemm);
// `matmulReference` is the plain triple loop it is tested against, as llm.c keeps
// `matmul_forward_naive` beside its fast kernel.

/// The thread count of the numeric work.
public enum BLAS {
    /// Sets how many threads the numeric work uses, on every thread that has not chosen its own
    /// count (`withThreadCount`): the shared `ThreadTeam` takes that size and OpenBLAS runs
    /// single-threaded inside each of its parts, so that one pool of threads does everything and
    /// none spins while another works.
    public static func setThreadCount(_ n: Int) {
        _ = singleThreadedInsideParts
        ThreadTeam.shared.resize(to: n)
    }
    /// Runs `body` with the numeric work started on this thread split among `n` threads, leaving
    /// every other thread's count as it is (tests compare thread counts side by side).
    public static func withThreadCount<Result>(_ n: Int, _ body: () throws -> Result) rethrows -> Result {
        _ = singleThreadedInsideParts
        return try ThreadTeam.shared.withParts(n, body)
    }
    /// OpenBLAS told, once, to run single-threaded: the team's parts are the threads.
    private static let singleThreadedInsideParts: Void = openblas_set_num_threads(1)
    /// How many threads the numeric work started on this thread uses.
    public static var threadCount: Int { ThreadTeam.shared.parts }

    /// The OpenBLAS kernels every product runs on ("Haswell", "SkylakeX", ...): OpenBLAS's
    /// choice for this CPU, or the one OPENBLAS_CORETYPE names. Speed figures depend on it.
    public static var kernels: String { openblas_get_corename().map { String(cString: $0) } ?? "unknown" }
}

/// Products smaller than this many multiply-adds run on one thread: splitting them costs more
/// than it saves.
let parallelProductThreshold = 1 << 18

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
public func gemm(
    _ a: Tensor, transposeA: Bool = false, _ b: Tensor, transposeB: Bool = false,
    into c: Tensor, alpha: Float = 1, beta: Float = 0
) {
    let (m, k) = matrixDimensions(a, transposed: transposeA)
    let (kb, n) = matrixDimensions(b, transposed: transposeB)
    precondition(
        k == kb,
        "matrix product of \(a.shape)\(transposeA ? "ᵀ" : "") and \(b.shape)\(transposeB ? "ᵀ" : ""): inner sizes \(k) and \(kb) differ"
    )
    let (cm, cn) = matrixDimensions(c, transposed: false)
    precondition(cm == m && cn == n, "result of shape \(c.shape) cannot hold a (\(m), \(n)) product")
    if m == 0 || n == 0 { return }
    multiply(
        a.data, transposeA: transposeA, b.data, transposeB: transposeB, into: c.data, m: m, n: n, k: k, alpha: alpha,
        beta: beta)
}

/// C (m, n) = alpha op(A) op(B) + beta C over raw row-major storage, split among the thread team
/// when the product is large enough. Recorded in `ProductLog` while it records.
public func multiply(
    _ a: UnsafeMutablePointer<Float>, transposeA: Bool, _ b: UnsafeMutablePointer<Float>, transposeB: Bool,
    into c: UnsafeMutablePointer<Float>, m: Int, n: Int, k: Int, alpha: Float = 1, beta: Float = 0
) {
    let log = ProductLog.shared
    guard log.isRecording else {
        unloggedMultiply(
            a, transposeA: transposeA, b, transposeB: transposeB, into: c, m: m, n: n, k: k, alpha: alpha, beta: beta)
        return
    }
    let start = DispatchTime.now().uptimeNanoseconds
    unloggedMultiply(
        a, transposeA: transposeA, b, transposeB: transposeB, into: c, m: m, n: n, k: k, alpha: alpha, beta: beta)
    log.record(
        ProductLog.Shape(m: m, n: n, k: k, transposeA: transposeA, transposeB: transposeB, accumulates: beta != 0),
        seconds: Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
}

func unloggedMultiply(
    _ a: UnsafeMutablePointer<Float>, transposeA: Bool, _ b: UnsafeMutablePointer<Float>, transposeB: Bool,
    into c: UnsafeMutablePointer<Float>, m: Int, n: Int, k: Int, alpha: Float, beta: Float
) {
    let lda = Swift.max(transposeA ? m : k, 1), ldb = Swift.max(transposeB ? k : n, 1), ldc = Swift.max(n, 1)
    let team = ThreadTeam.shared
    guard team.parts > 1, m * n * k >= parallelProductThreshold else {
        let opA = transposeA ? CblasTrans : CblasNoTrans, opB = transposeB ? CblasTrans : CblasNoTrans
        let beta = clearedForAccumulation(c, rows: m, columns: n, ldc: ldc, beta: beta)
        cblas_sgemm(
            CblasRowMajor, opA, opB, Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb),
            beta, c, Int32(ldc))
        return
    }
    // Each part computes a block of C's rows (or, for a wide C, of its columns) with the
    // single-threaded BLAS: disjoint outputs, and each element's dot product is the same
    // whichever thread computes it.
    var job = ProductJob(
        a: a, b: b, c: c, m: m, n: n, k: k, lda: lda, ldb: ldb, ldc: ldc,
        alpha: alpha, beta: beta, transposeA: transposeA, transposeB: transposeB)
    team.run(&job) { context, part, parts in
        context.assumingMemoryBound(to: ProductJob.self).pointee.compute(part, of: parts)
    }
}

/// One `gemm` shared out among the thread team.
struct ProductJob {
    let a, b, c: UnsafeMutablePointer<Float>
    let m, n, k, lda, ldb, ldc: Int
    let alpha, beta: Float
    let transposeA, transposeB: Bool

    func compute(_ part: Int, of parts: Int) {
        let opA = transposeA ? CblasTrans : CblasNoTrans, opB = transposeB ? CblasTrans : CblasNoTrans
        if m >= n {
            let rows = ThreadTeam.range(part, of: parts, in: m)
            guard !rows.isEmpty else { return }
            // op(A)'s rows: rows of A, or columns of a transposed A.
            let aBlock = transposeA ? a + rows.lowerBound : a + rows.lowerBound * lda,
                cBlock = c + rows.lowerBound * ldc
            let beta = clearedForAccumulation(cBlock, rows: rows.count, columns: n, ldc: ldc, beta: beta)
            cblas_sgemm(
                CblasRowMajor, opA, opB, Int32(rows.count), Int32(n), Int32(k), alpha, aBlock, Int32(lda), b,
                Int32(ldb),
                beta, cBlock, Int32(ldc))
        } else {
            let columns = ThreadTeam.range(part, of: parts, in: n)
            guard !columns.isEmpty else { return }
            // op(B)'s columns: columns of B, or rows of a transposed B.
            let bBlock = transposeB ? b + columns.lowerBound * ldb : b + columns.lowerBound,
                cBlock = c + columns.lowerBound
            let beta = clearedForAccumulation(cBlock, rows: m, columns: columns.count, ldc: ldc, beta: beta)
            cblas_sgemm(
                CblasRowMajor, opA, opB, Int32(m), Int32(columns.count), Int32(k), alpha, a, Int32(lda), bBlock,
                Int32(ldb),
                beta, cBlock, Int32(ldc))
        }
    }
}

/// For beta = 0, zeroes the (rows, columns) block of C itself and returns 1, the beta to hand
/// the BLAS; any other beta comes back as it was. OpenBLAS clears C for beta = 0 with one scalar
/// store per value before its kernel adds the product onto it: 2.5% of an AE epoch's samples
/// and 4.4% of a DCGAN's on a Zen 3 EPYC, as much as the product itself where k is small (the
/// decoder's first layer, k = 32; a convolution over one channel, k = 16). Zeroed by memset
/// instead (about 60% of that time: the clearing is bound by memory), then added onto with
/// beta = 1, C holds the same bits: the kernel adds every block of k onto C either way,
/// starting from zero.
@inline(__always)
private func clearedForAccumulation(_ c: UnsafeMutablePointer<Float>, rows: Int, columns: Int, ldc: Int, beta: Float)
    -> Float
{
    guard beta == 0 else { return beta }
    if columns == ldc {
        c.update(repeating: 0, count: rows * columns)
    } else {
        for row in 0..<rows { (c + row * ldc).update(repeating: 0, count: columns) }
    }
    return 1
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
