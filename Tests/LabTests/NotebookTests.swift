import Foundation
import Lab
import Testing

@Suite("notebook pages: a script's own code beside what it produced")
struct NotebookTests {
    @Test("a call's end is found past strings, comments and interpolations that hold brackets")
    func callEnd() {
        let source = SwiftSource(
            #"""
            notebook.section("one line (with a bracket", "and { a brace")
            let a = 1
            notebook.section("Multi", """
                A narrative over lines, with ) and } and "quotes" and \(f(")")) in it.
                """)
            let b = 2
            notebook.section("x", "y") // a comment (with a bracket
            let c = 3
            notebook.section(
                "spread", /* block ( comment /* nested ) */ still comment */ "z")
            let d = 4
            """#)
        #expect(source.lineAfterCall(startingAt: 1) == 2)
        #expect(source.lineAfterCall(startingAt: 3) == 6)
        #expect(source.lineAfterCall(startingAt: 7) == 8)
        #expect(source.lineAfterCall(startingAt: 9) == 11)
        #expect(source.lineAfterCall(startingAt: 99) == source.lines.count + 1)
    }

    @Test("a block's end is the first brace that closes it, past strings and comments that hold braces")
    func blockEnd() {
        let source = SwiftSource(
            #"""
            func f() {
                notebook.section("a {", "b")
                let x = { 1 }()  // }
                let s = "}"
            }
            func g() {}
            """#)
        #expect(source.blockEnd(from: 3) == 5)
        #expect(source.blockEnd(from: 6) == source.lines.count + 1)
        #expect(source.blockEnd(from: 99) == source.lines.count + 1)
    }

    @Test("an excerpt drops blank edges and the indentation its lines share")
    func excerpt() {
        let source = SwiftSource("do {\n\n    let a = 1\n    for x in y {\n        use(x)\n    }\n\n}\n")
        #expect(source.excerpt(from: 2, to: 8) == "let a = 1\nfor x in y {\n    use(x)\n}")
        #expect(source.excerpt(from: 5, to: 5) == "")
    }

    @Test("tokens give back the text and tell code, comments and strings apart")
    func tokens() {
        let text =
            #"let s = "a \(f("b")) c" // note"# + "\n" + #"/* x /* y */ z */ let t = """"# + "\nline \"q\"\n\"\"\"\n"
        let tokens = SwiftSource.tokens(text)
        #expect(
            tokens.map {
                switch $0 {
                case let .code(t), let .comment(t), let .string(t): return t
                }
            }.joined() == text)
        #expect(tokens.contains(.comment("// note")))
        #expect(tokens.contains(.comment("/* x /* y */ z */")))
        #expect(tokens.contains(.code("f(")))  // an interpolation is code again
        #expect(tokens.contains(.string("\"b\"")))
        #expect(tokens.contains(.string("\"\"\"\nline \"q\"\n\"\"\"")))
        #expect(SwiftSource.tokens("").isEmpty)
    }

