import CBLAS

// Distances between two sets of feature vectors, the yardsticks of generated samples:
// the Fréchet distance between Gaussians fitted to each set (Heusel et al. 2017's FID, with
// any feature extractor), and precision and recall from k-nearest-neighbour balls (Kynkäänniemi
// et al. 2019). D: feature dimensions.

/// The Fréchet (2-Wasserstein) distance between N(μ₁, C₁) and N(μ₂, C₂):
///   ‖μ₁ − μ₂‖² + tr C₁ + tr C₂ − 2 tr √(√C₁ C₂ √C₁),
/// with every square root taken through LAPACK's symmetric eigen-decomposition (√C₁ C₂ √C₁ is
/// symmetric, unlike C₁ C₂, so no iterative matrix square root is needed). Negative eigenvalues
/// from rounding count as zero.
public func frechetDistance(_ a: CovarianceAccumulator, _ b: CovarianceAccumulator) -> Double {
    precondition(
        a.dimension == b.dimension, "Fréchet distance between \(a.dimension)- and \(b.dimension)-dimensional features")
    let d = a.dimension
    let (meanA, meanB) = (a.mean, b.mean)
    let (c1, c2) = (a.covariance, b.covariance)
    var distance = 0.0
    for j in 0..<d { distance += (meanA[j] - meanB[j]) * (meanA[j] - meanB[j]) + c1[j * d + j] + c2[j * d + j] }
    let root1 = symmetricSquareRoot(c1, size: d)
    let product = multiplied(multiplied(root1, c2, size: d), root1, size: d)
    var symmetric = product
    // rounding only
    for i in 0..<d { for j in 0..<d { symmetric[i * d + j] = (product[i * d + j] + product[j * d + i]) / 2 } }
    let (values, _) = symmetricEigenDecomposition(symmetric, size: d)
    return distance - 2 * values.reduce(0) { $0 + max($1, 0).squareRoot() }
}

/// √M for a symmetric positive semi-definite D × D matrix: V diag(√λ) Vᵀ.
public func symmetricSquareRoot(_ matrix: [Double], size d: Int) -> [Double] {
    let (values, vectors) = symmetricEigenDecomposition(matrix, size: d)
    var scaled = vectors  // column k of V (contiguous, column-major) times √λ_k
    for k in 0..<d { let s = max(values[k], 0).squareRoot(); for i in 0..<d { scaled[k * d + i] *= s } }
    // Read row-major, the column-major arrays are √Λ Vᵀ and Vᵀ, so V √Λ Vᵀ = (√Λ Vᵀ)ᵀ Vᵀ.
    return multiplied(scaled, vectors, size: d, transposeA: true)
}

/// A · B (or Aᵀ · B) for row-major D × D matrices in Double.
func multiplied(_ a: [Double], _ b: [Double], size d: Int, transposeA: Bool = false) -> [Double] {
    var c = [Double](repeating: 0, count: d * d)
    a.withUnsafeBufferPointer { pa in
        b.withUnsafeBufferPointer { pb in
            c.withUnsafeMutableBufferPointer { pc in
                cblas_dgemm(
                    CblasRowMajor, transposeA ? CblasTrans : CblasNoTrans, CblasNoTrans, Int32(d), Int32(d), Int32(d),
                    1, pa.baseAddress, Int32(d),
                    pb.baseAddress, Int32(d), 0, pc.baseAddress, Int32(d))
            }
        }
    }
    return c
}

/// Precision and recall of `generated` against `real` features (rows of (N, D) tensors),
/// Kynkäänniemi et al. 2019: each point's ball reaches its k-th nearest neighbour in its own set;
/// precision is the share of generated points inside some real point's ball (how many samples
/// look real), recall the share of real points inside some generated point's ball (how much of
/// the real data the samples cover).
public func precisionAndRecall(real: Tensor, generated: Tensor, k: Int = 3) -> (precision: Double, recall: Double) {
    let scores = neighbourScores(
        real: real, generated: generated, balls: realBalls(real, precisionK: k, densityK: k), generatedK: k)
    return (scores.precision, scores.recall)
}

