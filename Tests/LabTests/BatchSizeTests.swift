import Foundation
import Testing
@testable import Lab

@Suite("A run's batch size: the command's, else its model kind's")
struct BatchSizeTests {
    @Test("the U-Net takes batches of 64 unless told, every other model 128; the steps its average counted say so")
    func kindDefaults() throws {
        var request = RunRequest()
        #expect(request.batchSize(for: .diffusion, .conv) == 64)
        #expect(request.batchSize(for: .diffusion, .mlp) == 128 && request.batchSize(for: .gan, .conv) == 128)
        #expect(request.batchSize == 128)
        request.givenBatchSize = 32
        #expect(request.batchSize(for: .diffusion, .conv) == 32 && request.batchSize == 32)
        // One epoch on 200 images: ⌈200 / 64⌉ = 4 steps by default, ⌈200 / 32⌉ = 7 when told 32.
        let folder = try scratchFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        var settings = ModelKind.diffusion.defaultSettings(.conv)
        settings.hiddenSizes = [4, 8]
        (settings.diffusionSteps, settings.samplingSteps) = (20, 5)
        for (given, steps): (Int?, Float) in [(nil, 4), (32, 7)] {
            var r = quietRequest(checkpoint: folder + "/u-\(given ?? 0).safetensors")
            r.givenBatchSize = given
            _ = try ModelRun(r).train(.diffusion, settings: settings, data: tinyData)
            let state = try Checkpoint.read(r.checkpoint!).contents["weight_average.state"]
            #expect(state?.scalars.first == steps, "batch \(given.map(String.init) ?? "default")")
        }
    }
}
