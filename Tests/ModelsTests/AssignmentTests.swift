import Testing
@testable import Evaluation
@testable import TensorCore

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
