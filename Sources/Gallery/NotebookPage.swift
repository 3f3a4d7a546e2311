import Foundation

/// A lecture script's page, as a rendered notebook: for each numbered section its narrative, the
/// section's own source code (cut from the script), and what it produced (figures, tables,
/// sentences with measured numbers). Written as `index.html` (plain HTML and CSS, no scripts,
/// nothing fetched) and `README.md` (the same page on a code host), from one value.
public struct NotebookPage: Codable, Equatable, Sendable {
    /// What a section produced, in the order it produced it.
    public enum Output: Codable, Equatable, Sendable {
        /// An image file in the page's folder.
        case figure(file: String, caption: String)
        /// A table of measured numbers, already formatted.
        case table(header: [String], rows: [[String]], caption: String)
        /// A sentence or two, usually carrying a measured number.
        case text(String)
    }

    /// What a section found about the lecture's claim it tests: the claim as the lecture makes
    /// it, whether the measurement reproduces it, and the sentence with the number (and its
    /// spread) that decides.
    public struct Verdict: Codable, Equatable, Sendable {
        /// Reproduced, not reproduced, or partly.
        public enum Outcome: String, Codable, Sendable, CaseIterable {
            case reproduced
            case notReproduced = "not reproduced"
            case partly
        }
        public var claim: String
        public var outcome: Outcome
        public var evidence: String

        public init(claim: String, outcome: Outcome, evidence: String) {
            (self.claim, self.outcome, self.evidence) = (claim, outcome, evidence)
        }

        /// "Reproduced", "Not reproduced", "Partly reproduced".
        public var outcomeText: String {
            switch outcome {
            case .reproduced: return "Reproduced"
            case .notReproduced: return "Not reproduced"
            case .partly: return "Partly reproduced"
            }
        }
    }

    /// One numbered section.
    public struct Section: Codable, Equatable, Sendable {
        public var title: String
        public var narrative: String
        /// The script's lines that ran for this section.
        public var code: String
        public var outputs: [Output] = []
        /// The section's verdict on the lecture's claim, written last.
        public var verdict: Verdict?
        /// Seconds this run spent on the section (training, measuring, drawing): where a page's
        /// time goes, for whoever makes the gallery faster. Not drawn on the page.
        public var seconds: Double?

        public init(title: String, narrative: String, code: String = "", outputs: [Output] = []) {
            (self.title, self.narrative, self.code, self.outputs) = (title, narrative, code, outputs)
        }
    }

    /// The folder name (and `swift run` target).
    public var name: String
    public var title: String
    /// The paragraph under the title: what the page argues.
    public var introduction: String
    /// The command that made the page.
    public var command: String
    /// Seed, data, date, machine and time taken, one line.
    public var provenance: String
    /// The script's lines before its first section (the data and settings every section uses).
    public var setup: String
    public var sections: [Section]
    /// Where the page sits in the lecture order, for the gallery's index.
    public var order: Int
    /// The gallery's other pages this one uses (model pages, explorers), linked under its title.
    public var uses: [Link]?

    /// A link to another page of the gallery, relative to this page's folder.
    public struct Link: Codable, Equatable, Sendable {
        public var label: String
        public var href: String
        public init(label: String, href: String) { (self.label, self.href) = (label, href) }
    }

    public init(
        name: String, title: String, introduction: String, command: String, provenance: String, setup: String = "",
        sections: [Section] = [], order: Int = 99
    ) {
        (self.name, self.title, self.introduction, self.command, self.provenance) = (
            name, title, introduction, command, provenance
        )
        (self.setup, self.sections, self.order) = (setup, sections, order)
    }

    /// The "What this page shows" box: each section's verdict, in order, one line each.
    public var summaryLines: [String] {
        sections.compactMap { section in section.verdict.map { "\($0.claim) — \($0.outcomeText.lowercased())" } }
    }

    /// Every figure file the page shows.
    public var figureFiles: [(file: String, caption: String)] {
        sections.flatMap { $0.outputs }.compactMap {
            if case let .figure(file, caption) = $0 { return (file, caption) } else { return nil }
        }
    }

    // MARK: HTML

