import Foundation
import TensorCore

/// One figure measured several times, and how far to trust its mean. Two kinds:
/// - repeated measurements (training seeds, draws of samples): `values` are independent, the
///   mean is their mean, and its standard error is s / √n;
/// - a bootstrap (`bootstrap`): `estimate` is the figure on all the data and `values` are its
///   resamples, whose standard deviation already is the estimate's standard error.
/// A verdict quotes a figure as `text`, "98.0 ± 1.2" (the mean and the standard deviation of
/// the values: over seeds, or the bootstrap's standard error), and decides "A is below B" only
/// when the gap is larger than its standard error times Student's t for the seeds at hand
/// (`isClearlyBelow`): with one seed nothing is clear.
public struct Spread: Codable, Equatable, Sendable {
    public var values: [Double]
    /// For a bootstrap: the figure on all the data.
    public var estimate: Double?

    public init(_ values: [Double]) {
        precondition(!values.isEmpty, "a spread of no values")
        self.values = values
    }

    public var count: Int { values.count }
    public var isBootstrap: Bool { estimate != nil }
    /// The figure: the bootstrap's estimate, or the values' mean.
    public var mean: Double { estimate ?? values.reduce(0, +) / Double(values.count) }

    /// The values' sample standard deviation, √(Σ (v − v̄)² / (n − 1)); 0 for one value.
    public var standardDeviation: Double {
        guard values.count > 1 else { return 0 }
        let m = values.reduce(0, +) / Double(values.count)
        return (values.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(values.count - 1)).squareRoot()
    }

    /// The standard error of `mean`: s / √n for repeated measurements, s for a bootstrap.
    public var standardError: Double {
        isBootstrap ? standardDeviation : standardDeviation / Double(values.count).squareRoot()
    }

    /// "98.0 ± 1.2": `mean` and the standard deviation with `digits` decimals.
    public func text(_ digits: Int) -> String {
        String(format: "%.\(digits)f ± %.\(digits)f", mean, standardDeviation)
    }

    /// "81.2 ± 0.4%": a fraction's mean and standard deviation in percent.
    public func percent(_ digits: Int = 1) -> String {
        String(format: "%.\(digits)f ± %.\(digits)f%%", 100 * mean, 100 * standardDeviation)
    }

    /// The two-sided 95% critical value of Student's t for the fewer values of two repeated
    /// measurements (n − 1 degrees of freedom); 1.96 for bootstraps (normal); nil with a single
    /// value, where no gap can be told from noise.
    static func criticalValue(_ a: Spread, _ b: Spread) -> Double? {
        if a.isBootstrap && b.isBootstrap { return 1.96 }
        let n = min(a.isBootstrap ? Int.max : a.count, b.isBootstrap ? Int.max : b.count)
        guard n >= 2 else { return nil }
        let table: [Double] = [12.71, 4.30, 3.18, 2.78, 2.57, 2.45, 2.36, 2.31, 2.26]
        return n - 2 < table.count ? table[n - 2] : 2.0
    }

    /// Whether `mean` lies below `other`'s by more than the critical value times the standard
    /// error of the difference, √(se₁² + se₂²): a two-sided test at about 95%. Never with one
    /// seed on a side.
    public func isClearlyBelow(_ other: Spread) -> Bool {
        guard let critical = Spread.criticalValue(self, other) else { return false }
        let error = (standardError * standardError + other.standardError * other.standardError).squareRoot()
        return other.mean - mean > critical * error
    }

    /// Whether the figure is clearly below `value` (a fixed threshold): by more than the
    /// critical value times its standard error.
    public func isClearlyBelow(_ value: Double) -> Bool {
        guard let critical = Spread.criticalValue(self, self) else { return false }
        return value - mean > critical * standardError
    }

    /// Whether the figure is clearly above `value`.
    public func isClearlyAbove(_ value: Double) -> Bool {
        guard let critical = Spread.criticalValue(self, self) else { return false }
        return mean - value > critical * standardError
    }
}

extension Spread {
    /// A bootstrap of `statistic` over `count` items (images, samples): the statistic on all of
    /// them (`estimate`), and `resamples` values of it, each over `count` indices drawn with
    /// replacement, whose standard deviation is the estimate's standard error.
    public static func bootstrap(
        count: Int, resamples: Int = 200, seed: UInt64, _ statistic: ([Int]) -> Double
    ) -> Spread {
        var random = SeededGenerator(seed: seed ^ 0xB007_5742)
        var spread = Spread(
            (0..<resamples).map { _ in statistic((0..<count).map { _ in Int.random(in: 0..<count, using: &random) }) })
        spread.estimate = statistic(Array(0..<count))
        return spread
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
