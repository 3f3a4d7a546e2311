import CGD
import Foundation
import Testing
@testable import Gallery
import TensorCore

@Suite("Gallery: geometry, pixels, decoders, determinism")
struct GalleryTests {
    let layout = ImageLayout(channels: 1, height: 3, width: 2)

    @Test("grid geometry: tile positions and picture size")
    func geometry() {
        let grid = ImageGrid(layout: layout, rows: 2, columns: 3, padding: 2, scale: 2)
        #expect(grid.tileSize == (4, 6))
        #expect(grid.pixelSize == (20, 18))  // 3 * (4 + 2) + 2, 2 * (6 + 2) + 2
        #expect(grid.origin(row: 0, column: 0) == (2, 2))
        #expect(grid.origin(row: 1, column: 2) == (14, 10))
    }

    @Test("a known tensor renders to known pixels, read back by libgd and by a second decoder")
    func knownPixels() throws {
        // Image 0: every pixel 0.5; image 1: a ramp 0, 0.2, ..., 1.0; values outside [0, 1] clamp.
        let images = Tensor(shape: [2, 6], values: [0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0, 0.2, 0.4, 0.6, 0.8, 1.5])
        let grid = ImageGrid(layout: layout, rows: 1, columns: 2, padding: 1, scale: 1)
        let png = grid.png(images)
        let decoded = try DecodedPNG(png)
        #expect(decoded.width == 7 && decoded.height == 5)
        #expect(decoded.rgb(x: 0, y: 0) == (48, 48, 48))  // the border
        #expect(decoded.rgb(x: 1, y: 1) == (128, 128, 128))  // 0.5 → 127.5 → 128
        let o = grid.origin(row: 0, column: 1)
        let expected = [0, 51, 102, 153, 204, 255]
        for p in 0..<6 {
            #expect(decoded.rgb(x: o.x + p % 2, y: o.y + p / 2) == (expected[p], expected[p], expected[p]))
        }
        // libgd (libpng underneath) reads the same bytes to the same pixels.
        let image = png.withUnsafeBytes {
            gdImageCreateFromPngPtr(Int32($0.count), UnsafeMutableRawPointer(mutating: $0.baseAddress))
        }!
        defer { gdImageDestroy(image) }
        for y in 0..<5 {
            for x in 0..<7 {
                let c = gdImageGetTrueColorPixel(image, Int32(x), Int32(y))
                let (r, g, b) = decoded.rgb(x: x, y: y)
                #expect(Int((c >> 16) & 0xFF) == r && Int((c >> 8) & 0xFF) == g && Int(c & 0xFF) == b)
            }
        }
    }

    @Test("every figure decodes with the second decoder and is byte-identical when drawn twice")
    func figuresDecodeAndRepeat() throws {
        var g = SeededGenerator(seed: 1)
        let images = Tensor.uniform([16, 784], using: &g)
        let mnist = ImageLayout(channels: 1, height: 28, width: 28)
        let title = FigureTitle("Test: figure", details: "VAE · synthetic · epoch 1 · seed 0")
        let points = Tensor.normal([100, 2], using: &g)
        let figures: [() -> Canvas] = [
            { Figures.sampleGrid(images, layout: mnist, side: 4, title: title) },
            { Figures.interpolation(images, endpoints: images, rows: 2, steps: 4, layout: mnist, title: title) },
            {
                Figures.reconstruction(
                    originals: images, reconstructions: images, errors: Array(repeating: 1, count: 16),
                    columns: 8, layout: mnist, title: title)
            },
            {
                Figures.latentMap(
                    points, labels: (0..<100).map { $0 % 10 }, classNames: (0..<10).map(String.init),
                    axisNames: ("z1", "z2"), title: title)
            },
            { Figures.curves([("loss", [(1, 3), (2, 2), (3, 1.5)])], xLabel: "epoch", yLabel: "loss", title: title) },
            { Figures.table(header: ["a", "b"], rows: [["1", "2"]], title: title) },
        ]
        for make in figures {
            let first = make().png(), second = make().png()
            #expect(first == second)
            let decoded = try DecodedPNG(first)
            #expect(decoded.width > 100 && decoded.height > 50)
            #expect(decoded.rgb(x: 2, y: 2) == (38, 50, 72))  // the title bar
        }
    }

    @Test("a plot with NaN values or an empty series draws a placeholder instead of failing")
    func placeholders() throws {
        let title = FigureTitle("curves", details: "")
        let empty = Figures.curves([], xLabel: "epoch", yLabel: "loss", title: title)
        let nan = Figures.curves(
            [("loss", [(1, .nan), (2, .infinity)]), ("other", [])], xLabel: "epoch", yLabel: "loss", title: title)
        let partial = Figures.curves(
            [("loss", [(1, 2), (2, .nan), (3, 1)])], xLabel: "epoch", yLabel: "loss", title: title)
        for canvas in [empty, nan] {
            // The plot area's middle carries the "no data" text: pixels darker than the grid lines.
            var ink = 0
            for y in 180..<215 { for x in 150..<350 where canvas.pixel(x: x, y: y).red < 200 { ink += 1 } }
            #expect(ink > 50)
        }
        #expect(try DecodedPNG(partial.png()).width == partial.width)
    }

