import Foundation
import Testing

/// Rewrites the JSON header of the safetensors file at `path` with `change` applied, keeping the
/// tensors: the header's length is the first eight bytes, and offsets count from its end.
func editHeader(_ path: String, _ change: (String) -> String) throws {
    let data = try Data(contentsOf: URL(fileURLWithPath: path))
    let length = data.prefix(8).withUnsafeBytes { Int($0.loadUnaligned(as: UInt64.self).littleEndian) }
    var header = Array(change(String(decoding: data[8..<(8 + length)], as: UTF8.self)).utf8)
    while header.count % 8 != 0 { header.append(0x20) }
    var out = Data()
    withUnsafeBytes(of: UInt64(header.count).littleEndian) { out.append(contentsOf: $0) }
    out.append(contentsOf: header)
    out.append(data[(8 + length)...])
    try out.write(to: URL(fileURLWithPath: path))
}

@Suite("A checkpoint's metadata is untrusted input")
struct CheckpointMetadataTests {
    @Test(
        "settings out of their flags' bounds in a checkpoint's metadata are refused, naming the file, before a model is built",
        arguments: [
            (#"\"latentDimension\":16"#, #"\"latentDimension\":0"#),
            (#"\"latentDimension\":16"#, #"\"latentDimension\":-5"#),
            (#"\"hiddenSizes\":[16]"#, #"\"hiddenSizes\":[200000000]"#),
            (#"\"hiddenSizes\":[16]"#, #"\"hiddenSizes\":[-1]"#),
            (#"\"discriminatorSteps\":1"#, #"\"discriminatorSteps\":0"#),
            (#"\"discriminatorSteps\":1"#, #"\"discriminatorSteps\":-1"#),
            (#"\"pretrainEpochs\":0"#, #"\"pretrainEpochs\":4611686018427387904"#),
            (#"\"learningRate\":0.001"#, #"\"learningRate\":-1"#),
        ])
    func outOfBounds(field: String, edited: String) throws {
        let data = try tinyIDXFolder(count: 32)
        let folder = try scratchFolder()
        let checkpoint = folder + "/ae.safetensors"
        let train = try runGen([
            "ae", "--dataset", data, "--hidden", "16", "--latent-dimension", "16", "--epochs", "1", "--out", folder,
            "--checkpoint", checkpoint, "--quiet",
        ])
        #expect(train.status == 0, "\(train.stderr)")
        try editHeader(checkpoint) { header in
            #expect(header.contains(field), "\(header)")
            return header.replacingOccurrences(of: field, with: edited)
        }
        let before = try Data(contentsOf: URL(fileURLWithPath: checkpoint))
        let result = try runGen(["ae", "--samples", "--checkpoint", checkpoint, "--out", folder, "--quiet"])
        #expect(result.status == 1, "exit \(result.status): \(result.stderr)")
        #expect(
            errorLine(result).contains("\(checkpoint): its metadata's settings are out of bounds"), "\(result.stderr)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: checkpoint)) == before, "the file is left as it was")
    }
}
