import ArgumentParser
import Datasets
import Foundation
import Gallery
import Models
import NN

/// A lecture script's run, written like a notebook: top-level code in numbered sections, each
/// opened by `section(_:_:)`; what a section draws (`figure`), tabulates (`table`) or states
/// (`say`) lands under it on the page, beside the section's own code, cut from the script file
/// between its `section` call and the next (or `finish`). `finish()` writes
/// `<out>/<name>/index.html`, `README.md` and `notebook.json`, and adds the page to the
/// gallery's index.
///
/// Flags every script takes (`NotebookOptions`): `--quick` (synthetic digits and one epoch:
/// seconds, for CI), `--out DIR` (default Gallery), `--seed N`, `--threads N`, `--retrain`,
/// `--quiet`, `--help`. A script ends with `exit(Notebook.exitCode(reporting: error, script:))`
/// in its `catch`: help on stdout with success, a flag's problem with the usage, anything else
/// in one line.
public final class Notebook {
    /// The script's name: its folder under `out` and its `swift run` target.
    public let name: String
    /// Synthetic data and short training: a check that the script runs, not a result.
    public let quick: Bool
    /// The data, seed, threads and folders every model of the script is trained with.
    public private(set) var request: RunRequest
    /// `<out>/<name>`: where the page and its figures go.
    public var folder: String { request.out + "/" + name }

    private var page: NotebookPage
    /// The script's main file, whose `Notebook(…)` call opens the page.
    private let mainFile: String
    /// The text of each file the page's code comes from (the main file first, then every file
    /// a section was opened in), read once; empty where a file cannot be read.
    private var texts: [String: String] = [:]
    private let setupLine: Int
    /// Where each section was opened: its file and the line of its `section` call.
    private var sectionPlaces: [(file: String, line: Int)] = []
    private let started = Date()
    /// When the open section began.
    private var sectionStarted = Date()
    /// The request's data and its judge, once loaded (NotebookTraining.swift).
    var loaded: DatasetSplits?
    var judgeCache: Judge?

    /// Starts the notebook `name` from the script's own command line: the process's entry, so
    /// `--threads` becomes the process's thread count for everything the script computes.
    /// `file` and `line` locate the script and this call in it, for the code the page shows;
    /// `order` places the page in the lecture order on the gallery's index.
    public convenience init(
        _ name: String, title: String, introduction: String, order: Int = 99,
        file: String = #filePath, line: Int = #line
    ) throws {
        try self.init(
            name, title: title, introduction: introduction, order: order,
            arguments: Array(CommandLine.arguments.dropFirst()), file: file, line: line)
        BLAS.setThreadCount(request.threads)
    }

    /// Starts the notebook `name` from `arguments` (a command line after the program name),
    /// leaving the process's thread count alone: tests make notebooks beside other tests.
    /// `--help` and bad flags throw before anything is written (`exitCode(reporting:script:)`).
    public init(
        _ name: String, title: String, introduction: String, order: Int = 99,
        arguments: [String], file: String = #filePath, line: Int = #line
    ) throws {
        let options = try NotebookOptions.parse(arguments)
        var request = RunRequest()
        let quick = options.quick
        (request.out, request.seed, request.threads, request.retrain, request.quiet) =
            (options.out, options.seed, options.threads, options.retrain, options.quiet)
        request.cacheFolder = options.cache
        if quick {
            request.dataset = .synthetic
            request.syntheticCount = 2_000
        }
        request.command = "swift run \(name)" + (quick ? " --quick" : "")
        request.drawsInModelFolders = false  // its models draw here, into `folder`
        (self.name, self.quick, self.request) = (name, quick, request)
        mainFile = file
        setupLine = line
        texts[file] = Notebook.contents(of: file)
        page = NotebookPage(
            name: name, title: title, introduction: introduction, command: request.command, provenance: "", order: order
        )
        try claimFolder(folder)
    }

