import Foundation

/// The lecture pages in the order a course meets them: for the previous/next links, which must
/// name a page before it has been written.
public enum LectureOrder {
    public static let pages: [(name: String, title: String)] = [
        ("bottleneck", "The bottleneck"), ("latent-space", "The latent space"),
        ("regularized-autoencoders", "Regularised autoencoders"),
        ("variational-autoencoder", "The variational autoencoder"), ("gan-toy-data", "The GAN game on toy data"),
        ("gan-training", "Training a GAN"),
        ("applications", "Applications"), ("comparison", "AE, VAE and GAN side by side"),
    ]

    /// The pages before and after `name` in the course, if it is a lecture page.
    public static func neighbours(of name: String) -> (
        previous: (name: String, title: String)?, next: (name: String, title: String)?
    ) {
        guard let i = pages.firstIndex(where: { $0.name == name }) else { return (nil, nil) }
        return (i > 0 ? pages[i - 1] : nil, i + 1 < pages.count ? pages[i + 1] : nil)
    }
}

/// The presentation view of a lecture page: a screen per section (its title, narrative,
/// figures and tables, and its verdict; no code; a section of more than three figures takes a
/// screen per three, each scaled to fill its share of the screen, small ones up with their
/// pixels kept sharp), large type for a projector at 1280 × 720,
/// arrow keys (or Page Up/Down, space) between screens, `#N` opening screen N. One file, no
/// scripts or fonts fetched; without JavaScript every screen shows, one under another.
extension NotebookPage {
    public static let slidesFile = "slides.html"

    static let slideStyle = """
        <style>
        html, body { margin: 0; height: 100%; background: #fafaf8; color: #1e1e23; font-family: "DejaVu Sans", Verdana, sans-serif; }
        .slide { display: none; box-sizing: border-box; width: 100vw; height: 100vh; padding: 22px 44px 14px; flex-direction: column; overflow: hidden; }
        .slide.on { display: flex; }
        h1 { font-size: 44px; margin: 60px 0 18px; } h2 { font-size: 30px; margin: 0 0 8px; border-bottom: 3px solid #263248; padding-bottom: 4px; }
        .narrative { font-size: 19px; line-height: 1.3; margin: 0 0 8px; }
        .intro { font-size: 24px; line-height: 1.4; }
        .outputs { flex: 1; min-height: 0; display: flex; flex-direction: column; gap: 10px; align-items: center; justify-content: center; }
        .figures { flex: 1; min-height: 0; width: 100%; display: flex; gap: 14px; align-items: center; justify-content: center; }
        .figures figure { margin: 0; height: 100%; flex: 1 1 0; min-width: 0; display: flex; align-items: center; justify-content: center; }
        .figures img { width: 100%; height: 100%; object-fit: contain; image-rendering: pixelated; }
        table { border-collapse: collapse; font-size: 17px; flex: none; } td, th { padding: 3px 10px; border-bottom: 1px solid #ddd; text-align: right; }
        td { white-space: nowrap; }
        th { background: #eceef2; } td:first-child, th:first-child { text-align: left; }
        .verdict { font-size: 21px; line-height: 1.3; border: 3px solid #263248; border-radius: 8px; padding: 8px 16px; margin-top: 8px; background: #fff; }
        .outcome { font-weight: bold; } .v-reproduced .outcome { color: #1e7a34; } .v-notreproduced .outcome { color: #a12622; } .v-partly .outcome { color: #9a6700; }
        .shows li { font-size: 22px; margin: 8px 0; }
        .foot { font-size: 13px; color: #777; margin-top: 6px; display: flex; justify-content: space-between; }
        </style>
        <noscript><style>.slide { display: flex; }</style></noscript>
        """

    static let slideScript = """
        <script>
        const slides = Array.from(document.querySelectorAll(".slide"));
        let current = 0;
        function show(n) {
          current = Math.max(0, Math.min(slides.length - 1, n));
          slides.forEach((s, k) => s.classList.toggle("on", k === current));
          try { history.replaceState(null, "", "#" + (current + 1)); } catch (e) {}
        }
        document.addEventListener("keydown", (e) => {
          if (["ArrowRight", "ArrowDown", "PageDown", " "].includes(e.key)) { show(current + 1); e.preventDefault(); }
          if (["ArrowLeft", "ArrowUp", "PageUp"].includes(e.key)) { show(current - 1); e.preventDefault(); }
          if (e.key === "Home") show(0);
          if (e.key === "End") show(slides.length - 1);
        });
        show((parseInt(location.hash.slice(1), 10) || 1) - 1);
        </script>
        """

