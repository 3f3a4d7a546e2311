// swift-tools-version:6.0
import PackageDescription

// The numeric targets are compiled with -O in every configuration: a bare `swift run` builds
// debug (-Onone), where a plain Swift loop over floats runs ~50x slower. `-O` (not -Ounchecked)
// keeps preconditions, so a shape mismatch still stops with a message. `-wmo` is left to the
// release configuration: added here it breaks the debug build (its index store wants one output
// per file). Without it a debug build inlines nothing across files of one module, so the SIMD
// helpers every element-wise loop calls are `@inlinable` in TensorCore (VectorMath.swift says why).
// `-target-cpu native`, as llm.c builds with -march=native: gen is built where it runs, and the
// element-wise passes' SIMD8 vectors then fill one AVX register instead of two SSE ones (the VAE's
// epoch ~10% faster on an AVX-512 EPYC). The numbers stay the same bits: Swift never fuses
// a * b + c into one FMA, and every vector operation is the same IEEE operation at any width.
let optimized: [SwiftSetting] = [.unsafeFlags(["-O", "-target-cpu", "native"])]

/// A notebook script under Scripts/<name>: one executable on Lab.
func script(_ name: String) -> Target {
    .executableTarget(name: name, dependencies: ["Lab"], path: "Scripts/\(name)", swiftSettings: optimized)
}

let package = Package(
    name: "gen",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "gen", targets: ["gen"]),
        .library(name: "NN", targets: ["NN"]),
        .library(name: "Lab", targets: ["Lab"]),
        // The fuzzers' entry point as a shared library: Scripts/fuzz builds it with the fuzzer's
        // instrumentation and links it to libFuzzer's driver.
        .library(name: "GenFuzzTargets", type: .dynamic, targets: ["FuzzTargets"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0")
    ],
    targets: [
        // System-library shims: a modulemap and a header each, nothing else.
        .systemLibrary(
            name: "CBLAS", pkgConfig: "openblas",
            providers: [.apt(["libopenblas-dev"])]),
        // oneDNN: no pkg-config file in Debian's package, so its modulemap links it by name.
        .systemLibrary(name: "CDNNL", providers: [.apt(["libdnnl-dev"])]),
        .systemLibrary(
            name: "CGD", pkgConfig: "gdlib",
            providers: [.apt(["libgd-dev", "libpng-dev"])]),
        .systemLibrary(
            name: "CZlib", pkgConfig: "zlib",
            providers: [.apt(["zlib1g-dev"])]),

        .target(name: "TensorCore", dependencies: ["CBLAS"], swiftSettings: optimized),
        .target(name: "NN", dependencies: ["TensorCore", "CDNNL"], swiftSettings: optimized),
        // Arrows run one way: Drawing is under both Datasets (the synthetic digits are drawn) and
        // Gallery, which do not see each other; Lab (runs, figures, pages) sees everything below
        // it; the CLI and the scripts sit on Lab, and nothing depends on them.
        .target(name: "Drawing", dependencies: ["TensorCore", "CGD"], swiftSettings: optimized),
        .target(name: "Datasets", dependencies: ["TensorCore", "CZlib", "CGD", "Drawing"], swiftSettings: optimized),
        .target(name: "Gallery", dependencies: ["TensorCore", "CGD", "Drawing"], swiftSettings: optimized),
        // Models define networks, losses and gradients; Training owns optimisation (the Trainer,
        // the Learner, checkpoints); Evaluation measures trained models (the judge, the measures).
        .target(name: "Models", dependencies: ["NN", "Datasets"], swiftSettings: optimized),
        .target(name: "Training", dependencies: ["Models", "Datasets", "NN"], swiftSettings: optimized),
        .target(name: "Evaluation", dependencies: ["Models", "Datasets", "NN"], swiftSettings: optimized),
        .target(
            name: "Lab",
            dependencies: [
                "Models", "Training", "Evaluation", "Datasets", "Gallery", "NN",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ], swiftSettings: optimized),

        .executableTarget(
            name: "gen",
            dependencies: [
                "Lab", "Models", "Datasets",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]),
        .target(name: "FuzzTargets", dependencies: ["Models", "Training", "Datasets", "NN"], path: "Fuzz/FuzzTargets"),
        // Notebook-style scripts: public API only. Optimized like the library: a notebook's own
        // loops (a gradient's norm every step, a likelihood over every test pixel) ran ~50x slower
        // at -Onone and took minutes of make-gallery's time.
        script("custom-autoencoder"),
        // The lecture scripts, in lecture order (Gallery/<name>/ each).
        script("bottleneck"), script("latent-space"), script("regularized-autoencoders"),
        script("variational-autoencoder"), script("gan-toy-data"), script("gan-training"), script("applications"),
        script("comparison"), script("diffusion"),
        .executableTarget(
            name: "gen-bench",
            dependencies: [
                "NN",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ], swiftSettings: optimized),

        .testTarget(name: "TensorCoreTests", dependencies: ["TensorCore"], swiftSettings: optimized),
        .testTarget(name: "NNTests", dependencies: ["NN"], swiftSettings: optimized),
        .testTarget(
            name: "DatasetsTests", dependencies: ["Datasets", "TensorCore", "CZlib", "CGD"], swiftSettings: optimized),
        .testTarget(
            name: "ModelsTests",
            dependencies: ["Models", "Training", "Evaluation", "Datasets", "NN", "TensorCore", "AllocationCounter"],
            swiftSettings: optimized),
        // Counts malloc calls in the test process, for the no-allocation-per-step test.
        .target(name: "AllocationCounter", path: "Tests/AllocationCounter"),
        .testTarget(
            name: "GalleryTests", dependencies: ["Gallery", "Drawing", "TensorCore", "CGD", "CZlib"],
            swiftSettings: optimized),
        .testTarget(name: "FuzzRegressionTests", dependencies: ["FuzzTargets"]),
        .testTarget(
            name: "LabTests", dependencies: ["Lab", "Models", "Training", "Datasets"], swiftSettings: optimized),
        .testTarget(
            name: "GenTests",
            dependencies: [
                "gen", "custom-autoencoder", "bottleneck", "latent-space", "regularized-autoencoders",
                "variational-autoencoder", "gan-toy-data", "gan-training", "applications", "comparison",
            ]),
    ]
)
