import Datasets
import Foundation
import NN

// What the figures need from a model, computed here so that the Gallery target only draws.

/// How to travel between two latent codes.
public enum LatentPath: String, Sendable, CaseIterable {
    /// (1 - t) a + t b
    case linear
    /// Spherical interpolation (Shoemake 1985), which keeps a Gaussian code's norm typical
    /// along the way (White 2016, "Sampling Generative Networks").
    case slerp

    /// The point at t in [0, 1] between a and b, appended to `out`.
    func appendPoint(
        _ t: Float, from a: UnsafePointer<Float>, to b: UnsafePointer<Float>, dimension d: Int, into out: inout [Float]
    ) {
        var wa = 1 - t, wb = t
        if self == .slerp {
            var dot = 0.0, na = 0.0, nb = 0.0
            for j in 0..<d { dot += Double(a[j] * b[j]); na += Double(a[j] * a[j]); nb += Double(b[j] * b[j]) }
            let cosine = max(-1, min(1, dot / max((na * nb).squareRoot(), 1e-12)))
            let omega = acos(cosine)
            if omega > 1e-4 {  // nearly parallel codes: slerp is linear there
                wa = Float(sin((1 - Double(t)) * omega) / sin(omega))
                wb = Float(sin(Double(t) * omega) / sin(omega))
            }
        }
        for j in 0..<d { out.append(wa * a[j] + wb * b[j]) }
    }
}

/// Rows of images along latent paths.
public struct Interpolation {
    /// (rows * steps, C*H*W) decoded images in [0, 1], row by row.
    public var images: Tensor
    /// For AE and VAE: (rows * 2) the real test images at each row's two ends, in [0, 1]; nil for a GAN.
    public var endpoints: Tensor?
    public var rows: Int
    public var steps: Int
}

extension GenerativeModel {
    /// `rows` paths of `steps` points: between the codes of random test images (AE, VAE), or
    /// between random prior codes (GAN).
    public func interpolation(rows: Int, steps: Int, path: LatentPath, test: Dataset, generator: inout SeededGenerator)
        -> Interpolation
    {
        let d = latentDimension
        let chosen = (0..<(2 * rows)).map { _ in generator.nextInt(below: test.count) }
        let originals = test.images(chosen, range: .unit)
        let ends: Tensor
        let encoded = encode(originals)
        if let encoded {
            ends = encoded
        } else {
            ends = codes(fromPriorDraws: priorDraws(count: 2 * rows, generator: &generator), temperature: 1)
        }
        var points: [Float] = []
        for r in 0..<rows {
            for s in 0..<steps {
                path.appendPoint(
                    Float(s) / Float(steps - 1), from: ends.data + 2 * r * d, to: ends.data + (2 * r + 1) * d,
                    dimension: d, into: &points)
            }
        }
        return Interpolation(
            images: decode(Tensor(shape: [rows * steps, d], values: points)),
            endpoints: encoded == nil ? nil : originals, rows: rows, steps: steps)
    }

    /// A side x side grid of decoded codes over the first two latent units (the others at the
    /// prior's centre), at the prior's quantiles: Kingma & Welling's manifold figure.
    public func manifold(side: Int) -> Tensor {
        let d = latentDimension
        let draws = Tensor(zeros: [side * side, d])
        for row in 0..<side {
            for column in 0..<side {
                // Quantiles (i + 0.5) / side avoid the infinite ends; y grows upwards.
                draws[row * side + column, 0] = prior.quantile((Float(column) + 0.5) / Float(side))
                if d > 1 { draws[row * side + column, 1] = prior.quantile(1 - (Float(row) + 0.5) / Float(side)) }
                for j in 2..<max(d, 2) { draws[row * side + column, j] = prior.quantile(0.5) }
            }
        }
        return decode(codes(fromPriorDraws: draws, temperature: 1))
    }

    /// The lecture's "encode, change one feature, decode": for each of `units`, `steps` copies
    /// of `code` (1, latent) with that unit alone swept across the prior's range (quantiles
    /// 2.5% … 97.5% of N(0, 1) for the VAE, the training codes' range for the AE), decoded:
    /// (units.count · steps) images, a row per unit.
    public func traversal(of code: Tensor, units: [Int], steps: Int) -> Tensor {
        let d = latentDimension
        precondition(code.shape == Shape(1, d) && units.allSatisfy { (0..<d).contains($0) } && steps >= 2)
        // Each step's value of every unit: the prior's quantile, mapped into the model's codes.
        let sweep = Tensor(zeros: [steps, d])
        for s in 0..<steps {
            let value = prior.quantile(0.025 + 0.95 * Float(s) / Float(steps - 1))
            for j in 0..<d { sweep[s, j] = value }
        }
        let values = codes(fromPriorDraws: sweep, temperature: 1)
        let codes = Tensor(zeros: [units.count * steps, d])
        for (row, unit) in units.enumerated() {
            for s in 0..<steps {
                for j in 0..<d { codes[row * steps + s, j] = j == unit ? values[s, j] : code[0, j] }
            }
        }
        return decode(codes)
    }

    /// Test-set codes in two dimensions (the codes themselves for a 2-D latent, else their first
    /// two principal components) with labels; nil for a GAN.
    public func latentMap(_ test: Dataset, limit: Int = 5000) -> (points: Tensor, labels: [Int], projected: Bool)? {
        let n = min(limit, test.count)
        var codes: [Float] = []
        var hasEncoder = true
        test.prefix(n).forEachChunk(range: .unit) { x in
            guard hasEncoder, let z = encode(x) else { hasEncoder = false; return }
            codes += z.scalars
        }
        guard hasEncoder else { return nil }
        let matrix = Tensor(shape: [n, latentDimension], values: codes)
        if latentDimension <= 2 {
            if latentDimension == 2 { return (matrix, Array(test.labels[0..<n]), false) }
            let padded = Tensor(zeros: [n, 2])
            for i in 0..<n { padded[i, 0] = matrix[i, 0] }
            return (padded, Array(test.labels[0..<n]), false)
        }
        return (PrincipalComponents(matrix, count: 2).project(matrix), Array(test.labels[0..<n]), true)
    }
}

/// Each image's error under `loss`, summed over its pixels, between `originals` and
/// `reconstructions` (both pixels in [0, 1]): binary cross-entropy (reconstructions clamped
/// away from 0 and 1) or squared error.
public func reconstructionErrors(originals: Tensor, reconstructions: Tensor, loss: ReconstructionLoss = .bce) -> [Float]
{
    let size = originals.shape.countPerItem
    return (0..<originals.shape[0]).map { n in
        var total = 0.0
        for j in 0..<size {
            let t = Double(originals[n * size + j]), r = Double(reconstructions[n * size + j])
            switch loss {
            case .bce:
                let p = min(max(r, 1e-7), 1 - 1e-7)
                total -= t * log(p) + (1 - t) * log(1 - p)
            case .mse:
                total += (r - t) * (r - t)
            }
        }
        return Float(total)
    }
}
