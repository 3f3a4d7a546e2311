import Foundation
import TensorCore

/// One figure measured several times (over seeds, or over draws of samples): its values, their
/// mean and their spread. A verdict quotes a figure as `text`, "98.0 ± 1.2", the mean and the
/// sample standard deviation, and decides "A is lower than B" only when the gap is larger than
/// twice its standard error (`isClearlyBelow`), so that noise is not read as an effect.
public struct Spread: Codable, Equatable, Sendable {
    public var values: [Double]

    public init(_ values: [Double]) {
        precondition(!values.isEmpty, "a spread of no values")
        self.values = values
    }

    public var count: Int { values.count }
    public var mean: Double { values.reduce(0, +) / Double(values.count) }

    /// The sample standard deviation, √(Σ (v − mean)² / (n − 1)); 0 for one value.
    public var standardDeviation: Double {
        guard values.count > 1 else { return 0 }
        let m = mean
        return (values.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(values.count - 1)).squareRoot()
    }

    /// The standard error of the mean, s / √n.
    public var standardError: Double { standardDeviation / Double(values.count).squareRoot() }

    /// "98.0 ± 1.2": the mean and the standard deviation with `digits` decimals.
    public func text(_ digits: Int) -> String {
        String(format: "%.\(digits)f ± %.\(digits)f", mean, standardDeviation)
    }

    /// "81.2 ± 0.4%": a fraction's mean and standard deviation in percent.
    public func percent(_ digits: Int = 1) -> String {
        String(format: "%.\(digits)f ± %.\(digits)f%%", 100 * mean, 100 * standardDeviation)
    }

    /// Whether this figure's mean lies below `other`'s by more than twice the standard error of
    /// the difference, √(s₁²/n₁ + s₂²/n₂): about a 95% two-sided test for the gap.
    public func isClearlyBelow(_ other: Spread) -> Bool {
        let error = (standardError * standardError + other.standardError * other.standardError).squareRoot()
        return other.mean - mean > 2 * error
    }

    /// The values of `self` minus `other`, pair by pair (the same seeds or draws): for a gap
    /// whose spread is the spread of the paired differences.
    public func minus(_ other: Spread) -> Spread {
        precondition(count == other.count, "paired differences need as many values on each side")
        return Spread(zip(values, other.values).map { $0 - $1 })
    }
}

extension Spread {
    /// A bootstrap of `statistic` over `count` items (images, samples): `resamples` values of it,
    /// each over `count` indices drawn with replacement. Their standard deviation is the
    /// statistic's standard error; `text` shows it after the mean of the resamples.
    public static func bootstrap(
        count: Int, resamples: Int = 200, seed: UInt64, _ statistic: ([Int]) -> Double
    ) -> Spread {
        var random = SeededGenerator(seed: seed ^ 0xB007_5742)
        return Spread(
            (0..<resamples).map { _ in statistic((0..<count).map { _ in Int.random(in: 0..<count, using: &random) }) })
    }
}

/// The mean of `values` over `indices`.
public func meanOver(_ indices: [Int], of values: [Double]) -> Double {
    indices.reduce(0) { $0 + values[$1] } / Double(max(indices.count, 1))
}

extension Spread {
    /// The mean of a per-item figure (an error per test image), with its bootstrap spread.
    public static func meanOf(_ values: [Double], seed: UInt64) -> Spread {
        bootstrap(count: values.count, seed: seed) { meanOver($0, of: values) }
    }

    /// mean(a) / mean(b) for two figures measured on the same items (two models' errors on the
    /// same test images), with its bootstrap spread: the items are resampled in pairs.
    public static func ratioOfMeans(_ a: [Double], _ b: [Double], seed: UInt64) -> Spread {
        precondition(a.count == b.count, "a paired ratio needs the same items on both sides")
        return bootstrap(count: a.count, seed: seed) { meanOver($0, of: a) / meanOver($0, of: b) }
    }
}

extension String {
    /// The text with its first letter in capitals: a sentence built from clauses.
    public var capitalisedFirst: String { prefix(1).uppercased() + dropFirst() }
}
