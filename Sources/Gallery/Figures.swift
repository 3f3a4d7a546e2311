import Foundation
import TensorCore

/// The figures a lecture needs, each a canvas with a title bar. Images are tensors of rows
/// (N, C*H*W) with values in [0, 1].
public enum Figures {
    static let margin = 12

    /// A canvas wide enough for `content` and the title, with the bar drawn.
    static func titled(_ title: FigureTitle, contentWidth: Int, contentHeight: Int) -> Canvas {
        let width = max(contentWidth + 2 * margin, title.minimumWidth)
        let canvas = Canvas(width: width, height: FigureTitle.height + contentHeight + 2 * margin)
        title.draw(on: canvas)
        return canvas
    }

    /// An N x N grid of samples.
    public static func sampleGrid(_ images: Tensor, layout: ImageLayout, side: Int, title: FigureTitle) -> Canvas {
        let grid = ImageGrid(layout: layout, rows: side, columns: side)
        let canvas = titled(title, contentWidth: grid.pixelSize.width, contentHeight: grid.pixelSize.height)
        grid.draw(images, on: canvas, x: (canvas.width - grid.pixelSize.width) / 2, y: FigureTitle.height + margin)
        return canvas
    }

    /// Rows of interpolations. With `endpoints` (the real images at each end, 2 per row) those
    /// stand in extra columns at both ends; the decoded endpoints are framed either way.
    public static func interpolation(
        _ images: Tensor, endpoints: Tensor?, rows: Int, steps: Int,
        layout: ImageLayout, title: FigureTitle
    ) -> Canvas {
        let extra = endpoints == nil ? 0 : 2
        let gap = endpoints == nil ? 0 : 8
        let grid = ImageGrid(layout: layout, rows: rows, columns: steps + extra)
        let canvas = titled(
            title, contentWidth: grid.pixelSize.width + 2 * gap, contentHeight: grid.pixelSize.height + 18)
        let x0 = (canvas.width - grid.pixelSize.width - 2 * gap) / 2, y0 = FigureTitle.height + margin + 18
        canvas.fill(
            x: x0, y: y0, width: grid.pixelSize.width + 2 * gap, height: grid.pixelSize.height, color: .background)
        let (w, h) = grid.tileSize
        for r in 0..<rows {
            for c in 0..<(steps + extra) {
                let o = grid.origin(row: r, column: c)
                let x = x0 + o.x + (c == 0 ? 0 : gap) + (c == steps + extra - 1 && extra > 0 ? gap : 0), y = y0 + o.y
                if let endpoints, c == 0 || c == steps + 1 {
                    canvas.drawImage(
                        endpoints, index: 2 * r + (c == 0 ? 0 : 1), layout: layout, x: x, y: y, scale: grid.scale)
                    continue
                }
                let step = c - extra / 2
                canvas.drawImage(images, index: r * steps + step, layout: layout, x: x, y: y, scale: grid.scale)
                if step == 0 || step == steps - 1 { canvas.frame(x: x, y: y, width: w, height: h, color: .highlight) }
            }
        }
        let labelY = y0 - 6
        if endpoints != nil {
            canvas.text(
                "real", x: x0 + grid.origin(row: 0, column: 0).x + w / 2, y: labelY, size: 8, color: .faint,
                anchor: .center)
            canvas.text(
                "real", x: x0 + 2 * gap + grid.origin(row: 0, column: steps + 1).x + w / 2, y: labelY, size: 8,
                color: .faint, anchor: .center)
        }
        canvas.text("decoded path →", x: canvas.width / 2, y: labelY, size: 8, color: .faint, anchor: .center)
        return canvas
    }

    /// Pairs of rows: originals, then their reconstructions with each one's error beneath
    /// (`errorNote` says what it is).
    public static func reconstruction(
        originals: Tensor, reconstructions: Tensor, errors: [Float], columns: Int, layout: ImageLayout,
        errorNote: String = "BCE summed over pixels", title: FigureTitle
    ) -> Canvas {
        imageRows(
            [("original", originals), ("reconstructed", reconstructions)], errors: errors, errorNote: errorNote,
            columns: columns, layout: layout, title: title)
    }