    /// Says what ended a script and returns its exit status: `--help`'s text on stdout and 0; a
    /// flag's problem with the usage on stderr and 64 (as `gen`'s flags); any other error as
    /// one line, `<script>: <error>`, and 1. The script itself exits: a library never does.
    public static func exitCode(reporting error: Error, script: String) -> Int32 {
        let code = NotebookOptions.exitCode(for: error)
        guard code == .success || code == .validationFailure else {
            printError("\(script): \(error)")
            return 1
        }
        // ArgumentParser names the flags' type ("notebook"); the user ran the script.
        let message = NotebookOptions.fullMessage(for: error).replacingOccurrences(of: "notebook ", with: "\(script) ")
        // The usage text's lines stay lines (printError would make them one).
        if code.rawValue == 0 { print(message) } else { FileHandle.standardError.write(Data((message + "\n").utf8)) }
        return code.rawValue
    }

    /// `full` epochs, or one with `--quick`.
    public func epochs(_ full: Int) -> Int { quick ? 1 : full }

    /// `count` training seeds from the request's (one with `--quick`): a verdict's spread.
    public func seeds(_ count: Int) -> [UInt64] {
        (0..<(quick ? 1 : count)).map { request.seed &+ UInt64($0) }
    }

    /// `full`, or `small` with `--quick`: image counts, grid sizes, sweeps.
    public func size(_ full: Int, quick small: Int) -> Int { quick ? small : full }

    // MARK: The page

    /// Opens the next numbered section: what follows up to the next `section` (or `finish`) of
    /// the same file, or to the end of the function the call sits in, is its code, and what it
    /// draws, tabulates and says is its output. A long script keeps a section a file: a function
    /// in a file of the script's target that opens with `notebook.section(…)`, called from
    /// main.swift.
    public func section(_ title: String, _ narrative: String, file: String = #filePath, line: Int = #line) {
        precondition(
            !sectionPlaces.contains { $0.file == file && $0.line == line },
            "section \"\(title)\": one section call per line of the script (not in a loop), so that its code can be cut from the file"
        )
        closeSectionClock()
        read(file)
        page.sections.append(NotebookPage.Section(title: title, narrative: narrative))
        sectionPlaces.append((file, line))
        if !request.quiet { print("\n\(page.sections.count). \(title)") }
    }

    /// Records the open section's seconds (`Section.seconds`), and starts the next one's clock.
    private func closeSectionClock() {
        let now = Date()
        if !page.sections.isEmpty {
            let seconds = (now.timeIntervalSince(sectionStarted) * 10).rounded() / 10
            page.sections[page.sections.count - 1].seconds = seconds
            if !request.quiet { print("(\(page.sections[page.sections.count - 1].title): \(seconds) s)") }
        }
        sectionStarted = now
    }

    /// Writes `canvas` to `<folder>/<file>` and shows it under the current section.
    public func figure(_ canvas: Canvas, _ file: String, caption: String) throws {
        precondition(!page.sections.isEmpty, "a figure belongs to a section: call section(_:_:) first")
        precondition(
            !file.contains("/") && !page.figureFiles.contains { $0.file == file },
            "\(file): one figure file per name, in the page's folder")
        try canvas.writePNG(to: folder + "/" + file)
        append(.figure(file: file, caption: caption))
        if !request.quiet { print("Wrote \(folder)/\(file)") }
    }

    /// A figure's title bar: `title` over the data set (or `data`, for a figure of other
    /// images), seed and `details`.
    public func title(_ title: String, _ details: String = "", data: String? = nil) -> FigureTitle {
        FigureTitle(
            title,
            details: ([data ?? dataName, "seed \(request.seed)"] + (details.isEmpty ? [] : [details])).joined(
                separator: " · "))
    }

    /// Labelled rows of images (each row the same count, at most 12 a row), drawn as `file`.
    public func images(_ rows: [(label: String, images: Tensor)], _ file: String, title: String, caption: String) throws
    {
        let data = try data()
        let count = rows.first?.images.shape[0] ?? 0
        try figure(
            Figures.imageRows(
                rows, errors: [], errorNote: "", columns: min(max(count, 1), 12), layout: ImageLayout(of: data.train),
                title: self.title(title)),
            file, caption: caption)
    }

    /// Sample grids side by side, the first `side` × `side` images of each, drawn as `file`.
    public func sampleGrids(
        _ panels: [(name: String, images: Tensor)], side: Int = 8, _ file: String, title: String, caption: String
    ) throws {
        let layout = ImageLayout(of: try data().train)
        try figure(
            Figures.sideBySide(
                panels.map { panel in
                    (
                        "",
                        Figures.sampleGrid(
                            panel.images.rows(0..<min(side * side, panel.images.shape[0])), layout: layout, side: side,
                            title: self.title(panel.name))
                    )
                }, title: self.title(title)), file, caption: caption)
    }

