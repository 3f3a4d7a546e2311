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
    private let source: SwiftSource?
    /// The script's own text: kept measurements are keyed by part of it (`measuredSource`).
    let sourceText: String
    private let setupLine: Int
    private var sectionLines: [Int] = []
    private let started = Date()
    /// When the open section began.
    private var sectionStarted = Date()
    private var loaded: DatasetSplits?
    private var judgeCache: Judge?

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
        sourceText = (try? String(contentsOfFile: file, encoding: .utf8)) ?? ""
        source = sourceText.isEmpty ? nil : SwiftSource(sourceText)
        setupLine = line
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

    /// Opens the next numbered section: what follows up to the next `section` (or `finish`) is
    /// its code, and what it draws, tabulates and says is its output.
    public func section(_ title: String, _ narrative: String, line: Int = #line) {
        precondition(
            !sectionLines.contains(line),
            "section \"\(title)\": one section call per line of the script (not in a loop), so that its code can be cut from the file"
        )
        closeSectionClock()
        page.sections.append(NotebookPage.Section(title: title, narrative: narrative))
        sectionLines.append(line)
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

    private func append(_ output: NotebookPage.Output) {
        precondition(!page.sections.isEmpty, "output belongs to a section: call section(_:_:) first")
        page.sections[page.sections.count - 1].outputs.append(output)
    }

    /// Cuts each section's code from the script, writes the page (HTML, Markdown and the JSON the
    /// index reads) and updates the gallery's index.
    public func finish(line: Int = #line) throws {
        closeSectionClock()
        if let source {
            let boundaries = sectionLines + [line]
            page.setup = source.excerpt(from: source.lineAfterCall(startingAt: setupLine), to: boundaries[0])
            for index in page.sections.indices {
                page.sections[index].code = source.excerpt(
                    from: source.lineAfterCall(startingAt: sectionLines[index]), to: boundaries[index + 1])
            }
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

    // MARK: Models and data

    /// The data's name once loaded ("fashion-mnist"), the flag's spelling before.
    /// The script's text up to the end of the section open now (of the setup, before any): all
    /// that a measurement made here can depend on, since a script is one block of statements and
    /// nothing later in it runs first. A kept measurement is keyed by it, so that editing a section
    /// or adding one measures again from that section on, and the sections before it keep theirs.
    var measuredSource: Substring {
        let current = sectionLines.last ?? setupLine  // 1-based, as #line
        var end = sourceText.endIndex, line = 1
        for index in sourceText.indices where sourceText[index] == "\n" {
            line += 1
            if line > current
                && sourceText[sourceText.index(after: index)...].prefix(200).drop(while: \.isWhitespace)
                    .hasPrefix("notebook.section(")
            {
                end = index
                break
            }
        }
        return sourceText[..<end]
    }

    /// What the page's data are called in figure titles and the provenance line: the loaded
    /// data set's name, or `ownData` on a page whose data the script draws itself (toy
    /// distributions), which names them so instead of the data set it never loads.
    public var ownData: String?
    private var dataName: String { ownData ?? loaded?.train.name ?? request.dataset.argument }

    /// The request's data, loaded once.
    public func data() throws -> DatasetSplits {
        if let loaded { return loaded }
        let data = try ModelRun(request).loadData()
        loaded = data
        return data
    }

    /// Trains the `kind` model with `settings` for `epochs` (or reuses the cached run: `gen`'s own
    /// cache, so a script and `gen` share models trained alike). With `film`, the same 64 prior
    /// draws decoded after every epoch become `<folder>/<film>`, shown under the current section
    /// with `filmCaption` (the film kept beside the cached checkpoint: recorded when the model was
    /// trained, by this run or an earlier one).
    /// `data` replaces the request's (a subset of it under a name of its own, say).
    /// With `earlyStopping`, `epochs` is a ceiling (`ModelRun.train`). `afterEpoch` sees the
    /// model after each epoch trained in this call (none when the cached run is reused).
    /// `optimizer` replaces the kind's (`ModelRun.train(_:settings:data:…)`).
    public func train(
        _ kind: ModelKind, _ settings: ModelSettings, epochs: Int, data: DatasetSplits? = nil, film: String? = nil,
        filmCaption: String = "", optimizer: (any Optimizer)? = nil, earlyStopping: EarlyStopping? = nil,
        seed: UInt64? = nil, retrain: Bool = false,
        afterEpoch: ((any GenerativeModel, Int) -> Void)? = nil
    ) throws -> (model: any GenerativeModel, result: TrainingResult) {
        var own = request
        own.epochs = epochs
        if let seed { own.seed = seed }
        if retrain { own.retrain = true }
        let recorder = film.map { _ in FilmRecorder(side: 8, seed: request.seed, temperature: 1) }
        let run = ModelRun(own)
        let (model, result) = try run.train(
            kind, settings: settings, data: try data ?? self.data(), film: recorder, optimizer: optimizer,
            earlyStopping: earlyStopping, afterEpoch: afterEpoch)
        if let film {
            if let bytes = run.keptFilm(result) {
                try writeAtomically(bytes, to: folder + "/" + film)
                append(.figure(file: film, caption: filmCaption))
            } else {
                say("(No film: the cached model was trained without recording one; retraining records it.)")
            }
        }
        return (model, result)
    }

    /// Trains as `train(_:_:epochs:…)` and measures the model after every epoch with `measure`:
    /// the values are kept beside the cached checkpoint (`<checkpoint>.<name>.json`, as a film
    /// is), so that a run reusing the model has them too; a cached run without them is trained
    /// again to record them.
    public func train<T: Codable>(
        _ kind: ModelKind, _ settings: ModelSettings, epochs: Int, film: String? = nil, filmCaption: String = "",
        history name: String, _ measure: @escaping (any GenerativeModel) -> T
    ) throws -> (model: any GenerativeModel, result: TrainingResult, history: [T]) {
        var recorded: [T] = []
        var (model, result) = try train(
            kind, settings, epochs: epochs, film: film, filmCaption: filmCaption,
            afterEpoch: { model, _ in recorded.append(measure(model)) })
        let path = result.checkpointPath + ".\(name).json"
        if recorded.count != result.epochs {
            if let bytes = FileManager.default.contents(atPath: path),
                let kept = try? JSONDecoder().decode([T].self, from: bytes), kept.count == result.epochs
            {
                return (model, result, kept)
            }
            // Retrained to the length the cached run had, so a longer run is not cut short.
            recorded = []
            (model, result) = try train(
                kind, settings, epochs: result.epochs, retrain: true,
                afterEpoch: { model, _ in recorded.append(measure(model)) })
        }
        try writeAtomically(try JSONEncoder.sorted.encode(recorded), to: path)
        return (model, result, recorded)
    }

    /// Trains `model` with `optimizer` for `epochs` on the request's data, or on `data` (under a
    /// name of its own: the name keys the cache), or reuses its cached run.
    public func train(
        _ model: any TrainableModel, optimizer: any Optimizer = Adam(), epochs: Int, data: DatasetSplits? = nil,
        earlyStopping: EarlyStopping? = nil, seed: UInt64? = nil, batchSize: Int? = nil
    ) throws -> TrainingResult {
        var own = request
        own.epochs = epochs
        if let seed { own.seed = seed }
        if let batchSize { own.batchSize = batchSize }
        return try ModelRun(own).train(
            model, optimizer: optimizer, data: try data ?? self.data(), earlyStopping: earlyStopping)
    }

    /// The data's judge (`gen judge`): trained once and cached.
    public func judge() throws -> Judge {
        if let judgeCache { return judgeCache }
        let judge = try ModelRun(request).trainJudge(data: try data()).judge
        judgeCache = judge
        return judge
    }
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
