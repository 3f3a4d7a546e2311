/// A seeded random number generator whose stream is the same on every run and platform:
/// xoshiro256** (Blackman & Vigna, 2018), its state filled from the seed by SplitMix64.
///
/// Uniform floats use the top 24 bits; normals use Box-Muller in Float with our own logarithm,
/// sine and cosine (VectorMath.swift), eight pairs at a time, so no libm rounding enters them.
/// Integer draws use our own rejection rule rather than the standard library's, whose
/// algorithm is not promised to stay the same across Swift versions.
public struct SeededGenerator: RandomNumberGenerator, Sendable {
    private var s0, s1, s2, s3: UInt64
    private var spareNormal: Float?

    /// A generator whose whole stream is determined by `seed`.
    public init(seed: UInt64) {
        var x = seed
        func splitMix() -> UInt64 {
            x &+= 0x9E37_79B9_7F4A_7C15
            var z = x
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        s0 = splitMix(); s1 = splitMix(); s2 = splitMix(); s3 = splitMix()
        spareNormal = nil
    }

    /// The next 64 random bits.
    public mutating func next() -> UInt64 {
        let result = rotateLeft(s1 &* 5, 7) &* 9
        let t = s1 << 17
        s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3
        s2 ^= t
        s3 = rotateLeft(s3, 45)
        return result
    }

    @inline(__always) private func rotateLeft(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }

    /// A float uniform in [0, 1), on a grid of 2⁻²⁴.
    public mutating func nextUniform() -> Float { Float(next() >> 40) * 0x1p-24 }

    /// A float uniform in [low, high).
    public mutating func nextUniform(_ low: Float, _ high: Float) -> Float { low + (high - low) * nextUniform() }

    /// A draw from N(0, 1) by the Box-Muller transform; the pair's second value is kept for the next call.
    public mutating func nextNormal() -> Float {
        if let spare = takeSpareNormal() { return spare }
        // One pair in lane 0: every lane computes the same function of its own draws, so this is
        // the value `fillNormal` gives the same draws in any lane.
        var u1 = SIMD8<Float>(repeating: 1), u2 = SIMD8<Float>(repeating: 0)
        (u1[0], u2[0]) = nextBoxMullerDraws()
        let (first, second) = boxMuller(u1, u2)
        spareNormal = second[0]
        return first[0]
    }

    /// The two uniform draws of one Box-Muller pair, on a grid of 2⁻²⁴: u₁ in (0, 1], so that
    /// ln u₁ is finite, and u₂ in [0, 1).
    @inline(__always)
    mutating func nextBoxMullerDraws() -> (Float, Float) {
        let u1 = Float((next() >> 40) + 1) * 0x1p-24
        let u2 = Float(next() >> 40) * 0x1p-24
        return (u1, u2)
    }

    /// The second value of the last pair, if `nextNormal` has not handed it out yet.
    mutating func takeSpareNormal() -> Float? {
        defer { spareNormal = nil }
        return spareNormal
    }

    /// Moves the stream on by `count` draws, as `count` calls of `next()` would.
    mutating func skip(_ count: Int) {
        for _ in 0..<count { _ = next() }
    }

    /// An integer uniform in 0..<bound, by rejection (Lemire's multiply-shift, unbiased).
    public mutating func nextInt(below bound: Int) -> Int {
        precondition(bound > 0, "bound must be positive")
        let b = UInt64(bound)
        let threshold = (0 &- b) % b
        while true {
            let (high, low) = next().multipliedFullWidth(by: b)
            if low >= threshold { return Int(high) }
        }
    }

    /// Shuffles `array` in place (Fisher-Yates with `nextInt(below:)`).
    public mutating func shuffle<T>(_ array: inout [T]) {
        guard array.count > 1 else { return }
        for i in stride(from: array.count - 1, to: 0, by: -1) {
            array.swapAt(i, nextInt(below: i + 1))
        }
    }
}

extension Tensor {
    /// A tensor of draws uniform in [low, high).
    public static func uniform(
        _ shape: Shape, low: Float = 0, high: Float = 1,
        using generator: inout SeededGenerator
    ) -> Tensor {
        let t = Tensor(zeros: shape)
        t.fillUniform(low: low, high: high, using: &generator)
        return t
    }

