import Foundation
import TensorCore

// Codes as features, judged without a classifier: k-means groups the codes (Lloyd's algorithm
// from k-means++ starts, Arthur & Vassilvitskii 2007), and the normalised mutual information
// says how much the groups tell about the labels,
//   NMI(A, B) = I(A; B) / ((H(A) + H(B)) / 2),
// 1 when the groups are the classes (in any order), 0 when they are independent of them
// (the arithmetic-mean normalisation, scikit-learn's default).

/// k-means clusters of the rows of a (N, D) tensor.
public struct KMeans: Sendable {
    /// (k, D): each cluster's mean.
    public let centres: Tensor
    /// Each row's cluster.
    public let assignments: [Int]
    /// Lloyd iterations run until no row changed cluster (or the limit).
    public let iterations: Int

    /// Clusters `points` into `k` groups from k-means++ starts drawn with `seed`.
    public init(_ points: Tensor, clusters k: Int, seed: UInt64, maximumIterations: Int = 100) {
        let (n, d) = (points.shape[0], points.shape.countPerItem)
        precondition(k >= 1 && k <= n, "k-means needs between 1 and \(n) clusters")
        var random = SeededGenerator(seed: seed)
        let centres = Tensor(zeros: Shape(k, d))
        func setCentre(_ c: Int, toRow row: Int) {
            for j in 0..<d { centres.data[c * d + j] = points.data[row * d + j] }
        }
        // k-means++: each next start is a row drawn with probability ∝ its squared distance to the
        // nearest start so far.
        setCentre(0, toRow: Int(random.next() % UInt64(n)))
        for c in 1..<k {
            let chosen = Tensor(zeros: Shape(c, d))
            chosen.data.update(from: centres.data, count: c * d)
            let squared = nearestRows(points, in: chosen).map { $0.distance * $0.distance }
            let total = squared.reduce(0, +)
            var target = Double(random.nextUniform()) * total, row = n - 1
            for (i, s) in squared.enumerated() {
                target -= s
                if target < 0 { row = i; break }
            }
            setCentre(c, toRow: row)
        }
        var assignments = [Int](repeating: -1, count: n), iteration = 0
        while iteration < maximumIterations {
            iteration += 1
            let nearest = nearestRows(points, in: centres)
            let next = nearest.map(\.index)
            if next == assignments { break }
            assignments = next
            var sums = [Double](repeating: 0, count: k * d), counts = [Int](repeating: 0, count: k)
            for i in 0..<n {
                counts[assignments[i]] += 1
                for j in 0..<d { sums[assignments[i] * d + j] += Double(points.data[i * d + j]) }
            }
            // An empty cluster restarts at the row farthest from its centre, each at a different row.
            var farthest = nearest.indices.sorted { nearest[$0].distance > nearest[$1].distance }.makeIterator()
            for c in 0..<k {
                if counts[c] == 0 {
                    setCentre(c, toRow: farthest.next() ?? 0)
                } else {
                    for j in 0..<d { centres.data[c * d + j] = Float(sums[c * d + j] / Double(counts[c])) }
                }
            }
        }
        // Stopped by the limit, the assignments are a step behind the centres: one more.
        if iteration == maximumIterations { assignments = nearestRows(points, in: centres).map(\.index) }
        (self.centres, self.assignments, self.iterations) = (centres, assignments, iteration)
    }
}

/// NMI between two labellings of the same items: I(A; B) / ((H(A) + H(B)) / 2), in [0, 1].
public func normalisedMutualInformation(_ a: [Int], _ b: [Int]) -> Double {
    precondition(a.count == b.count && !a.isEmpty, "two labellings of the same items")
    let n = Double(a.count)
    // Dense counts over the labels' sorted values: sums in one order, so one result to the bit.
    let (valuesA, valuesB) = (Array(Set(a)).sorted(), Array(Set(b)).sorted())
    let indexA = Dictionary(uniqueKeysWithValues: valuesA.enumerated().map { ($1, $0) })
    let indexB = Dictionary(uniqueKeysWithValues: valuesB.enumerated().map { ($1, $0) })
    var joint = [Int](repeating: 0, count: valuesA.count * valuesB.count)
    var countA = [Int](repeating: 0, count: valuesA.count), countB = [Int](repeating: 0, count: valuesB.count)
    for (x, y) in zip(a, b) {
        let (i, j) = (indexA[x]!, indexB[y]!)
        joint[i * valuesB.count + j] += 1
        countA[i] += 1
        countB[j] += 1
    }
    func entropy(_ counts: [Int]) -> Double { counts.reduce(0.0) { $0 - Double($1) / n * log(Double($1) / n) } }
    var information = 0.0
    for i in countA.indices {
        for j in countB.indices where joint[i * valuesB.count + j] > 0 {
            let p = Double(joint[i * valuesB.count + j]) / n
            information += p * log(p / (Double(countA[i]) / n * Double(countB[j]) / n))
        }
    }
    let mean = (entropy(countA) + entropy(countB)) / 2
    return mean > 0 ? information / mean : 1
}
