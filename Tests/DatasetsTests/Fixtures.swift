import CGD
import CZlib
import Foundation
@testable import Datasets

/// A fresh temporary folder for one test.
func temporaryFolder(_ label: String) throws -> String {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("gen-\(label)-\(UUID())").path
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

/// IDX bytes: magic 0x000008DD, big-endian sizes, data.
func idxBytes(dimensions sizes: [Int], data: [UInt8], magicOverride: UInt32? = nil) -> [UInt8] {
    let magic = magicOverride ?? (0x0800 | UInt32(sizes.count))
    var out: [UInt8] = [
        UInt8(magic >> 24), UInt8((magic >> 16) & 0xFF), UInt8((magic >> 8) & 0xFF), UInt8(magic & 0xFF),
    ]
    for s in sizes { out += [UInt8(s >> 24), UInt8((s >> 16) & 0xFF), UInt8((s >> 8) & 0xFF), UInt8(s & 0xFF)] }
    return out + data
}

/// Writes `bytes` gzipped with zlib.
func writeGzip(_ bytes: [UInt8], to path: String) {
    let file = gzopen(path, "wb")!
    var copy = bytes
    _ = gzwrite(file, &copy, UInt32(copy.count))
    gzclose(file)
}

/// Writes an MNIST-format folder with `count` 4x3 images per split; image i is filled with i*10.
func writeIDXFolder(_ folder: String, count: Int, gzipped: Bool) throws {
    for split in ["train", "t10k"] {
        let pixels = (0..<count).flatMap { i in [UInt8](repeating: UInt8(i * 10 % 256), count: 12) }
        let images = idxBytes(dimensions: [count, 4, 3], data: pixels)
        let labels = idxBytes(dimensions: [count], data: (0..<count).map { UInt8($0 % 10) })
        let suffix = gzipped ? ".gz" : ""
        if gzipped {
            writeGzip(images, to: "\(folder)/\(split)-images-idx3-ubyte\(suffix)")
            writeGzip(labels, to: "\(folder)/\(split)-labels-idx1-ubyte\(suffix)")
        } else {
            try Data(images).write(to: URL(fileURLWithPath: "\(folder)/\(split)-images-idx3-ubyte"))
            try Data(labels).write(to: URL(fileURLWithPath: "\(folder)/\(split)-labels-idx1-ubyte"))
        }
    }
}

/// Writes a PNG of `width` x `height` filled with one grey level (or a colour).
func writePNG(_ path: String, width: Int, height: Int, grey: Int32, colour: Bool = false) {
    let image = gdImageCreateTrueColor(Int32(width), Int32(height))!
    defer { gdImageDestroy(image) }
    let c = colour ? (grey << 16) : (grey << 16 | grey << 8 | grey)
    gdImageFilledRectangle(image, 0, 0, Int32(width - 1), Int32(height - 1), c)
    var size: Int32 = 0
    let bytes = gdImagePngPtr(image, &size)!
    FileManager.default.createFile(atPath: path, contents: Data(bytes: bytes, count: Int(size)))
    gdFree(bytes)
}
