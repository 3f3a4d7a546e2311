#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// Element-wise arithmetic. The operators return new tensors (for tests, scripts and set-up);
// the in-place forms (`+=`, `add(_:scaledBy:)`, `apply`) are what hot loops use.

extension Tensor {
    /// A new tensor of the same shape whose elements are `transform` of this one's.
    public func map(_ transform: (Float) -> Float) -> Tensor {
        let out = Tensor(zeros: shape)
        for i in 0..<count { out.data[i] = transform(data[i]) }
        return out
    }

    /// A new tensor combining this one and `other` (same shape) element by element.
    public func zipMap(_ other: Tensor, _ combine: (Float, Float) -> Float) -> Tensor {
        precondition(shape == other.shape, "shapes \(shape) and \(other.shape) differ")
        let out = Tensor(zeros: shape)
        for i in 0..<count { out.data[i] = combine(data[i], other.data[i]) }
        return out
    }

    /// Replaces every element `x` with `transform(x)`.
    public func apply(_ transform: (Float) -> Float) {
        for i in 0..<count { data[i] = transform(data[i]) }
    }

    public static func + (a: Tensor, b: Tensor) -> Tensor { a.zipMap(b, +) }
    public static func - (a: Tensor, b: Tensor) -> Tensor { a.zipMap(b, -) }
    public static func * (a: Tensor, b: Tensor) -> Tensor { a.zipMap(b, *) }
    public static func / (a: Tensor, b: Tensor) -> Tensor { a.zipMap(b, /) }
    public static func + (a: Tensor, s: Float) -> Tensor { a.map { $0 + s } }
    public static func - (a: Tensor, s: Float) -> Tensor { a.map { $0 - s } }
    public static func * (a: Tensor, s: Float) -> Tensor { a.map { $0 * s } }
    public static func * (s: Float, a: Tensor) -> Tensor { a.map { s * $0 } }
    public static func / (a: Tensor, s: Float) -> Tensor { a.map { $0 / s } }
    public static prefix func - (a: Tensor) -> Tensor { a.map { -$0 } }

    public static func += (a: Tensor, b: Tensor) { a.add(b) }
    public static func -= (a: Tensor, b: Tensor) { a.add(b, scaledBy: -1) }
    public static func *= (a: Tensor, s: Float) { a.apply { $0 * s } }

    /// `self += scale * other` (BLAS's axpy), element by element over equal shapes.
    public func add(_ other: Tensor, scaledBy scale: Float = 1) {
        precondition(count == other.count, "shapes \(shape) and \(other.shape) differ")
        let x = other.data, y = data
        for i in 0..<count { y[i] += scale * x[i] }
    }

    /// A new tensor of the rows `indices` of this one (first axis), copied row by row: reading
    /// `scalars` instead would copy the whole tensor for every slice.
    public func rows(_ indices: some Collection<Int>) -> Tensor {
        let size = shape.countPerItem
        let out = Tensor(zeros: shape.withBatch(indices.count))
        for (i, r) in indices.enumerated() {
            precondition(r >= 0 && r < shape[0], "row \(r) of a tensor of \(shape[0]) rows")
            (out.data + i * size).update(from: data + r * size, count: size)
        }
        return out
    }

    /// The tensors' rows one after another (first axis): each must have the same item shape.
    public convenience init(stacking parts: [Tensor]) {
        precondition(!parts.isEmpty, "stacking needs at least one tensor")
        precondition(
            parts.allSatisfy { $0.shape.withBatch(1) == parts[0].shape.withBatch(1) },
            "stacked tensors must share their item shape")
        self.init(zeros: parts[0].shape.withBatch(parts.reduce(0) { $0 + $1.shape[0] }))
        var offset = 0
        for part in parts {
            (data + offset).update(from: part.data, count: part.count)
            offset += part.count
        }
    }

    /// A new (C, R) matrix: the transpose of this (R, C) one.
    public func transposed() -> Tensor {
        precondition(shape.rank == 2, "transposed() needs a matrix, got \(shape)")
        let rows = shape[0], columns = shape[1]
        let out = Tensor(zeros: Shape(columns, rows))
        for r in 0..<rows { for c in 0..<columns { out.data[c * rows + r] = data[r * columns + c] } }
        return out
    }

    /// A new matrix (N, F) with `row` (F) added to each of its N rows.
    public func adding(rowVector row: Tensor) -> Tensor {
        let features = shape.countPerItem
        precondition(row.count == features, "row of \(row.count) does not match \(shape)")
        let out = copy()
        for n in 0..<shape[0] {
            let o = out.data + n * features
            for j in 0..<features { o[j] += row.data[j] }
        }
        return out
    }

    /// Element-wise e^x.
    public func exp() -> Tensor { map { libmExp($0) } }
    /// Element-wise natural logarithm.
    public func log() -> Tensor { map { libmLog($0) } }
    /// Element-wise square root.
    public func squareRoot() -> Tensor { map { $0.squareRoot() } }
    /// Element-wise x².
    public func squared() -> Tensor { map { $0 * $0 } }
    /// Element-wise |x|.
    public func magnitude() -> Tensor { map { Swift.abs($0) } }
    /// Each element clamped to `range`.
    public func clamped(to range: ClosedRange<Float>) -> Tensor {
        map { Swift.min(Swift.max($0, range.lowerBound), range.upperBound) }
    }

    /// True when every element is finite (neither NaN nor infinite).
    public var isFinite: Bool {
        for i in 0..<count where !data[i].isFinite { return false }
        return true
    }
}

// libm's single-precision functions, named so they cannot be confused with `Tensor.exp()`.
@inline(__always) func libmExp(_ x: Float) -> Float { expf(x) }
@inline(__always) func libmLog(_ x: Float) -> Float { logf(x) }
