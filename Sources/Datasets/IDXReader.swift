import CZlib
import Foundation
import TensorCore

// MNIST's IDX format (http://yann.lecun.com/exdb/mnist/): a big-endian magic number
// 0x0000 08 DD (08: unsigned bytes; DD: the number of dimensions), DD big-endian u32 sizes,
// then the bytes. Images are 0x00000803 (N, rows, columns), labels 0x00000801 (N).

/// Reads IDX files, gzipped or raw.
public enum IDXReader {
    /// The sizes and bytes of one IDX file, checked against the expected number of dimensions.
    /// The sizes in the header are checked against the file before anything is allocated: a
    /// raw file must hold exactly that many bytes, and a gzip file must say (in its trailer)
    /// that it decompresses to that many; only then is the data decompressed once, straight
    /// into an array of its exact size, so Fashion-MNIST's 47 MB are never held twice. A gzip
    /// file whose trailer disagrees (or that holds several members) is read in pieces, so a
    /// header that lies costs no more memory than the data really there.
    public static func read(_ path: String, dimensions expected: Int) throws -> (sizes: [Int], bytes: [UInt8]) {
        try checkReadableFile(path, as: "an IDX file")
        let storage = try storedForm(of: path)
        guard let file = gzopen(path, "rb") else { throw FileError(path: path, "cannot open") }
        defer { gzclose(file) }
        let headerLength = 4 + 4 * expected
        let header = try readUpTo(headerLength, from: file, path: path)
        guard header.count >= 4 else {
            throw FileError(
                path: path, "truncated: \(header.count) bytes, an IDX file starts with a 4-byte magic number")
        }
        let magic = UInt32(header[0]) << 24 | UInt32(header[1]) << 16 | UInt32(header[2]) << 8 | UInt32(header[3])
        let wanted = UInt32(0x0800) | UInt32(expected)
        guard magic == wanted else {
            throw FileError(
                path: path,
                "magic number 0x\(String(magic, radix: 16, uppercase: true).leftPadded(8)), expected 0x\(String(wanted, radix: 16, uppercase: true).leftPadded(8)) (\(expected == 3 ? "IDX images" : "IDX labels"))"
            )
        }
        guard header.count == headerLength else { throw FileError(path: path, "truncated inside the header") }
        let sizes = (0..<expected).map { d -> Int in
            let o = 4 + 4 * d
            return Int(header[o]) << 24 | Int(header[o + 1]) << 16 | Int(header[o + 2]) << 8 | Int(header[o + 3])
        }
        // Images: at most Dataset.maximumSide a side, as from PNG files or --image-size.
        if expected == 3, sizes[1] > Dataset.maximumSide || sizes[2] > Dataset.maximumSide {
            throw FileError(
                path: path,
                "images of \(sizes[1])x\(sizes[2]) pixels; images to train on may be at most \(Dataset.maximumSide) pixels on a side"
            )
        }
        // Three sizes below 2^32 each can multiply past Int.max: checked, not trapped.
        var needed = 1
        for size in sizes {
            let (product, overflow) = needed.multipliedReportingOverflow(by: size)
            guard !overflow else {
                throw FileError(path: path, "sizes \(sizes) describe more bytes than any file holds")
            }
            needed = product
        }
        switch storage {
        case .raw(let fileSize):
            let present = max(fileSize - headerLength, 0)
            guard present >= needed else {
                throw FileError(
                    path: path, "truncated: sizes \(sizes) need \(needed) bytes of data, the file has \(present)")
            }
            guard present == needed else {
                throw FileError(
                    path: path,
                    "sizes \(sizes) need \(needed) bytes of data, the file has \(present): \(present - needed) more than an IDX file of these sizes"
                )
            }
        case .gzip(let trailerSize, let fileSize):
            // Deflate expands at most 1032-fold: a claim beyond that is false whatever the trailer says.
            guard needed / 1032 <= fileSize else {
                throw FileError(
                    path: path,
                    "sizes \(sizes) need \(needed) bytes of data; a gzip file of \(fileSize) bytes cannot hold them")
            }
            if UInt64(headerLength + needed) & 0xFFFF_FFFF != UInt64(trailerSize) {
                return (sizes, try readInPieces(needed, from: file, path: path, sizes: sizes))
            }
        }
        let bytes = try readUpTo(needed, from: file, path: path)
        guard bytes.count == needed else {
            throw FileError(
                path: path, "truncated: sizes \(sizes) need \(needed) bytes of data, the file has \(bytes.count)")
        }
        return (sizes, bytes)
    }

