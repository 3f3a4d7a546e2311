import CGD
import Foundation
import TensorCore

/// Tiles in rows and columns with a thin dark border between them: the geometry shared by
/// every figure made of images.
public struct ImageGrid: Sendable {
    public let layout: ImageLayout
    public let rows: Int
    public let columns: Int
    /// Pixels between tiles (and around the grid).
    public let padding: Int
    /// Each tile drawn at this many pixels per image pixel.
    public let scale: Int
    /// Extra pixels below each row (for captions).
    public let captionHeight: Int

    public init(layout: ImageLayout, rows: Int, columns: Int, padding: Int = 2, scale: Int = 2, captionHeight: Int = 0)
    {
        self.layout = layout
        self.rows = rows
        self.columns = columns
        self.padding = padding
        self.scale = scale
        self.captionHeight = captionHeight
    }

    /// The tile's size in pixels.
    public var tileSize: (width: Int, height: Int) { (layout.width * scale, layout.height * scale) }

    /// The grid's width and height in pixels.
    public var pixelSize: (width: Int, height: Int) {
        (columns * (tileSize.width + padding) + padding, rows * (tileSize.height + padding + captionHeight) + padding)
    }

    /// The top-left pixel of tile (row, column), relative to the grid's corner.
    public func origin(row: Int, column: Int) -> (x: Int, y: Int) {
        (padding + column * (tileSize.width + padding), padding + row * (tileSize.height + padding + captionHeight))
    }

    /// Draws the background and `images` row by row (tiles past N stay empty) at (x, y).
    public func draw(_ images: Tensor, on canvas: Canvas, x: Int, y: Int) {
        precondition(images.shape.countPerItem == layout.size, "images of \(images.shape) do not match \(layout)")
        canvas.fill(x: x, y: y, width: pixelSize.width, height: pixelSize.height, color: .tileBorder)
        for n in 0..<min(images.shape[0], rows * columns) {
            let o = origin(row: n / columns, column: n % columns)
            canvas.drawImage(images, index: n, layout: layout, x: x + o.x, y: y + o.y, scale: scale)
        }
    }

    /// Just the grid (no title) on a canvas of its own size.
    public func canvas(_ images: Tensor) -> Canvas {
        let canvas = Canvas(width: pixelSize.width, height: pixelSize.height)
        draw(images, on: canvas, x: 0, y: 0)
        return canvas
    }

    /// PNG bytes of just the grid (no title).
    public func png(_ images: Tensor) -> Data { canvas(images).png() }
}