    /// Blocks of labelled rows, `columns` images each: row r of every block shows the next
    /// `columns` images of `rows[r]` (all the same count), and `errors` (one per image) go under
    /// the block's last row, explained by `errorNote`.
    public static func imageRows(
        _ rows: [(label: String, images: Tensor)], errors: [Float], errorNote: String, columns: Int,
        layout: ImageLayout, title: FigureTitle
    ) -> Canvas {
        let count = rows.first?.images.shape[0] ?? 0
        let blocks = (count + columns - 1) / columns
        let grid = ImageGrid(layout: layout, rows: 1, columns: columns, captionHeight: 0)
        let rowHeight = grid.pixelSize.height
        let blockHeight = rows.count * rowHeight + 14 + 8
        let canvas = titled(title, contentWidth: grid.pixelSize.width + 90, contentHeight: blocks * blockHeight)
        let x0 = margin + 90, y0 = FigureTitle.height + margin
        for b in 0..<blocks {
            let y = y0 + b * blockHeight
            let range = (b * columns)..<min((b + 1) * columns, count)
            for (r, row) in rows.enumerated() {
                grid.draw(row.images.rows(range), on: canvas, x: x0, y: y + r * rowHeight)
                canvas.text(
                    row.label, x: x0 - 8, y: y + r * rowHeight + rowHeight / 2 + 4, size: 9, color: .faint,
                    anchor: .right)
            }
            for (c, i) in range.enumerated() where i < errors.count {
                let o = grid.origin(row: 0, column: c)
                canvas.text(
                    String(format: errors[i] < 10 ? "%.1f" : "%.0f", errors[i]), x: x0 + o.x + grid.tileSize.width / 2,
                    y: y + rows.count * rowHeight + 11, size: 8, color: .ink, anchor: .center)
            }
        }
        if !errors.isEmpty {
            canvas.text(
                "under each: " + errorNote, x: canvas.width - margin, y: canvas.height - 4, size: 8, color: .faint,
                anchor: .right)
        }
        return canvas
    }

    /// A scatter plot of 2-D points coloured by label, with a legend of class names.
    public static func latentMap(
        _ points: Tensor, labels: [Int], classNames: [String], axisNames: (String, String),
        title: FigureTitle
    ) -> Canvas {
        let plot = 460, legendWidth = 140
        let canvas = titled(title, contentWidth: plot + legendWidth + 50, contentHeight: plot + 50)
        let frame = PlotFrame(
            x: margin + 40, y: FigureTitle.height + margin + 20, width: plot, height: plot,
            xs: (0..<points.shape[0]).map { Double(points[$0, 0]) },
            ys: (0..<points.shape[0]).map { Double(points[$0, 1]) })
        frame.drawAxes(on: canvas, xLabel: axisNames.0, yLabel: axisNames.1)
        for i in 0..<points.shape[0] {
            let (x, y) = frame.position(Double(points[i, 0]), Double(points[i, 1]))
            canvas.dot(x: x, y: y, radius: 2, color: Color.categorical[labels[i] % Color.categorical.count])
        }
        let present = Set(labels)
        var y = FigureTitle.height + margin + 34
        for (label, name) in classNames.enumerated() where present.contains(label) {
            let x = margin + 40 + plot + 20
            canvas.dot(
                x: Double(x + 5), y: Double(y - 4), radius: 5, color: Color.categorical[label % Color.categorical.count]
            )
            canvas.text(name, x: x + 16, y: y, size: 10)
            y += 20
        }
        return canvas
    }

    /// A decoded grid over the latent plane, with the axes' quantiles named.
    public static func manifold(_ images: Tensor, side: Int, layout: ImageLayout, axisNote: String, title: FigureTitle)
        -> Canvas
    {
        let grid = ImageGrid(layout: layout, rows: side, columns: side, padding: 0, scale: 1)
        let canvas = titled(title, contentWidth: grid.pixelSize.width, contentHeight: grid.pixelSize.height + 16)
        grid.draw(images, on: canvas, x: (canvas.width - grid.pixelSize.width) / 2, y: FigureTitle.height + margin)
        canvas.text(axisNote, x: canvas.width / 2, y: canvas.height - 8, size: 9, color: .faint, anchor: .center)
        return canvas
    }

