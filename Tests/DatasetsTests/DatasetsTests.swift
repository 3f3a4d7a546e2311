import Foundation
import Testing
@testable import Datasets
import TensorCore

@Suite("Data: IDX, PNG folders, synthetic digits, batches")
struct DatasetsTests {
    @Test("IDX folders load gzipped and raw", arguments: [true, false])
    func idx(gzipped: Bool) throws {
        let folder = try temporaryFolder("idx")
        try writeIDXFolder(folder, count: 12, gzipped: gzipped)
        let splits = try DataSource.folder(folder).load()
        #expect(splits.train.count == 12 && splits.test.count == 12)
        #expect(splits.train.height == 4 && splits.train.width == 3 && splits.train.channels == 1)
        #expect(splits.train.labels[11] == 1)
        #expect(splits.train.pixels[5 * 12] == 50)
    }

    @Test("a subset holds the chosen images and labels in the order asked, under its own name")
    func subset() {
        let data = Dataset(
            name: "d", pixels: [1, 1, 2, 2, 3, 3], labels: [0, 1, 2], height: 1, width: 2, channels: 1,
            classNames: ["a", "b", "c"])
        let chosen = data.subset([2, 0, 2], name: "d-some")
        #expect(
            chosen.pixels == [3, 3, 1, 1, 3, 3] && chosen.labels == [2, 0, 2] && chosen.name == "d-some"
                && chosen.classNames == data.classNames)
        #expect(data.subset([], name: "none").count == 0)
    }

    @Test("rotations turn each image a quarter at a time, counter-clockwise, labelled by the turn")
    func rotations() {
        // 1 2
        // 3 4   turned 90° counter-clockwise is  2 4 / 1 3
        let data = Dataset(
            name: "d", pixels: [1, 2, 3, 4], labels: [7], height: 2, width: 2, channels: 1, classNames: ["x"])
        let turned = data.rotations(name: "d-rotated")
        #expect(turned.pixels == [1, 2, 3, 4, 2, 4, 1, 3, 4, 3, 2, 1, 3, 1, 4, 2])
        #expect(turned.labels == [0, 1, 2, 3] && turned.classNames.count == 4 && turned.name == "d-rotated")
    }

    @Test("patches cut an image row by row, with or without overlap, and tile back into it")
    func patches() {
        let image = Dataset(
            name: "i", pixels: (0..<36).map(UInt8.init), labels: [0], height: 6, width: 6, channels: 1,
            classNames: ["x"])
        let tiles = image.patches(side: 2, stride: 2, name: "tiles")
        #expect(tiles.count == 9 && tiles.height == 2 && tiles.name == "tiles")
        #expect(Array(tiles.pixels[0..<4]) == [0, 1, 6, 7] && Array(tiles.pixels[4..<8]) == [2, 3, 8, 9])
        #expect(image.patches(side: 4, stride: 1, name: "o").count == 9)
        #expect(image.patches(side: 4, stride: 4, name: "o").count == 1)  // the edges left over are dropped
        let back = tiledImage(tiles.images(Array(0..<9), range: .unit), side: 2, rows: 3, columns: 3)
        #expect(back.scalars == image.images([0], range: .unit).scalars)
        #expect(Dataset(greyImage: back, height: 6, width: 6, name: "again").pixels == image.pixels)
        let pixels = image.images([0], range: .unit).scalars
        #expect(centralCrop(back, height: 6, width: 6, side: 2).scalars == [14, 15, 20, 21].map { pixels[$0] })
    }

    @Test("a wrong magic number names the file and both numbers")
    func wrongMagic() throws {
        let folder = try temporaryFolder("magic")
        try writeIDXFolder(folder, count: 3, gzipped: false)
        try Data(idxBytes(dimensions: [3, 4, 3], data: [UInt8](repeating: 0, count: 36), magicOverride: 0x0000_0801))
            .write(to: URL(fileURLWithPath: folder + "/train-images-idx3-ubyte"))
        try expectFileError(folder + "/train-images-idx3-ubyte", mentioning: "expected 0x00000803") {
            _ = try DataSource.folder(folder).load()
        }
    }

    @Test("a truncated file is refused")
    func truncated() throws {
        let folder = try temporaryFolder("trunc")
        try writeIDXFolder(folder, count: 3, gzipped: true)
        writeGzip(
            idxBytes(dimensions: [3, 4, 3], data: [UInt8](repeating: 0, count: 20)),
            to: folder + "/t10k-images-idx3-ubyte.gz")
        try expectFileError(folder + "/t10k-images-idx3-ubyte.gz", mentioning: "truncated") {
            _ = try DataSource.folder(folder).load()
        }
    }

    @Test("image and label counts must agree")
    func countMismatch() throws {
        let folder = try temporaryFolder("count")
        try writeIDXFolder(folder, count: 3, gzipped: false)
        try Data(idxBytes(dimensions: [2], data: [0, 1])).write(
            to: URL(fileURLWithPath: folder + "/train-labels-idx1-ubyte"))
        try expectFileError(folder + "/train-labels-idx1-ubyte", mentioning: "2 labels for 3 images") {
            _ = try DataSource.folder(folder).load()
        }
    }

    @Test("a missing folder is refused with the flag's choices")
    func missingFolder() throws {
        try expectFileError("/no/such/folder", mentioning: "no such folder") {
            _ = try DataSource(argument: "/no/such/folder").load()
        }
    }

    @Test("PNG folders: class sub-folders become labels, a tenth becomes the test set")
    func pngFolder() throws {
        let folder = try temporaryFolder("png")
        for (c, name) in ["cats", "dogs"].enumerated() {
            try FileManager.default.createDirectory(atPath: "\(folder)/\(name)", withIntermediateDirectories: true)
            for i in 0..<10 { writePNG("\(folder)/\(name)/\(i).png", width: 5, height: 4, grey: Int32(c * 100 + i)) }
        }
        let splits = try DataSource.folder(folder).load()
        #expect(splits.train.classNames == ["cats", "dogs"])
        #expect(splits.train.count == 18 && splits.test.count == 2)
        #expect(splits.train.width == 5 && splits.train.height == 4 && splits.train.channels == 1)
        #expect(splits.test.labels == [0, 1])
        #expect(splits.test.pixels[0] == 9)  // cats/9.png, grey level 9
    }

    @Test("PNGs of mixed sizes are refused naming the odd one; --image-size resizes them")
    func mixedSizes() throws {
        let folder = try temporaryFolder("mixed")
        writePNG(folder + "/a.png", width: 5, height: 5, grey: 10)
        writePNG(folder + "/b.png", width: 6, height: 5, grey: 10, colour: true)
        try expectFileError(folder + "/b.png", mentioning: "expected 5x5") { _ = try PNGFolder.load(folder) }
        let resized = try PNGFolder.load(folder, resizeTo: 8)
        #expect(resized.width == 8 && resized.height == 8 && resized.channels == 3)
    }

    @Test("synthetic digits are deterministic, labelled 0-9 and drawn")
    func synthetic() {
        let a = SyntheticDigits.make(count: 20, seed: 3), b = SyntheticDigits.make(count: 20, seed: 3)
        #expect(a.pixels == b.pixels)
        #expect(a.labels == (0..<20).map { $0 % 10 })
        #expect(SyntheticDigits.make(count: 20, seed: 4).pixels != a.pixels)
        for i in 0..<20 {
            let image = a.pixels[(i * 784)..<((i + 1) * 784)]
            let lit = image.filter { $0 > 128 }.count
            #expect(lit > 15 && lit < 400, "image \(i) has \(lit) bright pixels")
        }
    }

    @Test("batches cover every image once, keep the partial last batch, and scale pixels")
    func batches() {
        let data = SyntheticDigits.make(count: 10, seed: 1)
        var random: SeededGenerator? = SeededGenerator(seed: 5)
        let batches = Batches(data, batchSize: 4, range: .symmetric, shuffledBy: &random)
        #expect(batches.count == 3)
        var seen: [Int] = [], sizes: [Int] = []
        for batch in batches {
            seen += batch.indices
            sizes.append(batch.images.shape[0])
            #expect(batch.images.min() >= -1 && batch.images.max() <= 1)
        }
        #expect(sizes == [4, 4, 2])
        #expect(seen.sorted() == Array(0..<10) && seen != Array(0..<10))
        var again: SeededGenerator? = SeededGenerator(seed: 5)
        #expect(Batches(data, batchSize: 4, range: .unit, shuffledBy: &again).order == batches.order)
        let unit = data.images([0], range: .unit)
        #expect(unit.min() == 0 && unit.max() <= 1 && unit.max() > 0.5)
    }

    func expectFileError(
        _ path: String, mentioning words: String, sourceLocation: SourceLocation = #_sourceLocation,
        _ body: () throws -> Void
    ) throws {
        do {
            try body()
            Issue.record("expected an error about \(path)", sourceLocation: sourceLocation)
        } catch let error as FileError {
            #expect(error.path == path, "\(error)", sourceLocation: sourceLocation)
            #expect(error.message.contains(words), "\(error)", sourceLocation: sourceLocation)
        }
    }

    @Test(
        "a data set's fingerprint follows its contents: a changed pixel, label or class name changes it; a copy keeps it"
    )
    func fingerprint() {
        let digits = SyntheticDigits.make(count: 30, seed: 4)
        var copy = digits
        copy.name = "another name"
        #expect(copy.fingerprint == digits.fingerprint, "the name is not the contents")
        var pixel = digits
        pixel.pixels[digits.pixels.count - 1] ^= 1  // the last byte: the tail after the eight-byte words
        var label = digits
        label.labels[0] = (label.labels[0] + 1) % 10
        var names = digits
        names.classNames[3] = "three"
        let fingerprints = [digits, pixel, label, names, digits.prefix(29)].map(\.fingerprint)
        #expect(Set(fingerprints).count == fingerprints.count, "\(fingerprints)")
    }
}
