import ArgumentParser
import Foundation
import Lab

/// `gen bench`: seconds per epoch against the GEMM floor, per model.
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Time training epochs and compare them with the floor the matrix products set on this machine.",
        discussion:
            "The floor: the epoch's products (OpenBLAS's, and the convolutions on oneDNN), each shape timed on its own with the same library and threads, the best of its timings after the warm-up and after every epoch. The ratio sets the fastest measured epoch against it, both the best of the same stretch of time: 1.0 means the epoch is nothing but products."
    )

    @Argument(
        help:
            "ae, vae, gan, diffusion, conv-ae, conv-vae, dcgan, conv-diffusion; mlp (the first four), conv (the last four) or all.",
        transform: { try parsed($0, expected: BenchSelection.expected, BenchSelection.init(argument:)) })
    var model = BenchSelection.mlp
    @Option(parsing: .unconditional, help: "Measured epochs per model, after a short warm-up.") var epochs = 1
    @Option(parsing: .unconditional, help: "Threads for products and element-wise work.") var threads = 2
    @Option(parsing: .unconditional, help: "Images per mini-batch.") var batchSize = 128
    @Option(help: "fashion-mnist, mnist, synthetic, or a folder.") var dataset = "fashion-mnist"
    @Option(
        help:
            "auto (each convolution on the engine measured faster for its shape), onednn or im2col (every convolution with 8 channels a side on that one): to time the engines side by side.",
        transform: { try parsed($0, expected: "auto, onednn or im2col", ConvolutionChoice.init(rawValue:)) })
    var convolution = ConvolutionChoice.auto
    @Flag(help: "One JSON line per model instead of a table.") var json = false

    var selected: [BenchSelection.Model] { model.models }

    func validate() throws {
        try bound("--epochs", epochs, 1...100)
        try bound("--threads", threads, 1...Limits.threads)
        try bound("--batch-size", batchSize, 1...Limits.batchSize)
    }

    func run() throws {
        BLAS.setThreadCount(threads)
        ConvolutionEngine.setProcessChoice(convolution.engine)
        var request = RunRequest()
        request.dataset = DataSource(argument: dataset)
        let data = try ModelRun(request).loadData()
        var bench = EpochBenchmark(data: data)
        bench.batchSize = batchSize
        if !json {
            print(
                "\(Machine.speedDescription), \(threads) threads, \(data.train.name), batch \(batchSize), \(epochs) measured epoch\(epochs == 1 ? "" : "s")"
            )
            print(
                "| model | s/epoch | fastest | images/s | GFLOP/s | GEMM share | optimizer share | GEMM floor s | ratio to floor | peak MB | kernels |"
            )
            print("|---|---|---|---|---|---|---|---|---|---|---|")
        }
        var kernelLines: [String] = []
        for (_, kind, architecture) in selected {
            let settings = kind.defaultSettings(architecture)
            if let problem = kind.problem(settings, image: data.train.imageShape) {
                throw ValidationError(problem.advice)
            }
            do { try ModelRun(request).checkMemory(kind, settings, image: data.train.imageShape) } catch let problem
                as RunProblem
            {
                throw ValidationError(problem.advice)
            }
            let model = kind.makeModel(settings, image: data.train.imageShape, seed: 0)
            let r = bench.measure(Learner(model, optimizer: kind.optimizer(settings)), epochs: epochs)
            if json { print(r.json); continue }
            print(
                String(
                    format: "| %@ | %.2f | %.2f | %.0f | %.0f | %.0f%% | %.0f%% | %.2f | %.2f | %.0f | %@ |", r.model,
                    r.secondsPerEpoch, r.fastestEpochSeconds,
                    r.imagesPerSecond, r.gflops, 100 * r.productShare, 100 * r.optimizerShare, r.floorSeconds,
                    r.floorRatio, r.peakMB, r.kernelSummary))
            kernelLines += r.kernels.dropFirst().map { "- \(r.model): \($0)" }
            if r.oneDNNFloorSeconds > 0 {
                kernelLines.append(
                    String(
                        format:
                            "- %@: GFLOP/s, GEMM share and the floor count oneDNN's convolutions (%.2f s of the floor) with OpenBLAS's products",
                        r.model, r.oneDNNFloorSeconds))
            }
        }
        // Which kernels each convolution ran on, below the table (the column names the families).
        if !kernelLines.isEmpty { print(kernelLines.joined(separator: "\n")) }
    }

}

/// The networks `gen bench` times: one by name, or a family (`mlp`, `conv`, `all`).
struct BenchSelection: ExpressibleByArgument {
    typealias Model = (name: String, kind: ModelKind, architecture: Architecture)
    /// Every network the bench knows, by the name it is asked for (PCA is no training loop).
    static let all: [Model] =
        Architecture.allCases.flatMap { a in
            ModelKind.allCases.filter(\.isNetwork).map { (name: $0.name(a), kind: $0, architecture: a) }
        }
    static let expected = "\(all.map(\.name).joined(separator: ", ")), mlp, conv or all"
    /// The networks chosen, in the table's order.
    let models: [Model]

    /// The fully connected models, the default.
    static let mlp = BenchSelection(models: all.filter { $0.architecture == .mlp })

    private init(models: [Model]) { self.models = models }

    init?(argument: String) {
        let models = BenchSelection.all.filter {
            argument == "all" || argument == $0.name || argument == $0.architecture.rawValue
        }
        if models.isEmpty { return nil }
        self.init(models: models)
    }

    var defaultValueDescription: String {
        models.count == 3 && models.allSatisfy { $0.architecture == .mlp }
            ? "mlp" : models.map(\.name).joined(separator: ",")
    }
}

/// `gen bench --convolution`: the measured rule, or one engine for every convolution it could take.
enum ConvolutionChoice: String {
    case auto
    case oneDNN = "onednn"
    case im2col

    /// The engine to put every convolution on, or nil for the rule (`ConvolutionEngine.chosen`).
    var engine: ConvolutionEngine? {
        switch self {
        case .auto: return nil
        case .oneDNN: return .oneDNN
        case .im2col: return .im2col
        }
    }
}
