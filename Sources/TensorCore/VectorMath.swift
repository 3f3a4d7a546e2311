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

/// ln x for each lane, for positive normal floats (what Box-Muller takes the log of).
@inlinable @inline(__always)
package func vectorLog(_ x: SIMD8<Float>) -> SIMD8<Float> {
    // x = m · 2^e with m in [√½, √2): e and m from the bits (frexp puts m in [½, 1); below √½
    // the mantissa is doubled and e lowered), then ln x = e ln 2 + ln(1 + f), f = m - 1, with ln 2
    // split in two as in vectorExp.
    let bits = unsafeBitCast(x, to: SIMD8<Int32>.self)
    // The exponent field as a float without a conversion (SIMD8's Int32-to-Float initialiser is
    // a scalar loop): placed in the mantissa of 2²³, which is then subtracted, with the bias 126.
    var e = unsafeBitCast((bits &>> 23) | 0x4B00_0000, to: SIMD8<Float>.self) - (8_388_608 + 126)
    var m = unsafeBitCast((bits & 0x007F_FFFF) | 0x3F00_0000, to: SIMD8<Float>.self)
    let small = m .< 0.707106781186547524
    e.replace(with: e - 1, where: small)
    m.replace(with: m + m, where: small)
    let f = m - 1, z = f * f
    var y = SIMD8<Float>(repeating: 7.0376836292e-2)
    y = y * f - 1.1514610310e-1
    y = y * f + 1.1676998740e-1
    y = y * f - 1.2420140846e-1
    y = y * f + 1.4249322787e-1
    y = y * f - 1.6668057665e-1
    y = y * f + 2.0000714765e-1
    y = y * f - 2.4999993993e-1
    y = y * f + 3.3333331174e-1
    y = y * f * z + e * -2.12194440e-4 - 0.5 * z
    return f + y + e * 0.693359375
}

/// (sin 2πu, cos 2πu) for each lane, u in [0, 1): the angle of Box-Muller's second draw, taken in
/// turns so that the reduction to [-π/4, π/4] is exact (u and the quarter turn it is moved by
/// are both on a grid of 2⁻²⁴).
@inlinable @inline(__always)
package func vectorSineCosineOfTurns(_ u: SIMD8<Float>) -> (sine: SIMD8<Float>, cosine: SIMD8<Float>) {
    // q = 4u rounded to the nearest integer (by the float's own rounding, as in vectorExp), so
    // 2πu = q·π/2 + a with |a| ≤ π/4.
    let magic = SIMD8<Float>(repeating: 12_582_912)
    let shifted = u * 4 + magic
    let q = shifted - magic
    let a = (u - q * 0.25) * 6.283185307179586
    let z = a * a
    var s = SIMD8<Float>(repeating: -1.9515295891e-4)
    s = s * z + 8.3321608736e-3
    s = s * z - 1.6666654611e-1
    s = s * z * a + a
    var c = SIMD8<Float>(repeating: 2.443315711809948e-5)
    c = c * z - 1.388731625493765e-3
    c = c * z + 4.166664568298827e-2
    c = c * z * z - 0.5 * z + 1
    // A quarter turn q maps (cos a, sin a) to (cos, sin) of the whole angle:
    // q = 0 or 4: (c, s), 1: (-s, c), 2: (-c, -s), 3: (s, -c). The tests are float comparisons
    // (on SIMD8<Int32> they compiled to a loop per lane): q is odd when (q - 2)² = 1, the sine
    // is negative for q in {2, 3}, the cosine for q in {1, 2}, when (q - 1.5)² = 0.25.
    let quarter = q.replacing(with: 0, where: q .== 4)
    let fromCenter = quarter - 2, fromMiddle = quarter - 1.5
    let odd = fromCenter * fromCenter .== 1
    var sine = s.replacing(with: c, where: odd), cosine = c.replacing(with: s, where: odd)
    sine.replace(with: -sine, where: quarter .>= 2)
    cosine.replace(with: -cosine, where: fromMiddle * fromMiddle .== 0.25)
    return (sine, cosine)
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

/// Sixteen floats from `p`, whatever its alignment (strided copies keep half of them).
@inlinable @inline(__always) package func load16(_ p: UnsafePointer<Float>) -> SIMD16<Float> {
    UnsafeRawPointer(p).loadUnaligned(as: SIMD16<Float>.self)
}
