import Foundation
import TensorCore

/// One figure on a gallery page.
public struct FigureEntry: Codable, Equatable, Sendable {
    /// The file name inside the model's folder.
    public var file: String
    public var caption: String
    /// The command that made it.
    public var command: String

    public init(file: String, caption: String, command: String) {
        self.file = file
        self.caption = caption
        self.command = command
    }
}

/// The gallery's HTML: `<root>/<section>/index.html` per model (figures, captions, the commands
/// that made them, metrics) and `<root>/index.html` over every section. Plain HTML and CSS, no
/// scripts, nothing fetched from the network; large type for a projector.
public enum GalleryPage {
    /// Records `entries` (replacing ones with the same file) in `<folder>/figures.json`, writes
    /// the folder's page, then the root index.
    public static func update(
        root: String, section: String, entries: [FigureEntry], metrics: [(String, String)],
        note: String
    ) throws {
        let folder = root + "/" + section
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        var all = readEntries(folder)
        for entry in entries {
            if let i = all.firstIndex(where: { $0.file == entry.file }) { all[i] = entry } else { all.append(entry) }
        }
        all = all.filter { FileManager.default.fileExists(atPath: folder + "/" + $0.file) }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try writeAtomically(try encoder.encode(all), to: folder + "/figures.json")
        try writeAtomically(
            Data(sectionPage(section, folder: folder, entries: all, metrics: metrics, note: note).utf8),
            to: folder + "/index.html")
        try writeAtomically(Data(rootPage(root).utf8), to: root + "/index.html")
    }

    /// Rewrites `<root>/index.html` only: after a file the index links but does not list (the
    /// live explorer's page) appears in a section.
    public static func updateIndex(root: String) throws {
        try writeAtomically(Data(rootPage(root).utf8), to: root + "/index.html")
    }

    /// The live explorer's file name in a section's folder; pages link it when it is there.
    public static let explorerFile = "explore.html"

    static func explorerLink(_ folder: String, prefix: String) -> String {
        guard FileManager.default.fileExists(atPath: folder + "/" + explorerFile) else { return "" }
        return
            "<p><a href=\"\(escape(prefix + explorerFile))\"><strong>Live explorer</strong></a>: the model running in your browser (a decoder's codes on sliders; a diffusion model's denoising, step by step).</p>\n"
    }

    /// The file in a lecture script's folder that holds its page (`NotebookPage`).
    public static let notebookFile = "notebook.json"

