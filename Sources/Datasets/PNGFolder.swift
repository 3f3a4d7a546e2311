import CGD
import Foundation
import TensorCore

/// Reads a folder of PNG images. Images in sub-folders take the sub-folder's name as their
/// class (sorted by name); images directly in the folder get class 0. Colour images keep three
/// channels unless every image is grey. All images must share one size, unless `resizeTo`
/// gives a size to scale them all to.
public enum PNGFolder {
    public static func load(_ folder: String, resizeTo size: Int? = nil) throws -> Dataset {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw FileError(path: folder, "no such folder")
        }
        let entries = try FileManager.default.contentsOfDirectory(atPath: folder).sorted()
        let classFolders = entries.filter { name in
            var dir: ObjCBool = false
            return !name.hasPrefix(".") && FileManager.default.fileExists(atPath: folder + "/" + name, isDirectory: &dir) && dir.boolValue
        }
        var files: [(path: String, label: Int)] = entries.filter { $0.lowercased().hasSuffix(".png") }.map { (folder + "/" + $0, 0) }
        for (label, sub) in classFolders.enumerated() {
            let inner = try FileManager.default.contentsOfDirectory(atPath: folder + "/" + sub).sorted()
            files += inner.filter { $0.lowercased().hasSuffix(".png") }.map { (folder + "/" + sub + "/" + $0, label) }
        }
        guard !files.isEmpty else { throw FileError(path: folder, "no .png images here or in its sub-folders") }

        var decoded: [(rgb: [UInt8], grey: Bool)] = []
        var width = 0, height = 0
        for (i, file) in files.enumerated() {
            let image = try decode(file.path, resizeTo: size)
            if i == 0 { (width, height) = (image.width, image.height) }
            guard image.width == width, image.height == height else {
                throw FileError(path: file.path, "\(image.width)x\(image.height) pixels, expected \(width)x\(height) like \(files[0].path) (or pass --image-size)")
            }
            decoded.append((image.rgb, image.grey))
        }
        let allGrey = decoded.allSatisfy(\.grey)
        let channels = allGrey ? 1 : 3
        var pixels: [UInt8] = []
        pixels.reserveCapacity(files.count * channels * width * height)
        for image in decoded {
            if allGrey {
                for p in 0..<(width * height) { pixels.append(image.rgb[3 * p]) }
            } else {
                for c in 0..<3 { for p in 0..<(width * height) { pixels.append(image.rgb[3 * p + c]) } }
            }
        }
        let names = classFolders.isEmpty ? ["image"] : classFolders
        return Dataset(name: URL(fileURLWithPath: folder).lastPathComponent, pixels: pixels, labels: files.map(\.label),
                       height: height, width: width, channels: channels, classNames: names)
    }

    /// One PNG as interleaved RGB bytes, optionally scaled to size x size.
    static func decode(_ path: String, resizeTo size: Int?) throws -> (rgb: [UInt8], width: Int, height: Int, grey: Bool) {
        guard let data = FileManager.default.contents(atPath: path) else { throw FileError(path: path, "unreadable") }
        let loaded = data.withUnsafeBytes { raw -> gdImagePtr? in
            gdImageCreateFromPngPtr(Int32(raw.count), UnsafeMutableRawPointer(mutating: raw.baseAddress))
        }
        guard var image = loaded else { throw FileError(path: path, "not a valid PNG image") }
        defer { gdImageDestroy(image) }
        if let size {
            let scaled = gdImageCreateTrueColor(Int32(size), Int32(size))!
            gdImageCopyResampled(scaled, image, 0, 0, 0, 0, Int32(size), Int32(size), image.pointee.sx, image.pointee.sy)
            gdImageDestroy(image)
            image = scaled
        }
        let width = Int(image.pointee.sx), height = Int(image.pointee.sy)
        var rgb = [UInt8](repeating: 0, count: 3 * width * height)
        var grey = true
        for y in 0..<height {
            for x in 0..<width {
                let c = gdImageGetTrueColorPixel(image, Int32(x), Int32(y))
                let r = UInt8((c >> 16) & 0xFF), g = UInt8((c >> 8) & 0xFF), b = UInt8(c & 0xFF)
                if r != g || g != b { grey = false }
                let o = 3 * (y * width + x)
                rgb[o] = r; rgb[o + 1] = g; rgb[o + 2] = b
            }
        }
        return (rgb, width, height, grey)
    }
}
