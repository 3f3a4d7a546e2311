import CGD
import Foundation
import TensorCore

/// Reads a folder of PNG images. Images in sub-folders take the sub-folder's name as their
/// class (sorted by name); images directly in the folder form a class of their own, named
/// after the folder, before the others. A sub-folder reached twice (a symbolic link to a
/// folder already read) is read once. Colour images keep three channels unless every image
/// is grey. All images must share one size, unless `resizeTo` gives a size to scale them all to.
public enum PNGFolder {
    /// The largest side an image may have: its header is checked before it is decoded, so a
    /// small file claiming a huge picture costs nothing.
    public static let maximumSide = 4096
    /// The largest size `resizeTo` may ask for: the largest side a training image may have.
    public static let maximumResize = Dataset.maximumSide

    public static func load(_ folder: String, resizeTo size: Int? = nil) throws -> Dataset {
        if let size, !(1...maximumResize).contains(size) {
            throw FileError(
                path: folder,
                "cannot scale images to \(size) pixels square; the size must be between 1 and \(maximumResize)")
        }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw FileError(path: folder, "no such folder")
        }
        let entries = try FileManager.default.contentsOfDirectory(atPath: folder).sorted()
        var seen: Set<String> = [realPath(folder)]
        let classFolders = entries.filter { name in
            var dir: ObjCBool = false
            return !name.hasPrefix(".")
                && FileManager.default.fileExists(atPath: folder + "/" + name, isDirectory: &dir) && dir.boolValue
                && seen.insert(realPath(folder + "/" + name)).inserted
        }
        let topLevel = entries.filter { $0.lowercased().hasSuffix(".png") && !isFolder(folder + "/" + $0) }
        let topClass = topLevel.isEmpty ? 0 : 1  // top-level images, if any, are class 0
        var files: [(path: String, label: Int)] = topLevel.map { (folder + "/" + $0, 0) }
        for (index, sub) in classFolders.enumerated() {
            let inner = try FileManager.default.contentsOfDirectory(atPath: folder + "/" + sub).sorted()
            files += inner.filter { $0.lowercased().hasSuffix(".png") && !isFolder(folder + "/" + sub + "/" + $0) }
                .map { (folder + "/" + sub + "/" + $0, index + topClass) }
        }
        guard !files.isEmpty else { throw FileError(path: folder, "no .png images here or in its sub-folders") }

        var decoded: [(rgb: [UInt8], grey: Bool)] = []
        var width = 0, height = 0
        for (i, file) in files.enumerated() {
            let image = try decode(file.path, resizeTo: size)
            if i == 0 {
                (width, height) = (image.width, image.height)
                // Read up to 4,096 a side so that --image-size can scale photographs down; trained on,
                // an image is at most Dataset.maximumSide a side, as from an IDX file.
                guard width <= Dataset.maximumSide && height <= Dataset.maximumSide else {
                    throw FileError(
                        path: file.path,
                        "\(width)x\(height) pixels; images to train on may be at most \(Dataset.maximumSide) pixels on a side (--image-size scales them)"
                    )
                }
            }
            guard image.width == width, image.height == height else {
                throw FileError(
                    path: file.path,
                    "\(image.width)x\(image.height) pixels, expected \(width)x\(height) like \(files[0].path) (or pass --image-size)"
                )
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
        let folderName = URL(fileURLWithPath: folder).lastPathComponent
        let names = (topLevel.isEmpty ? [] : [classFolders.isEmpty ? "image" : folderName]) + classFolders
        return Dataset(
            name: folderName, pixels: pixels, labels: files.map(\.label),
            height: height, width: width, channels: channels, classNames: names)
    }

    /// One PNG file as a data set of one grey image (colour turned grey by ITU-R BT.601 luma,
    /// 0.299 R + 0.587 G + 0.114 B), named after the file.
    public static func loadGrey(_ path: String) throws -> Dataset {
        let image = try decode(path, resizeTo: nil)
        let grey = (0..<(image.width * image.height)).map { p -> UInt8 in
            let (r, g, b) = (Double(image.rgb[3 * p]), Double(image.rgb[3 * p + 1]), Double(image.rgb[3 * p + 2]))
            return UInt8((0.299 * r + 0.587 * g + 0.114 * b).rounded())
        }
        return Dataset(
            name: URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent, pixels: grey, labels: [0],
            height: image.height, width: image.width, channels: 1, classNames: ["image"])
    }

    /// One PNG as interleaved RGB bytes, optionally scaled to size x size.
    static func decode(_ path: String, resizeTo size: Int?) throws -> (
        rgb: [UInt8], width: Int, height: Int, grey: Bool
    ) {
        try checkReadableFile(path, as: "a PNG image")
        guard let data = FileManager.default.contents(atPath: path) else { throw FileError(path: path, "unreadable") }
        let claimed = try headerSize(data, path: path)
        guard claimed.width <= maximumSide && claimed.height <= maximumSide else {
            throw FileError(
                path: path,
                "\(claimed.width)x\(claimed.height) pixels; images may be at most \(maximumSide) pixels on a side")
        }
        gen_gd_start_keeping_complaints()  // libpng's complaint goes into gen's line, not before it
        let loaded = data.withUnsafeBytes { raw -> gdImagePtr? in
            gdImageCreateFromPngPtr(Int32(raw.count), UnsafeMutableRawPointer(mutating: raw.baseAddress))
        }
        let complaints = String(cString: gen_gd_stop_keeping_complaints())
        guard var image = loaded else {
            let complaint = complaints.replacingOccurrences(of: "\n", with: " ").trimmingCharacters(in: .whitespaces)
            throw FileError(path: path, "not a valid PNG image" + (complaint.isEmpty ? "" : " (\(complaint))"))
        }
        defer { gdImageDestroy(image) }
        if let size {
            guard let scaled = gdImageCreateTrueColor(Int32(size), Int32(size)) else {
                throw FileError(path: path, "cannot scale to \(size)x\(size) pixels (out of memory)")
            }
            gdImageCopyResampled(
                scaled, image, 0, 0, 0, 0, Int32(size), Int32(size), image.pointee.sx, image.pointee.sy)
            gdImageDestroy(image)
            image = scaled
        }
        let width = Int(image.pointee.sx), height = Int(image.pointee.sy)  // the header's, or the scaled size
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

    /// Width and height from a PNG's IHDR chunk, which the format puts first.
    static func headerSize(_ data: Data, path: String) throws -> (width: Int, height: Int) {
        let bytes = [UInt8](data.prefix(24))
        guard bytes.count == 24, bytes[0..<8].elementsEqual([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]),
            bytes[12..<16].elementsEqual(Array("IHDR".utf8))
        else {
            throw FileError(path: path, "not a valid PNG image")
        }
        func be32(_ o: Int) -> Int {
            Int(bytes[o]) << 24 | Int(bytes[o + 1]) << 16 | Int(bytes[o + 2]) << 8 | Int(bytes[o + 3])
        }
        return (be32(16), be32(20))
    }

    static func realPath(_ path: String) -> String { URL(fileURLWithPath: path).resolvingSymlinksInPath().path }

    static func isFolder(_ path: String) -> Bool {
        var dir: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &dir) && dir.boolValue
    }
}