    @Test("a curve plot widens for a long legend entry and keeps its width for short ones")
    func legendWidth() {
        let title = FigureTitle("curves", details: "")
        let short = Figures.curves([("loss", [(1, 2), (2, 1)])], xLabel: "epoch", yLabel: "loss", title: title)
        let long = Figures.curves(
            [("non-saturating D(G(z)) with a long name", [(1, 0.3), (2, 0.2)])], xLabel: "epoch", yLabel: "D",
            title: title)
        #expect(short.width == 620 + 24)
        #expect(
            long.width >= 24 + 56 + 400 + 42 + Canvas.textWidth("non-saturating D(G(z)) with a long name", size: 10))
    }

    @Test("the film is a looping GIF with one frame per epoch, the same bytes each time")
    func film() {
        let film = Film()
        var g = SeededGenerator(seed: 2)
        for epoch in 1...3 {
            film.append(
                Figures.filmFrame(
                    Tensor.uniform([4, 6], using: &g), layout: layout, side: 2, caption: "epoch \(epoch)"))
        }
        let gif = film.gif()
        #expect(gif.starts(with: Array("GIF89a".utf8)))
        #expect(gif.last == 0x3B)  // the trailer
        #expect(gif.range(of: Data("NETSCAPE2.0".utf8)) != nil)  // the looping extension
        let graphicControls = [UInt8](gif).indices.dropLast().filter { gif[$0] == 0x21 && gif[$0 + 1] == 0xF9 }.count
        #expect(graphicControls == 3)
        #expect(Film().gif().isEmpty)
    }

    @Test("pages list every figure with its caption and command, escaped, and the index links them")
    func pages() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("gen-page-\(UUID())").path
        try FileManager.default.createDirectory(atPath: root + "/vae", withIntermediateDirectories: true)
        FileManager.default.createFile(atPath: root + "/vae/samples.png", contents: Data([1]))
        FileManager.default.createFile(atPath: root + "/vae/curves.png", contents: Data([1]))
        try GalleryPage.update(
            root: root, section: "vae",
            entries: [FigureEntry(file: "samples.png", caption: "z ~ N(0, I) <b>", command: "gen vae --samples")],
            metrics: [("test_loss", "243.8")], note: "VAE")
        try GalleryPage.update(
            root: root, section: "vae",
            entries: [FigureEntry(file: "curves.png", caption: "curves", command: "gen vae")],
            metrics: [], note: "VAE")
        let page = try String(contentsOfFile: root + "/vae/index.html", encoding: .utf8)
        #expect(page.contains("<img src=\"samples.png\"") && page.contains("<img src=\"curves.png\""))
        #expect(page.contains("z ~ N(0, I) &lt;b&gt;") && page.contains("<code>gen vae --samples</code>"))
        #expect(!page.contains("<script") && !page.contains("http"))
        let index = try String(contentsOfFile: root + "/index.html", encoding: .utf8)
        #expect(index.contains("href=\"vae/index.html\"") && index.contains("src=\"vae/samples.png\""))
    }

    @Test(
        "slides: a tall table beside figures gets a screen of its own with the verdict; a short one stays beside them")
    func slideScreens() {
        let figure = NotebookPage.Output.figure(file: "a.png", caption: "A.")
        func table(_ rows: Int) -> NotebookPage.Output {
            .table(header: ["x"], rows: Array(repeating: ["1"], count: rows), caption: "")
        }
        var tall = NotebookPage.Section(title: "Tall", narrative: "N.", outputs: [figure, table(3)])
        tall.verdict = .init(claim: "c", outcome: .reproduced, evidence: "e")
        let short = NotebookPage.Section(title: "Short", narrative: "N.", outputs: [figure, table(2)])
        let alone = NotebookPage.Section(title: "Alone", narrative: "N.", outputs: [table(20)])
        let page = NotebookPage(
            name: "p", title: "P", introduction: "", command: "", provenance: "", sections: [tall, short, alone])
        let screens = page.sections.map(page.screens)
        #expect(screens.map(\.count) == [2, 1, 1])
        #expect(screens[0][0].figures.count == 1 && screens[0][0].tables.isEmpty && !screens[0][0].last)
        #expect(screens[0][1].figures.isEmpty && screens[0][1].tables.count == 1 && screens[0][1].last)
        #expect(screens[1][0].figures.count == 1 && screens[1][0].tables.count == 1 && screens[1][0].last)
        let html = page.slides()
        #expect(html.components(separatedBy: "<section class=\"slide\">").count - 1 == 1 + 4)
        #expect(html.contains("1. Tall (continued)"))
    }
}
