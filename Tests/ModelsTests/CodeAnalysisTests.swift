import Testing
@testable import Evaluation
@testable import TensorCore
@testable import Datasets

@Suite("the assignment problem (matching two networks' units)")
struct AssignmentTests {
    /// The best total over every permutation, by brute force.
    func bestTotal(_ scores: [[Double]]) -> Double {
        func permutations(_ items: [Int]) -> [[Int]] {
            items.count <= 1
                ? [items]
                : items.indices.flatMap { i in
                    permutations(Array(items[..<i] + items[(i + 1)...])).map { [items[i]] + $0 }
                }
        }
        return permutations(Array(scores.indices)).map { p in p.indices.reduce(0.0) { $0 + scores[$1][p[$1]] } }.max()!
    }

    @Test("the pairs are a permutation whose total is the brute-force best, on random matrices of sizes 1 to 6")
    func matchesBruteForce() {
        var g = SeededGenerator(seed: 3)
        for n in 1...6 {
            for _ in 0..<20 {
                let scores = (0..<n).map { _ in (0..<n).map { _ in Double(g.nextUniform(-1, 1)) } }
                let pairs = Assignment.maximising(scores)
                #expect(Set(pairs).count == n && pairs.allSatisfy { (0..<n).contains($0) })
                let total = pairs.indices.reduce(0.0) { $0 + scores[$1][pairs[$1]] }
                #expect(abs(total - bestTotal(scores)) < 1e-9)
            }
        }
        // A shuffled identity is found back.
        let order = [2, 0, 3, 1]
        let shuffled = (0..<4).map { i in (0..<4).map { j in j == order[i] ? 1.0 : 0.0 } }
        #expect(Assignment.maximising(shuffled) == order)
    }
}

@Suite("clustering codes: k-means and normalised mutual information")
struct ClusteringTests {
    @Test("NMI is 1 for the same groups under other names, near 0 for independent ones")
    func mutualInformation() {
        let labels = (0..<1_000).map { $0 % 10 }
        #expect(abs(normalisedMutualInformation(labels, labels.map { (7 * $0 + 3) % 10 }) - 1) < 1e-12)
        var g = SeededGenerator(seed: 4)
        let random = labels.map { _ in Int(g.next() % 10) }
        #expect(normalisedMutualInformation(labels, random) < 0.02)
        // One group for everything tells nothing.
        #expect(normalisedMutualInformation(labels, [Int](repeating: 0, count: 1_000)) == 0)
    }

    @Test("k-means finds well-separated blobs whatever their order, and its clusters' NMI with the blobs is 1")
    func separatedBlobs() {
        let mixture = GaussianMixture.ring(modes: 5, radius: 10, standardDeviation: 0.3)
        var g = SeededGenerator(seed: 5)
        let points = mixture.sample(500, generator: &g)
        let truth = (0..<500).map { i in
            mixture.nearestCentre([Double(points[i, 0]), Double(points[i, 1])]).index
        }
        let clusters = KMeans(points, clusters: 5, seed: 1)
        #expect(abs(normalisedMutualInformation(clusters.assignments, truth) - 1) < 1e-9)
        // Every centre sits on one of the mixture's.
        for c in 0..<5 {
            let nearest = mixture.nearestCentre([Double(clusters.centres[c, 0]), Double(clusters.centres[c, 1])])
            #expect(nearest.deviations < 1)
        }
    }
}
