import Foundation
import Lab
import Testing

@Suite("lecture pages: verdicts, slides, spreads, kept measurements, early-stopped runs")
struct LecturePageTests {
    func temporaryFolder(_ name: String) -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("gen-\(name)-\(UUID())").path
    }

    @Test("a lecture page's section without a verdict fails the run, after the page is written to be read")
    func verdictRequired() throws {
        let out = temporaryFolder("unjudged")
        let notebook = try Notebook(
            "bottleneck", title: "The bottleneck", introduction: "Intro.", arguments: ["--out", out, "--quiet"])
        notebook.section("Judged", "A claim.")
        notebook.verdict(claim: "a claim", outcome: .partly, evidence: "1.0 ± 0.1")
        notebook.section("Left open", "No verdict.")
        notebook.say("A number.")
        #expect {
            try notebook.finish()
        } throws: { error in
            "\(error)".contains("section \"Left open\" of bottleneck ends without a verdict")
        }
        #expect(FileManager.default.fileExists(atPath: out + "/bottleneck/index.html"))
        // A page of one's own (not a lecture) may have sections that only show.
        let own = try Notebook("mine", title: "Mine", introduction: "Intro.", arguments: ["--out", out, "--quiet"])
        own.section("Shown", "Only a figure.")
        try own.finish()
    }

    @Test("slides: a title screen and one screen per section, offline, with arrow keys; pages link their neighbours")
    func slides() throws {
        let out = temporaryFolder("slides")
        let notebook = try Notebook(
            "latent-space", title: "The latent space", introduction: "Intro.", arguments: ["--out", out, "--quiet"])
        for title in ["One", "Two", "Three"] {
            switch title {
            case "One": notebook.section("One", "First.")
            case "Two": notebook.section("Two", "Second.")
            default: notebook.section("Three", "Third.")
            }
            notebook.table(["a", "b"], [["1", "2"]])
            notebook.say("Text the slide leaves out.")
            notebook.verdict(claim: "claim \(title)", outcome: .reproduced, evidence: "evidence \(title)")
        }
        try notebook.finish()
        let slides = try String(contentsOfFile: out + "/latent-space/slides.html", encoding: .utf8)
        #expect(slides.components(separatedBy: "<section class=\"slide\">").count - 1 == 4)
        #expect(slides.contains("ArrowRight") && slides.contains("ArrowLeft"))
        #expect(slides.contains("evidence Three") && !slides.contains("Text the slide leaves out."))
        #expect(!slides.contains("http://") && !slides.contains("https://"), "nothing fetched")
        let page = try String(contentsOfFile: out + "/latent-space/index.html", encoding: .utf8)
        #expect(
            page.contains("href=\"../bottleneck/index.html\"")
                && page.contains("href=\"../regularized-autoencoders/index.html\""))
        #expect(page.contains("href=\"slides.html\""))
    }

    @Test("a spread: mean, sample standard deviation, a gap judged against twice its standard error")
    func spread() {
        let a = Spread([1, 2, 3])
        #expect(a.mean == 2 && abs(a.standardDeviation - 1) < 1e-12)
        #expect(a.text(1) == "2.0 ± 1.0")
        #expect(Spread([0.10, 0.11, 0.09]).isClearlyBelow(Spread([0.20, 0.21, 0.19])))
        #expect(!Spread([1, 2, 3]).isClearlyBelow(Spread([1.5, 2.5, 3.5])), "a gap inside the noise")
        #expect(!Spread([1]).isClearlyBelow(Spread([5])), "with one seed nothing is clear")
        // Three seeds each: Student's t (4.30 for 2 degrees of freedom), not 2, times the standard error.
        #expect(!Spread([1.0, 1.1, 1.2]).isClearlyBelow(Spread([1.25, 1.35, 1.45])))
        let values = (0..<100).map { Double($0 % 7) }
        let first = Spread.meanOf(values, seed: 3), again = Spread.meanOf(values, seed: 3)
        #expect(first == again, "the same seed, the same resamples")
        let m = values.reduce(0, +) / 100
        #expect(first.isBootstrap && first.mean == m, "a bootstrap's figure is the statistic on all the data")
        // Its resamples' standard deviation is the standard error of the mean, about s / √n.
        let s = (values.map { ($0 - m) * ($0 - m) }.reduce(0, +) / 99).squareRoot()
        #expect(abs(first.standardError - s / 10) < 0.3 * s / 10, "\(first.standardError) against \(s / 10)")
        #expect(abs(Spread.ratioOfMeans(values.map { 2 * $0 }, values, seed: 1).mean - 2) < 1e-9)
        #expect(grouped(1_140_782) == "1,140,782" && grouped(999) == "999" && grouped(-1000) == "-1,000")
    }

    @Test("a kept measurement is read back on the next run, and measured again with --retrain")
    func keptMeasurements() throws {
        let out = temporaryFolder("kept"), cache = temporaryFolder("kept-cache")
        var runs = 0
        for arguments in [["--quick"], ["--quick"], ["--quick", "--retrain"]] {
            let notebook = try Notebook(
                "mine", title: "Mine", introduction: "Intro.",
                arguments: arguments + ["--out", out, "--quiet", "--cache", cache])
            let value = try notebook.measured("a figure") { () -> [Double] in
                runs += 1
                return [1.5, 2.5]
            }
            #expect(value == [1.5, 2.5])
        }
        #expect(runs == 2, "measured on the first run and with --retrain, read back on the second")
    }

    @Test(
        "a kept measurement is keyed by the script up to its section's end: a later edit keeps it, an earlier one does not"
    )
    func measurementsKeyedBySection() throws {
        let out = temporaryFolder("sections"), cache = temporaryFolder("sections-cache")
        let folder = temporaryFolder("sections-script")
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        var measuredIn: [String] = []
        // Lines 2 and 4 open the sections; a measurement in each.
        func run(_ lines: [String]) throws {
            let file = folder + "/main.swift"
            try lines.joined(separator: "\n").write(toFile: file, atomically: true, encoding: .utf8)
            let notebook = try Notebook(
                "mine", title: "Mine", introduction: "Intro.",
                arguments: ["--quick", "--out", out, "--quiet", "--cache", cache], file: file, line: 1)
            notebook.section("One", "First.", file: file, line: 2)
            _ = try notebook.measured("first") { () -> Int in
                measuredIn.append("one"); return 1
            }
            notebook.section("Two", "Second.", file: file, line: 4)
            _ = try notebook.measured("second") { () -> Int in
                measuredIn.append("two"); return 2
            }
        }
        let script = [
            "let notebook = try Notebook(…)", "    notebook.section(\"One\", \"First.\")", "let a = 1",
            "    notebook.section(\"Two\", \"Second.\")", "let b = 2",
        ]
        try run(script)
        try run(script)
        #expect(measuredIn == ["one", "two"], "both kept on the second run")
        var laterEdit = script
        laterEdit[4] = "let b = 3"
        try run(laterEdit)
        #expect(measuredIn == ["one", "two", "two"], "an edit in section two measures section two again, not one")
        var earlierEdit = laterEdit
        earlierEdit[2] = "let a = 5"
        try run(earlierEdit)
        #expect(measuredIn == ["one", "two", "two", "one", "two"], "an edit in section one measures both again")
    }

    @Test("an early-stopped run is cached as finished: the next run reuses it instead of training on to the ceiling")
    func earlyStoppedRunIsReused() throws {
        let out = temporaryFolder("early"), cache = temporaryFolder("early-cache")
        func run() throws -> TrainingResult {
            let notebook = try Notebook(
                "mine", title: "Mine", introduction: "Intro.",
                arguments: ["--quick", "--out", out, "--quiet", "--cache", cache])
            let (fit, validation) = try notebook.validationSplit(200)
            #expect(validation.count == 200 && fit.train.count == 1_800)
            var settings = ModelKind.ae.defaultSettings
            (settings.hiddenSizes, settings.latentDimension) = ([16], 4)
            // A learning rate this large stops improving at once: patience 1 ends the run early.
            settings.learningRate = 0.5
            return try notebook.train(
                .ae, settings, epochs: 40, data: fit, earlyStopping: EarlyStopping(validation: validation, patience: 1)
            ).result
        }
        let first = try run()
        #expect(first.epochs < 40 && first.last(.bestEpoch) != nil, "stopped early: \(first.epochs) epochs")
        let second = try run()
        #expect(second.epochs == first.epochs && second.metricsLines == first.metricsLines)
    }

    @Test("every section of every committed lecture page ends with a verdict")
    func committedPagesHaveVerdicts() throws {
        let gallery = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Gallery").path
        for lecture in LectureOrder.pages {
            let path = gallery + "/" + lecture.name + "/" + GalleryPage.notebookFile
            let page = try JSONDecoder().decode(
                NotebookPage.self, from: try Data(contentsOf: URL(fileURLWithPath: path)))
            #expect(!page.sections.isEmpty, "\(lecture.name) has sections")
            for section in page.sections {
                #expect(section.verdict != nil, "\(lecture.name): section \"\(section.title)\" has no verdict")
            }
            #expect(
                FileManager.default.fileExists(atPath: gallery + "/" + lecture.name + "/" + NotebookPage.slidesFile),
                "\(lecture.name) has its slides")
        }
    }
}
