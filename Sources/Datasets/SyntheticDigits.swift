import Foundation
import Drawing
import TensorCore

/// A labelled set made in memory, so that everything runs with no files: the digits 0-9 drawn
/// white on black at 28x28, at random offsets, sizes, rotations and stroke widths, with
/// the gallery's canvas: DejaVu Sans through FreeType, or libgd's bitmap font without it.
public enum SyntheticDigits {
    /// `count` images, labels cycling 0-9, drawn from `seed`.
    public static func make(count: Int, seed: UInt64, name: String = "synthetic") -> Dataset {
        var generator = SeededGenerator(seed: seed)
        let side = 28
        var pixels = [UInt8](repeating: 0, count: count * side * side)
        var labels = [Int](repeating: 0, count: count)
        let canvas = Canvas(width: side, height: side, background: .black)
        for i in 0..<count {
            let digit = i % 10
            labels[i] = digit
            canvas.fill(x: 0, y: 0, width: side, height: side, color: .black)
            let size = Double(generator.nextUniform(13, 19))
            let angle = Double(generator.nextUniform(-0.35, 0.35))
            let dx = generator.nextUniform(-3, 3), dy = generator.nextUniform(-3, 3)
            let strokes = generator.nextUniform() < 0.5 ? 1 : 2
            for s in 0..<strokes {  // a second pass one pixel over makes a wider stroke
                canvas.text("\(digit)", x: Int(9 + dx) + s, y: Int(22 + dy), size: size, color: .white, angle: angle)
            }
            for y in 0..<side {
                for x in 0..<side { pixels[i * side * side + y * side + x] = UInt8(canvas.pixel(x: x, y: y).green) }
            }
        }
        return Dataset(
            name: name, pixels: pixels, labels: labels, height: side, width: side, channels: 1,
            classNames: ClassNames.digits)
    }
}