/// Squared distances between every row of `a` (M, D) and every row of `b` (N, D), rows
/// `rows` of `a` only: ‖a‖² + ‖b‖² − 2 a·b, the cross term one product through the BLAS,
/// shared out among the thread team like every product (a direct BLAS call here ran the
/// judge's distances, 10,000 × 60,000 of them per memorisation check, on one core).
public func squaredDistances(_ a: Tensor, rows: Range<Int>, _ b: Tensor, bNorms: [Float]) -> [Float] {
    var out = [Float](repeating: 0, count: rows.count * b.shape[0])
    squaredDistances(a, rows: rows, b, bNorms: bNorms, into: &out)
    return out
}

/// `squaredDistances(_:rows:_:bNorms:)` into the first rows.count × N values of `out`, which
/// holds at least that many: one buffer serves every block of a search (a fresh 16 MB block
/// each time had the kernel zero its pages, a fifth of a scoring's time).
public func squaredDistances(_ a: Tensor, rows: Range<Int>, _ b: Tensor, bNorms: [Float], into out: inout [Float]) {
    let d = a.shape.countPerItem, n = b.shape[0], m = rows.count
    precondition(out.count >= m * n, "room for \(m) × \(n) distances, got \(out.count)")
    out.withUnsafeMutableBufferPointer { o in
        // No rows or no points: nothing to multiply (and an empty buffer has no address).
        guard m * n > 0, let c = o.baseAddress else { return }
        multiply(
            a.data + rows.lowerBound * d, transposeA: false, b.data, transposeB: true, into: c, m: m, n: n, k: d,
            alpha: -2)
    }
    out.withUnsafeMutableBufferPointer { out in
        bNorms.withUnsafeBufferPointer { bNorms in
            ThreadTeam.shared.run { part, parts in
                for i in ThreadTeam.range(part, of: parts, in: m) {
                    let r = rows.lowerBound + i
                    var norm: Float = 0
                    for j in 0..<d { norm += a.data[r * d + j] * a.data[r * d + j] }
                    for c in 0..<n { out[i * n + c] = max(out[i * n + c] + norm + bNorms[c], 0) }
                }
            }
        }
    }
}

/// Each row's squared norm.
public func rowNorms(_ t: Tensor) -> [Float] {
    let d = t.shape.countPerItem
    return (0..<t.shape[0]).map { r in (0..<d).reduce(Float(0)) { $0 + t.data[r * d + $1] * t.data[r * d + $1] } }
}

/// The rows needed at a time so that a block of distances to `n` points stays near 16 MB.
func distanceBlockRows(_ n: Int) -> Int { max(1, (1 << 22) / max(n, 1)) }

/// Calls `body` with each block of rows of `points` (a range of row indices) and the squared
/// distances of those rows to every row of `centres` (row-major, block × centres), a block at a
/// time so that the distances never take more than about 16 MB.
func forEachDistanceBlock(
    _ points: Tensor, to centres: Tensor, _ body: (Range<Int>, UnsafeBufferPointer<Float>) -> Void
) {
    let n = points.shape[0], m = centres.shape[0]
    let norms = rowNorms(centres)
    var distances = [Float](repeating: 0, count: min(distanceBlockRows(m), n) * m)
    var start = 0
    while start < n {
        let rows = start..<min(start + distanceBlockRows(m), n)
        squaredDistances(points, rows: rows, centres, bNorms: norms, into: &distances)
        distances.withUnsafeBufferPointer { body(rows, UnsafeBufferPointer(rebasing: $0[0..<(rows.count * m)])) }
        start = rows.upperBound
    }
}

/// Each row's squared distance to its k-th nearest other row of `points`.
public func nearestNeighbourRadii(_ points: Tensor, k: Int) -> [Float] { nearestNeighbourRadii(points, ks: [k])[0] }

/// Each row's squared distance to its k-th nearest other row of `points`, for each k of `ks`,
/// from one pass over the distances (the largest k's nearest kept, sorted).
public func nearestNeighbourRadii(_ points: Tensor, ks: [Int]) -> [[Float]] {
    let n = points.shape[0], k = ks.max() ?? 1
    precondition(
        ks.allSatisfy { $0 >= 1 } && k < n, "k-nearest-neighbour radii need more than k = \(k) points, got \(n)")
    var radii = [Float](repeating: 0, count: ks.count * n)  // radii of ks[i] at i·n
    forEachDistanceBlock(points, to: points) { rows, distances in
        // Rows shared out among the team: each row's k nearest are its own.
        radii.withUnsafeMutableBufferPointer { radii in
            ThreadTeam.shared.run { part, parts in
                var nearest = [Float](repeating: .infinity, count: k)  // sorted ascending
                for i in ThreadTeam.range(part, of: parts, in: rows.count) {
                    let r = rows.lowerBound + i
                    for j in 0..<k { nearest[j] = .infinity }
                    for c in 0..<n where c != r {
                        let value = distances[i * n + c]
                        if value < nearest[k - 1] {
                            var j = k - 1
                            while j > 0 && nearest[j - 1] > value {
                                nearest[j] = nearest[j - 1]
                                j -= 1
                            }
                            nearest[j] = value
                        }
                    }
                    for (index, each) in ks.enumerated() { radii[index * n + r] = nearest[each - 1] }
                }
            }
        }
    }
    return ks.indices.map { Array(radii[($0 * n)..<(($0 + 1) * n)]) }
}

