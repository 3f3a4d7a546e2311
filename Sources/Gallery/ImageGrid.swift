import CGD
import Foundation
import TensorCore

/// The size and layout of images stored as rows of a tensor: (N, C*H*W), planar channels.
public struct ImageLayout: Sendable, Equatable {
    public var channels: Int
    public var height: Int
    public var width: Int

    public init(channels: Int, height: Int, width: Int) {
        self.channels = channels
        self.height = height
        self.width = width
    }

    /// Values per image.
    public var size: Int { channels * height * width }
}

/// Images laid out in a grid of tiles with a thin dark border between them, written as PNG.
public struct ImageGrid {
    public let layout: ImageLayout
    public let rows: Int
    public let columns: Int
    /// Pixels between tiles (and around the grid).
    public let padding: Int
    /// Each tile drawn at this many pixels per image pixel.
    public let scale: Int

    public init(layout: ImageLayout, rows: Int, columns: Int, padding: Int = 2, scale: Int = 2) {
        self.layout = layout
        self.rows = rows
        self.columns = columns
        self.padding = padding
        self.scale = scale
    }

    /// The picture's width and height in pixels.
    public var pixelSize: (width: Int, height: Int) {
        (columns * (layout.width * scale + padding) + padding, rows * (layout.height * scale + padding) + padding)
    }

    /// The top-left pixel of tile (row, column).
    public func origin(row: Int, column: Int) -> (x: Int, y: Int) {
        (padding + column * (layout.width * scale + padding), padding + row * (layout.height * scale + padding))
    }

    /// PNG bytes of `images` (N, C*H*W), values in [0, 1] (clamped), filled row by row; tiles
    /// past N stay background.
    public func png(_ images: Tensor) -> Data {
        precondition(images.shape.countPerItem == layout.size, "images of \(images.shape) do not match \(layout)")
        let (w, h) = pixelSize
        let image = gdImageCreateTrueColor(Int32(w), Int32(h))!
        defer { gdImageDestroy(image) }
        gdImageFilledRectangle(image, 0, 0, Int32(w - 1), Int32(h - 1), Int32(0x30_30_30))
        let plane = layout.height * layout.width
        for n in 0..<min(images.shape[0], rows * columns) {
            let (ox, oy) = origin(row: n / columns, column: n % columns)
            let base = images.data + n * layout.size
            for y in 0..<(layout.height * scale) {
                for x in 0..<(layout.width * scale) {
                    let p = (y / scale) * layout.width + x / scale
                    func byte(_ c: Int) -> Int32 { Int32((min(max(base[c * plane + p], 0), 1) * 255).rounded()) }
                    let (r, g, b) = layout.channels >= 3 ? (byte(0), byte(1), byte(2)) : (byte(0), byte(0), byte(0))
                    gdImageSetPixel(image, Int32(ox + x), Int32(oy + y), r << 16 | g << 8 | b)
                }
            }
        }
        return pngData(image)
    }

    /// Writes `png(images)` to `path`, atomically.
    public func write(_ images: Tensor, to path: String) throws {
        try writeAtomically(png(images), to: path)
    }
}

/// libgd's PNG encoding of `image`, at the default compression.
func pngData(_ image: gdImagePtr) -> Data {
    var size: Int32 = 0
    guard let bytes = gdImagePngPtr(image, &size) else { return Data() }
    defer { gdFree(bytes) }
    return Data(bytes: bytes, count: Int(size))
}