    static let style = """
        <style>
        body { font-family: "DejaVu Sans", Verdana, sans-serif; margin: 2rem auto; max-width: 1100px; padding: 0 1rem; color: #1e1e23; background: #fafaf8; font-size: 18px; line-height: 1.45; }
        h1 { font-size: 2rem; margin-bottom: .3rem; } h2 { font-size: 1.35rem; margin-top: 2.6rem; border-bottom: 2px solid #263248; padding-bottom: .2rem; }
        .provenance { color: #555; font-size: .9rem; } .intro { font-size: 1.05rem; }
        pre { background: #f0f1f4; border-left: 4px solid #263248; padding: .7rem 1rem; overflow-x: auto; font-size: .82rem; line-height: 1.35; }
        pre .k { color: #7a2a8c; font-weight: bold; } pre .c { color: #6a737d; font-style: italic; } pre .s { color: #22863a; }
        code { font-family: "DejaVu Sans Mono", monospace; } p code, td code, li code { background: #eceef2; padding: .05rem .3rem; border-radius: 3px; font-size: .88em; }
        .output { border-left: 4px solid #e67e22; padding: .2rem 0 .2rem 1rem; margin: 1rem 0 1.5rem; }
        .verdict { border: 2px solid #263248; border-radius: 6px; padding: .6rem 1rem; margin: 1rem 0 1.5rem; background: #fff; }
        .verdict .outcome { font-weight: bold; } .v-reproduced .outcome { color: #1e7a34; } .v-notreproduced .outcome { color: #a12622; } .v-partly .outcome { color: #9a6700; }
        .shows { border: 2px solid #263248; border-radius: 6px; padding: .5rem 1.2rem; background: #eef1f6; } .shows h2 { border: none; margin-top: .4rem; font-size: 1.1rem; }
        .label { font-size: .75rem; letter-spacing: .08em; text-transform: uppercase; color: #888; margin: .6rem 0 .2rem; }
        figure { margin: .8rem 0; } figure img { max-width: 100%; border: 1px solid #ccc; image-rendering: pixelated; } figcaption { font-size: .92rem; color: #333; }
        table { border-collapse: collapse; margin: .6rem 0; font-size: .95rem; } td, th { padding: .3rem .8rem; border-bottom: 1px solid #ddd; text-align: right; }
        th { background: #eceef2; } td:first-child, th:first-child { text-align: left; } caption { caption-side: bottom; font-size: .88rem; color: #555; text-align: left; padding-top: .3rem; }
        </style>
        """

    /// The page as HTML.
    public func html() -> String {
        var html =
            "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>gen: \(escape(title))</title>\n\(Self.style)</head><body>\n"
        html += navigation() + "<h1>\(escape(title))</h1>\n"
        html += "<p class=\"provenance\">Made by <code>\(escape(command))</code> · \(escape(provenance))</p>\n"
        html += "<p class=\"intro\">\(inline(introduction))</p>\n"
        if let uses, !uses.isEmpty {
            html +=
                "<p class=\"uses\">Uses: "
                + uses.map { "<a href=\"\(escape($0.href))\">\(escape($0.label))</a>" }.joined(separator: " · ")
                + "</p>\n"
        }
        let verdicts = sections.enumerated().compactMap { number, section in section.verdict.map { (number, $0) } }
        if !verdicts.isEmpty {
            html += "<div class=\"shows\"><h2>What this page shows</h2>\n<ul>\n"
            for (number, verdict) in verdicts {
                html +=
                    "<li><a href=\"#s\(number + 1)\">\(inline(verdict.claim))</a>: <b>\(verdict.outcomeText.lowercased())</b></li>\n"
            }
            html += "</ul></div>\n"
        }
        if !setup.isEmpty {
            html += "<h2>Setup</h2>\n<pre><code>\(highlighted(setup))</code></pre>\n"
        }
        for (number, section) in sections.enumerated() {
            html +=
                "<h2 id=\"s\(number + 1)\">\(number + 1). \(escape(section.title))</h2>\n<p>\(inline(section.narrative))</p>\n"
            if !section.code.isEmpty { html += "<pre><code>\(highlighted(section.code))</code></pre>\n" }
            defer {
                if let verdict = section.verdict {
                    let kind = verdict.outcome.rawValue.replacingOccurrences(of: " ", with: "")
                    html +=
                        "<div class=\"verdict v-\(kind)\"><div class=\"label\">verdict</div>\(inline(verdict.claim)): <span class=\"outcome\">\(verdict.outcomeText).</span> \(inline(verdict.evidence))</div>\n"
                }
            }
            guard !section.outputs.isEmpty else { continue }
            html += "<div class=\"output\"><div class=\"label\">output</div>\n"
            for output in section.outputs {
                switch output {
                case let .figure(file, caption):
                    html +=
                        "<figure><img src=\"\(escape(file))\" alt=\"\(escape(caption))\"><figcaption>\(inline(caption))</figcaption></figure>\n"
                case let .table(header, rows, caption):
                    html += "<table>\n<tr>" + header.map { "<th>\(inline($0))</th>" }.joined() + "</tr>\n"
                    html += rows.map { "<tr>" + $0.map { "<td>\(inline($0))</td>" }.joined() + "</tr>" }.joined(
                        separator: "\n")
                    html += caption.isEmpty ? "\n</table>\n" : "\n<caption>\(inline(caption))</caption></table>\n"
                case let .text(text):
                    html += "<p>\(inline(text))</p>\n"
                }
            }
            html += "</div>\n"
        }
        return html + "</body></html>\n"
    }

