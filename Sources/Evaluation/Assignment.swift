// The assignment problem: pair each of n rows with its own column so that the pairs' total score
// is largest (Kuhn 1955's Hungarian method, in the O(n³) form with row and column potentials of
// Jonker & Volgenant 1987). Used to match two networks' units one to one: the filters of two
// autoencoders trained from different seeds, paired by the correlation of their weights.

public enum Assignment {
    /// For each row of the square matrix `scores`, the column it is paired with, so that every
    /// column is used once and Σ scores[i][pairs[i]] is the largest possible.
    public static func maximising(_ scores: [[Double]]) -> [Int] {
        let n = scores.count
        precondition(scores.allSatisfy { $0.count == n }, "a square matrix of scores")
        guard n > 0 else { return [] }
        // Minimising cost = −score, 1-based as the textbook form (index 0 is the free start).
        var u = [Double](repeating: 0, count: n + 1), v = [Double](repeating: 0, count: n + 1)
        var rowOfColumn = [Int](repeating: 0, count: n + 1), way = [Int](repeating: 0, count: n + 1)
        for row in 1...n {
            rowOfColumn[0] = row
            var column0 = 0
            var least = [Double](repeating: .infinity, count: n + 1)
            var used = [Bool](repeating: false, count: n + 1)
            repeat {
                used[column0] = true
                let row0 = rowOfColumn[column0]
                var delta = Double.infinity, column1 = 0
                for column in 1...n where !used[column] {
                    let reduced = -scores[row0 - 1][column - 1] - u[row0] - v[column]
                    if reduced < least[column] { (least[column], way[column]) = (reduced, column0) }
                    if least[column] < delta { (delta, column1) = (least[column], column) }
                }
                for column in 0...n {
                    if used[column] {
                        u[rowOfColumn[column]] += delta
                        v[column] -= delta
                    } else {
                        least[column] -= delta
                    }
                }
                column0 = column1
            } while rowOfColumn[column0] != 0
            // Flip the augmenting path back to the start.
            repeat {
                let previous = way[column0]
                rowOfColumn[column0] = rowOfColumn[previous]
                column0 = previous
            } while column0 != 0
        }
        var pairs = [Int](repeating: 0, count: n)
        for column in 1...n { pairs[rowOfColumn[column] - 1] = column - 1 }
        return pairs
    }
}
