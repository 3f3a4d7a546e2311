import Foundation
import Testing
@testable import Datasets
@testable import Models
@testable import Training
@testable import NN

/// Tiny data: 200 synthetic digits for training, 40 for testing.
let tinyData = DatasetSplits(
    train: SyntheticDigits.make(count: 200, seed: 1), test: SyntheticDigits.make(count: 40, seed: 2))

func tinyAutoencoder(seed: UInt64 = 0) -> Autoencoder {
    Autoencoder(hiddenSizes: [32], latentDimension: 4, seed: seed)
}

func tinyVAE(seed: UInt64 = 0, beta: Float = 1) -> VariationalAutoencoder {
    VariationalAutoencoder(hiddenSizes: [32], latentDimension: 3, beta: beta, seed: seed)
}

func tinyGAN(k: Int = 1, loss: GeneratorLoss = .nonSaturating, seed: UInt64 = 0) -> GAN {
    GAN(
        latentDimension: 8, generatorHiddenSizes: [32], discriminatorHiddenSizes: [32], discriminatorSteps: k,
        generatorLoss: loss, seed: seed)
}

/// The tiny models' optimizer: Adam at 3e-3 (four steps an epoch), the GAN's at 2e-4 with β₁ = 0.5.
func tinyOptimizer(_ model: any TrainableModel) -> any Optimizer {
    model is GAN ? Adam(learningRate: 2e-4, beta1: 0.5) : Adam(learningRate: 3e-3)
}

/// A tiny model with its optimizers.
func tiny(_ model: any TrainableModel) -> Learner { Learner(model, optimizer: tinyOptimizer(model)) }

func metric(_ line: String, _ key: String) -> Double {
    let object = try! JSONSerialization.jsonObject(with: Data(line.utf8)) as! [String: Any]
    return (object[key] as! NSNumber).doubleValue
}

@Suite("Models train, save and resume")
struct ModelsTests {
    @Test("the AE's and the VAE's test losses fall")
    func lossesFall() throws {
        for model in [tinyAutoencoder() as any GenerativeModel, tinyVAE()] {
            let lines = try Trainer(epochs: 4, batchSize: 32, seed: 1, checkpointPath: nil).train(
                tiny(model), data: tinyData)
            #expect(lines.count == 4)
            #expect(metric(lines[3], "test_loss") < 0.8 * metric(lines[0], "test_loss"), "\(model.name): \(lines)")
            #expect(lines[0].contains("\"loss_reduction\":\"BCE summed over pixels"))
        }
    }

    @Test("the GAN's discriminator learns to tell real from fake at first")
    func ganTrains() throws {
        let gan = tinyGAN()
        let lines = try Trainer(epochs: 2, batchSize: 20, seed: 1, checkpointPath: nil).train(tiny(gan), data: tinyData)
        #expect(metric(lines[1], "d_real") > metric(lines[1], "d_fake"))
        #expect(metric(lines[1], "d_loss") < 2 * log(2.0))  // better than chance: D(x) = 1/2 everywhere gives 2 log 2
        let samples = gan.sample(count: 4, temperature: 1, generator: &tinyRandom)
        #expect(samples.shape == [4, 784] && samples.min() >= 0 && samples.max() <= 1)
    }

    @Test("with k = 3 the GAN makes exactly 3 discriminator updates per generator update")
    func discriminatorSteps() throws {
        let gan = tinyGAN(k: 3)
        _ = try Trainer(epochs: 1, batchSize: 10, seed: 1, checkpointPath: nil).train(tiny(gan), data: tinyData)
        #expect(gan.discriminatorUpdates == 20)  // 200 images / 10 per batch
        #expect(gan.generatorUpdates == 6)  // after D updates 3, 6, ..., 18
        let one = tinyGAN(k: 1)
        _ = try Trainer(epochs: 1, batchSize: 10, seed: 1, checkpointPath: nil).train(tiny(one), data: tinyData)
        #expect(one.discriminatorUpdates == 20 && one.generatorUpdates == 20)
    }

    @Test("the minimax generator loss is log(1 - D(G(z))), non-positive")
    func minimax() throws {
        let gan = tinyGAN(loss: .minimax)
        let lines = try Trainer(epochs: 1, batchSize: 20, seed: 1, checkpointPath: nil).train(tiny(gan), data: tinyData)
        #expect(metric(lines[0], "g_loss") < 0)
    }