    /// `text` escaped, with `code` spans between backticks.
    func inline(_ text: String) -> String {
        let parts = text.split(separator: "`", omittingEmptySubsequences: false)
        guard parts.count % 2 == 1 else { return escape(text) }  // an unpaired backtick: shown as typed
        return parts.enumerated().map {
            $0.offset % 2 == 1 ? "<code>\(escape(String($0.element)))</code>" : escape(String($0.element))
        }.joined()
    }

    static let keywords: Set<String> = [
        "let", "var", "func", "for", "in", "where", "if", "else", "guard", "return", "try", "do", "catch", "throw",
        "import",
        "true", "false", "nil", "switch", "case", "default", "struct", "enum", "class", "extension", "while", "repeat",
        "break",
        "continue", "as", "is", "inout", "self", "static", "private", "public",
    ]

    /// Source code as HTML, keywords, comments and string literals marked for the style sheet.
    func highlighted(_ code: String) -> String {
        SwiftSource.tokens(code).map { token in
            switch token {
            case let .comment(text): return "<span class=\"c\">\(escape(text))</span>"
            case let .string(text): return "<span class=\"s\">\(escape(text))</span>"
            case let .code(text): return highlightedKeywords(text)
            }
        }.joined()
    }

    private func highlightedKeywords(_ text: String) -> String {
        var html = "", word = ""
        func flushWord() {
            html += Self.keywords.contains(word) ? "<span class=\"k\">\(word)</span>" : escape(word)
            word = ""
        }
        for character in text {
            if character.isLetter || character.isNumber || character == "_" { word.append(character); continue }
            flushWord()
            html += escape(String(character))
        }
        flushWord()
        return html
    }

    func escape(_ text: String) -> String { GalleryPage.escape(text) }

    // MARK: Markdown

    /// The page as Markdown, for a code host's file view.
    public func markdown() -> String {
        var md =
            "# \(title)\n\n_Made by `\(command)` · \(provenance)_\n\n\(introduction)\n\n[← gallery](../index.html) · [slides](\(Self.slidesFile))\n"
        if !summaryLines.isEmpty {
            md += "\n> **What this page shows**\n>\n" + summaryLines.map { "> - \($0)\n" }.joined()
        }
        if !setup.isEmpty { md += "\n## Setup\n\n```swift\n\(setup)\n```\n" }
        for (number, section) in sections.enumerated() {
            md += "\n## \(number + 1). \(section.title)\n\n\(section.narrative)\n"
            if !section.code.isEmpty { md += "\n```swift\n\(section.code)\n```\n" }
            for output in section.outputs {
                switch output {
                case let .figure(file, caption):
                    md += "\n![\(caption.replacingOccurrences(of: "]", with: ")"))](\(file))\n\n_\(caption)_\n"
                case let .table(header, rows, caption):
                    let cell = { (text: String) in text.replacingOccurrences(of: "|", with: "\\|") }
                    md +=
                        "\n| " + header.map(cell).joined(separator: " | ") + " |\n|"
                        + header.indices.map { $0 == 0 ? " --- |" : " ---: |" }.joined() + "\n"
                    md += rows.map { "| " + $0.map(cell).joined(separator: " | ") + " |\n" }.joined()
                    if !caption.isEmpty { md += "\n_\(caption)_\n" }
                case let .text(text):
                    md += "\n\(text)\n"
                }
            }
            if let verdict = section.verdict {
                md += "\n> **Verdict.** \(verdict.claim): **\(verdict.outcomeText).** \(verdict.evidence)\n"
            }
        }
        return md
    }
}
