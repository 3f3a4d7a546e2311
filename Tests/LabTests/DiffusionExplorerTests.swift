import Foundation
import Testing
@testable import Lab
@testable import Models

@Suite("The diffusion model's explorer page")
struct DiffusionExplorerTests {
    /// A small diffusion model of 28 × 28 images with `denoiser`, trained for an epoch (so that
    /// no weight is at its initial value), sampled by DDIM in 5 steps.
    static func model(_ denoiser: String) throws -> DiffusionModel {
        let network: any Denoiser =
            denoiser == "U-Net"
            ? UNetDenoiser(image: Shape(1, 28, 28), channels: (4, 8), embeddingSize: 8, seed: 3)
            : MLPDenoiser(dimension: 784, hiddenSizes: [32, 16], embeddingSize: 8, seed: 4)
        let model = DiffusionModel(
            denoiser: network, schedule: NoiseSchedule(.cosine, steps: 100), dimension: 784, samplingSteps: 5)
        _ = try Trainer(epochs: 1, batchSize: 50, seed: 1, checkpointPath: nil).train(model, data: tinyData)
        return model
    }

    static let layout = ImageLayout(channels: 1, height: 28, width: 28)

    /// The numbers the page wrote into a hidden `<pre id=…>`, comma-separated.
    static func numbers(_ dom: String, element: String) -> [Double] {
        guard let start = dom.range(of: #"<pre id="\#(element)" hidden="">"#),
            let end = dom.range(of: "</pre>", range: start.upperBound..<dom.endIndex)
        else { return [] }
        return dom[start.upperBound..<end.lowerBound].split(separator: ",").compactMap { Double($0) }
    }

    /// gen's own DDIM sample of `code` as bytes.
    static func expectedBytes(_ model: DiffusionModel, _ code: [Float]) -> [Int] {
        model.decode(Tensor(shape: [1, code.count], values: code)).scalars.map { Int(($0 * 255).rounded()) }
    }

    @Test(
        "the page's DDIM draws gen's own sample of the noise in its address, to within 1/255",
        .enabled(if: chromium != nil, "needs Debian's chromium"), arguments: ["U-Net", "MLP"])
    func pixelsMatch(denoiser: String) throws {
        let model = try DiffusionExplorerTests.model(denoiser)
        let folder = try scratchFolder()
        try DiffusionExplorerPage(model: model, layout: DiffusionExplorerTests.layout, details: denoiser).write(
            to: folder + "/explore.html")
        var g = SeededGenerator(seed: 9)
        let a = Tensor.normal(Shape(1, 784), using: &g).scalars, b = Tensor.normal(Shape(1, 784), using: &g).scalars
        let list = { (v: [Float]) in v.map { "\($0)" }.joined(separator: ",") }

        let dom = try renderedDOM("file://\(folder)/explore.html#z=\(list(a))&steps=5")
        let drawn = drawnBytes(dom)
        #expect(drawn.count == 784, "\(denoiser): the page drew \(drawn.count) values")
        let worst = zip(drawn, DiffusionExplorerTests.expectedBytes(model, a)).map { abs($0 - $1) }.max() ?? 999
        #expect(worst <= 1, "\(denoiser): a pixel differs by \(worst)/255 from gen's DDIM sample")
        // A sample of a briefly trained model is mostly clipped to black or white, where a wrong
        // network could still draw the right bytes: its first prediction ε̂(x_T, T) is compared
        // number by number too.
        let predicted = model.denoiser.predictNoise(
            Tensor(shape: [1, 784], values: a), timesteps: [model.schedule.steps], training: false
        ).scalars
        let pageNumbers = DiffusionExplorerTests.numbers(dom, element: "firstPrediction")
        #expect(pageNumbers.count == 784, "\(denoiser): the page's first prediction has \(pageNumbers.count) numbers")
        let worstPrediction =
            zip(pageNumbers, predicted).map { abs($0 - Double($1)) / (1 + abs(Double($1))) }.max() ?? 1
        #expect(worstPrediction < 1e-4, "\(denoiser): ε̂(x_T, T) differs from gen's by \(worstPrediction) (relative)")
        // The page's own seeded noise: the same seed, the same sample; another seed, another.
        let seven = drawnBytes(try renderedDOM("file://\(folder)/explore.html#seed=7"))
        let sevenAgain = drawnBytes(try renderedDOM("file://\(folder)/explore.html#seed=7&steps=5"))
        let eight = drawnBytes(try renderedDOM("file://\(folder)/explore.html#seed=8"))
        #expect(seven.count == 784 && seven == sevenAgain, "\(denoiser): seed 7 twice")
        #expect(seven != eight, "\(denoiser): seeds 7 and 8 drew the same sample")

        // A point on the slerp between two noises, as gen's LatentPath computes it.
        var point: [Float] = []
        a.withUnsafeBufferPointer { pa in
            b.withUnsafeBufferPointer { pb in
                LatentPath.slerp.appendPoint(
                    0.3, from: pa.baseAddress!, to: pb.baseAddress!, dimension: 784, into: &point)
            }
        }
        let scrubbed = drawnBytes(
            try renderedDOM("file://\(folder)/explore.html#a=\(list(a))&b=\(list(b))&t=0.3&steps=5"))
        let worstOnPath =
            zip(scrubbed, DiffusionExplorerTests.expectedBytes(model, point)).map { abs($0 - $1) }.max() ?? 999
        #expect(scrubbed.count == 784 && worstOnPath <= 1, "\(denoiser): slerp point differs by \(worstOnPath)/255")
    }

    @Test(
        "a bad address gets a visible message, and a sample is still drawn",
        .enabled(if: chromium != nil, "needs Debian's chromium"))
    func badAddress() throws {
        let folder = try scratchFolder()
        let model = DiffusionModel(
            denoiser: MLPDenoiser(dimension: 784, hiddenSizes: [8], embeddingSize: 4, seed: 1),
            schedule: NoiseSchedule(.linear, steps: 50), dimension: 784)
        try DiffusionExplorerPage(model: model, layout: DiffusionExplorerTests.layout, details: "").write(
            to: folder + "/explore.html")
        for (bad, message) in [
            ("z=1,2,3", "x_T's 784 finite numbers"), ("seed=-4", "a seed (a whole number below"),
            ("seed=3&steps=0", "DDIM takes from 1 to 50 steps"), ("a=1&b=2&t=2", "t must be in [0, 1]"),
            ("zz=1", "use #seed=K"),
        ] {
            let dom = try renderedDOM("file://\(folder)/explore.html#\(bad)")
            #expect(dom.contains(message), "\(bad): \(dom.prefix(400))")
            #expect(drawnBytes(dom).count == 784, "\(bad): seed 1's sample is still drawn")
        }
    }

    @Test("the page refuses a model whose items are not the layout's images")
    func refusesToyData() {
        let ring = DiffusionModel(
            denoiser: MLPDenoiser(dimension: 2, hiddenSizes: [8], embeddingSize: 4, seed: 1),
            schedule: NoiseSchedule(.linear, steps: 50), dimension: 2, imagesInSymmetricRange: false)
        #expect(throws: ExplorerPage.Unsupported.self) {
            try DiffusionExplorerPage(model: ring, layout: DiffusionExplorerTests.layout, details: "").html()
        }
    }
}
