// libFuzzer entry point for gen's readers of untrusted files: the safetensors checkpoint reader,
// the IDX reader (raw and gzip) and the PNG-folder loader. Built as a shared library with the
// fuzzer's instrumentation and linked to libFuzzer's driver by Scripts/fuzz, which picks the
// reader through GEN_FUZZ_TARGET. A reader may refuse any input with a thrown error; a crash,
// a trap, or a sanitizer report is a finding.
import Datasets
import Foundation
import Models
import NN
import Training

/// Which reader this process fuzzes, read once.
let target = ProcessInfo.processInfo.environment["GEN_FUZZ_TARGET"] ?? "safetensors"
/// A folder of this process's own for the files the readers open.
let scratch: String = {
    let path = NSTemporaryDirectory() + "gen-fuzz-\(getpid())"
    try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ bytes: UnsafePointer<UInt8>, _ count: Int) -> CInt {
    read(Data(bytes: bytes, count: count), with: target)
    return 0
}

/// The readers fuzzed, by name.
public let fuzzTargets = ["safetensors", "idx", "idx-gz", "png-folder", "checkpoint-metadata"]

/// Runs `data` through the reader `target` names, as gen would meet it in a file. Errors are
/// the readers' answer to bad input; only a crash is a finding. Tests replay the corpus and
/// every past finding through this same function.
public func read(_ data: Data, with target: String) {
    switch target {
    case "safetensors":
        // The decoder, then what gen does with a checkpoint it decoded.
        if let contents = try? SafeTensors.decode(data, path: "input") {
            let path = scratch + "/input.safetensors"
            try? SafeTensors.write(contents.tensors, metadata: contents.metadata, to: path)
            _ = try? Checkpoint.read(path).load(into: fuzzModel)
        }
    case "idx", "idx-gz":
        let path = scratch + (target == "idx" ? "/input-idx3-ubyte" : "/input-idx3-ubyte.gz")
        _ = FileManager.default.createFile(atPath: path, contents: data)
        _ = try? IDXReader.read(path, dimensions: 3)
        _ = try? IDXReader.read(path, dimensions: 1)
    case "png-folder":
        // The input is the one image of a folder.
        let folder = scratch + "/png"
        try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        _ = FileManager.default.createFile(atPath: folder + "/a.png", contents: data)
        _ = try? PNGFolder.load(folder)
        _ = try? PNGFolder.load(folder, resizeTo: 8)
    case "checkpoint-metadata":
        // The input is the settings a valid checkpoint's metadata carries; then what gen does
        // with a checkpoint named on the command line: read the settings, check them, build.
        let path = scratch + "/metadata.safetensors"
        let metadata = [
            "format": Checkpoint.format, "configuration": fuzzModel.configurationJSON, "model": "ae", "kind": "ae",
            "completed_epochs": "0", "metrics": "", "settings": String(decoding: data, as: UTF8.self),
        ]
        guard (try? SafeTensors.write(fuzzModel.checkpointTensors, metadata: metadata, to: path)) != nil,
            let saved = SavedSettings(checkpoint: path, kind: .ae)
        else { return }
        let image = Shape(1, 28, 28)
        guard saved.settings.rangeProblem == nil, ModelKind.ae.problem(saved.settings, image: image) == nil,
            fuzzParameterEstimate(saved.settings, image: image) <= 4_000_000
        else { return }
        let learner = Learner(
            ModelKind.ae.makeModel(saved.settings, image: image, seed: 0),
            optimizer: ModelKind.ae.optimizer(saved.settings))
        _ = try? Checkpoint.read(path).load(into: learner)
    default:
        preconditionFailure("GEN_FUZZ_TARGET must be one of \(fuzzTargets.joined(separator: ", ")), not \(target)")
    }
}

/// A small model for decoded checkpoints to be loaded into (libFuzzer calls the entry point from one thread).
nonisolated(unsafe) let fuzzModel = Learner(
    Autoencoder(inputSize: 4, hiddenSizes: [3], latentDimension: 2, seed: 0), optimizer: Adam())

/// About how many weights an AE with `settings` has: the fuzzer builds only models that fit in
/// its memory (a width in bounds can still make gigabytes of weights: the memory estimate of a
/// run is a separate check).
func fuzzParameterEstimate(_ settings: ModelSettings, image: Shape) -> Int {
    let widths = [image.count] + settings.hiddenSizes + [settings.latentDimension]
    let perLayer = zip(widths, widths.dropFirst()).map { $0 * $1 }
    return settings.architecture == .mlp
        ? 2 * perLayer.reduce(0, +) : settings.hiddenSizes.reduce(1) { $0 * max($1, 1) } * 64
}
