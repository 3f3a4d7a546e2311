import CGD
import Foundation
import TensorCore

/// A 24-bit colour.
public struct Color: Equatable, Sendable {
    public var red, green, blue: Int
    public init(_ red: Int, _ green: Int, _ blue: Int) { (self.red, self.green, self.blue) = (red, green, blue) }
    var gd: Int32 { Int32(red << 16 | green << 8 | blue) }

    public static let white = Color(255, 255, 255), black = Color(0, 0, 0)
    public static let background = Color(250, 250, 248), ink = Color(30, 30, 35), faint = Color(150, 150, 155)
    public static let titleBar = Color(38, 50, 72), tileBorder = Color(48, 48, 48), highlight = Color(230, 126, 34)
    /// Ten colours that stay apart on a projector (the "tab10" palette).
    public static let categorical = [
        Color(31, 119, 180), Color(255, 127, 14), Color(44, 160, 44), Color(214, 39, 40),
        Color(148, 103, 189), Color(140, 86, 75), Color(227, 119, 194), Color(127, 127, 127),
        Color(188, 189, 34), Color(23, 190, 207),
    ]
}

/// A picture being drawn: libgd's true-colour image with text from FreeType (DejaVu Sans), or
/// libgd's built-in bitmap font when the typeface is not installed.
public final class Canvas {
    public let width: Int
    public let height: Int
    /// libgd's image, for the targets of this package that encode it (GIF films).
    package let image: gdImagePtr

    /// libgd's FreeType font cache is shared by the process and set up lazily, which races when
    /// two threads draw text at once (tests do; a byte-identical figure came out different).
    /// It is set up once here, and every FreeType call holds this lock.
    static let freeType: NSLock = {
        gdFontCacheSetup()
        return NSLock()
    }()

    static let regularFont = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
    static let boldFont = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"
    static let haveFonts = FileManager.default.fileExists(atPath: regularFont)

    public init(width: Int, height: Int, background: Color = .background) {
        self.width = width
        self.height = height
        image = gdImageCreateTrueColor(Int32(max(width, 1)), Int32(max(height, 1)))!
        gdImageAlphaBlending(image, 1)
        fill(x: 0, y: 0, width: width, height: height, color: background)
    }

    deinit { gdImageDestroy(image) }

    public func fill(x: Int, y: Int, width: Int, height: Int, color: Color) {
        guard width > 0, height > 0 else { return }
        gdImageFilledRectangle(image, Int32(x), Int32(y), Int32(x + width - 1), Int32(y + height - 1), color.gd)
    }

    /// A rectangle outline `thickness` pixels wide, drawn just outside the given box.
    public func frame(x: Int, y: Int, width: Int, height: Int, color: Color, thickness: Int = 2) {
        for t in 1...max(thickness, 1) {
            gdImageRectangle(
                image, Int32(x - t), Int32(y - t), Int32(x + width - 1 + t), Int32(y + height - 1 + t), color.gd)
        }
    }

    public func line(from a: (x: Double, y: Double), to b: (x: Double, y: Double), color: Color, thickness: Int = 1) {
        gdImageSetThickness(image, Int32(thickness))
        gdImageLine(
            image, Int32(a.x.rounded()), Int32(a.y.rounded()), Int32(b.x.rounded()), Int32(b.y.rounded()), color.gd)
        gdImageSetThickness(image, 1)
    }

    public func dot(x: Double, y: Double, radius: Int, color: Color) {
        gdImageFilledEllipse(
            image, Int32(x.rounded()), Int32(y.rounded()), Int32(2 * radius), Int32(2 * radius), color.gd)
    }

    public enum Anchor { case left, center, right }

