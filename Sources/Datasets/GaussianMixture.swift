import Foundation
import TensorCore

// The toy data of the GAN lecture's pictures: an equal-weight mixture of isotropic Gaussians,
//   p(x) = (1/M) Σₘ N(x; cₘ, σ² I),
// drawn fresh for every batch (an endless training set), with its density known in closed form,
// so a trained generator's density and the optimal discriminator can be drawn beside it.

/// An equal-weight mixture of Gaussians with one standard deviation, in one or more dimensions.
public struct GaussianMixture: Sendable, Equatable {
    /// The components' means, each of `dimension` numbers.
    public let centres: [[Double]]
    /// σ of every component, in every direction.
    public let standardDeviation: Double

    public init(centres: [[Double]], standardDeviation: Double) {
        precondition(!centres.isEmpty && standardDeviation > 0, "a mixture needs a component and a positive σ")
        precondition(Set(centres.map(\.count)).count == 1, "every centre has the same dimension")
        (self.centres, self.standardDeviation) = (centres, standardDeviation)
    }

    /// Components evenly spaced on a circle of `radius` around the origin (Metz et al. 2016's ring).
    public static func ring(modes: Int = 8, radius: Double = 2, standardDeviation: Double = 0.05) -> GaussianMixture {
        GaussianMixture(
            centres: (0..<modes).map { m in
                let angle = 2 * Double.pi * Double(m) / Double(modes)
                return [radius * cos(angle), radius * sin(angle)]
            }, standardDeviation: standardDeviation)
    }

    /// `count` points spread evenly along a circle of `radius` (a uniform angle), with σ across it:
    /// what a model that smears the ring's modes into its circle would draw, the reference its
    /// mode counts are read against (about 19% of them lie within 3σ of a centre, and every mode
    /// passes a 0.8% rule).
    public static func ringSmear(
        _ count: Int, radius: Float = 2, standardDeviation: Float = 0.05, generator: inout SeededGenerator
    ) -> Tensor {
        let points = Tensor(zeros: Shape(count, 2))
        for i in 0..<count {
            let angle = 2 * Float.pi * generator.nextUniform()
            let distance = radius + standardDeviation * generator.nextNormal()
            (points[i, 0], points[i, 1]) = (distance * cos(angle), distance * sin(angle))
        }
        return points
    }

    /// Numbers per draw.
    public var dimension: Int { centres[0].count }

    /// `count` draws, (count, dimension): a component chosen uniformly, then its Gaussian.
    public func sample(_ count: Int, generator: inout SeededGenerator) -> Tensor {
        let draws = Tensor(zeros: Shape(count, dimension))
        fill(draws, generator: &generator)
        return draws
    }

    /// Overwrites each row of `draws` (N, dimension) with a fresh draw: a training step's batch
    /// without allocating one.
    public func fill(_ draws: Tensor, generator: inout SeededGenerator) {
        precondition(draws.shape.countPerItem == dimension, "draws of \(dimension) numbers each")
        for i in 0..<draws.shape[0] {
            let centre = centres[Int(generator.next() % UInt64(centres.count))]
            for d in 0..<dimension {
                draws.data[i * dimension + d] = Float(centre[d] + standardDeviation * Double(generator.nextNormal()))
            }
        }
    }

    /// p(x) at a point of `dimension` numbers.
    public func density(_ x: [Double]) -> Double {
        let variance = standardDeviation * standardDeviation
        let normaliser = pow(2 * Double.pi * variance, -Double(dimension) / 2)
        let sum = centres.reduce(0.0) { total, centre in
            total + normaliser * exp(-GaussianMixture.squaredDistance(x, centre) / (2 * variance))
        }
        return sum / Double(centres.count)
    }

    /// The nearest centre's index and the distance to it, in units of σ.
    public func nearestCentre(_ x: [Double]) -> (index: Int, deviations: Double) {
        var best = (index: 0, squared: Double.infinity)
        for (m, centre) in centres.enumerated() {
            let squared = GaussianMixture.squaredDistance(x, centre)
            if squared < best.squared { best = (m, squared) }
        }
        return (best.index, best.squared.squareRoot() / standardDeviation)
    }

    /// ‖a − b‖².
    static func squaredDistance(_ a: [Double], _ b: [Double]) -> Double {
        zip(a, b).reduce(0.0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }
    }
}
