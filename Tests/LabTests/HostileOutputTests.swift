import Foundation
import Testing
@testable import Lab

@Suite("What gen writes for people to read or paste cannot be turned against them")
struct HostileOutputTests {
    @Test("a command line shown on a page is quoted as a POSIX shell reads it back: pasting it runs nothing else")
    func shellQuoting() throws {
        #expect(shellQuoted("--out") == "--out" && shellQuoted("Gallery/vae") == "Gallery/vae")
        #expect(shellQuoted("o$(touch x)") == "'o$(touch x)'")
        #expect(shellQuoted("it's") == #"'it'\''s'"#)
        #expect(shellQuoted("") == "''" && shellQuoted("a b") == "'a b'" && shellQuoted("`id`") == "'`id`'")
        // The shell itself reads every quoted form back as the argument it came from.
        for argument in ["o$(touch x)", "it's", "a b", "`id`", "x;y", "*", "~", "\"q\"", "new\nline"] {
            let echo = Process()
            echo.executableURL = URL(fileURLWithPath: "/bin/sh")
            echo.arguments = ["-c", "printf %s " + shellQuoted(argument)]
            let pipe = Pipe()
            echo.standardOutput = pipe
            try echo.run()
            echo.waitUntilExit()
            #expect(String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self) == argument)
        }
    }

    @Test("JSON in a script element: < > & and the line separators are escaped, and the value reads back unchanged")
    func scriptSafeJSON() throws {
        let name = "</script><!--<script>alert(1)</script>&\u{2028}"
        let json = scriptEmbeddable(jsonObject([("classes", "[" + jsonQuoted(name) + "]")]))
        #expect(!json.contains("<") && !json.contains(">") && !json.contains("&") && !json.contains("\u{2028}"))
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: [String]])
        #expect(object["classes"] == [name])
    }

    @Test("the explorer page of data whose class names hold markup keeps one script element of its own")
    func explorerClassNames() throws {
        var data = tinyData
        data.test.classNames[0] = "<!--<script>"
        data.test.classNames[1] = "</script><b>"
        let model = VariationalAutoencoder(hiddenSizes: [8], latentDimension: 2, seed: 0)
        let html = try ExplorerPage(
            model: model, test: data.test, layout: ImageLayout(of: data.test), details: "hostile names"
        ).html()
        #expect(!html.contains("<!--<script>") && !html.contains("</script><b>"))
        #expect(html.contains(#"\u003c!--\u003cscript\u003e"#))
    }

    @Test("Ctrl-C after training stops the figures before the next file, naming what it was drawing")
    func interruptedFigures() throws {
        var request = quietRequest(cache: try scratchFolder())
        request.out = try scratchFolder()
        let model = tinyAutoencoder()
        let result = try ModelRun(request).train(model, data: tinyData)
        var figures = FigureRequest()
        (figures.samples, figures.interpolate) = (true, true)
        var drawing = ModelFigures(model: model, result: result, request: request, figures: figures)
        drawing.shouldStop = { true }
        #expect {
            try drawing.write()
        } throws: { error in
            guard case RunProblem.interrupted(let phase) = error else { return false }
            return phase.contains("before samples.png")
        }
        #expect(!FileManager.default.fileExists(atPath: request.out + "/ae/samples.png"))
        // Nothing of the interrupted run is left: not its metrics beside no figures, not a temporary file.
        let left = (try? FileManager.default.contentsOfDirectory(atPath: request.out + "/ae")) ?? []
        #expect(!left.contains("metrics.jsonl") && !left.contains { $0.hasSuffix(".tmp") }, "\(left)")
    }
}
