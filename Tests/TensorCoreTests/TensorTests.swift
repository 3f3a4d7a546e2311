import Foundation
import Testing
@testable import TensorCore

@Suite("Tensor basics")
struct TensorTests {
    @Test("shapes are inline, compare by dimensions and swap their batch")
    func shapes() {
        let s: Shape = [128, 1, 28, 28]
        #expect(s.count == 128 * 784)
        #expect(s.countPerItem == 784)
        #expect(s.withBatch(16) == [16, 1, 28, 28])
        #expect(Shape([3]) != Shape([3, 1]))
        #expect(s.description == "(128, 1, 28, 28)")
    }

    @Test("stacking puts the parts' rows one after another")
    func stacking() {
        let a = Tensor(shape: [1, 3], values: [1, 2, 3]), b = Tensor(shape: [2, 3], values: [4, 5, 6, 7, 8, 9])
        let stacked = Tensor(stacking: [a, b, a])
        #expect(stacked.shape == [4, 3])
        #expect(stacked.scalars == [1, 2, 3, 4, 5, 6, 7, 8, 9, 1, 2, 3])
    }

    @Test("variances along an axis: population variance, exact for a large mean")
    func variances() {
        let m = Tensor(shape: [4, 2], values: [1, 10_000, 2, 10_001, 3, 10_002, 4, 10_003])
        #expect(m.variance(alongAxis: 0).scalars == [1.25, 1.25])
        #expect(m.variance(alongAxis: 1).scalars == [Float](repeating: Float(24_995_000.25), count: 4))
    }

    @Test("element-wise arithmetic")
    func elementwise() {
        let a = Tensor(shape: [2, 2], values: [1, 2, 3, 4]), b = Tensor(shape: [2, 2], values: [4, 3, 2, 1])
        #expect((a + b).scalars == [5, 5, 5, 5])
        #expect((a - b).scalars == [-3, -1, 1, 3])
        #expect((a * b).scalars == [4, 6, 6, 4])
        #expect((a * 2).scalars == [2, 4, 6, 8])
        #expect(a.adding(rowVector: Tensor(shape: [2], values: [10, 20])).scalars == [11, 22, 13, 24])
        a += b
        #expect(a.scalars == [5, 5, 5, 5])
        #expect(Tensor(shape: [1], values: [.nan]).isFinite == false)
    }

    @Test("reductions along any axis")
    func reductions() {
        let t = Tensor(shape: [2, 3], values: [1, 2, 3, 4, 5, 6])
        #expect(t.sum() == 21)
        #expect(t.sum(alongAxis: 0).scalars == [5, 7, 9])
        #expect(t.sum(alongAxis: 1).scalars == [6, 15])
        #expect(t.mean(alongAxis: 1).scalars == [2, 5])
        #expect(t.max(alongAxis: 0).scalars == [4, 5, 6])
        #expect(t.min(alongAxis: 1).scalars == [1, 4])
        #expect(t.argmaxPerRow() == [2, 2])
        let cube = Tensor(shape: [2, 2, 2], values: [1, 2, 3, 4, 5, 6, 7, 8])
        #expect(cube.sum(alongAxis: 1).scalars == [4, 6, 12, 14])
        let low = Tensor(shape: [3], values: [.infinity, 0, .infinity]),
            high = Tensor(shape: [3], values: [-.infinity, 9, -.infinity])
        Tensor(shape: [2, 3], values: [1, -5, 3, 2, 5, -3]).widenColumnRanges(minimum: low, maximum: high)
        #expect(low.scalars == [1, -5, -3] && high.scalars == [2, 9, 3], "ranges widen, never narrow")
    }

    @Test("reused buffers resize within capacity without new storage; views share storage")
    func reuseAndViews() {
        var buffer: Tensor?
        let first = Tensor.reuse(&buffer, shape: [128, 10])
        let smaller = Tensor.reuse(&buffer, shape: [96, 10])
        #expect(first === smaller && smaller.shape == [96, 10])
        let v = first.viewed(as: [960])
        v[3] = 7
        #expect(first[3] == 7)
    }

    @Test("atomic writes leave no temporary file and refuse a missing folder")
    func atomicWrite() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("gen-atomic-\(UUID())").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try writeAtomically(Data([1, 2, 3]), to: folder + "/a.bin")
        try writeAtomically(Data([4]), to: folder + "/a.bin")
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder) == ["a.bin"])
        #expect(FileManager.default.contents(atPath: folder + "/a.bin") == Data([4]))
        #expect(throws: FileError.self) { try writeAtomically(Data(), to: folder + "/no/such/b.bin") }
    }
}
