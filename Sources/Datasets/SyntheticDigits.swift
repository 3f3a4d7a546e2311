import CGD
import Foundation
import TensorCore

/// A labelled set made in memory, so that everything runs with no files: the digits 0-9 drawn
/// white on black at 28x28, at random offsets, sizes, rotations and stroke widths, with
/// libgd's FreeType text (DejaVu Sans) or, without the font, libgd's built-in bitmap font.
public enum SyntheticDigits {
    /// Where Debian's fonts-dejavu-core puts the typeface.
    public static let fontPath = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"

    /// `count` images, labels cycling 0-9, drawn from `seed`.
    public static func make(count: Int, seed: UInt64, name: String = "synthetic") -> Dataset {
        var generator = SeededGenerator(seed: seed)
        let side = 28
        var pixels = [UInt8](repeating: 0, count: count * side * side)
        var labels = [Int](repeating: 0, count: count)
        let haveFont = FileManager.default.fileExists(atPath: fontPath)
        let image = gdImageCreateTrueColor(Int32(side), Int32(side))!
        defer { gdImageDestroy(image) }
        let white = gdImageColorAllocate(image, 255, 255, 255)
        for i in 0..<count {
            let digit = i % 10
            labels[i] = digit
            gdImageFilledRectangle(image, 0, 0, Int32(side - 1), Int32(side - 1), 0)
            let size = Double(generator.nextUniform(13, 19))
            let angle = Double(generator.nextUniform(-0.35, 0.35))
            let dx = generator.nextUniform(-3, 3), dy = generator.nextUniform(-3, 3)
            let strokes = generator.nextUniform() < 0.5 ? 1 : 2
            for s in 0..<strokes {
                let x = Int32(9 + dx) + Int32(s), y = Int32(22 + dy)
                if haveFont {
                    var box = [Int32](repeating: 0, count: 8)
                    var text = Array("\(digit)".utf8CString)
                    var font = Array(fontPath.utf8CString)
                    _ = gdImageStringFT(image, &box, white, &font, size, angle, x, y, &text)
                } else {
                    gdImageChar(image, gdFontGetGiant(), x, y - 15, Int32(UInt8(ascii: "0")) + Int32(digit), white)
                }
            }
            for y in 0..<side {
                for x in 0..<side {
                    let c = gdImageGetTrueColorPixel(image, Int32(x), Int32(y))
                    pixels[i * side * side + y * side + x] = UInt8((c >> 8) & 0xFF)
                }
            }
        }
        return Dataset(name: name, pixels: pixels, labels: labels, height: side, width: side, channels: 1,
                       classNames: ClassNames.digits)
    }
}