    /// Named series of (x, y) points as lines, drawn as `file`.
    public func plot(
        _ series: [(name: String, points: [(x: Double, y: Double)])], x: String, y: String, _ file: String,
        title: String, caption: String, axes: PlotAxes = PlotAxes()
    ) throws {
        try figure(
            Figures.curves(series, xLabel: x, yLabel: y, title: self.title(title), axes: axes), file, caption: caption)
    }

    /// A table of numbers under the current section (printed on the terminal too).
    public func table(_ header: [String], _ rows: [[String]], caption: String = "") {
        append(.table(header: header, rows: rows, caption: caption))
        guard !request.quiet else { return }
        let widths = header.indices.map { column in
            ([header] + rows).map { column < $0.count ? $0[column].count : 0 }.max() ?? 0
        }
        for row in [header] + rows {
            print(
                row.enumerated().map { $0.element.padding(toLength: widths[$0.offset], withPad: " ", startingAt: 0) }
                    .joined(separator: "  "))
        }
    }

    /// Links `href` (relative to the page's folder: `../vae/index.html`) under the page's title:
    /// a model page or explorer the page uses.
    public func uses(_ label: String, _ href: String) {
        page.uses = (page.uses ?? []) + [NotebookPage.Link(label: label, href: href)]
    }

    /// A sentence under the current section: what the numbers above say (printed too).
    public func say(_ text: String) {
        append(.text(text))
        if !request.quiet { print(text) }
    }

    /// Closes the current section with its verdict on the lecture's claim: `claim` as the
    /// lecture makes it, the `outcome` the measurement gives, and the `evidence`, the sentence
    /// with the deciding number and its spread. Kept in `notebook.json` as the section's
    /// `verdict` ({claim, outcome, evidence}), shown at the section's end and, with every other
    /// verdict, in the page's "What this page shows" box.
    public func verdict(claim: String, outcome: NotebookPage.Verdict.Outcome, evidence: String) {
        precondition(!page.sections.isEmpty, "a verdict belongs to a section: call section(_:_:) first")
        precondition(page.sections[page.sections.count - 1].verdict == nil, "one verdict per section")
        page.sections[page.sections.count - 1].verdict = NotebookPage.Verdict(
            claim: claim, outcome: outcome, evidence: evidence)
        if !request.quiet { print("Verdict: \(claim): \(outcome.rawValue). \(evidence)") }
    }

    func append(_ output: NotebookPage.Output) {
        precondition(!page.sections.isEmpty, "output belongs to a section: call section(_:_:) first")
        page.sections[page.sections.count - 1].outputs.append(output)
    }

    /// Cuts each section's code from the script, writes the page (HTML, Markdown and the JSON the
    /// index reads) and updates the gallery's index.
    public func finish(file: String = #filePath, line: Int = #line) throws {
        closeSectionClock()
        // Every call that ends a stretch of code, by file.
        let calls = sectionPlaces + [(file: file, line: line)]
        let sources = texts.compactMapValues { $0.isEmpty ? nil : SwiftSource($0) }
        if let main = sources[mainFile] {
            let next = calls.filter { $0.file == mainFile && $0.line > setupLine }.map(\.line).min()
            page.setup = main.excerpt(from: main.lineAfterCall(startingAt: setupLine), to: next ?? main.lines.count + 1)
        }
        for (index, place) in sectionPlaces.enumerated() {
            guard let source = sources[place.file] else { continue }
            let start = source.lineAfterCall(startingAt: place.line)
            let next = calls.filter { $0.file == place.file && $0.line > place.line }.map(\.line).min()
            page.sections[index].code = source.excerpt(
                from: start, to: min(next ?? source.lines.count + 1, source.blockEnd(from: start)))
        }
        let day = ISO8601DateFormatter.string(
            from: started, timeZone: TimeZone(identifier: "UTC")!, formatOptions: [.withFullDate])
        page.provenance =
            "\(dataName) · seed \(request.seed) · \(counted(request.threads, "thread")) · \(day) · \(Machine.description) · \(formatDuration(Date().timeIntervalSince(started)))"
        try writeAtomically(Data(page.html().utf8), to: folder + "/index.html")
        try writeAtomically(Data(page.markdown().utf8), to: folder + "/README.md")
        try writeAtomically(try JSONEncoder.sorted.encode(page), to: folder + "/" + GalleryPage.notebookFile)
        try writeAtomically(Data(page.slides().utf8), to: folder + "/" + NotebookPage.slidesFile)
        try GalleryPage.updateIndex(root: request.out)
        if !request.quiet { print("\nWrote \(folder)/index.html, slides.html and README.md") }
        // Written first, so the page can be read; then the run fails: a lecture page's every
        // section ends on its verdict (a page of your own may have sections that only show).
        if LectureOrder.pages.contains(where: { $0.name == name }),
            let open = page.sections.first(where: { $0.verdict == nil })
        {
            throw RunError(
                "section \"\(open.title)\" of \(name) ends without a verdict: close it with notebook.verdict(claim:outcome:evidence:)"
            )
        }
    }

