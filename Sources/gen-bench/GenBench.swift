import ArgumentParser
import Foundation
import NN

/// Benchmarks that the project ships: the numbers in the README come from these commands.
@main
struct GenBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gen-bench",
        abstract: "Measure what decides gen's speed.",
        subcommands: [Gemm.self, Step.self])
}

extension GenBench {
    struct Gemm: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "sgemm GFLOP/s of OpenBLAS and BLIS on our models' shapes, each library in its own process.")

        @Option(help: "Threads for each library.") var threads = 2
        @Option(help: "Child processes per library, alternating between libraries.") var rounds = 3
        @Option(help: "Measure only this library in this process (openblas or blis); used by the parent run.")
        var library: String?

        static let candidates: [(name: String, paths: [String])] = [
            (
                "OpenBLAS",
                [
                    "/usr/lib/x86_64-linux-gnu/openblas-pthread/libopenblas.so.0",
                    "/usr/lib/aarch64-linux-gnu/openblas-pthread/libopenblas.so.0", "libopenblas.so.0",
                ]
            ),
            ("BLIS", ["libblis.so.4", "libblis.so"]),
        ]

        func run() throws {
            if let library {
                // Child: one library alone in this process, so the other's idle threads (both
                // spin for a while after each call) cannot steal its cores.
                guard let entry = Gemm.candidates.first(where: { $0.name.lowercased() == library.lowercased() }),
                    let lib = BLASLibrary(name: entry.name, paths: entry.paths, threads: threads)
                else {
                    throw ValidationError(
                        "--library: cannot open \(library) (apt-get install libopenblas-dev libblis-dev)")
                }
                print(modelShapes.map { String(format: "%.1f", measure(lib, on: $0)) }.joined(separator: " "))
                return
            }
            var samples: [String: [[Double]]] = [:]
            for _ in 0..<rounds {
                for entry in Gemm.candidates {
                    if let speeds = try runChild(library: entry.name) {
                        samples[entry.name, default: []].append(speeds)
                    }
                }
            }
            let names = Gemm.candidates.map(\.name).filter { samples[$0] != nil }
            guard !names.isEmpty else {
                throw ValidationError(
                    "neither OpenBLAS nor BLIS could be opened (apt-get install libopenblas-dev libblis-dev)")
            }
            print("sgemm GFLOP/s, \(threads) threads, median of \(rounds) processes per library")
            print("| shape (M x K by K x N) | used for | " + names.joined(separator: " | ") + " |")
            print("|---|---|" + names.map { _ in "---|" }.joined())
            var worstRatio = Array(repeating: 1.0, count: names.count)
            for (s, shape) in modelShapes.enumerated() {
                let speeds = names.map { name in samples[name]!.map { $0[s] }.sorted()[samples[name]!.count / 2] }
                let best = speeds.max()!
                for i in speeds.indices { worstRatio[i] = min(worstRatio[i], speeds[i] / best) }
                print(
                    "| \(shape.label) | \(shape.use) | "
                        + speeds.map { String(format: "%.0f", $0) }.joined(separator: " | ") + " |")
            }
            for (name, ratio) in zip(names, worstRatio) {
                print("\(name): at worst \(String(format: "%.0f", ratio * 100))% of the faster library")
            }
        }

        /// Runs this benchmark for one library in a child process; nil when it cannot open it.
        func runChild(library: String) throws -> [Double]? {
            let child = Process()
            child.executableURL = URL(fileURLWithPath: CommandLine.arguments[0])
            child.arguments = ["gemm", "--library", library, "--threads", String(threads)]
            let pipe = Pipe()
            child.standardOutput = pipe
            child.standardError = FileHandle.nullDevice
            try child.run()
            let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            child.waitUntilExit()
            guard child.terminationStatus == 0 else { return nil }
            return output.split(separator: " ").compactMap {
                Double($0.trimmingCharacters(in: .whitespacesAndNewlines))
            }
        }
    }

    struct Step: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Milliseconds per training step of the default AE shape; compare a debug and a release build.")

        @Option(help: "Threads for the BLAS.") var threads = 2
        @Option(help: "Batch size.") var batchSize = 128
        @Option(help: "Timed steps.") var steps = 50

        func run() throws {
            BLAS.setThreadCount(threads)
            let ms = measureTrainingStep(batchSize: batchSize, steps: steps)
            #if DEBUG
            let build = "debug"
            #else
            let build = "release"
            #endif
            print(String(format: "%@ build: %.2f ms per step (batch %d, %d threads)", build, ms, batchSize, threads))
        }
    }
}