    /// The screens of one section: its figures three to a screen, the narrative on the first,
    /// the tables and the verdict on the last (a section of many figures takes several screens).
    /// Tables of more than `rowsBesideFigures` rows in all get a screen of their own after the
    /// figures: beside them they would shrink the figures to a strip on a projector.
    func screens(of section: Section) -> [(
        figures: [(file: String, caption: String)], tables: [Output], first: Bool, last: Bool
    )] {
        let figures = section.outputs.compactMap { output -> (file: String, caption: String)? in
            if case let .figure(file, caption) = output { return (file, caption) } else { return nil }
        }
        let tables = section.outputs.filter { if case .table = $0 { return true } else { return false } }
        let tableRows = tables.reduce(0) { count, output in
            if case let .table(_, rows, _) = output { return count + 1 + rows.count } else { return count }
        }
        let tablesApart = !figures.isEmpty && tableRows > Self.rowsBesideFigures
        let groups = stride(from: 0, to: max(figures.count, 1), by: 3).map {
            Array(figures[$0..<min($0 + 3, figures.count)])
        }
        let figureScreens = groups.enumerated().map { index, group in
            let last = index == groups.count - 1 && !tablesApart
            return (figures: group, tables: last ? tables : [], first: index == 0, last: last)
        }
        return figureScreens + (tablesApart ? [(figures: [], tables: tables, first: false, last: true)] : [])
    }

    /// The most table rows (headers counted) a screen shows beside figures.
    static let rowsBesideFigures = 3

    /// The presentation view as HTML.
    public func slides() -> String {
        let all = sections.map(screens)
        let total = 1 + all.map(\.count).reduce(0, +)
        var number = 1
        func foot() -> String {
            defer { number += 1 }
            return
                "<div class=\"foot\"><span>\(escape(title))</span><span>← → to move · \(number) / \(total) · <a href=\"index.html\">full page</a></span></div>"
        }
        var html =
            "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>gen: \(escape(title)) (slides)</title>\n\(Self.slideStyle)</head><body>\n"
        html += "<section class=\"slide\"><h1>\(escape(title))</h1><p class=\"intro\">\(inline(introduction))</p>\n"
        if !summaryLines.isEmpty {
            html += "<ul class=\"shows\">\n"
            for section in sections {
                guard let verdict = section.verdict else { continue }
                html += "<li>\(inline(verdict.claim)): <b>\(verdict.outcomeText.lowercased())</b></li>\n"
            }
            html += "</ul>\n"
        }
        html += "<div style=\"flex:1\"></div>\(foot())</section>\n"
        for (index, section) in sections.enumerated() {
            for screen in all[index] {
                html +=
                    "<section class=\"slide\"><h2>\(index + 1). \(escape(section.title))\(screen.first ? "" : " (continued)")</h2>\n"
                if screen.first {
                    html += "<p class=\"narrative\">\(inline(Self.firstSentence(section.narrative)))</p>\n"
                }
                html += "<div class=\"outputs\">\n"
                if !screen.figures.isEmpty {
                    html += "<div class=\"figures\">\n"
                    for figure in screen.figures {
                        html +=
                            "<figure><img src=\"\(escape(figure.file))\" alt=\"\(escape(figure.caption))\" title=\"\(escape(figure.caption))\"></figure>\n"
                    }
                    html += "</div>\n"
                }
                for case let .table(header, rows, _) in screen.tables {
                    html += "<table>\n<tr>" + header.map { "<th>\(inline($0))</th>" }.joined() + "</tr>\n"
                    html += rows.map { "<tr>" + $0.map { "<td>\(inline($0))</td>" }.joined() + "</tr>" }.joined(
                        separator: "\n")
                    html += "\n</table>\n"
                }
                html += "</div>\n"
                if screen.last, let verdict = section.verdict {
                    let kind = verdict.outcome.rawValue.replacingOccurrences(of: " ", with: "")
                    html +=
                        "<div class=\"verdict v-\(kind)\">\(inline(verdict.claim)): <span class=\"outcome\">\(verdict.outcomeText).</span> \(inline(verdict.evidence))</div>\n"
                }
                html += "\(foot())</section>\n"
            }
        }
        return html + Self.slideScript + "</body></html>\n"
    }

    /// A narrative's first sentence, for a screen that must leave room for its figures: up to the
    /// first ". " before a capital letter that does not end an abbreviation ("et al.", "e.g.").
    static func firstSentence(_ text: String) -> String {
        let characters = Array(text)
        var index = 0
        while index + 2 < characters.count {
            if characters[index] == ".", characters[index + 1] == " ", characters[index + 2].isUppercase {
                let before = String(characters[max(0, index - 3)..<index])
                if !before.hasSuffix(" al") && !before.hasSuffix("e.g") && !before.hasSuffix("i.e") {
                    return String(characters[...index])
                }
            }
            index += 1
        }
        return text
    }

    /// The links above a page's title: the gallery, the lecture before and after, the slides.
    func navigation(slides: Bool = true) -> String {
        let (previous, next) = LectureOrder.neighbours(of: name)
        var links = ["<a href=\"../index.html\">← gallery</a>"]
        if let previous {
            links.append("<a href=\"../\(escape(previous.name))/index.html\">‹ \(escape(previous.title))</a>")
        }
        if let next { links.append("<a href=\"../\(escape(next.name))/index.html\">\(escape(next.title)) ›</a>") }
        if slides { links.append("<a href=\"\(Self.slidesFile)\">slides</a>") }
        return "<p class=\"nav\">" + links.joined(separator: " · ") + "</p>\n"
    }
}
