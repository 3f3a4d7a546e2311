// Reductions, accumulated in Double so that a sum over 60,000 images does not drift.

extension Tensor {
    /// The sum of all elements.
    public func sum() -> Float {
        var s = 0.0
        for i in 0..<count { s += Double(data[i]) }
        return Float(s)
    }

    /// The mean of all elements.
    public func mean() -> Float { count == 0 ? .nan : Float(Double(sum()) / Double(count)) }

    /// The largest element.
    public func max() -> Float { buffer.max() ?? .nan }

    /// The smallest element.
    public func min() -> Float { buffer.min() ?? .nan }

    /// Sums along `axis`, removing it: a (N, F) matrix summed along 0 gives F column sums.
    public func sum(alongAxis axis: Int) -> Tensor {
        reduce(alongAxis: axis, initial: 0.0, { $0 + Double($1) }, finish: { s, _ in s })
    }

    /// Means along `axis`, removing it.
    public func mean(alongAxis axis: Int) -> Tensor {
        reduce(alongAxis: axis, initial: 0.0, { $0 + Double($1) }, finish: { s, n in s / Double(n) })
    }

    /// Population variances along `axis` (divided by the count, not count − 1), removing it:
    /// the spread of each column of a (N, F) matrix along 0. Welford's one-pass update in Double,
    /// so a large mean does not swallow a small spread.
    public func variance(alongAxis axis: Int) -> Tensor {
        reduce(
            alongAxis: axis, initial: (count: 0.0, mean: 0.0, squares: 0.0),
            { a, x in
                let count = a.count + 1, delta = Double(x) - a.mean, mean = a.mean + delta / count
                return (count, mean, a.squares + delta * (Double(x) - mean))
            }, finish: { a, n in a.squares / Double(n) })
    }

    /// Maxima along `axis`, removing it.
    public func max(alongAxis axis: Int) -> Tensor {
        reduce(alongAxis: axis, initial: -Double.infinity, { Swift.max($0, Double($1)) }, finish: { m, _ in m })
    }

    /// Minima along `axis`, removing it.
    public func min(alongAxis axis: Int) -> Tensor {
        reduce(alongAxis: axis, initial: Double.infinity, { Swift.min($0, Double($1)) }, finish: { m, _ in m })
    }

    /// Widens `minimum` and `maximum` (one value per column) to take in every row of this
    /// (N, F) matrix, in place: a running range kept during training without allocating.
    public func widenColumnRanges(minimum: Tensor, maximum: Tensor) {
        let f = shape.countPerItem
        precondition(
            minimum.count == f && maximum.count == f,
            "ranges of \(minimum.count) and \(maximum.count) columns for \(shape)")
        let low = minimum.data, high = maximum.data
        for n in 0..<(f == 0 ? 0 : count / f) {
            let row = data + n * f
            for j in 0..<f {
                low[j] = Swift.min(low[j], row[j])
                high[j] = Swift.max(high[j], row[j])
            }
        }
    }

    /// The index of the largest element of each item (row) of a (N, F) matrix.
    public func argmaxPerRow() -> [Int] {
        let f = shape.countPerItem
        return (0..<shape[0]).map { n in
            var best = 0
            for j in 1..<f where data[n * f + j] > data[n * f + best] { best = j }
            return best
        }
    }

    /// Folds the elements along `axis` into one value per remaining position. The shape is seen
    /// as (outer, axis, inner), so any axis of any rank takes the same loop.
    private func reduce<Partial>(
        alongAxis axis: Int, initial: Partial, _ combine: (Partial, Float) -> Partial,
        finish: (Partial, Int) -> Double
    ) -> Tensor {
        let a = axis < 0 ? shape.rank + axis : axis
        precondition(a >= 0 && a < shape.rank, "axis \(axis) out of range for \(shape)")
        let dims = shape.dimensions
        let outer = dims[..<a].reduce(1, *), length = dims[a], inner = dims[(a + 1)...].reduce(1, *)
        var outDims = dims
        outDims.remove(at: a)
        let out = Tensor(zeros: Shape(outDims))
        for o in 0..<outer {
            for i in 0..<inner {
                var acc = initial
                for k in 0..<length { acc = combine(acc, data[(o * length + k) * inner + i]) }
                out.data[o * inner + i] = Float(finish(acc, length))
            }
        }
        return out
    }
}
