// Transcendental functions eight lanes at a time, for the element-wise passes that would
// otherwise call libm once per value (tanh was 8% of an MLP GAN epoch). The polynomials are
// Cephes's single-precision ones (S. L. Moshier), accurate to a couple of ulps; every lane
// computes the same function of its own input, so a value's result never depends on where a
// thread's share of the array begins.
//
// These helpers, and the lane sums beside them, live in TensorCore as `@inlinable package`
// functions so that the element-wise loops of every module inline them in a debug build too: a
// bare `swift run` compiles each file of a module without the bodies of its other files (no
// -wmo outside release), so helpers kept in NN were real calls there, one per eight values, and
// made the debug VAE 1.2-1.35x slower than release. Across modules, an @inlinable body travels
// with the module and is inlined by -O like the standard library's own.

#if arch(x86_64)
import _Builtin_intrinsics.intel
#endif

/// √x for each lane, correctly rounded as IEEE requires (the same bits as `Float.squareRoot()`).
/// On x86-64 two SSE `sqrtps`: Swift's own `SIMD8.squareRoot()` calls libm's `sqrtf` once per
/// lane there, which made Adam's step four times slower than its memory traffic.
@inlinable @inline(__always)
package func vectorSquareRoot(_ x: SIMD8<Float>) -> SIMD8<Float> {
    #if arch(x86_64)
    return SIMD8(lowHalf: _mm_sqrt_ps(x.lowHalf), highHalf: _mm_sqrt_ps(x.highHalf))
    #else
    return x.squareRoot()
    #endif
}

/// e^x for each lane, x clamped to [-87.3, 88.3] (where e^x stays a normal float).
@inlinable @inline(__always)
package func vectorExp(_ input: SIMD8<Float>) -> SIMD8<Float> {
    // Clamped by selects: `clamped(lowerBound:upperBound:)` compiled to calls of generic
    // pointwiseMin/Max. A NaN passes both tests and stays a NaN.
    var x = input.replacing(with: -87.3, where: input .< -87.3)
    x.replace(with: 88.3, where: x .> 88.3)
    // x = n ln 2 + r, |r| ≤ ln 2 / 2: n = x / ln 2 rounded to the nearest integer by adding and
    // subtracting 1.5·2²³ (the float's rounding does it, lane-wise, with no conversion); ln 2 is
    // split in two so that n ln 2 is exact enough.
    let magic = SIMD8<Float>(repeating: 12_582_912)
    let shifted = x * 1.44269504088896341 + magic
    let n = shifted - magic
    x = x - n * 0.693359375 + n * 2.12194440e-4
    let z = x * x
    var y = SIMD8<Float>(repeating: 1.9875691500e-4)
    y = y * x + 1.3981999507e-3
    y = y * x + 8.3334519073e-3
    y = y * x + 4.1665795894e-2
    y = y * x + 1.6666665459e-1
    y = y * x + 5.0000001201e-1
    y = y * z + x + 1
    // 2ⁿ from bits: n sits in the low mantissa bits of `shifted`; moved into the exponent field with its bias of 127.
    let integer = unsafeBitCast(shifted, to: SIMD8<Int32>.self) &- unsafeBitCast(magic, to: SIMD8<Int32>.self)
    let twoToN = unsafeBitCast((integer &+ 127) &<< 23, to: SIMD8<Float>.self)
    return y * twoToN
}

/// tanh(x) for each lane: an odd polynomial below |x| = 0.625 (where 1 − 2/(e^{2|x|} + 1) would
/// lose its relative precision), that formula above it.
@inlinable @inline(__always)
package func vectorTanh(_ x: SIMD8<Float>) -> SIMD8<Float> {
    let magnitude = x.replacing(with: -x, where: x .< 0)
    let z = x * x
    var p = SIMD8<Float>(repeating: -5.70498872745e-3)
    p = p * z + 2.06390887954e-2
    p = p * z - 5.37397155531e-2
    p = p * z + 1.33314422036e-1
    p = p * z - 3.33332819422e-1
    let small = p * z * x + x
    var large = 1 - 2 / (vectorExp(2 * magnitude) + 1)
    large.replace(with: -large, where: x .< 0)
    return small.replacing(with: large, where: magnitude .>= 0.625)
}

/// tanh(x + shift[j]) over `count` values in place (shift: a bias row, or nil and `constant`),
/// eight at a time; a partial last group goes through the same vector function.
@inlinable @inline(__always)
package func tanhInPlace(_ y: UnsafeMutablePointer<Float>, count: Int, shift: UnsafePointer<Float>?, constant: Float) {
    var j = 0
    while j + 8 <= count {
        var x = UnsafeRawPointer(y + j).loadUnaligned(as: SIMD8<Float>.self)
        if let shift { x += UnsafeRawPointer(shift + j).loadUnaligned(as: SIMD8<Float>.self) } else { x += constant }
        UnsafeMutableRawPointer(y + j).storeBytes(of: vectorTanh(x), as: SIMD8<Float>.self)
        j += 8
    }
    guard j < count else { return }
    var x = SIMD8<Float>(repeating: 0)
    for l in 0..<(count - j) { x[l] = y[j + l] + (shift?[j + l] ?? constant) }
    let t = vectorTanh(x)
    for l in 0..<(count - j) { y[j + l] = t[l] }
}

/// Eight floats from `p`, whatever its alignment.
@inlinable @inline(__always) package func load8(_ p: UnsafePointer<Float>) -> SIMD8<Float> {
    UnsafeRawPointer(p).loadUnaligned(as: SIMD8<Float>.self)
}

/// Eight floats to `p`, whatever its alignment.
@inlinable @inline(__always) package func store8(_ x: SIMD8<Float>, _ p: UnsafeMutablePointer<Float>) {
    UnsafeMutableRawPointer(p).storeBytes(of: x, as: SIMD8<Float>.self)
}

/// Four floats from `p`, whatever its alignment.
@inlinable @inline(__always) package func load4(_ p: UnsafePointer<Float>) -> SIMD4<Float> {
    UnsafeRawPointer(p).loadUnaligned(as: SIMD4<Float>.self)
}

/// Four floats to `p`, whatever its alignment.
@inlinable @inline(__always) package func store4(_ x: SIMD4<Float>, _ p: UnsafeMutablePointer<Float>) {
    UnsafeMutableRawPointer(p).storeBytes(of: x, as: SIMD4<Float>.self)
}