    /// One line per named series over epochs, with axes, ticks and a legend. A series with no
    /// finite value is listed in the legend as "no data"; with nothing to draw at all the plot
    /// area says so instead of failing.
    public static func curves(
        _ series: [(name: String, points: [(x: Double, y: Double)])], xLabel: String, yLabel: String,
        title: FigureTitle, axes: PlotAxes = PlotAxes()
    ) -> Canvas {
        // On a logarithmic axis the points are placed by log₂ x and the ticks keep their own values.
        let placed = series.map { s in
            (name: s.name, points: s.points.map { (x: axes.logX ? log2($0.x) : $0.x, y: $0.y) })
        }
        let finite = placed.map { s in s.points.filter { $0.x.isFinite && $0.y.isFinite } }
        // Wide enough for the longest legend entry beside the 400-pixel plot (620 at the least).
        let legend =
            zip(series, finite).map { Canvas.textWidth($0.name + ($1.isEmpty ? " (no data)" : ""), size: 10) }.max()
            ?? 0
        let canvas = titled(title, contentWidth: max(620, 56 + 400 + 42 + legend), contentHeight: 350)
        let all = finite.flatMap { $0 }
        let xTicks = axes.xTicks.map { ticks in ticks.map { axes.logX ? log2($0) : $0 } }
        var frame = PlotFrame(
            x: margin + 56, y: FigureTitle.height + margin + 20, width: 400, height: 280,
            xs: all.map(\.x) + (xTicks ?? []), ys: all.map(\.y) + (axes.diagonal == nil ? [] : [0, 1]))
        if axes.diagonal != nil { (frame.xRange, frame.yRange) = ((-0.02, 1.02), (-0.02, 1.02)) }
        frame.xTicks = axes.xTicks.map { ticks in ticks.map { (axes.logX ? log2($0) : $0, PlotFrame.label($0)) } }
        frame.drawAxes(on: canvas, xLabel: xLabel, yLabel: yLabel)
        if let diagonal = axes.diagonal {
            // The chance line y = x, dashed, so that a curve's distance from it reads at a glance.
            let (from, to) = (frame.position(0, 0), frame.position(1, 1))
            for k in stride(from: 0, to: 40, by: 2) {
                let (a, b) = (Double(k) / 40, Double(k + 1) / 40)
                canvas.line(
                    from: (from.x + (to.x - from.x) * a, from.y + (to.y - from.y) * a),
                    to: (from.x + (to.x - from.x) * b, from.y + (to.y - from.y) * b), color: .faint, thickness: 1)
            }
            let label = frame.position(0.62, 0.55)
            canvas.text(diagonal, x: Int(label.x), y: Int(label.y), size: 9, color: .faint)
        }
        if all.isEmpty {
            canvas.text(
                "no data to plot yet", x: frame.x + frame.width / 2, y: frame.y + frame.height / 2, size: 12,
                color: .faint, anchor: .center)
        }
        for (k, points) in finite.enumerated() {
            let colour = Color.categorical[k % Color.categorical.count]
            let positions = points.map { frame.position($0.x, $0.y) }
            if !axes.pointsOnly {
                for (a, b) in zip(positions, positions.dropFirst()) {
                    canvas.line(from: a, to: b, color: colour, thickness: 2)
                }
            }
            if axes.markers || axes.pointsOnly {
                for p in positions { canvas.dot(x: p.x, y: p.y, radius: axes.pointsOnly ? 4 : 3, color: colour) }
            }
            let ly = frame.y + 14 + 20 * k
            canvas.fill(x: frame.x + frame.width + 20, y: ly - 8, width: 16, height: 4, color: colour)
            canvas.text(
                placed[k].name + (points.isEmpty ? " (no data)" : ""), x: frame.x + frame.width + 42, y: ly - 2,
                size: 10)
        }
        return canvas
    }

    /// Panels side by side, each under its name, in rows of `columns` (all in one row when nil);
    /// a panel with a title bar of its own is given an empty name, so that it is titled once.
    public static func sideBySide(
        _ panels: [(name: String, canvas: Canvas)], columns: Int? = nil, title: FigureTitle
    ) -> Canvas {
        let gap = 24, nameHeight = panels.allSatisfy { $0.name.isEmpty } ? 0 : 24
        let perRow = max(columns ?? panels.count, 1)
        let rows = stride(from: 0, to: panels.count, by: perRow).map {
            Array(panels[$0..<min($0 + perRow, panels.count)])
        }
        let rowWidths = rows.map { row in row.map(\.canvas.width).reduce(0, +) + gap * max(row.count - 1, 0) }
        let rowHeights = rows.map { row in (row.map(\.canvas.height).max() ?? 0) + nameHeight }
        let canvas = titled(
            title, contentWidth: rowWidths.max() ?? 0,
            contentHeight: rowHeights.reduce(0, +) + gap * max(rows.count - 1, 0))
        var y = FigureTitle.height + margin
        for (row, (width, height)) in zip(rows, zip(rowWidths, rowHeights)) {
            var x = (canvas.width - width) / 2
            for panel in row {
                canvas.text(panel.name, x: x + panel.canvas.width / 2, y: y + 16, size: 13, bold: true, anchor: .center)
                canvas.draw(panel.canvas, x: x, y: y + nameHeight)
                x += panel.canvas.width + gap
            }
            y += height + gap
        }
        return canvas
    }

