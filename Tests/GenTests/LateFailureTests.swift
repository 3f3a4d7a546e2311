import Foundation
import Testing

@Suite("What would fail after training is checked before it")
struct LateFailureTests {
    @Test("a checkpoint in a folder that does not exist yet: the folder is made and training writes there")
    func checkpointFolderMade() throws {
        let data = try tinyIDXFolder(count: 32)
        let folder = try scratchFolder()
        let checkpoint = folder + "/new/deeper/ae.safetensors"
        let result = try runGen([
            "ae", "--dataset", data, "--hidden", "16", "--epochs", "1", "--out", folder + "/out", "--checkpoint",
            checkpoint,
            "--quiet",
        ])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(FileManager.default.fileExists(atPath: checkpoint))
    }

    @Test("a figure's file that is a folder is refused before training, naming it")
    func figurePathIsFolder() throws {
        let data = try tinyIDXFolder(count: 32)
        let folder = try scratchFolder()
        try FileManager.default.createDirectory(
            atPath: folder + "/out/ae/samples.png", withIntermediateDirectories: true)
        let result = try runGen([
            "ae", "--dataset", data, "--hidden", "16", "--epochs", "1", "--samples", "--out", folder + "/out",
            "--checkpoint", folder + "/ae.safetensors", "--quiet",
        ])
        #expect(result.status == 1 && errorLine(result).contains("/out/ae/samples.png is a folder"), "\(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: folder + "/ae.safetensors"), "refused before training")
    }

    @Test("names longer than a file system takes are refused by the parser, and leave no folders behind")
    func longNames() throws {
        let folder = try scratchFolder()
        let long = String(repeating: "n", count: 300)
        let out = try runGen(["ae", "--dataset", "synthetic", "--out", folder + "/a/b/" + long + "/c"])
        #expect(
            out.status == 64 && errorLine(out).contains("has 300 bytes; a file or folder name takes at most 255"),
            "\(out.stderr)")
        #expect(
            !FileManager.default.fileExists(atPath: folder + "/a"), "folders were made for a path that cannot exist")
        let export = try runGen(["eval", "--images", folder, "--export-samples", folder + "/" + long + ".idx"])
        #expect(export.status == 64 && errorLine(export).contains("--export-samples"), "\(export.stderr)")
    }
}