    /// How a file is stored: raw with its size, or gzipped with the size its trailer gives
    /// (the uncompressed length modulo 2^32, of the last member).
    enum StoredForm { case raw(Int), gzip(trailerSize: UInt32, fileSize: Int) }

    static func storedForm(of path: String) throws -> StoredForm {
        guard let handle = FileHandle(forReadingAtPath: path) else { throw FileError(path: path, "cannot open") }
        defer { try? handle.close() }
        let size = Int((try? handle.seekToEnd()) ?? 0)
        try? handle.seek(toOffset: 0)
        let start = (try? handle.read(upToCount: 2)) ?? Data()
        guard start == Data([0x1F, 0x8B]), size >= 18 else { return .raw(size) }
        try? handle.seek(toOffset: UInt64(size - 4))
        let trailer = [UInt8]((try? handle.read(upToCount: 4)) ?? Data())
        guard trailer.count == 4 else { return .raw(size) }
        return .gzip(
            trailerSize: UInt32(trailer[0]) | UInt32(trailer[1]) << 8 | UInt32(trailer[2]) << 16 | UInt32(trailer[3])
                << 24,
            fileSize: size)
    }

    /// `count` bytes read a megabyte at a time, for a stream whose length is not known in
    /// advance: what the header claims is reserved only as far as data arrives.
    static func readInPieces(_ count: Int, from file: gzFile, path: String, sizes: [Int]) throws -> [UInt8] {
        var out: [UInt8] = []
        while out.count < count {
            let piece = try readUpTo(min(count - out.count, 1 << 20), from: file, path: path)
            if piece.isEmpty { break }
            out += piece
        }
        guard out.count == count else {
            throw FileError(
                path: path, "truncated: sizes \(sizes) need \(count) bytes of data, the file has \(out.count)")
        }
        return out
    }

    /// Up to `count` bytes from `file` (fewer at its end), decompressed when it is gzipped
    /// (zlib's gzread passes raw files through).
    static func readUpTo(_ count: Int, from file: gzFile, path: String) throws -> [UInt8] {
        var out = [UInt8](repeating: 0, count: count)
        var filled = 0
        try out.withUnsafeMutableBytes { buffer in
            while filled < count {
                let chunk = UInt32(min(count - filled, 1 << 30))
                let n = gzread(file, buffer.baseAddress! + filled, chunk)
                if n < 0 { throw FileError(path: path, "corrupt gzip data") }
                if n == 0 { break }
                filled += Int(n)
            }
        }
        if filled < count { out.removeLast(count - filled) }
        return out
    }

    /// A training or test split from a folder holding `<split>-images-idx3-ubyte[.gz]` and
    /// `<split>-labels-idx1-ubyte[.gz]` (split: "train" or "t10k").
    public static func loadSplit(folder: String, split: String, name: String, classNames: [String]) throws -> Dataset {
        let imagesPath = try findFile(folder: folder, stem: "\(split)-images-idx3-ubyte")
        let labelsPath = try findFile(folder: folder, stem: "\(split)-labels-idx1-ubyte")
        let images = try read(imagesPath, dimensions: 3)
        let labels = try read(labelsPath, dimensions: 1)
        guard images.sizes[0] == labels.sizes[0] else {
            throw FileError(
                path: labelsPath, "\(labels.sizes[0]) labels for \(images.sizes[0]) images in \(imagesPath)")
        }
        guard images.sizes[0] > 0 else { throw FileError(path: imagesPath, "holds no images") }
        guard images.sizes[1] > 0, images.sizes[2] > 0 else {
            throw FileError(
                path: imagesPath, "images of \(images.sizes[1])x\(images.sizes[2]) pixels; they need at least one")
        }
        let labelValues = labels.bytes.map(Int.init)
        let classes = (labelValues.max() ?? 0) + 1
        let names = classes <= classNames.count ? classNames : (0..<classes).map(String.init)
        return Dataset(
            name: name, pixels: images.bytes, labels: labelValues, height: images.sizes[1],
            width: images.sizes[2], channels: 1, classNames: names)
    }

    /// `stem.gz` or `stem` in `folder`.
    static func findFile(folder: String, stem: String) throws -> String {
        for candidate in [stem + ".gz", stem] where FileManager.default.fileExists(atPath: folder + "/" + candidate) {
            return folder + "/" + candidate
        }
        throw FileError(path: folder, "no \(stem)[.gz] here (expected an MNIST-format folder)")
    }
}

extension String {
    func leftPadded(_ width: Int) -> String { String(repeating: "0", count: Swift.max(0, width - count)) + self }
}