    /// A tensor of draws from N(mean, standardDeviation²).
    public static func normal(
        _ shape: Shape, mean: Float = 0, standardDeviation: Float = 1,
        using generator: inout SeededGenerator
    ) -> Tensor {
        let t = Tensor(zeros: shape)
        t.fillNormal(mean: mean, standardDeviation: standardDeviation, using: &generator)
        return t
    }

    /// Overwrites every element with a draw uniform in [low, high).
    public func fillUniform(low: Float = 0, high: Float = 1, using generator: inout SeededGenerator) {
        for i in 0..<count { data[i] = generator.nextUniform(low, high) }
    }

    /// Overwrites every element with a draw from N(mean, standardDeviation²): the same values,
    /// and the same generator state after, as `nextNormal()` called once per element. The pairs
    /// in the middle are shared out among the thread team: each part takes a copy of the
    /// generator, moves it past the draws of the pairs before its own, and transforms its pairs
    /// eight at a time.
    public func fillNormal(mean: Float = 0, standardDeviation: Float = 1, using generator: inout SeededGenerator) {
        var first = 0
        if count > 0, let spare = generator.takeSpareNormal() {
            data[0] = mean + standardDeviation * spare
            first = 1
        }
        let pairs = (count - first) / 2
        var job = NormalPairsJob(
            start: generator, values: data + first, pairs: pairs, mean: mean, standardDeviation: standardDeviation)
        ThreadTeam.shared.run(&job, parallel: pairs >= 512) { context, part, parts in
            context.assumingMemoryBound(to: NormalPairsJob.self).pointee.compute(part, of: parts)
        }
        generator.skip(2 * pairs)
        for i in (first + 2 * pairs)..<count { data[i] = mean + standardDeviation * generator.nextNormal() }
    }
}

/// Box-Muller: from u₁ in (0, 1] and u₂ in [0, 1), the independent N(0, 1) pair
/// (r cos θ, r sin θ), r = √(-2 ln u₁), θ = 2π u₂; eight pairs per call.
@inline(__always)
func boxMuller(_ u1: SIMD8<Float>, _ u2: SIMD8<Float>) -> (SIMD8<Float>, SIMD8<Float>) {
    let radius = vectorSquareRoot(-2 * vectorLog(u1))
    let (sine, cosine) = vectorSineCosineOfTurns(u2)
    return (radius * cosine, radius * sine)
}

/// Box-Muller pairs, eight at a time, a range of pairs per part.
struct NormalPairsJob {
    let start: SeededGenerator
    let values: UnsafeMutablePointer<Float>
    let pairs: Int
    let mean, standardDeviation: Float

    func compute(_ part: Int, of parts: Int) {
        let range = ThreadTeam.range(part, of: parts, in: pairs)
        var generator = start
        generator.skip(2 * range.lowerBound)
        // The draws go to a stack buffer and are loaded as vectors (lanes set one by one compile
        // to a compare and blend per lane); a last group of fewer than eight pairs keeps u₁ = 1,
        // u₂ = 0 in its unused lanes.
        withUnsafeTemporaryAllocation(of: Float.self, capacity: 32) { buffer in
            let u1 = buffer.baseAddress!, u2 = u1 + 8, first = u1 + 16, second = u1 + 24
            var pair = range.lowerBound
            while pair < range.upperBound {
                let lanes = Swift.min(8, range.upperBound - pair)
                if lanes < 8 { u1.update(repeating: 1, count: 8); u2.update(repeating: 0, count: 8) }
                for l in 0..<lanes { (u1[l], u2[l]) = generator.nextBoxMullerDraws() }
                let (a, b) = boxMuller(load8(u1), load8(u2))
                store8(mean + standardDeviation * a, first)
                store8(mean + standardDeviation * b, second)
                for l in 0..<lanes {
                    values[2 * (pair + l)] = first[l]
                    values[2 * (pair + l) + 1] = second[l]
                }
                pair += lanes
            }
        }
    }
}
