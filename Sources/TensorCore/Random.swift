#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A seeded random number generator whose stream is the same on every run and platform:
/// xoshiro256** (Blackman & Vigna, 2018), its state filled from the seed by SplitMix64.
///
/// Uniform floats use the top 24 bits; normals use Box-Muller computed in Double, so the only
/// platform dependence left is libm's last-bit rounding of log/cos/sin before the Float cast.
/// Integer draws use our own rejection rule rather than the standard library's, whose
/// algorithm is not promised to stay the same across Swift versions.
public struct SeededGenerator: RandomNumberGenerator, Sendable {
    private var s0, s1, s2, s3: UInt64
    private var spareNormal: Double?

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
        if let spare = takeSpareNormal() { return Float(spare) }
        let (first, second) = nextNormalPair()
        spareNormal = second
        return Float(first)
    }

    /// Box-Muller from the next two draws: (r cos θ, r sin θ), r = √(-2 ln u₁), θ = 2π u₂.
    @inline(__always)
    mutating func nextNormalPair() -> (Double, Double) {
        // u1 in (0, 1] so that log(u1) is finite.
        let u1 = Double((next() >> 11) + 1) * 0x1p-53
        let u2 = Double(next() >> 11) * 0x1p-53
        let radius = (-2 * log(u1)).squareRoot()
        let angle = 2 * Double.pi * u2
        return (radius * cos(angle), radius * sin(angle))
    }

    /// The second value of the last pair, if `nextNormal` has not handed it out yet.
    mutating func takeSpareNormal() -> Double? {
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
    public static func uniform(_ shape: Shape, low: Float = 0, high: Float = 1,
                               using generator: inout SeededGenerator) -> Tensor {
        let t = Tensor(zeros: shape)
        t.fillUniform(low: low, high: high, using: &generator)
        return t
    }

    /// A tensor of draws from N(mean, standardDeviation²).
    public static func normal(_ shape: Shape, mean: Float = 0, standardDeviation: Float = 1,
                              using generator: inout SeededGenerator) -> Tensor {
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
    /// in the middle are shared out among the thread team (libm's log, sin and cos took 1% of a
    /// VAE step on one core while the other waited): each part takes a copy of the generator,
    /// moves it past the draws of the pairs before its own, and transforms its pairs.
    public func fillNormal(mean: Float = 0, standardDeviation: Float = 1, using generator: inout SeededGenerator) {
        var first = 0
        if count > 0, let spare = generator.takeSpareNormal() {
            data[0] = mean + standardDeviation * Float(spare)
            first = 1
        }
        let pairs = (count - first) / 2
        var job = NormalPairsJob(start: generator, values: data + first, pairs: pairs, mean: mean, standardDeviation: standardDeviation)
        ThreadTeam.shared.run(&job, parallel: pairs >= 512) { context, part, parts in
            context.assumingMemoryBound(to: NormalPairsJob.self).pointee.compute(part, of: parts)
        }
        generator.skip(2 * pairs)
        for i in (first + 2 * pairs)..<count { data[i] = mean + standardDeviation * generator.nextNormal() }
    }
}

/// Box-Muller pairs written two values at a time, a range of pairs per part.
struct NormalPairsJob {
    let start: SeededGenerator
    let values: UnsafeMutablePointer<Float>
    let pairs: Int
    let mean, standardDeviation: Float

    func compute(_ part: Int, of parts: Int) {
        let range = ThreadTeam.range(part, of: parts, in: pairs)
        var generator = start
        generator.skip(2 * range.lowerBound)
        for pair in range {
            let (first, second) = generator.nextNormalPair()
            values[2 * pair] = mean + standardDeviation * Float(first)
            values[2 * pair + 1] = mean + standardDeviation * Float(second)
        }
    }
}