/// The k-nearest-neighbour scores of one set of generated points against the real ones.
public struct NeighbourScores: Sendable {
    /// Generated points inside some real ball (precision), real points inside some generated
    /// ball (recall; 0 when the generated balls were not asked for).
    public var precision = 0.0, recall = 0.0
    /// Real balls per generated point over k, and real points with a generated point in their
    /// ball (Naeem et al. 2020; the density balls).
    public var density = 0.0, coverage = 0.0
}

/// The real points' balls: each point's squared distance to its k-th nearest other point, for
/// precision's k and for density's, with the k each was made with.
public struct RealBalls: Sendable {
    public let precision: [Float], density: [Float]
    public let precisionK: Int, densityK: Int
}

/// `real`'s balls for precision (k = `precisionK`) and for density and coverage (`densityK`),
/// from one pass over its distances.
public func realBalls(_ real: Tensor, precisionK: Int = 3, densityK: Int = 5) -> RealBalls {
    let radii = nearestNeighbourRadii(real, ks: [precisionK, densityK])
    return RealBalls(precision: radii[0], density: radii[1], precisionK: precisionK, densityK: densityK)
}

/// Every k-NN score of `generated` against `real` from one pass over their distances (a
/// generated row against every real point, a block of rows at a time), plus one over the
/// generated points' own distances for their radii when `generatedK` is given (recall). The
/// real points' balls are given: the same real set (the judge's test features) serves every
/// evaluation, so they are worked out once (`realBalls`).
public func neighbourScores(real: Tensor, generated: Tensor, balls: RealBalls, generatedK: Int? = nil)
    -> NeighbourScores
{
    let n = real.shape[0], m = generated.shape[0], densityK = balls.densityK
    precondition(balls.precision.count == n && balls.density.count == n, "one radius per real point")
    let generatedRadii = generatedK.map { nearestNeighbourRadii(generated, k: $0) }
    let parts = PartialSums.maximumParts
    // Per part, so that parts never write the same memory (merged at the end): generated points
    // inside a precision ball and density hits, then one row of flags each for the real points
    // covered by a density ball and for those inside a generated ball.
    let counts = UnsafeMutableBufferPointer<Int>.allocate(capacity: 2 * parts)
    let flags = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: 2 * parts * n)
    counts.initialize(repeating: 0)
    flags.initialize(repeating: 0)
    defer { counts.deallocate(); flags.deallocate() }
    let ownRadii = generatedRadii ?? [Float](repeating: -1, count: m)  // no generated balls: no distance is ≤ −1
    balls.precision.withUnsafeBufferPointer { precisionRadii in
        balls.density.withUnsafeBufferPointer { densityRadii in
            ownRadii.withUnsafeBufferPointer { ownRadii in
                forEachDistanceBlock(generated, to: real) { rows, distances in
                    ThreadTeam.shared.run { part, parts in
                        let (covered, recalled) = (
                            flags.baseAddress! + 2 * part * n, flags.baseAddress! + (2 * part + 1) * n
                        )
                        for i in ThreadTeam.range(part, of: parts, in: rows.count) {
                            let ownRadius = ownRadii[rows.lowerBound + i]
                            var isInside = false
                            for c in 0..<n {
                                let d = distances[i * n + c]
                                if d <= precisionRadii[c] { isInside = true }
                                if d <= densityRadii[c] {
                                    counts[2 * part + 1] += 1
                                    covered[c] = 1
                                }
                                if d <= ownRadius { recalled[c] = 1 }
                            }
                            if isInside { counts[2 * part] += 1 }
                        }
                    }
                }
            }
        }
    }
    // Real points flagged by any part, `offset` 0 for covered, 1 for recalled.
    func count(_ offset: Int) -> Int {
        (0..<n).filter { c in (0..<parts).contains { flags[(2 * $0 + offset) * n + c] != 0 } }.count
    }
    let (inside, hits) = (
        stride(from: 0, to: 2 * parts, by: 2).reduce(0) { $0 + counts[$1] },
        stride(from: 1, to: 2 * parts, by: 2).reduce(0) { $0 + counts[$1] }
    )
    return NeighbourScores(
        precision: Double(inside) / Double(max(m, 1)),
        recall: generatedK == nil ? 0 : Double(count(1)) / Double(max(n, 1)),
        density: Double(hits) / Double(densityK * max(m, 1)),
        coverage: Double(count(0)) / Double(max(n, 1)))
}

