import Datasets
import Foundation
import TensorCore

// How the toy-data pages judge samples of a Gaussian mixture, as the mode-collapse papers do
// (Metz et al. 2016; Srivastava et al. 2017; Lin et al. 2018, whose thresholds these are): a
// sample within 3σ of a centre is of high quality and counts for that mode; a mode is held when
// at least 20 of every 2,500 samples (0.8%) count for it.

/// Samples of a `GaussianMixture` sorted into its modes.
public struct ModeCoverage: Sendable, Codable, Equatable {
    /// High-quality samples per mode (within `radius` σ of its centre).
    public let counts: [Int]
    /// Samples judged.
    public let sampleCount: Int

    /// Sorts the rows of `samples` (N, dimension) into the modes of `mixture`.
    public init(samples: Tensor, mixture: GaussianMixture, radius: Double = 3) {
        let n = samples.shape[0], d = mixture.dimension
        precondition(samples.shape.countPerItem == d, "samples of \(d) numbers each")
        var counts = [Int](repeating: 0, count: mixture.centres.count)
        for i in 0..<n {
            let point = (0..<d).map { Double(samples.data[i * d + $0]) }
            let nearest = mixture.nearestCentre(point)
            if nearest.deviations <= radius { counts[nearest.index] += 1 }
        }
        (self.counts, sampleCount) = (counts, n)
    }

    /// The modes with at least 0.8% of the samples near them.
    public var modesHeld: Int { counts.filter { Double($0) >= 0.008 * Double(sampleCount) && $0 > 0 }.count }

    /// The share of samples within 3σ of some centre.
    public var highQualityShare: Double { Double(counts.reduce(0, +)) / Double(max(sampleCount, 1)) }
}

/// A density estimated by a histogram over fixed bins: a 1-D generator's density beside the
/// data's, on the same bins.
public struct DensityHistogram: Sendable, Codable, Equatable {
    /// The bins' edges: `bins` equal bins over [low, high].
    public let low: Double, high: Double
    /// The estimated density in each bin (the share of values in it over its width); values
    /// outside [low, high] count in no bin, so the densities integrate to the share inside.
    public let densities: [Double]

    public init(_ values: [Double], low: Double, high: Double, bins: Int) {
        precondition(high > low && bins > 0, "a histogram needs bins over a range")
        var counts = [Int](repeating: 0, count: bins)
        let width = (high - low) / Double(bins)
        for v in values where v >= low && v < high { counts[min(Int((v - low) / width), bins - 1)] += 1 }
        (self.low, self.high) = (low, high)
        densities = counts.map { Double($0) / (Double(max(values.count, 1)) * width) }
    }

    /// Each bin's centre.
    public var centres: [Double] {
        let width = (high - low) / Double(densities.count)
        return densities.indices.map { low + (Double($0) + 0.5) * width }
    }

    /// The total variation distance ½ ∫ |p − q| to another density on the same bins
    /// (0: the same; 1: no overlap).
    public func totalVariation(to other: [Double]) -> Double {
        precondition(other.count == densities.count, "densities on the same bins")
        let width = (high - low) / Double(densities.count)
        return 0.5 * zip(densities, other).reduce(0.0) { $0 + abs($1.0 - $1.1) } * width
    }
}
