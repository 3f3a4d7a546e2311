import Foundation
import Testing
@testable import Lab

@Suite("Library calls leave the process's thread count alone")
struct ThreadCountTests {
    /// Tests run side by side and compare runs bit for bit; a library call that changed the
    /// process-wide count changed other tests' numbers halfway through (a CI failure).
    @Test(
        "ModelRun.train, figures and a notebook made from given arguments use their request's count without changing the default"
    )
    func defaultUnchanged() throws {
        let before = BLAS.threadCount
        let other = before == 2 ? 3 : 2
        var request = quietRequest(cache: try scratchFolder())
        request.threads = other
        request.out = try scratchFolder()
        let model = tinyAutoencoder()
        let result = try ModelRun(request).train(model, data: tinyData)
        #expect(BLAS.threadCount == before, "ModelRun.train changed the default to \(BLAS.threadCount)")
        var figures = FigureRequest()
        figures.samples = true
        try ModelFigures(model: model, result: result, request: request, figures: figures).write()
        #expect(BLAS.threadCount == before, "ModelFigures.write changed the default to \(BLAS.threadCount)")
        _ = try Notebook(
            "threads", title: "Threads", introduction: "",
            arguments: ["--out", try scratchFolder(), "--quiet", "--threads", "\(other)"])
        #expect(BLAS.threadCount == before, "a notebook changed the default to \(BLAS.threadCount)")
        BLAS.withThreadCount(other) { #expect(BLAS.threadCount == other) }
        #expect(BLAS.threadCount == before)
    }
}
