import Foundation
import Testing
@testable import TensorCore

@Suite("Sample statistics: Fréchet distance, precision and recall")
struct SampleStatisticsTests {
    func statistics(_ t: Tensor) -> CovarianceAccumulator {
        let a = CovarianceAccumulator(dimension: t.shape.countPerItem)
        a.add(t)
        return a
    }

    @Test("Fréchet distance: 0 for one set, the closed form for a scaled and shifted copy and in one dimension")
    func frechet() {
        var g = SeededGenerator(seed: 1)
        let a = Tensor.normal([300, 6], using: &g)
        // Correlated features, so that the covariance is not diagonal.
        for r in 0..<300 { a[r, 1] += a[r, 0]; a[r, 4] -= 0.5 * a[r, 2] }
        #expect(abs(frechetDistance(statistics(a), statistics(a))) < 1e-9)
        // B = c A + shift: μ_B = c μ_A + shift and C_B = c² C_A, so FD = ‖(c − 1) μ_A + shift‖² + (1 − c)² tr C_A, exactly, for any sample.
        let c = 1.7, shift: [Float] = [1, -2, 0.5, 0, 3, -1]
        let b = Tensor(zeros: [300, 6])
        for r in 0..<300 { for j in 0..<6 { b[r, j] = Float(c) * a[r, j] + shift[j] } }
        let sa = statistics(a), covariance = sa.covariance
        let trace = (0..<6).reduce(0.0) { $0 + covariance[$1 * 6 + $1] }
        let meanA = sa.mean
        let expected =
            (0..<6).reduce(0.0) { $0 + pow((c - 1) * meanA[$1] + Double(shift[$1]), 2) } + (1 - c) * (1 - c) * trace
        let measured = frechetDistance(sa, statistics(b))
        #expect(abs(measured - expected) < 1e-6 * expected, "FD \(measured), closed form \(expected)")
        // In one dimension: (μ₁ − μ₂)² + (σ₁ − σ₂)².
        let x = Tensor(shape: [4, 1], values: [0, 1, 2, 3]), y = Tensor(shape: [3, 1], values: [5, 7, 9])
        let vx = (0..<4).reduce(0.0) { $0 + pow(Double($1) - 1.5, 2) } / 3, vy = 4.0
        let oneD = pow(1.5 - 7, 2) + pow(vx.squareRoot() - vy.squareRoot(), 2)
        #expect(abs(frechetDistance(statistics(x), statistics(y)) - oneD) < 1e-9)
    }

