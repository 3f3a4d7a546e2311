import Foundation
import Testing
@testable import Lab
@testable import Models

/// Debian's chromium, when installed: the explorer's page is checked in a real browser.
let chromium = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].first {
    FileManager.default.isExecutableFile(atPath: $0)
}

/// The page's DOM after its script ran, as headless Chromium dumps it.
func renderedDOM(_ url: String) throws -> String {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: chromium!)
    process.arguments = [
        "--headless", "--no-sandbox", "--disable-gpu", "--allow-file-access-from-files", "--virtual-time-budget=5000",
        "--dump-dom", url,
    ]
    let output = Pipe()
    process.standardOutput = output
    process.standardError = FileHandle.nullDevice
    try process.run()
    let data = output.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return String(decoding: data, as: UTF8.self)
}

/// The bytes the page drew, from its `#pixels` element.
func drawnBytes(_ dom: String) -> [Int] {
    guard let start = dom.range(of: #"<pre id="pixels" hidden="">"#),
        let end = dom.range(of: "</pre>", range: start.upperBound..<dom.endIndex)
    else { return [] }
    let hex = Array(dom[start.upperBound..<end.lowerBound])
    return stride(from: 0, to: hex.count - 1, by: 2).compactMap { Int(String(hex[$0...$0 + 1]), radix: 16) }
}

@Suite("The live explorer page")
struct ExplorerTests {
    /// The models checked, each trained for a few steps, so BatchNorm's running statistics are not the identity.
    static func model(_ name: String) throws -> any GenerativeModel {
        let model: any GenerativeModel =
            switch name {
            case "MLP VAE, 2-D latent": VariationalAutoencoder(hiddenSizes: [32], latentDimension: 2, seed: 3)
            case "conv AE":
                Autoencoder(convolutionalFor: tinyData.train.imageShape, channels: [4, 8], latentDimension: 3, seed: 4)
            case "tied MLP AE, squared error":
                Autoencoder(
                    hiddenSizes: [16], latentDimension: 3, tiedWeights: true,
                    objective: AutoencoderObjective(reconstruction: .mse), seed: 6)
            case "PCA": PrincipalComponentModel(inputSize: 784, latentDimension: 4)
            default:
                GAN(
                    convolutionalFor: tinyData.train.imageShape, generatorChannels: [8, 4], latentDimension: 5, seed: 5)
            }
        _ = try Trainer(epochs: 1, batchSize: 50, seed: 1, checkpointPath: nil).train(model, data: tinyData)
        return model
    }

    @Test(
        "the page draws gen's own decode of the code in its address, to within 1/255",
        .enabled(if: chromium != nil, "needs Debian's chromium"),
        arguments: ["MLP VAE, 2-D latent", "conv AE", "DCGAN", "tied MLP AE, squared error", "PCA"])
    func pixelsMatch(name: String) throws {
        let model = try ExplorerTests.model(name)
        let folder = try scratchFolder()
        let layout = ImageLayout(channels: 1, height: 28, width: 28)
        try ExplorerPage(model: model, test: tinyData.test, layout: layout, details: name).write(
            to: folder + "/explore.html")
        let code = (0..<model.latentDimension).map { Float($0 % 2 == 0 ? 0.7 : -1.3) + Float($0) / 10 }
        let expected = model.decode(Tensor(shape: [1, code.count], values: code)).scalars.map {
            Int(($0 * 255).rounded())
        }
        let drawn = drawnBytes(
            try renderedDOM("file://\(folder)/explore.html#z=" + code.map { "\($0)" }.joined(separator: ",")))
        #expect(drawn.count == 784, "\(name): the page drew \(drawn.count) values")
        let worst = zip(drawn, expected).map { abs($0 - $1) }.max() ?? 999
        #expect(worst <= 1, "\(name): a pixel differs by \(worst)/255 from gen's decode")

        // A point on a slerp path, as gen's LatentPath computes it.
        let a = code, b = code.reversed().map { -$0 }
        var point: [Float] = []
        a.withUnsafeBufferPointer { pa in
            b.withUnsafeBufferPointer { pb in
                LatentPath.slerp.appendPoint(
                    0.3, from: pa.baseAddress!, to: pb.baseAddress!, dimension: a.count, into: &point)
            }
        }
        let onPath = model.decode(Tensor(shape: [1, point.count], values: point)).scalars.map {
            Int(($0 * 255).rounded())
        }
        let list = { (v: [Float]) in v.map { "\($0)" }.joined(separator: ",") }
        let scrubbed = drawnBytes(
            try renderedDOM("file://\(folder)/explore.html#a=\(list(a))&b=\(list(b))&t=0.3&path=slerp"))
        #expect(
            (zip(scrubbed, onPath).map { abs($0 - $1) }.max() ?? 999) <= 1 && scrubbed.count == 784,
            "\(name): slerp point")

        // A strip image's code, as gen's encoder gives it (models with an encoder).
        guard let codes = model.encode(tinyData.test.images([2])) else { return }
        let reconstruction = model.decode(codes).scalars.map { Int(($0 * 255).rounded()) }
        let picked = drawnBytes(try renderedDOM("file://\(folder)/explore.html#test=2"))
        #expect(
            (zip(picked, reconstruction).map { abs($0 - $1) }.max() ?? 999) <= 1 && picked.count == 784,
            "\(name): test image 2")
    }

    @Test("a bad code in the address gets a visible message", .enabled(if: chromium != nil, "needs Debian's chromium"))
    func badAddress() throws {
        let folder = try scratchFolder()
        let model = VariationalAutoencoder(hiddenSizes: [16], latentDimension: 2, seed: 1)
        try ExplorerPage(model: model, test: nil, layout: ImageLayout(channels: 1, height: 28, width: 28), details: "")
            .write(to: folder + "/explore.html")
        for bad in ["1,2,3", "1,NaN", "x"] {
            let dom = try renderedDOM("file://\(folder)/explore.html#z=\(bad)")
            #expect(
                dom.contains(#"<p id="error">The address gives #z=\#(bad): the code needs 2 finite numbers"#),
                "\(bad): \(dom.prefix(300))")
            #expect(drawnBytes(dom).count == 784, "the zero code is still drawn")
        }
        for (bad, message) in [
            ("test=99", "no such test image"), ("a=1,2&b=3,4&t=2", "t must be in [0, 1]"), ("zz=1", "use #z="),
        ] {
            let dom = try renderedDOM("file://\(folder)/explore.html#\(bad)")
            #expect(dom.contains(message), "\(bad)")
        }
    }

    @Test("the page holds the weights and the operations of the decoder, and refuses a layer it cannot run")
    func program() throws {
        var gan = ExplorerProgram(latent: 64)
        try gan.append(GAN(convolutionalFor: Shape(1, 28, 28), seed: 0).generator)
        #expect(
            gan.ops.map { $0.components(separatedBy: "\"op\":\"")[1].prefix(while: { $0 != "\"" }) } == [
                "dense", "bn", "tconv", "bn", "tconv",
            ])
        #expect(gan.weights.count == (64 * 6272 + 6272) + 4 * 6272 + (128 * 64 * 16 + 64) + 4 * 64 + (64 * 16 + 1))
        var encoder = ExplorerProgram(latent: 784)
        #expect(throws: ExplorerPage.Unsupported.self) {
            try encoder.append(VariationalAutoencoder(convolutionalFor: Shape(1, 28, 28), seed: 0).encoder)
        }
    }
}