    /// Sets of 2-D points on one square plot whose axes both run over `range`, each set in its
    /// colour, later sets drawn over earlier ones (the data under a model's samples); a panel for
    /// `sideBySide`, with no title bar of its own.
    public static func scatter(
        _ sets: [(points: [(x: Double, y: Double)], color: Color)], range: (Double, Double), side: Int = 240
    ) -> Canvas {
        let canvas = Canvas(width: side + 44, height: side + 34)
        var frame = PlotFrame(x: 34, y: 6, width: side, height: side, xs: [], ys: [])
        (frame.xRange, frame.yRange) = (range, range)
        frame.drawAxes(on: canvas, xLabel: "", yLabel: "")
        for set in sets {
            for p in set.points where p.x >= range.0 && p.x <= range.1 && p.y >= range.0 && p.y <= range.1 {
                let (x, y) = frame.position(p.x, p.y)
                canvas.dot(x: x, y: y, radius: 1, color: set.color)
            }
        }
        return canvas
    }

    /// The points whose coordinates `pairs` holds one after another (x₀, y₀, x₁, y₁, …), as
    /// `scatter` takes them: a (N, 2) tensor's scalars.
    public static func points(_ pairs: [Float]) -> [(x: Double, y: Double)] {
        stride(from: 0, to: pairs.count - 1, by: 2).map { (Double(pairs[$0]), Double(pairs[$0 + 1])) }
    }

    /// A table: a header row and rows of cells.
    public static func table(header: [String], rows: [[String]], title: FigureTitle) -> Canvas {
        let columns = header.count
        let widths = (0..<columns).map { c in
            ([header[c]] + rows.map { c < $0.count ? $0[c] : "" }).map { Canvas.textWidth($0, size: 11, bold: true) }
                .max()! + 24
        }
        let rowHeight = 26
        let canvas = titled(title, contentWidth: widths.reduce(0, +), contentHeight: rowHeight * (rows.count + 1))
        let x0 = margin, y0 = FigureTitle.height + margin
        canvas.fill(x: x0, y: y0, width: widths.reduce(0, +), height: rowHeight, color: Color(225, 229, 236))
        for (r, cells) in ([header] + rows).enumerated() {
            var x = x0
            if r > 0 && r % 2 == 0 {
                canvas.fill(
                    x: x0, y: y0 + r * rowHeight, width: widths.reduce(0, +), height: rowHeight,
                    color: Color(242, 242, 240))
            }
            for (c, cell) in cells.enumerated() where c < columns {
                canvas.text(cell, x: x + 12, y: y0 + r * rowHeight + 17, size: 11, bold: r == 0 || c == 0)
                x += widths[c]
            }
        }
        return canvas
    }
}

/// A plot area mapping data coordinates to pixels, with "nice" ticks.
/// How a plot's axes are drawn: a logarithmic x axis with ticks at the values given (a code
/// size's 2, 8, 32, 128, not their logarithms), points without joining lines (values of
/// unrelated units), and a dashed chance diagonal from (0, 0) to (1, 1) with its label (a ROC
/// plot; both axes then run over [0, 1]), and lines without a dot at every point (a density
/// drawn at 80 places, where dots would hide the line).
public struct PlotAxes: Sendable {
    public var logX: Bool
    public var xTicks: [Double]?
    public var pointsOnly: Bool
    public var diagonal: String?
    public var markers: Bool

    public init(
        logX: Bool = false, xTicks: [Double]? = nil, pointsOnly: Bool = false, diagonal: String? = nil,
        markers: Bool = true
    ) {
        (self.logX, self.xTicks, self.pointsOnly, self.diagonal, self.markers) =
            (logX, xTicks, pointsOnly, diagonal, markers)
    }
}