    @Test("the page escapes text, marks code spans and keeps tables intact in Markdown")
    func rendering() {
        var page = NotebookPage(
            name: "demo", title: "A <b> title", introduction: "Uses `x < y` here.", command: "swift run demo",
            provenance: "seed 0", setup: "let x = \"<s>\" // why")
        page.sections = [
            .init(
                title: "First", narrative: "An unpaired ` backtick.", code: "let y = 2",
                outputs: [
                    .figure(file: "a.png", caption: "A & B"),
                    .table(header: ["k", "v|w"], rows: [["1", "2"]], caption: "c"),
                    .text("Measured: `3`."),
                ])
        ]
        let html = page.html()
        #expect(html.contains("A &lt;b&gt; title") && !html.contains("<b>"))
        #expect(html.contains("Uses <code>x &lt; y</code> here."))
        #expect(html.contains("An unpaired ` backtick."))
        #expect(
            html.contains("<span class=\"s\">&quot;&lt;s&gt;&quot;</span>")
                && html.contains("<span class=\"c\">// why</span>"))
        #expect(html.contains("<span class=\"k\">let</span> y = 2"))
        #expect(html.contains("<img src=\"a.png\" alt=\"A &amp; B\">"))
        let markdown = page.markdown()
        #expect(markdown.contains("| k | v\\|w |\n| --- | ---: |\n| 1 | 2 |"))
        #expect(markdown.contains("```swift\nlet y = 2\n```"))
        #expect(markdown.contains("![A & B](a.png)"))
    }

    @Test(
        "a section's verdict: kept in notebook.json as {claim, outcome, evidence}, shown under the section, in the page's box and on the index"
    )
    func verdicts() throws {
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("gen-verdict-\(UUID())").path
        let notebook = try Notebook(
            "judged", title: "Judged", introduction: "Intro.", order: 4, arguments: ["--out", out, "--quiet"])
        notebook.section("Depth", "Deeper against wider.")
        notebook.say("A number.")
        notebook.verdict(
            claim: "deeper is better", outcome: .notReproduced, evidence: "7.9 ± 0.1 against 7.8 ± 0.1 (3 seeds)")
        notebook.section("Bottleneck", "A narrower code.")
        notebook.verdict(claim: "a wider code reconstructs better", outcome: .reproduced, evidence: "12.2 → 7.9")
        try notebook.finish()
        let json = try Data(contentsOf: URL(fileURLWithPath: out + "/judged/" + GalleryPage.notebookFile))
        let object = try #require(try JSONSerialization.jsonObject(with: json) as? [String: Any])
        let sections = try #require(object["sections"] as? [[String: Any]])
        let verdict = try #require(sections[0]["verdict"] as? [String: String])
        #expect(
            verdict == [
                "claim": "deeper is better", "outcome": "not reproduced",
                "evidence": "7.9 ± 0.1 against 7.8 ± 0.1 (3 seeds)",
            ])
        let html = try String(contentsOfFile: out + "/judged/index.html", encoding: .utf8)
        #expect(
            html.contains("What this page shows") && html.contains("Not reproduced.")
                && html.contains("<a href=\"#s2\">"))
        let markdown = try String(contentsOfFile: out + "/judged/README.md", encoding: .utf8)
        #expect(markdown.contains("> **Verdict.** deeper is better: **Not reproduced.**"))
        let index = try String(contentsOfFile: out + "/index.html", encoding: .utf8)
        #expect(index.contains("deeper is better — not reproduced (and 1 more verdict)"), "\(index)")
    }

    @Test("a notebook run writes each section's own code, outputs and the gallery index")
    func notebookRun() throws {
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("gen-notebook-\(UUID())").path
        let notebook = try Notebook(
            "demo", title: "Demo", introduction: "Intro.", order: 3,
            arguments: ["--out", out, "--quiet", "--seed", "7"])
        let setupValue = 40 + 2
        notebook.section("Adding", "Two numbers.")
        let sum = setupValue + 1
        notebook.say("The sum is \(sum).")
        notebook.section(
            "A table",
            """
            Spread over lines (with a bracket).
            """)
        notebook.table(["n", "n²"], (1...2).map { ["\($0)", "\($0 * $0)"] })
        try notebook.figure(Canvas(width: 4, height: 4), "tiny.png", caption: "A tiny canvas.")
        try notebook.finish()

        let page = try JSONDecoder().decode(
            NotebookPage.self, from: Data(contentsOf: URL(fileURLWithPath: out + "/demo/" + GalleryPage.notebookFile)))
        #expect(page.setup == "let setupValue = 40 + 2")
        #expect(page.sections.map(\.title) == ["Adding", "A table"])
        #expect(page.sections[0].code == "let sum = setupValue + 1\nnotebook.say(\"The sum is \\(sum).\")")
        #expect(page.sections[0].outputs == [.text("The sum is 43.")])
        #expect(
            page.sections[1].code.hasPrefix("notebook.table(")
                && page.sections[1].code.hasSuffix("caption: \"A tiny canvas.\")"))
        #expect(page.sections[1].outputs.count == 2)
        #expect(page.provenance.contains("seed 7"))
        #expect(page.order == 3)
        for file in ["index.html", "README.md", "tiny.png"] {
            #expect(FileManager.default.fileExists(atPath: out + "/demo/" + file), "\(file)")
        }
        let index = try String(contentsOfFile: out + "/index.html", encoding: .utf8)
        #expect(index.contains("<a href=\"demo/index.html\">Demo</a>") && index.contains("demo/tiny.png"))
    }

    @Test(
        "a script's flags are checked, naming the flag, with gen's limits",
        arguments: [
            (["--epochs", "3"], "Unknown option '--epochs'"),
            (["--seed", "x"], "The value 'x' is invalid for '--seed <seed>'"),
            (["--threads", "0"], "--threads must be between 1 and 256, got 0"),
            (["--threads", "257"], "--threads must be between 1 and 256, got 257"),
            (["--out"], "Missing value for '--out <out>'"),
            (["--out", ""], "--out: an empty path names no folder"),
        ])
    func flags(arguments: [String], message: String) {
        #expect { try Notebook("demo", title: "", introduction: "", arguments: arguments) } throws: { error in
            NotebookOptions.message(for: error).contains(message)
        }
    }

    @Test(
        "a section opened in another file's function shows that function's body; the main file's sections end at its next call"
    )
    func sectionsInFiles() throws {
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("gen-notebook-\(UUID())").path
        let notebook = try Notebook(
            "demo", title: "Demo", introduction: "Intro.", arguments: ["--out", out, "--quiet"])
        notebook.section("Here", "In the main file.")
        let here = 1
        squaresSection(notebook, upTo: 3)
        notebook.section("Back", "The main file again.")
        notebook.say("\(here + unrelatedHelper())")
        try notebook.finish()
        let page = try JSONDecoder().decode(
            NotebookPage.self, from: Data(contentsOf: URL(fileURLWithPath: out + "/demo/" + GalleryPage.notebookFile)))
        #expect(page.sections.map(\.title) == ["Here", "Squares", "Back"])
        #expect(page.sections[0].code == "let here = 1\nsquaresSection(notebook, upTo: 3)")
        #expect(
            page.sections[1].code == "let squares = (1...n).map { $0 * $0 }\nnotebook.say(\"Squares: \\(squares).\")")
        #expect(page.sections[1].outputs == [.text("Squares: [1, 4, 9].")])
        #expect(page.sections[2].code == "notebook.say(\"\\(here + unrelatedHelper())\")")
    }
}