    /// The lecture pages under `root`, in lecture order.
    static func readNotebooks(_ root: String) -> [NotebookPage] {
        ((try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []).compactMap { folder in
            FileManager.default.contents(atPath: root + "/" + folder + "/" + notebookFile)
                .flatMap { try? JSONDecoder().decode(NotebookPage.self, from: $0) }
        }.sorted { ($0.order, $0.name) < ($1.order, $1.name) }
    }

    static func readEntries(_ folder: String) -> [FigureEntry] {
        guard let data = FileManager.default.contents(atPath: folder + "/figures.json") else { return [] }
        return (try? JSONDecoder().decode([FigureEntry].self, from: data)) ?? []
    }

    static let style = """
        <style>
        body { font-family: "DejaVu Sans", Verdana, sans-serif; margin: 2rem auto; max-width: 1200px; color: #1e1e23; background: #fafaf8; font-size: 18px; }
        h1 { font-size: 2rem; margin-bottom: .2rem; } h2 { font-size: 1.4rem; margin-top: 2.2rem; border-bottom: 2px solid #263248; } h3 { font-size: 1.15rem; margin: 1.4rem 0 .5rem; }
        figure { margin: 1.5rem 0; } figure img { max-width: 100%; border: 1px solid #ccc; image-rendering: pixelated; }
        figcaption { margin-top: .4rem; } code { background: #eceef2; padding: .1rem .35rem; border-radius: 3px; font-size: .9rem; }
        table { border-collapse: collapse; margin: 1rem 0; } td, th { padding: .35rem .8rem; border-bottom: 1px solid #ddd; text-align: left; }
        .thumbs { display: flex; flex-wrap: wrap; gap: 1rem; } .thumbs a { text-decoration: none; color: inherit; }
        .thumbs img { height: 180px; border: 1px solid #ccc; image-rendering: pixelated; } .note { color: #555; }
        </style>
        """

    /// `s` safe inside HTML text and attribute values.
    public static func escape(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }

    static func sectionPage(
        _ section: String, folder: String, entries: [FigureEntry], metrics: [(String, String)], note: String
    ) -> String {
        var html =
            "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>gen: \(escape(section))</title>\n\(style)</head><body>\n"
        html +=
            "<p><a href=\"../index.html\">← gallery</a></p>\n<h1>\(escape(section))</h1>\n<p class=\"note\">\(escape(note))</p>\n"
        if !metrics.isEmpty {
            html +=
                "<table>\n"
                + metrics.map { "<tr><th>\(escape($0.0))</th><td>\(escape($0.1))</td></tr>" }.joined(separator: "\n")
                + "\n</table>\n"
        }
        html += explorerLink(folder, prefix: "")
        for e in entries {
            html +=
                "<figure><img src=\"\(escape(e.file))\" alt=\"\(escape(e.caption))\">\n<figcaption>\(escape(e.caption))<br><code>\(escape(e.command))</code></figcaption></figure>\n"
        }
        return html + "</body></html>\n"
    }

    static func rootPage(_ root: String) -> String {
        let sections = ((try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []).sorted()
            .filter { FileManager.default.fileExists(atPath: root + "/" + $0 + "/figures.json") }
        let order = ["compare", "ae", "vae", "gan"]
        let sorted = sections.sorted { (order.firstIndex(of: $0) ?? 99, $0) < (order.firstIndex(of: $1) ?? 99, $1) }
        var html =
            "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>gen gallery</title>\n\(style)</head><body>\n"
        html +=
            "<h1>gen gallery</h1>\n<p class=\"note\">Autoencoders, VAEs and GANs, trained on the CPU by <code>gen</code>. Each figure says the command that made it.</p>\n"
        let notebooks = readNotebooks(root)
        if !notebooks.isEmpty {
            html +=
                "<h2>Lectures</h2>\n<p class=\"note\">Each page tells one idea of the lectures top to bottom: narrative, the code that ran, and what it measured.</p>\n"
            for page in notebooks {
                let slides =
                    FileManager.default.fileExists(atPath: root + "/" + page.name + "/" + NotebookPage.slidesFile)
                    ? " <small>· <a href=\"\(escape(page.name))/\(NotebookPage.slidesFile)\">slides</a></small>" : ""
                html += "<h3><a href=\"\(escape(page.name))/index.html\">\(escape(page.title))</a>\(slides)</h3>\n"
                // The first line of the page's "What this page shows" box, readable where the
                // thumbnails' text is not.
                if let first = page.summaryLines.first {
                    let others = page.summaryLines.count - 1
                    let more = others > 0 ? " (and \(others) more verdict\(others == 1 ? "" : "s"))" : ""
                    html += "<p class=\"note\">\(escape(first))\(more)</p>\n"
                }
                html += "<div class=\"thumbs\">\n"
                for figure in page.figureFiles.prefix(4) {
                    html +=
                        "<a href=\"\(escape(page.name))/index.html\"><img src=\"\(escape(page.name))/\(escape(figure.file))\" alt=\"\(escape(figure.caption))\" title=\"\(escape(figure.caption))\"></a>\n"
                }
                html += "</div>\n"
            }
            html += "<h2>Models</h2>\n"
        }
        for section in sorted {
            let entries = readEntries(root + "/" + section)
            html += "<h2><a href=\"\(escape(section))/index.html\">\(escape(section))</a></h2>\n"
            html += explorerLink(root + "/" + section, prefix: section + "/") + "<div class=\"thumbs\">\n"
            for e in entries {
                html +=
                    "<a href=\"\(escape(section))/index.html\"><img src=\"\(escape(section))/\(escape(e.file))\" alt=\"\(escape(e.caption))\" title=\"\(escape(e.caption))\"></a>\n"
            }
            html += "</div>\n"
        }
        return html + "</body></html>\n"
    }
}
