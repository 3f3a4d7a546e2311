import Foundation
import Testing
@testable import Datasets

/// Memory this process has in use, in bytes (the resident set, from /proc).
func residentBytes() -> Int {
    guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return 0 }
    return (Int(text.split(separator: " ")[1]) ?? 0) * Int(getpagesize())
}

@Suite("Hostile data files are refused before they cost memory")
struct HostileFileTests {
    func expectError(_ words: String, sourceLocation: SourceLocation = #_sourceLocation, _ body: () throws -> Void) {
        do {
            try body()
            Issue.record("expected an error mentioning \(words)", sourceLocation: sourceLocation)
        } catch {
            #expect("\(error)".contains(words), "\(error)", sourceLocation: sourceLocation)
            #expect(!"\(error)".contains("\n"), sourceLocation: sourceLocation)
        }
    }

    @Test("a FIFO or a folder where an IDX file or a PNG is expected is refused at once, naming what it is")
    func notRegularFiles() throws {
        let folder = try temporaryFolder("idx-fifo")
        let fifo = folder + "/train-images-idx3-ubyte"
        #expect(mkfifo(fifo, 0o600) == 0)
        // A reader that opened the FIFO would block here forever: nothing writes to it.
        expectError("is a FIFO, not a regular file; an IDX file must be a file") {
            _ = try IDXReader.read(fifo, dimensions: 3)
        }
        try Data(idxBytes(dimensions: [1], data: [3])).write(
            to: URL(fileURLWithPath: folder + "/train-labels-idx1-ubyte"))
        expectError("is a FIFO") { _ = try DataSource.folder(folder).load() }
        let directory = folder + "/t10k-images-idx3-ubyte"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        expectError("is a folder, not a regular file") { _ = try IDXReader.read(directory, dimensions: 3) }
        let png = try temporaryFolder("png-fifo") + "/a"
        try FileManager.default.createDirectory(atPath: png, withIntermediateDirectories: true)
        #expect(mkfifo(png + "/image.png", 0o600) == 0)
        expectError("is a FIFO") { _ = try PNGFolder.load(URL(fileURLWithPath: png).deletingLastPathComponent().path) }
    }

    @Test(
        "training and test splits that disagree (image size, a test label the training labels never name) are refused at load, naming both files"
    )
    func splitsDisagree() throws {
        func folder(trainSide: Int, testSide: Int, testLabel: UInt8) throws -> String {
            let folder = try temporaryFolder("splits")
            for (split, side, label) in [("train", trainSide, UInt8(9)), ("t10k", testSide, testLabel)] {
                let images = idxBytes(dimensions: [3, side, side], data: [UInt8](repeating: 7, count: 3 * side * side))
                try Data(images).write(to: URL(fileURLWithPath: "\(folder)/\(split)-images-idx3-ubyte"))
                try Data(idxBytes(dimensions: [3], data: [0, 1, label])).write(
                    to: URL(fileURLWithPath: "\(folder)/\(split)-labels-idx1-ubyte"))
            }
            return folder
        }
        expectError("test images of 32×32 pixels, but the training images") {
            _ = try DataSource.folder(try folder(trainSide: 28, testSide: 32, testLabel: 2)).load()
        }
        expectError("test label 12 is outside the training labels' classes 0 to 9") {
            _ = try DataSource.folder(try folder(trainSide: 28, testSide: 28, testLabel: 12)).load()
        }
        let agreeing = try DataSource.folder(try folder(trainSide: 28, testSide: 28, testLabel: 4)).load()
        #expect(agreeing.test.classNames == agreeing.train.classNames)
    }

    @Test("an IDX header claiming 4,000,000 images in a small file is refused without allocating them, raw or gzipped")
    func lyingHeader() throws {
        let folder = try temporaryFolder("idx-lie")
        var state: UInt64 = 1
        let noise = (0..<(300 * 784)).map { _ -> UInt8 in
            state = state &* 6364136223846793005 &+ 1; return UInt8(state >> 56)
        }
        let bytes = idxBytes(dimensions: [4_000_000, 28, 28], data: noise)
        try Data(bytes).write(to: URL(fileURLWithPath: folder + "/raw-idx3-ubyte"))
        writeGzip(bytes, to: folder + "/gz-idx3-ubyte.gz")
        // A claim within deflate's reach but not the trailer's: read a megabyte at a time.
        writeGzip(idxBytes(dimensions: [100_000, 28, 28], data: noise), to: folder + "/within-idx3-ubyte.gz")
        let before = residentBytes()
        expectError("truncated: sizes [4000000, 28, 28] need 3136000000 bytes of data, the file has 235200") {
            _ = try IDXReader.read(folder + "/raw-idx3-ubyte", dimensions: 3)
        }
        expectError("need 3136000000 bytes of data; a gzip file of") {
            _ = try IDXReader.read(folder + "/gz-idx3-ubyte.gz", dimensions: 3)
        }
        expectError("truncated: sizes [100000, 28, 28] need 78400000 bytes of data, the file has 235200") {
            _ = try IDXReader.read(folder + "/within-idx3-ubyte.gz", dimensions: 3)
        }
        #expect(residentBytes() - before < 50_000_000, "reading lying headers cost \(residentBytes() - before) bytes")
    }

