import Testing
@testable import TensorCore

@Suite("BLAS matrix products against the loop oracle")
struct MatmulTests {
    @Test(
        "all four transpose combinations, odd sizes",
        arguments: [(false, false), (true, false), (false, true), (true, true)])
    func transposes(transposeA: Bool, transposeB: Bool) {
        var g = SeededGenerator(seed: 1)
        let (m, k, n) = (7, 13, 5)
        let a = Tensor.normal(transposeA ? [k, m] : [m, k], using: &g)
        let b = Tensor.normal(transposeB ? [n, k] : [k, n], using: &g)
        let fast = matmul(a, transposeA: transposeA, b, transposeB: transposeB)
        let oracle = matmulReference(a, transposeA: transposeA, b, transposeB: transposeB)
        #expect(fast.shape == [m, n])
        for i in 0..<fast.count { #expect(abs(fast[i] - oracle[i]) < 1e-4, "element \(i)") }
    }

    @Test(
        "split over a team of two threads, by rows or by columns, every transpose: the oracle's numbers",
        arguments: [(false, false), (true, false), (false, true), (true, true)], [(71, 97, 53), (53, 97, 71)])
    func teamOfTwo(transposes: (Bool, Bool), sizes: (Int, Int, Int)) {
        let (transposeA, transposeB) = transposes, (m, k, n) = sizes
        var g = SeededGenerator(seed: 3)
        let a = Tensor.normal(transposeA ? [k, m] : [m, k], using: &g)
        let b = Tensor.normal(transposeB ? [n, k] : [k, n], using: &g)
        let c = Tensor(shape: [m, n], repeating: 0.5)
        BLAS.withThreadCount(2) {
            gemm(a, transposeA: transposeA, b, transposeB: transposeB, into: c, alpha: 2, beta: 1)
        }
        let oracle = matmulReference(a, transposeA: transposeA, b, transposeB: transposeB)
        var worst: Float = 0
        for i in 0..<c.count { worst = max(worst, abs(c[i] - (0.5 + 2 * oracle[i]))) }
        #expect(worst < 1e-3, "largest difference \(worst)")
    }

    @Test("beta = 1 accumulates into the result, alpha scales")
    func accumulate() {
        var g = SeededGenerator(seed: 2)
        let a = Tensor.normal([3, 4], using: &g), b = Tensor.normal([4, 2], using: &g)
        let c = Tensor(shape: [2, 3], repeating: 1)
        gemm(b, transposeA: true, a, transposeB: true, into: c, alpha: 2, beta: 1)
        let oracle = matmulReference(b, transposeA: true, a, transposeB: true)
        for i in 0..<c.count { #expect(abs(c[i] - (1 + 2 * oracle[i])) < 1e-4) }
    }

    @Test("a known 2x3 by 3x2 product")
    func known() {
        let a = Tensor(shape: [2, 3], values: [1, 2, 3, 4, 5, 6])
        let b = Tensor(shape: [3, 2], values: [7, 8, 9, 10, 11, 12])
        #expect(matmul(a, b).scalars == [58, 64, 139, 154])
    }

    @Test("image batches count as rows of C*H*W")
    func imageRows() {
        var g = SeededGenerator(seed: 3)
        let x = Tensor.normal([4, 2, 3, 3], using: &g), w = Tensor.normal([5, 18], using: &g)
        let fast = matmul(x, w, transposeB: true)
        let oracle = matmulReference(x.viewed(as: [4, 18]), w, transposeB: true)
        #expect(fast.shape == [4, 5])
        for i in 0..<fast.count { #expect(abs(fast[i] - oracle[i]) < 1e-4) }
    }
}