    @Test(
        "ROC: area 1 when every positive scores above every negative, 0 reversed, ½ for ties, and the Mann-Whitney count between"
    )
    func roc() {
        let perfect = receiverOperatingCharacteristic(
            scores: [0.9, 0.8, 0.2, 0.1], positives: [true, true, false, false])
        #expect(perfect.area == 1)
        #expect(
            perfect.points.map { [$0.falsePositiveRate, $0.truePositiveRate] } == [
                [0, 0], [0, 0.5], [0, 1], [0.5, 1], [1, 1],
            ])
        #expect(
            receiverOperatingCharacteristic(scores: [0.1, 0.2, 0.8, 0.9], positives: [true, true, false, false]).area
                == 0)
        let tied = receiverOperatingCharacteristic(scores: [1, 1, 1, 1], positives: [true, false, true, false])
        #expect(tied.area == 0.5 && tied.points.count == 2)
        // Pairs (positive, negative) ordered right: 3 of 4 here (the positive at 0.3 beats only the negative at 0.1).
        #expect(
            receiverOperatingCharacteristic(scores: [0.9, 0.3, 0.5, 0.1], positives: [true, true, false, false]).area
                == 0.75)
    }

    @Test("a matrix square root squares back")
    func squareRoot() {
        let m: [Double] = [4, 1, 0, 1, 3, 0.5, 0, 0.5, 2]
        let root = symmetricSquareRoot(m, size: 3)
        let square = multiplied(root, root, size: 3)
        for i in 0..<9 { #expect(abs(square[i] - m[i]) < 1e-12) }
    }

    @Test(
        "density and coverage (Naeem et al. 2020): a set against itself, a fresh draw of its distribution, a far set, a collapsed one, a scattered one"
    )
    func densityCoverage() {
        var g = SeededGenerator(seed: 3)
        let real = Tensor.normal([400, 5], using: &g)
        // Against itself: every point in its own ball and in those of the k points that reach it.
        let same = densityAndCoverage(real: real, generated: real, k: 5)
        #expect(abs(same.density - 6.0 / 5.0) < 0.05 && same.coverage == 1, "\(same)")
        // A fresh draw of the same distribution: density about 1, coverage near 1 − 2⁻ᵏ.
        let fresh = densityAndCoverage(real: real, generated: Tensor.normal([400, 5], using: &g), k: 5)
        #expect(abs(fresh.density - 1) < 0.15 && fresh.coverage > 0.9, "\(fresh)")
        let far = densityAndCoverage(real: real, generated: real.map { $0 + 100 }, k: 5)
        #expect(far.density == 0 && far.coverage == 0)
        // All samples on one real point: dense there, but they cover almost nothing.
        let collapsed = Tensor(zeros: [400, 5])
        for r in 0..<400 { for c in 0..<5 { collapsed[r, c] = real[0, c] } }
        let mode = densityAndCoverage(real: real, generated: collapsed, k: 5)
        #expect(mode.coverage < 0.05, "\(mode)")
        // Samples scattered ten times wider than the data: k-NN recall calls them diverse, density
        // and coverage see that few land near real points.
        let scattered = Tensor.normal([400, 5], using: &g).map { $0 * 10 }
        let spread = densityAndCoverage(real: real, generated: scattered, k: 5)
        #expect(spread.density < 0.05 && precisionAndRecall(real: real, generated: scattered).recall > 0.5, "\(spread)")
    }

    @Test("precision and recall: one set against itself, far apart sets, and a collapsed generator")
    func precisionRecall() {
        var g = SeededGenerator(seed: 2)
        let real = Tensor.normal([400, 5], using: &g)
        let same = precisionAndRecall(real: real, generated: real)
        #expect(same.precision == 1 && same.recall == 1)
        let far = real.map { $0 + 100 }
        let apart = precisionAndRecall(real: real, generated: far)
        #expect(apart.precision == 0 && apart.recall == 0)
        // All samples near one real point: they look real (precision high), but cover little (recall low).
        let collapsed = Tensor(zeros: [400, 5])
        for r in 0..<400 { for j in 0..<5 { collapsed[r, j] = real[0, j] + 0.01 * g.nextNormal() } }
        let mode = precisionAndRecall(real: real, generated: collapsed)
        #expect(mode.precision > 0.9 && mode.recall < 0.05, "\(mode)")
        // The blocks of the distance computation do not change the answer.
        #expect(nearestNeighbourRadii(real, k: 3).count == 400)
    }

    @Test("the judge's one-pass scores equal the definitions, worked out pair by pair in Double")
    func neighbourScoresAgainstDefinitions() {
        var g = SeededGenerator(seed: 4)
        // Scattered samples, so that every score is away from 0 and 1.
        let real = Tensor.normal([300, 4], using: &g), generated = Tensor.normal([200, 4], using: &g).map { $0 * 1.5 }
        func distance(_ a: Tensor, _ i: Int, _ b: Tensor, _ j: Int) -> Double {
            (0..<4).reduce(0.0) { $0 + pow(Double(a[i, $1]) - Double(b[j, $1]), 2) }
        }
        // The k-th nearest other point's squared distance, for every point of `set`.
        func radii(_ set: Tensor, _ k: Int) -> [Double] {
            (0..<set.shape[0]).map { i in
                (0..<set.shape[0]).filter { $0 != i }.map { distance(set, i, set, $0) }.sorted()[k - 1]
            }
        }
        let (real3, real5, generated3) = (radii(real, 3), radii(real, 5), radii(generated, 3))
        let (n, m) = (300, 200)
        // A small tolerance at the balls' edges: the one-pass distances are Float, through the BLAS.
        func inside(_ d: Double, _ r: Double) -> Bool { d <= r * (1 + 1e-5) }
        let precision =
            Double(
                (0..<m).filter { j in (0..<n).contains { inside(distance(generated, j, real, $0), real3[$0]) } }.count)
            / Double(m)
        let recall =
            Double(
                (0..<n).filter { i in (0..<m).contains { inside(distance(real, i, generated, $0), generated3[$0]) } }
                    .count) / Double(n)
        let density =
            Double(
                (0..<m).reduce(0) { sum, j in
                    sum + (0..<n).filter { inside(distance(generated, j, real, $0), real5[$0]) }.count
                }) / Double(5 * m)
        let coverage =
            Double(
                (0..<n).filter { i in (0..<m).contains { inside(distance(generated, $0, real, i), real5[i]) } }.count)
            / Double(n)
        let both = nearestNeighbourRadii(real, ks: [3, 5])
        #expect(both[0] == nearestNeighbourRadii(real, k: 3) && both[1] == nearestNeighbourRadii(real, k: 5))
        for (measured, defined) in zip(both[1], real5) {
            #expect(abs(Double(measured) - defined) < 1e-4 * (1 + defined))
        }
        let balls = realBalls(real, precisionK: 3, densityK: 5)
        #expect(balls.precision == both[0] && balls.density == both[1])
        let scores = neighbourScores(real: real, generated: generated, balls: balls, generatedK: 3)
        // One point more or less at a ball's edge at most.
        #expect(
            abs(scores.precision - precision) <= 1.0 / Double(m) && abs(scores.recall - recall) <= 1.0 / Double(n),
            "\(scores) against \(precision), \(recall)")
        #expect(
            abs(scores.density - density) <= 1.0 / Double(5 * m) && abs(scores.coverage - coverage) <= 1.0 / Double(n),
            "\(scores) against \(density), \(coverage)")
        #expect(
            scores.precision > 0.2 && scores.precision < 0.95 && scores.recall > 0.2 && scores.recall < 0.999
                && scores.coverage < 0.999, "\(scores)")
        // The two public forms read the same pass.
        let (p, r) = precisionAndRecall(real: real, generated: generated)
        let (d, c) = densityAndCoverage(real: real, generated: generated)
        #expect(p == scores.precision && r == scores.recall && d == scores.density && c == scores.coverage)
    }

    @Test(
        "distances a block at a time: radii and scores over several blocks and a partial last one equal the pairwise definitions"
    )
    func severalDistanceBlocks() {
        var g = SeededGenerator(seed: 6)
        // 4,194,304 distances a block: 1,398 rows of 3,000, so 3,000 rows make two full blocks and a partial one.
        let real = Tensor.normal([3_000, 2], using: &g), generated = Tensor.normal([1_500, 2], using: &g)
        #expect(distanceBlockRows(3_000) == 1_398)
        func distance(_ a: Tensor, _ i: Int, _ b: Tensor, _ j: Int) -> Float {
            let (x, y) = (a[i, 0] - b[j, 0], a[i, 1] - b[j, 1])
            return x * x + y * y
        }
        let radii = nearestNeighbourRadii(real, k: 3)
        for i in [0, 1_397, 1_398, 2_796, 2_999] {
            let defined = (0..<3_000).filter { $0 != i }.map { distance(real, i, real, $0) }.sorted()[2]
            #expect(abs(radii[i] - defined) <= 1e-5 * (1 + defined), "row \(i): \(radii[i]) against \(defined)")
        }
        // Every generated point's nearest real point, found block by block, against a direct search.
        let nearest = nearestRows(generated, in: real)
        for j in [0, 700, 1_499] {
            let direct = (0..<3_000).min { distance(generated, j, real, $0) < distance(generated, j, real, $1) }!
            #expect(nearest[j].index == direct)
        }
        // Density's hits summed over blocks: the same count as the pairs within each real ball.
        let balls = realBalls(real)
        let scores = neighbourScores(real: real, generated: generated, balls: balls)
        let hits = (0..<1_500).reduce(0) { sum, j in
            sum + (0..<3_000).filter { distance(generated, j, real, $0) <= balls.density[$0] * (1 + 1e-5) }.count
        }
        #expect(abs(scores.density * 5 * 1_500 - Double(hits)) <= 2, "\(scores.density * 5 * 1_500) against \(hits)")
    }
}
