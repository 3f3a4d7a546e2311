import Foundation
import Testing
@testable import Datasets
@testable import Models
@testable import Training
@testable import NN

@Suite("Checkpoints that cannot be used are refused in one line, before anything is loaded")
struct CheckpointTests {
    func temporaryPath() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("gen-\(UUID()).safetensors").path
    }

    /// A tiny AE's checkpoint after one epoch, with `change` applied to its metadata.
    func checkpoint(_ change: (inout [String: String]) -> Void = { _ in }) throws -> String {
        let path = temporaryPath()
        let model = tinyAutoencoder()
        _ = try Trainer(epochs: 1, batchSize: 100, seed: 1, checkpointPath: path).train(tiny(model), data: tinyData)
        var contents = try SafeTensors.read(from: path)
        change(&contents.metadata)
        try SafeTensors.write(contents.tensors, metadata: contents.metadata, to: path)
        return path
    }

    func expectRefusal(_ path: String, _ words: String, sourceLocation: SourceLocation = #_sourceLocation) {
        defer { try? FileManager.default.removeItem(atPath: path) }
        let model = tiny(tinyAutoencoder(seed: 9))
        let before = model.checkpointTensors.map { $0.value.scalars }
        do {
            _ = try CheckpointState.load(into: model, from: path)
            Issue.record("expected a refusal mentioning \(words)", sourceLocation: sourceLocation)
        } catch {
            #expect("\(error)".contains(words), "\(error)", sourceLocation: sourceLocation)
            #expect("\(error)".hasPrefix(path) && !"\(error)".contains("\n"), sourceLocation: sourceLocation)
        }
        #expect(
            model.checkpointTensors.map { $0.value.scalars } == before, "a refused file changed the model",
            sourceLocation: sourceLocation)
    }

    @Test("a file asked for again is read once while it is unchanged, and read anew once it is replaced")
    func readOnce() throws {
        let path = try checkpoint()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let first = try Checkpoint.read(path)
        // The same file, unchanged: the very contents kept from the first read (tensors are shared).
        #expect(try Checkpoint.read(path).contents.tensors[0].value === first.contents.tensors[0].value)
        var contents = try SafeTensors.read(from: path)
        contents.metadata["completed_epochs"] = "-5"
        try SafeTensors.write(contents.tensors, metadata: contents.metadata, to: path)  // a new file, renamed in
        #expect(throws: FileError.self) { try Checkpoint.read(path) }
    }

    @Test("a checkpoint of an older version names its format")
    func olderFormat() throws {
        expectRefusal(
            try checkpoint { $0["format"] = "gen-1" }, "made by another version of gen (checkpoint format gen-1")
    }

    @Test("a negative or disagreeing epoch count is refused, not trusted")
    func badEpochCounts() throws {
        expectRefusal(try checkpoint { $0["completed_epochs"] = "-5" }, "completed_epochs is '-5'")
        expectRefusal(
            try checkpoint { $0["completed_epochs"] = "3" }, "says 3 completed epochs but holds metrics for 1")
    }

    @Test("NaN weights are refused rather than drawn as black figures")
    func nanWeights() throws {
        let path = try checkpoint()
        let contents = try SafeTensors.read(from: path)
        contents.tensors[0].value[0] = .nan
        try SafeTensors.write(contents.tensors, metadata: contents.metadata, to: path)
        expectRefusal(path, "tensor '\(contents.tensors[0].name)' holds NaN or infinite values")
    }

    @Test("a safetensors file that gen did not write, a folder and a FIFO are refused without blocking")
    func notCheckpoints() throws {
        let plain = temporaryPath()
        try SafeTensors.write([NamedTensor(name: "w", value: Tensor(zeros: [2]))], to: plain)
        expectRefusal(plain, "not a gen checkpoint")
        let folder = temporaryPath()
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        expectRefusal(folder, "not a regular file")
        let fifo = temporaryPath()
        #expect(mkfifo(fifo, 0o600) == 0)
        expectRefusal(fifo, "not a regular file")
    }

    @Test("a shape whose byte count overflows is refused, not wrapped to a zero-length span")
    func overflowingShape() throws {
        let header = #"{"w":{"dtype":"F32","shape":[4294967296,4294967296],"data_offsets":[0,0]}}"#
        var bytes = withUnsafeBytes(of: UInt64(header.utf8.count).littleEndian) { Array($0) }
        bytes += Array(header.utf8)
        #expect(throws: FileError.self) { try SafeTensors.decode(Data(bytes), path: "x") }
        do { _ = try SafeTensors.decode(Data(bytes), path: "x") } catch {
            #expect("\(error)".contains("too large to hold"), "\(error)")
        }
    }
}