    /// Draws `text` with its baseline at y, turned `angle` radians anticlockwise about its start
    /// (the bitmap fallback font does not turn); returns its unturned width.
    @discardableResult
    public func text(
        _ text: String, x: Int, y: Int, size: Double = 11, color: Color = .ink, bold: Bool = false,
        anchor: Anchor = .left, angle: Double = 0
    ) -> Int {
        let w = Canvas.textWidth(text, size: size, bold: bold)
        let left = anchor == .left ? x : anchor == .center ? x - w / 2 : x - w
        if Canvas.haveFonts {
            var box = [Int32](repeating: 0, count: 8)
            var font = Array((bold ? Canvas.boldFont : Canvas.regularFont).utf8CString)
            var string = Array(text.utf8CString)
            Canvas.freeType.withLock {
                _ = gdImageStringFT(image, &box, color.gd, &font, size, angle, Int32(left), Int32(y), &string)
            }
        } else {
            let f = size >= 13 ? gdFontGetLarge() : gdFontGetSmall()
            var bytes = Array(text.utf8).map { Int8(bitPattern: $0) } + [0]
            bytes.withUnsafeMutableBufferPointer { p in
                p.baseAddress!.withMemoryRebound(to: UInt8.self, capacity: p.count) {
                    gdImageString(image, f, Int32(left), Int32(y) - f!.pointee.h + 2, $0, color.gd)
                }
            }
        }
        return w
    }

    /// The width of `text` in pixels.
    public static func textWidth(_ text: String, size: Double = 11, bold: Bool = false) -> Int {
        guard haveFonts else {
            let f = size >= 13 ? gdFontGetLarge()! : gdFontGetSmall()!
            return Int(f.pointee.w) * text.count
        }
        var box = [Int32](repeating: 0, count: 8)
        var font = Array((bold ? boldFont : regularFont).utf8CString)
        var string = Array(text.utf8CString)
        freeType.withLock { _ = gdImageStringFT(nil, &box, 0, &font, size, 0, 0, 0, &string) }
        return Int(box[2] - box[0])
    }

    /// Draws image `index` of `images` (N, C*H*W), values in [0, 1] (clamped), with its top-left
    /// corner at (x, y), each pixel as a scale x scale block.
    public func drawImage(_ images: Tensor, index: Int, layout: ImageLayout, x: Int, y: Int, scale: Int) {
        let base = images.data + index * layout.size
        let plane = layout.height * layout.width
        for py in 0..<layout.height {
            for px in 0..<layout.width {
                let p = py * layout.width + px
                func byte(_ c: Int) -> Int32 {
                    let v = base[c * plane + p]
                    return v.isFinite ? Int32((min(max(v, 0), 1) * 255).rounded()) : 0
                }
                let (r, g, b) = layout.channels >= 3 ? (byte(0), byte(1), byte(2)) : (byte(0), byte(0), byte(0))
                let colour = r << 16 | g << 8 | b
                if scale == 1 {
                    gdImageSetPixel(image, Int32(x + px), Int32(y + py), colour)
                } else {
                    gdImageFilledRectangle(
                        image, Int32(x + px * scale), Int32(y + py * scale),
                        Int32(x + (px + 1) * scale - 1), Int32(y + (py + 1) * scale - 1), colour)
                }
            }
        }
    }

    /// Copies `other` onto this canvas with its top-left corner at (x, y).
    public func draw(_ other: Canvas, x: Int, y: Int) {
        gdImageCopy(image, other.image, Int32(x), Int32(y), 0, 0, Int32(other.width), Int32(other.height))
    }

    /// The colour of pixel (x, y).
    public func pixel(x: Int, y: Int) -> Color {
        let c = gdImageGetTrueColorPixel(image, Int32(x), Int32(y))
        return Color(Int((c >> 16) & 0xFF), Int((c >> 8) & 0xFF), Int(c & 0xFF))
    }

    /// PNG bytes (libgd's encoder: no timestamps, so equal pictures give equal bytes).
    public func png() -> Data { pngData(image) }

    /// Writes the PNG to `path`, atomically.
    public func writePNG(to path: String) throws { try writeAtomically(png(), to: path) }
}

/// libgd's PNG encoding of `image`, at the default compression.
package func pngData(_ image: gdImagePtr) -> Data {
    var size: Int32 = 0
    guard let bytes = gdImagePngPtr(image, &size) else { return Data() }
    defer { gdFree(bytes) }
    return Data(bytes: bytes, count: Int(size))
}
