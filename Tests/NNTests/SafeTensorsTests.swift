import Foundation
import Testing
@testable import NN

@Suite("Checkpoints in the safetensors format")
struct SafeTensorsTests {
    let folder: String

    init() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("gen-st-\(UUID())").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    }

    func model(seed: UInt64) -> Sequential {
        var g = SeededGenerator(seed: seed)
        return Sequential(
            Dense(inputSize: 3, outputSize: 2, activation: .relu, generator: &g),
            BatchNorm(featureCount: 2))
    }

    @Test("round trip restores every tensor and the metadata")
    func roundTrip() throws {
        let a = model(seed: 1), b = model(seed: 2)
        a.runningMeanForTest.fill(0.25)
        let path = folder + "/m.safetensors"
        try SafeTensors.write(a.stateTensors, metadata: ["config": "{\"hidden\":[2]}"], to: path)
        let metadata = try SafeTensors.load(into: b.stateTensors, from: path)
        #expect(metadata == ["config": "{\"hidden\":[2]}"])
        for (x, y) in zip(a.stateTensors, b.stateTensors) { #expect(x.value.scalars == y.value.scalars, "\(x.name)") }
    }

    @Test("the bytes follow the spec: u64 LE header length, JSON header, LE float data")
    func layout() throws {
        let t = NamedTensor(name: "w", value: Tensor(shape: [1, 2], values: [1, -2]))
        let data = SafeTensors.encode([t], metadata: ["k": "v"])
        let bytes = [UInt8](data)
        let length = bytes[0..<8].enumerated().reduce(0) { $0 | Int($1.element) << (8 * $1.offset) }
        #expect(length % 8 == 0)
        #expect(bytes.count == 8 + length + 8)
        let header = String(decoding: bytes[8..<(8 + length)], as: UTF8.self)
        #expect(
            header.trimmingCharacters(in: .whitespaces)
                == #"{"__metadata__":{"k":"v"},"w":{"dtype":"F32","shape":[1,2],"data_offsets":[0,8]}}"#)
        #expect(Array(bytes[(8 + length)...]) == [0x00, 0x00, 0x80, 0x3f, 0x00, 0x00, 0x00, 0xc0])  // 1.0, -2.0
    }

    @Test("a truncated file is rejected with the file's name")
    func truncated() throws {
        let path = folder + "/t.safetensors"
        let full = SafeTensors.encode(model(seed: 1).stateTensors)
        try full.prefix(full.count - 5).write(to: URL(fileURLWithPath: path))
        expectFailure(path, mentioning: "outside") {
            try SafeTensors.load(into: model(seed: 1).stateTensors, from: path)
        }
        try full.prefix(5).write(to: URL(fileURLWithPath: path))
        expectFailure(path, mentioning: "truncated") { _ = try SafeTensors.read(from: path) }
    }

    @Test("an oversized header length is rejected before allocating")
    func oversizedHeader() throws {
        let path = folder + "/o.safetensors"
        var data = Data()
        withUnsafeBytes(of: UInt64(1 << 40).littleEndian) { data.append(contentsOf: $0) }
        data.append(contentsOf: Array("{}".utf8))
        try data.write(to: URL(fileURLWithPath: path))
        expectFailure(path, mentioning: "exceeds") { _ = try SafeTensors.read(from: path) }
    }

    @Test("a wrong shape, a missing and an extra tensor name the tensor")
    func mismatches() throws {
        let path = folder + "/w.safetensors"
        var g = SeededGenerator(seed: 3)
        let other = Sequential(Dense(inputSize: 4, outputSize: 2, generator: &g), BatchNorm(featureCount: 2))
        try SafeTensors.write(other.stateTensors, to: path)
        expectFailure(path, mentioning: "layers.0.weight") {
            try SafeTensors.load(into: model(seed: 1).stateTensors, from: path)
        }
        try SafeTensors.write(Array(model(seed: 1).stateTensors.dropLast()), to: path)
        expectFailure(path, mentioning: "layers.1.runningVariance") {
            try SafeTensors.load(into: model(seed: 1).stateTensors, from: path)
        }
        try SafeTensors.write(
            model(seed: 1).stateTensors + [NamedTensor(name: "extra", value: Tensor(zeros: [1]))], to: path)
        expectFailure(path, mentioning: "extra") { try SafeTensors.load(into: model(seed: 1).stateTensors, from: path) }
    }

    @Test("a failed load leaves the model untouched")
    func failedLoadIsHarmless() throws {
        let path = folder + "/p.safetensors"
        let target = model(seed: 1), before = target.stateTensors.map { $0.value.scalars }
        try SafeTensors.write(Array(model(seed: 2).stateTensors.dropLast()), to: path)
        #expect(throws: FileError.self) { try SafeTensors.load(into: target.stateTensors, from: path) }
        let unchanged = target.stateTensors.map { $0.value.scalars } == before
        #expect(unchanged, "a failed load changed the model")
    }

    @Test("other dtypes and non-JSON headers are refused")
    func badHeaders() throws {
        let path = folder + "/d.safetensors"
        for (header, words) in [
            (#"{"w":{"dtype":"F16","shape":[1],"data_offsets":[0,2]}}"#, "F16"), ("not json", "JSON"),
        ] {
            var data = Data()
            withUnsafeBytes(of: UInt64(header.utf8.count).littleEndian) { data.append(contentsOf: $0) }
            data.append(contentsOf: Array(header.utf8) + [0, 0])
            try data.write(to: URL(fileURLWithPath: path))
            expectFailure(path, mentioning: words) { _ = try SafeTensors.read(from: path) }
        }
    }

    func expectFailure(
        _ path: String, mentioning words: String, sourceLocation: SourceLocation = #_sourceLocation,
        _ body: () throws -> Void
    ) {
        do {
            try body()
            Issue.record("expected an error mentioning \(words)", sourceLocation: sourceLocation)
        } catch let error as FileError {
            #expect(error.path == path, sourceLocation: sourceLocation)
            #expect(error.description.contains(words), "\(error)", sourceLocation: sourceLocation)
            #expect(!error.description.contains("\n"), sourceLocation: sourceLocation)
        } catch {
            Issue.record("unexpected error \(error)", sourceLocation: sourceLocation)
        }
    }
}

extension Sequential {
    var runningMeanForTest: Tensor { (layers[1] as! BatchNorm).runningMean }

    @Test("a 2 GB file whose header is not JSON is refused from its header alone: no data read, no memory")
    func headerFirst() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("gen-huge-\(UUID()).safetensors").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        var bytes = Data([16, 0, 0, 0, 0, 0, 0, 0])
        bytes.append(contentsOf: Array("not a JSON head!".utf8))
        #expect(FileManager.default.createFile(atPath: path, contents: bytes))
        // Sparse: 2 GB long, nothing written past the header.
        #expect(truncate(path, 2 << 30) == 0)
        let statm = { () -> Int in
            let text = (try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8)) ?? "0 0"
            return (Int(text.split(separator: " ")[1]) ?? 0) * Int(getpagesize())
        }
        let before = statm(), start = Date()
        #expect {
            _ = try SafeTensors.read(from: path)
        } throws: { error in
            "\(error)".contains("the header is not a JSON object")
        }
        #expect(Date().timeIntervalSince(start) < 2, "read the data before checking the header")
        #expect(statm() - before < 64 << 20, "held the file in memory")
    }
}