    @Test("VAE: reparameterized gradients match finite differences of BCE + KL")
    func vaeGradients() throws {
        let vae = tinyVAE(seed: 3)
        let x = tinyData.train.images(Array(0..<3), range: .unit)
        var g = SeededGenerator(seed: 4)
        let eps = Tensor.normal([3, 3], using: &g)
        let loss = { () -> Double in
            let (r, kl) = vae.accumulateGradients(x, eps: eps)
            return Double(r) + Double(kl)
        }
        let meanHead = try #require(vae.meanHead as? Dense),
            logVarianceHead = try #require(vae.logVarianceHead as? Dense)
        let first = try #require((vae.encoder as? Sequential)?.layers[0] as? Dense)
        let checked = [
            ("meanHead.bias", meanHead.bias), ("logVarianceHead.bias", logVarianceHead.bias),
            ("logVarianceHead.weight", logVarianceHead.weight), ("encoder.layers.0.bias", first.bias),
        ]
        vae.parameters.zeroGradients()
        _ = loss()
        // Copy every analytic gradient before the finite differences, whose passes accumulate more.
        let analyticGradients = checked.map { $0.1.gradient.copy() }
        // Encoder units whose pre-activation is within a step of ReLU's kink for some image have no
        // finite-difference derivative there; they are skipped, not given a looser tolerance.
        let pre = matmul(x, first.weight.value, transposeB: true)
        let nearKink = Set((0..<pre.count).filter { abs(pre[$0] + first.bias.value[$0 % 32]) < 0.05 }.map { $0 % 32 })
        for ((name, p), analytic) in zip(checked, analyticGradients) {
            let numeric = Tensor(zeros: p.value.shape)
            for i in 0..<min(p.value.count, 12) where !(name.hasPrefix("encoder") && nearKink.contains(i)) {
                let saved = p.value[i]
                p.value[i] = saved + 1e-2; let up = loss()
                p.value[i] = saved - 1e-2; let down = loss()
                p.value[i] = saved
                numeric[i] = Float((up - down) / 2e-2)
            }
            for i in 0..<min(p.value.count, 12) where !(name.hasPrefix("encoder") && nearKink.contains(i)) {
                #expect(
                    abs(analytic[i] - numeric[i]) <= 0.03 * max(1, abs(numeric[i])),
                    "\(name)[\(i)]: \(analytic[i]) vs \(numeric[i])")
            }
        }
    }

    @Test("a saved and reloaded model gives identical samples", arguments: ["ae", "vae", "gan"])
    func saveAndReload(kind: String) throws {
        let make: () -> any GenerativeModel = {
            switch kind {
            case "ae": tinyAutoencoder()
            case "vae": tinyVAE()
            default: tinyGAN()
            }
        }
        let model = make()
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("gen-\(UUID()).safetensors").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        _ = try Trainer(epochs: 1, batchSize: 50, seed: 2, checkpointPath: path).train(tiny(model), data: tinyData)
        let reloaded = make()
        let state = try CheckpointState.load(into: tiny(reloaded), from: path)
        #expect(state.completedEpochs == 1 && state.metricsLines.count == 1)
        var a = SeededGenerator(seed: 9), b = SeededGenerator(seed: 9)
        #expect(
            model.sample(count: 5, temperature: 1, generator: &a).scalars
                == reloaded.sample(count: 5, temperature: 1, generator: &b).scalars)
    }

    @Test("a checkpoint of another configuration with the same shapes is refused and leaves the model as it was")
    func configurationMismatch() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("gen-\(UUID()).safetensors").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        _ = try Trainer(epochs: 1, batchSize: 50, seed: 1, checkpointPath: path).train(tiny(tinyVAE()), data: tinyData)
        let other = tiny(tinyVAE(seed: 7, beta: 4))
        let before = other.checkpointTensors.map { $0.value.scalars }
        #expect(throws: FileError.self) { try CheckpointState.load(into: other, from: path) }
        let unchanged = other.checkpointTensors.map { $0.value.scalars } == before
        #expect(unchanged, "a refused checkpoint changed the model")
    }

    @Test("resuming after epoch 1 ends exactly where an unbroken 2-epoch run ends")
    func resume() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("gen-\(UUID()).safetensors").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let unbroken = tiny(tinyVAE())
        _ = try Trainer(epochs: 2, batchSize: 32, seed: 5, checkpointPath: nil).train(unbroken, data: tinyData)
        _ = try Trainer(epochs: 1, batchSize: 32, seed: 5, checkpointPath: path).train(tiny(tinyVAE()), data: tinyData)
        let resumed = tiny(tinyVAE())
        let state = try CheckpointState.load(into: resumed, from: path)
        let lines = try Trainer(epochs: 2, batchSize: 32, seed: 5, checkpointPath: nil)
            .train(resumed, data: tinyData, resumingFrom: state)
        #expect(lines.count == 2)
        for (a, b) in zip(unbroken.checkpointTensors, resumed.checkpointTensors) {
            #expect(a.value.scalars == b.value.scalars, "\(a.name)")
        }
    }

    @Test("a diverging run stops naming epoch and batch, and keeps the last good checkpoint")
    func divergence() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("gen-\(UUID()).safetensors").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let model = tiny(tinyAutoencoder())
        _ = try Trainer(epochs: 1, batchSize: 50, seed: 1, checkpointPath: path).train(model, data: tinyData)
        let before = try Data(contentsOf: URL(fileURLWithPath: path))
        let state = try CheckpointState.load(into: model, from: path)
        model.optimizers[0]?.learningRate = 1e30
        do {
            _ = try Trainer(epochs: 3, batchSize: 50, seed: 1, checkpointPath: path)
                .train(model, data: tinyData, resumingFrom: state)
            Issue.record("expected divergence")
        } catch let error as TrainingError {
            guard case let .diverged(model, epoch, batch, _, kept) = error else { Issue.record("\(error)"); return }
            #expect(model == "Autoencoder", "a run of several models says which one diverged")
            #expect(epoch == 2 && batch >= 1 && kept == path)
            #expect(error.description.contains("try a lower learning rate") && !error.description.contains("--"))
        }
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == before)
    }

    @Test("the AE samples each code unit between the min and max its encoder produced in training")
    func aeCodeRange() throws {
        let ae = tinyAutoencoder()
        _ = try Trainer(epochs: 2, batchSize: 50, seed: 1, checkpointPath: nil).train(tiny(ae), data: tinyData)
        // Prior draws of -1 and +1 map to exactly the recorded minimum and maximum.
        let ends = ae.codes(
            fromPriorDraws: Tensor(shape: [2, 4], values: [-1, -1, -1, -1, 1, 1, 1, 1]), temperature: 1)
        for j in 0..<4 {
            #expect(abs(ends[0, j] - ae.codeMinimum[j]) < 1e-5 && abs(ends[1, j] - ae.codeMaximum[j]) < 1e-5)
            #expect(ae.codeMinimum[j] < ae.codeMaximum[j])
        }
        // The range is that of the last epoch's training codes; the weights moved since (a tiny
        // model, four steps an epoch), so today's codes fall inside it mostly, not all.
        let codes = ae.encode(tinyData.train.images(Array(0..<200)))!
        var inside = 0
        for i in 0..<codes.count
        where codes[i] >= ae.codeMinimum[i % 4] - 1e-3 && codes[i] <= ae.codeMaximum[i % 4] + 1e-3 { inside += 1 }
        #expect(inside >= codes.count * 3 / 4, "\(inside) of \(codes.count)")
        var draw = SeededGenerator(seed: 3)
        let z = ae.codes(fromPriorDraws: ae.priorDraws(count: 50, generator: &draw), temperature: 1)
        for i in 0..<z.count { #expect(z[i] >= ae.codeMinimum[i % 4] - 1e-5 && z[i] <= ae.codeMaximum[i % 4] + 1e-5) }
    }

    @Test("interpolations: endpoints decode the real images' codes; slerp keeps the norm of opposite codes")
    func interpolation() throws {
        let vae = tinyVAE()
        _ = try Trainer(epochs: 1, batchSize: 50, seed: 1, checkpointPath: nil).train(tiny(vae), data: tinyData)
        var g = SeededGenerator(seed: 4)
        let i = vae.interpolation(rows: 2, steps: 5, path: .linear, test: tinyData.test, generator: &g)
        #expect(i.images.shape == [10, 784] && i.endpoints?.shape == [4, 784])
        let decodedEnds = vae.reconstruct(i.endpoints!)!
        for k in 0..<784 { #expect(abs(decodedEnds[k] - i.images[k]) < 1e-5) }  // row 0 starts at endpoint 0
        let gan = tinyGAN()
        #expect(gan.interpolation(rows: 1, steps: 3, path: .slerp, test: tinyData.test, generator: &g).endpoints == nil)
        var points: [Float] = []
        let a: [Float] = [1, 0], b: [Float] = [0, 1]
        LatentPath.slerp.appendPoint(0.5, from: a, to: b, dimension: 2, into: &points)
        #expect(abs(points[0] * points[0] + points[1] * points[1] - 1) < 1e-5)
        points = []
        LatentPath.linear.appendPoint(0.5, from: a, to: b, dimension: 2, into: &points)
        #expect(points == [0.5, 0.5])
    }

    @Test("manifold and latent map shapes; PCA recovers the direction of largest spread")
    func maps() throws {
        let vae = VariationalAutoencoder(hiddenSizes: [16], latentDimension: 2, seed: 1)
        #expect(vae.manifold(side: 4).shape == [16, 784])
        let map = vae.latentMap(tinyData.test)!
        #expect(map.points.shape == [40, 2] && !map.projected && map.labels.count == 40)
        #expect(tinyGAN().latentMap(tinyData.test) == nil)
        var g = SeededGenerator(seed: 2)
        let data = Tensor(zeros: [500, 3])
        for n in 0..<500 {
            let t = g.nextNormal() * 5; data[n, 0] = t; data[n, 1] = t; data[n, 2] = g.nextNormal() * 0.1
        }
        let pca = PrincipalComponents(data, count: 2)
        #expect(abs(pca.components[0, 0] - 0.7071) < 0.01 && abs(pca.components[0, 1] - 0.7071) < 0.01)
        #expect(pca.variances[0] > 40 && pca.variances[1] < 0.1)
    }
}

nonisolated(unsafe) var tinyRandom = SeededGenerator(seed: 77)
