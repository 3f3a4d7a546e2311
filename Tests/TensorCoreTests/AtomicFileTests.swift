import Foundation
import Testing
@testable import TensorCore

/// Whether this process may mount a small tmpfs (root on Linux): the honest way to fill a disk.
let canMountTmpfs: Bool = {
    let probe = FileManager.default.temporaryDirectory.appendingPathComponent("gen-mount-probe-\(UUID())").path
    try? FileManager.default.createDirectory(atPath: probe, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: probe) }
    guard shell("mount -t tmpfs -o size=64k tmpfs '\(probe)'") == 0 else { return false }
    return shell("umount '\(probe)'") == 0
}()

@discardableResult
func shell(_ command: String) -> Int32 {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/bin/sh")
    process.arguments = ["-c", command + " 2>/dev/null"]
    guard (try? process.run()) != nil else { return -1 }
    process.waitUntilExit()
    return process.terminationStatus
}

@Suite("Atomic writes: the old file or the whole new one, and the real reason when neither")
struct AtomicFileTests {
    func folder() throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("gen-atomic-\(UUID())").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    @Test("a killed writer's temporary file is removed by the next write; a live process's is kept")
    func staleTemporaryFiles() throws {
        let dir = try folder()
        let stale = dir + "/.x.bin.2147483000.1.tmp", live = dir + "/.x.bin.1.1.tmp",
            other = dir + "/.y.bin.2147483000.1.tmp"
        for path in [stale, live, other] { _ = FileManager.default.createFile(atPath: path, contents: Data([1])) }
        try writeAtomically(Data([1, 2, 3]), to: dir + "/x.bin")
        #expect(!FileManager.default.fileExists(atPath: stale))
        #expect(FileManager.default.fileExists(atPath: live), "pid 1 is running: its file may be in use")
        #expect(
            FileManager.default.fileExists(atPath: other), "another file's temporaries are not this write's business")
        #expect(FileManager.default.contents(atPath: dir + "/x.bin") == Data([1, 2, 3]))
    }

    @Test("a folder in the destination's place is named as such")
    func folderInTheWay() throws {
        let dir = try folder()
        try FileManager.default.createDirectory(atPath: dir + "/x.bin", withIntermediateDirectories: true)
        #expect { try writeAtomically(Data([1]), to: dir + "/x.bin") } throws: {
            "\($0)".contains("is a folder, not a file")
        }
    }

    @Test("a full disk says so, leaves the previous file whole and no temporary file", .enabled(if: canMountTmpfs))
    func fullDisk() throws {
        let dir = try folder()
        #expect(shell("mount -t tmpfs -o size=64k tmpfs '\(dir)'") == 0)
        defer { shell("umount '\(dir)'") }
        try writeAtomically(Data([7, 7]), to: dir + "/x.bin")
        #expect { try writeAtomically(Data(count: 1 << 20), to: dir + "/x.bin") } throws: {
            "\($0)".contains("No space left on device") && "\($0)".contains("the previous file, if any, is as it was")
        }
        #expect(FileManager.default.contents(atPath: dir + "/x.bin") == Data([7, 7]))
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir) == ["x.bin"])
    }

    @Test("a read-only file system is named, not called a permissions problem", .enabled(if: canMountTmpfs))
    func readOnly() throws {
        let dir = try folder()
        #expect(shell("mount -t tmpfs -o size=64k,ro tmpfs '\(dir)'") == 0)
        defer { shell("umount '\(dir)'") }
        #expect { try writeAtomically(Data([1]), to: dir + "/x.bin") } throws: {
            "\($0)".contains("Read-only file system")
        }
    }

    @Test("a name of 255 bytes can be written: the temporary file's name is shortened to fit")
    func longName() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("gen-long-\(UUID())").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let name = String(repeating: "é", count: 120) + ".safetensors"  // 252 bytes
        try writeAtomically(Data("one".utf8), to: folder + "/" + name)
        try writeAtomically(Data("two".utf8), to: folder + "/" + name)
        #expect(FileManager.default.contents(atPath: folder + "/" + name) == Data("two".utf8))
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder) == [name])
    }

    @Test("replacing a file keeps its mode: a read-only checkpoint stays read-only")
    func keepsMode() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("gen-mode-\(UUID())").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try writeAtomically(Data("one".utf8), to: path)
        var info = stat()
        #expect(stat(path, &info) == 0 && info.st_mode & 0o777 == 0o644)
        #expect(chmod(path, 0o444) == 0)
        try writeAtomically(Data("two".utf8), to: path)
        #expect(
            stat(path, &info) == 0 && info.st_mode & 0o777 == 0o444, "mode \(String(info.st_mode & 0o777, radix: 8))")
    }
}
