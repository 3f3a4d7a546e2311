import Foundation
import TensorCore

/// A training split and a test split.
public struct DatasetSplits: Sendable {
    public var train: Dataset
    public var test: Dataset
    /// A line for the user when the data is not what was asked for (e.g. a fallback).
    public var notice: String?

    public init(train: Dataset, test: Dataset, notice: String? = nil) {
        self.train = train
        self.test = test
        self.notice = notice
    }
}

/// Where the images come from: the `--dataset` flag's meanings.
public enum DataSource: Equatable, Sendable {
    /// Debian's dataset-fashion-mnist, in /usr/share/datasets/fashion-mnist.
    case fashionMNIST
    /// MNIST in $GEN_DATA/mnist or ~/.cache/gen/mnist.
    case mnist
    /// Digits drawn in memory.
    case synthetic
    /// A folder of IDX files or of PNG images.
    case folder(String)

    /// Where Debian installs Fashion-MNIST.
    public static let fashionMNISTFolder = "/usr/share/datasets/fashion-mnist"

    /// Parses a `--dataset` value: a known name, or else a path.
    public init(argument: String) {
        switch argument.lowercased() {
        case "fashion-mnist", "fashion": self = .fashionMNIST
        case "mnist": self = .mnist
        case "synthetic": self = .synthetic
        default: self = .folder(argument)
        }
    }

    /// The `--dataset` value that names this source.
    public var argument: String {
        switch self {
        case .fashionMNIST: return "fashion-mnist"
        case .mnist: return "mnist"
        case .synthetic: return "synthetic"
        case .folder(let path): return path
        }
    }

    /// Loads the data. A missing default data set falls back to the synthetic one with a notice;
    /// anything else missing or malformed throws an error naming the file. `imageSize` scales
    /// PNG folders; other data keeps its size, and asking it for another is refused rather
    /// than silently ignored.
    public func load(
        imageSize: Int? = nil, syntheticCount: Int = 12_000,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws -> DatasetSplits {
        let splits = try loadUnscaled(imageSize: imageSize, syntheticCount: syntheticCount, environment: environment)
        if let imageSize, splits.train.height != imageSize || splits.train.width != imageSize {
            throw FileError(
                path: argument,
                "images of \(splits.train.height)×\(splits.train.width) pixels, which are not scaled to \(imageSize): scaling applies to folders of PNG images only"
            )
        }
        return splits
    }

    private func loadUnscaled(imageSize: Int?, syntheticCount: Int, environment: [String: String]) throws
        -> DatasetSplits
    {
        switch self {
        case .fashionMNIST:
            guard FileManager.default.fileExists(atPath: DataSource.fashionMNISTFolder) else {
                var splits = DataSource.synthetic.syntheticSplits(count: syntheticCount)
                splits.notice =
                    "Fashion-MNIST is not installed (sudo apt-get install dataset-fashion-mnist); using the synthetic digits instead."
                return splits
            }
            return try idxSplits(
                folder: DataSource.fashionMNISTFolder, name: "fashion-mnist", classNames: ClassNames.fashionMNIST)
        case .mnist:
            let folder =
                environmentValue("GEN_DATA", in: environment).map { $0 + "/mnist" }
                ?? homeFolder(environment: environment) + "/.cache/gen/mnist"
            guard FileManager.default.fileExists(atPath: folder) else {
                throw FileError(
                    path: folder, "no MNIST here: put the four *-idx?-ubyte[.gz] files in this folder (or set GEN_DATA)"
                )
            }
            return try idxSplits(folder: folder, name: "mnist", classNames: ClassNames.digits)
        case .synthetic:
            return syntheticSplits(count: syntheticCount)
        case .folder(let path):
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue else {
                throw FileError(
                    path: path,
                    "no such folder (--dataset takes fashion-mnist, mnist, synthetic, or a folder of IDX or PNG files)")
            }
            let files = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
            if files.contains(where: { $0.contains("-idx3-ubyte") }) {
                let name = URL(fileURLWithPath: path).lastPathComponent
                return try idxSplits(folder: path, name: name, classNames: ClassNames.digits)
            }
            let all = try PNGFolder.load(path, resizeTo: imageSize)
            return Self.split(all)
        }
    }

    func idxSplits(folder: String, name: String, classNames: [String]) throws -> DatasetSplits {
        let train = try IDXReader.loadSplit(folder: folder, split: "train", name: name, classNames: classNames)
        var test = try IDXReader.loadSplit(folder: folder, split: "t10k", name: name, classNames: classNames)
        // The splits must agree before any model sees them: a model sized for the training
        // images cannot read test images of another size, and a classifier has no output for a
        // class the training labels never name.
        func file(_ stem: String) -> String {
            (try? IDXReader.findFile(folder: folder, stem: stem)) ?? folder + "/" + stem
        }
        guard test.imageShape == train.imageShape else {
            throw FileError(
                path: file("t10k-images-idx3-ubyte"),
                "test images of \(test.height)×\(test.width) pixels, but the training images (\(file("train-images-idx3-ubyte"))) are \(train.height)×\(train.width)"
            )
        }
        if let label = test.labels.first(where: { $0 >= train.classNames.count }) {
            throw FileError(
                path: file("t10k-labels-idx1-ubyte"),
                "test label \(label) is outside the training labels' classes 0 to \(train.classNames.count - 1) (\(file("train-labels-idx1-ubyte")))"
            )
        }
        test.classNames = train.classNames
        return DatasetSplits(train: train, test: test)
    }

    func syntheticSplits(count: Int) -> DatasetSplits {
        DatasetSplits(
            train: SyntheticDigits.make(count: count, seed: 1),
            test: SyntheticDigits.make(count: Swift.max(count / 6, 10), seed: 2))
    }

    /// A folder of images has no test split: every tenth image becomes the test set.
    static func split(_ all: Dataset) -> DatasetSplits {
        let testIndices = Set(stride(from: 9, to: all.count, by: 10))
        func subset(_ keep: (Int) -> Bool) -> Dataset {
            let indices = (0..<all.count).filter(keep)
            var pixels: [UInt8] = []
            for i in indices { pixels += all.pixels[(i * all.imageSize)..<((i + 1) * all.imageSize)] }
            return Dataset(
                name: all.name, pixels: pixels, labels: indices.map { all.labels[$0] }, height: all.height,
                width: all.width, channels: all.channels, classNames: all.classNames)
        }
        if testIndices.isEmpty { return DatasetSplits(train: all, test: all) }
        return DatasetSplits(train: subset { !testIndices.contains($0) }, test: subset { testIndices.contains($0) })
    }
}