struct PlotFrame {
    let x: Int, y: Int, width: Int, height: Int
    var xRange: (Double, Double), yRange: (Double, Double)
    /// Ticks at these positions with these labels, instead of round numbers.
    var xTicks: [(Double, String)]?

    init(x: Int, y: Int, width: Int, height: Int, xs: [Double], ys: [Double]) {
        (self.x, self.y, self.width, self.height) = (x, y, width, height)
        xRange = PlotFrame.padded(xs)
        yRange = PlotFrame.padded(ys)
    }

    /// The values' range with 5% room, or (0, 1) when there are none.
    static func padded(_ values: [Double]) -> (Double, Double) {
        let finite = values.filter(\.isFinite)
        guard let low = finite.min(), let high = finite.max() else { return (0, 1) }
        let span = high - low
        let pad = span > 0 ? span * 0.05 : max(abs(low) * 0.05, 0.5)
        return (low - pad, high + pad)
    }

    func position(_ vx: Double, _ vy: Double) -> (x: Double, y: Double) {
        (
            Double(x) + (vx - xRange.0) / (xRange.1 - xRange.0) * Double(width),
            Double(y + height) - (vy - yRange.0) / (yRange.1 - yRange.0) * Double(height)
        )
    }

    /// Ticks at 1, 2 or 5 times a power of ten, about five of them.
    static func ticks(_ range: (Double, Double)) -> [Double] {
        let raw = (range.1 - range.0) / 5
        guard raw > 0, raw.isFinite else { return [] }
        let power = pow(10, floor(log10(raw)))
        let step = [1.0, 2, 5, 10].map { $0 * power }.first { $0 >= raw } ?? 10 * power
        var ticks: [Double] = []
        var t = ceil(range.0 / step) * step
        while t <= range.1 + step * 1e-9 { ticks.append(abs(t) < step * 1e-9 ? 0 : t); t += step }
        return ticks
    }

    func drawAxes(on canvas: Canvas, xLabel: String, yLabel: String) {
        canvas.fill(x: x, y: y, width: width, height: height, color: .white)
        for (t, label) in xTicks ?? PlotFrame.ticks(xRange).map({ ($0, PlotFrame.label($0)) }) {
            let p = position(t, yRange.0)
            canvas.line(from: (p.x, Double(y)), to: (p.x, Double(y + height)), color: Color(235, 235, 235))
            canvas.line(from: (p.x, Double(y + height)), to: (p.x, Double(y + height + 4)), color: .ink)
            canvas.text(label, x: Int(p.x), y: y + height + 16, size: 8, color: .ink, anchor: .center)
        }
        for t in PlotFrame.ticks(yRange) {
            let p = position(xRange.0, t)
            canvas.line(from: (Double(x), p.y), to: (Double(x + width), p.y), color: Color(235, 235, 235))
            canvas.line(from: (Double(x - 4), p.y), to: (Double(x), p.y), color: .ink)
            canvas.text(PlotFrame.label(t), x: x - 6, y: Int(p.y) + 3, size: 8, color: .ink, anchor: .right)
        }
        canvas.line(from: (Double(x), Double(y + height)), to: (Double(x + width), Double(y + height)), color: .ink)
        canvas.line(from: (Double(x), Double(y)), to: (Double(x), Double(y + height)), color: .ink)
        canvas.text(xLabel, x: x + width / 2, y: y + height + 32, size: 10, anchor: .center)
        canvas.text(yLabel, x: x - 6, y: y - 6, size: 10, anchor: .left)
    }

    static func label(_ v: Double) -> String {
        if v == v.rounded() && abs(v) < 1e6 { return String(Int(v)) }
        return String(format: "%.3g", v)
    }
}

extension Figures {
    /// A film frame: the grid under a one-line caption, always the same size for one grid.
    public static func filmFrame(_ images: Tensor, layout: ImageLayout, side: Int, caption: String) -> Canvas {
        let grid = ImageGrid(layout: layout, rows: side, columns: side)
        let canvas = Canvas(
            width: max(grid.pixelSize.width, 320), height: grid.pixelSize.height + 24, background: .titleBar)
        canvas.text(caption, x: 8, y: 17, size: 10, color: .white, bold: true)
        grid.draw(images, on: canvas, x: (canvas.width - grid.pixelSize.width) / 2, y: 24)
        return canvas
    }
}
