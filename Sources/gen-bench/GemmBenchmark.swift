import Foundation

// Times cblas_sgemm from OpenBLAS and from BLIS on the products our models make, so the choice
// of BLAS rests on a measurement that anyone can repeat. Both libraries are opened with dlopen,
// whichever one gen links, each in a child process of its own, the processes alternating so
// that neither library gets the warm or the turbo-boosted half of the run. RTLD_DEEPBIND matters: BLIS's CBLAS layer calls sgemm_, which
// would otherwise bind to the OpenBLAS that gen itself links, and both columns would time OpenBLAS.

typealias SgemmFunction =
    @convention(c) (
        Int32, Int32, Int32, Int32, Int32, Int32, Float,
        UnsafePointer<Float>?, Int32, UnsafePointer<Float>?, Int32,
        Float, UnsafeMutablePointer<Float>?, Int32
    ) -> Void

/// One BLAS library opened at run time.
struct BLASLibrary {
    let name: String
    let sgemm: SgemmFunction

    /// Opens the first of `paths` that loads, and sets its thread count.
    init?(name: String, paths: [String], threads: Int) {
        guard let handle = paths.lazy.compactMap({ dlopen($0, RTLD_NOW | RTLD_LOCAL | RTLD_DEEPBIND) }).first,
            let symbol = dlsym(handle, "cblas_sgemm")
        else { return nil }
        self.name = name
        sgemm = unsafeBitCast(symbol, to: SgemmFunction.self)
        if let set = dlsym(handle, "openblas_set_num_threads") {
            unsafeBitCast(set, to: (@convention(c) (Int32) -> Void).self)(Int32(threads))
        }
        if let set = dlsym(handle, "bli_thread_set_num_threads") {
            unsafeBitCast(set, to: (@convention(c) (Int) -> Void).self)(threads)
        }
    }
}

/// A product op(A) (M x K) times op(B) (K x N), and where our models make it.
struct GemmShape {
    let m, k, n: Int
    let transposeA, transposeB: Bool
    let use: String

    var label: String { "\(m)x\(k)\(transposeA ? "ᵀ" : "") by \(k)x\(n)\(transposeB ? "ᵀ" : "")" }
    var flops: Double { 2 * Double(m) * Double(k) * Double(n) }
}

let modelShapes: [GemmShape] = [
    GemmShape(m: 128, k: 784, n: 400, transposeA: false, transposeB: true, use: "VAE fc1 forward"),
    GemmShape(m: 400, k: 128, n: 784, transposeA: true, transposeB: false, use: "VAE fc1 dWeight"),
    GemmShape(m: 128, k: 400, n: 784, transposeA: false, transposeB: false, use: "VAE fc4 forward / fc1 dInput"),
    GemmShape(m: 128, k: 784, n: 512, transposeA: false, transposeB: true, use: "AE, GAN D layer 1"),
    GemmShape(m: 512, k: 128, n: 784, transposeA: true, transposeB: false, use: "AE layer 1 dWeight"),
    GemmShape(m: 128, k: 20, n: 400, transposeA: false, transposeB: true, use: "VAE fc3 (latent 20)"),
    GemmShape(m: 128, k: 256, n: 512, transposeA: false, transposeB: true, use: "GAN G layer 2"),
    GemmShape(m: 784, k: 1152, n: 64, transposeA: false, transposeB: false, use: "im2col conv, pixels x (C*3*3)"),
    GemmShape(m: 64, k: 1152, n: 784, transposeA: false, transposeB: false, use: "im2col conv, channels first"),
]

/// Median GFLOP/s of `library` on `shape` over seven timed rounds.
func measure(_ library: BLASLibrary, on shape: GemmShape) -> Double {
    let aCount = shape.m * shape.k, bCount = shape.k * shape.n
    let a = UnsafeMutablePointer<Float>.allocate(capacity: aCount)
    let b = UnsafeMutablePointer<Float>.allocate(capacity: bCount)
    let c = UnsafeMutablePointer<Float>.allocate(capacity: shape.m * shape.n)
    defer { a.deallocate(); b.deallocate(); c.deallocate() }
    for i in 0..<aCount { a[i] = Float(i % 17) * 0.01 }
    for i in 0..<bCount { b[i] = Float(i % 13) * 0.01 }
    let lda = shape.transposeA ? shape.m : shape.k, ldb = shape.transposeB ? shape.k : shape.n
    // About 2 GFLOP a round: 10-20 ms at the speeds these libraries reach, long enough to time.
    let repeats = max(1, Int(2e9 / shape.flops))
    func run(_ count: Int) {
        for _ in 0..<count {
            library.sgemm(
                101, shape.transposeA ? 112 : 111, shape.transposeB ? 112 : 111,
                Int32(shape.m), Int32(shape.n), Int32(shape.k), 1, a, Int32(lda), b, Int32(ldb), 0, c, Int32(shape.n))
        }
    }
    run(3)  // warm up: threads started, caches filled
    var samples: [Double] = []
    for _ in 0..<7 {
        let start = DispatchTime.now().uptimeNanoseconds
        run(repeats)
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        samples.append(shape.flops * Double(repeats) / seconds / 1e9)
    }
    return samples.sorted()[samples.count / 2]
}