/// The receiver operating characteristic of `scores` for telling `positives` (true) from the
/// rest, a higher score meaning "more likely positive": the (false positive rate, true positive
/// rate) points as the threshold falls past each distinct score, from (0, 0) to (1, 1), and the
/// area under them (tied scores form one diagonal step, so ties count half, as in the
/// Mann-Whitney statistic). Needs at least one positive and one negative.
public func receiverOperatingCharacteristic(scores: [Double], positives: [Bool]) -> (
    points: [(falsePositiveRate: Double, truePositiveRate: Double)], area: Double
) {
    precondition(scores.count == positives.count, "one label per score")
    let positiveCount = positives.filter { $0 }.count, negativeCount = positives.count - positiveCount
    precondition(positiveCount > 0 && negativeCount > 0, "a ROC curve needs both positives and negatives")
    let order = scores.indices.sorted { scores[$0] > scores[$1] }
    var points: [(falsePositiveRate: Double, truePositiveRate: Double)] = [(0, 0)]
    var (truePositives, falsePositives, area) = (0, 0, 0.0)
    var i = 0
    while i < order.count {
        // Every image with this score crosses the threshold at once.
        let (previousFP, previousTP) = (falsePositives, truePositives)
        var j = i
        while j < order.count && scores[order[j]] == scores[order[i]] {
            if positives[order[j]] { truePositives += 1 } else { falsePositives += 1 }
            j += 1
        }
        area += Double(falsePositives - previousFP) * Double(truePositives + previousTP) / 2  // a trapezoid, in counts
        points.append((Double(falsePositives) / Double(negativeCount), Double(truePositives) / Double(positiveCount)))
        i = j
    }
    return (points, area / (Double(positiveCount) * Double(negativeCount)))
}

/// Density and coverage of `generated` against `real` features (rows of (M, D) and (N, D)
/// tensors), Naeem et al. 2020, "Reliable Fidelity and Diversity Metrics for Generative Models",
/// made for the failure of k-NN precision and recall: one far-scattered sample has a ball big
/// enough to hold many real points, so scattered samples earn recall. Only the real points'
/// balls count here, each reaching its k-th nearest real neighbour (k = 5, the paper's):
///   density  = 1/(kM) Σ_j Σ_i 1[F_j ∈ B(R_i)]   how many real balls a sample falls in, over k:
///              about 1 for samples distributed like the data, above 1 where they crowd into its
///              dense regions, near 0 for samples off the data;
///   coverage = 1/N Σ_i 1[∃ j: F_j ∈ B(R_i)]      the share of real points with a sample in their
///              ball: how much of the data the samples cover, in [0, 1].
public func densityAndCoverage(real: Tensor, generated: Tensor, k: Int = 5) -> (density: Double, coverage: Double) {
    let scores = neighbourScores(real: real, generated: generated, balls: realBalls(real, precisionK: k, densityK: k))
    return (scores.density, scores.coverage)
}

/// For each row of `points`, the nearest row of `centres` and its Euclidean distance.
public func nearestRows(_ points: Tensor, in centres: Tensor) -> [(index: Int, distance: Double)] {
    let m = centres.shape[0]
    var best = [(index: Int, distance: Float)](repeating: (-1, .infinity), count: points.shape[0])
    forEachDistanceBlock(points, to: centres) { rows, distances in
        for (i, r) in rows.enumerated() {
            for c in 0..<m where distances[i * m + c] < best[r].distance { best[r] = (c, distances[i * m + c]) }
        }
    }
    return best.map { ($0.index, Double(max($0.distance, 0)).squareRoot()) }
}