    @Test("sizes whose product overflows, and gzip claims beyond deflate's ratio, are refused at once")
    func impossibleSizes() throws {
        let folder = try temporaryFolder("idx-huge")
        try Data(idxBytes(dimensions: [0xFFFF_FFFF, 0xFFFF_FFFF, 0xFFFF_FFFF], data: [1, 2, 3])).write(
            to: URL(fileURLWithPath: folder + "/a-idx3-ubyte"))
        // Refused from the sides alone (at most 1,024 a side), before any product is formed; with
        // sides that small, 2³² images make 2⁵² bytes at the most, which no Int overflows.
        expectError("images of 4294967295x4294967295 pixels; images to train on may be at most 1024 pixels on a side") {
            _ = try IDXReader.read(folder + "/a-idx3-ubyte", dimensions: 3)
        }
        writeGzip(idxBytes(dimensions: [1 << 31, 28, 28], data: [1, 2, 3]), to: folder + "/b-idx3-ubyte.gz")
        expectError("a gzip file of") { _ = try IDXReader.read(folder + "/b-idx3-ubyte.gz", dimensions: 3) }
    }

    @Test("a split with no images, or images of no pixels, is refused")
    func emptySplits() throws {
        for (count, rows, expected) in [(0, 28, "holds no images"), (2, 0, "images of 0x28 pixels")] {
            let folder = try temporaryFolder("idx-empty")
            let columns = 28
            try Data(
                idxBytes(
                    dimensions: [count, rows, columns], data: [UInt8](repeating: 0, count: count * rows * columns))
            )
            .write(to: URL(fileURLWithPath: folder + "/train-images-idx3-ubyte"))
            try Data(idxBytes(dimensions: [count], data: [UInt8](repeating: 0, count: count))).write(
                to: URL(fileURLWithPath: folder + "/train-labels-idx1-ubyte"))
            expectError(expected) {
                _ = try IDXReader.loadSplit(folder: folder, split: "train", name: "x", classNames: ClassNames.digits)
            }
        }
    }

    @Test("a small PNG claiming 20000x20000 pixels is refused from its header")
    func hugePNG() throws {
        let folder = try temporaryFolder("png-huge")
        writePNG(folder + "/a.png", width: 4, height: 4, grey: 9)
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: folder + "/a.png")))
        for (offset, value) in [(16, 20_000), (20, 20_000)] {
            bytes[offset] = 0; bytes[offset + 1] = 0; bytes[offset + 2] = UInt8(value >> 8);
            bytes[offset + 3] = UInt8(value & 0xFF)
        }
        try Data(bytes).write(to: URL(fileURLWithPath: folder + "/a.png"))
        expectError("20000x20000 pixels; images may be at most 4096 pixels on a side") {
            _ = try PNGFolder.load(folder)
        }
        expectError("between 1 and 1024") { _ = try PNGFolder.load(folder, resizeTo: 100_000) }
    }

    @Test("a sub-folder reached twice through a symbolic link is read once; top-level images are a class of their own")
    func foldersAndClasses() throws {
        let folder = try temporaryFolder("png-classes")
        for sub in ["cats", "dogs"] {
            try FileManager.default.createDirectory(atPath: folder + "/" + sub, withIntermediateDirectories: true)
            writePNG(folder + "/\(sub)/1.png", width: 4, height: 4, grey: 50)
        }
        try FileManager.default.createSymbolicLink(atPath: folder + "/more-cats", withDestinationPath: folder + "/cats")
        try FileManager.default.createSymbolicLink(atPath: folder + "/loop", withDestinationPath: folder)
        writePNG(folder + "/stray.png", width: 4, height: 4, grey: 200)
        let data = try PNGFolder.load(folder)
        let name = URL(fileURLWithPath: folder).lastPathComponent
        #expect(data.classNames == [name, "cats", "dogs"])
        #expect(data.labels == [0, 1, 2])
    }
}