    // MARK: What kept measurements and titles are keyed by

    /// The script's text up to the end of the section open now (of the setup, before any): all
    /// that a measurement made here can depend on, since a script is one block of statements and
    /// nothing later in it runs first. A kept measurement is keyed by it, so that editing a section
    /// or adding one measures again from that section on, and the sections before it keep theirs.
    /// A section in a file of its own is keyed by the main file's whole text (which calls it)
    /// and its own file's text up to its end.
    var measuredSource: String {
        let main = texts[mainFile] ?? ""
        guard let current = sectionPlaces.last, current.file != mainFile else {
            return String(Notebook.text(main, upToSectionAfter: sectionPlaces.last?.line ?? setupLine))
        }
        return main + "\n" + Notebook.text(texts[current.file] ?? "", upToSectionAfter: current.line)
    }

    /// `text` up to the first `notebook.section(` call after line `line` (1-based, as #line).
    static func text(_ text: String, upToSectionAfter current: Int) -> Substring {
        var end = text.endIndex, line = 1
        for index in text.indices where text[index] == "\n" {
            line += 1
            if line > current
                && text[text.index(after: index)...].prefix(200).drop(while: \.isWhitespace)
                    .hasPrefix("notebook.section(")
            {
                end = index
                break
            }
        }
        return text[..<end]
    }

    /// Reads `file` once, for the code the page shows and the keys of kept measurements.
    private func read(_ file: String) {
        if texts[file] == nil { texts[file] = Notebook.contents(of: file) }
    }

    /// A source file's text, empty where it cannot be read (the page then shows no code).
    private static func contents(of file: String) -> String {
        (try? String(contentsOfFile: file, encoding: .utf8)) ?? ""
    }

    /// What the page's data are called in figure titles and the provenance line: the loaded
    /// data set's name, or `ownData` on a page whose data the script draws itself (toy
    /// distributions), which names them so instead of the data set it never loads.
    public var ownData: String?
    /// The data's name once loaded ("fashion-mnist"), the flag's spelling before.
    private var dataName: String { ownData ?? loaded?.train.name ?? request.dataset.argument }
}

/// "1 epoch", "10 epochs": `count` and `noun`, plural when it must be.
public func counted(_ count: Int, _ noun: String) -> String { "\(count) \(noun)\(count == 1 ? "" : "s")" }

/// "1,140,782": a count with its thousands grouped, as the pages write them.
public func grouped(_ count: Int) -> String {
    let digits = String(abs(count))
    let groups = stride(from: digits.count, to: 0, by: -3).map {
        String(
            digits[
                digits.index(
                    digits.startIndex, offsetBy: max($0 - 3, 0))..<digits.index(digits.startIndex, offsetBy: $0)])
    }
    return (count < 0 ? "-" : "") + groups.reversed().joined(separator: ",")
}

/// `value` with `digits` decimals: the page's numbers.
public func fixed(_ value: Double, _ digits: Int = 3) -> String { String(format: "%.\(digits)f", value) }
public func fixed(_ value: Float, _ digits: Int = 3) -> String { fixed(Double(value), digits) }
