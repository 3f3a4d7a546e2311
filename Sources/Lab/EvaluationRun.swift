import Datasets
import Foundation
import Gallery
import Models
import NN

/// Runs of the judge and of sample evaluations: what `gen judge` and `gen eval` do.
extension ModelRun {
    /// The judge of the request's data: the convolutional classifier (channels 32, 64, features
    /// 128), trained for its own 10 epochs with its own seed and batch size (or reused from the
    /// cache) whatever the request's `epochs`, `seed`, `batchSize`, `checkpoint` and `retrain`
    /// say of the model being judged: one judge per dataset (and thread count, which changes its
    /// bits), so that every score of its data is comparable. `data`: the request's data when the caller has it loaded already; `retrain`:
    /// train the judge again (`gen judge --retrain`).
    public func trainJudge(data: DatasetSplits? = nil, retrain: Bool = false) throws -> (
        judge: Judge, result: TrainingResult
    ) {
        var own = request
        own.epochs = nil
        (own.seed, own.givenBatchSize) = (Self.judgeSeed, Self.judgeBatchSize)
        own.checkpoint = nil
        own.retrain = retrain
        own.resume = false
        let (classifier, result) = try ModelRun(own).trainClassifier(architecture: .conv, data: data)
        return (Judge(classifier: classifier, test: result.data.test), result)
    }

    /// The judge's seed and batch size, whatever the run's.
    public static let judgeSeed: UInt64 = 0
    public static let judgeBatchSize = 128

    /// Reads images to judge (the first `limit`) from an IDX images file or a PNG folder, checked
    /// against the size of the data's images.
    public func loadImages(_ path: String, like data: Dataset, count limit: Int? = nil) throws -> Tensor {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw RunProblem.imagesNotFound(path: path)
        }
        let images: Dataset
        if isDirectory.boolValue {
            images = try PNGFolder.load(path, resizeTo: request.imageSize)
        } else {
            let (sizes, bytes) = try IDXReader.read(path, dimensions: 3)
            images = Dataset(
                name: "images", pixels: bytes, labels: [Int](repeating: 0, count: sizes[0]), height: sizes[1],
                width: sizes[2],
                channels: 1, classNames: ["-"])
        }
        guard images.imageShape == data.imageShape else {
            throw RunProblem.imagesOfAnotherShape(
                path: path, shape: images.imageShape.dimensions, judge: data.imageShape.dimensions)
        }
        guard images.count >= 4 else { throw RunProblem.tooFewImages(path: path, count: images.count) }
        return images.images(Array(0..<min(images.count, limit ?? images.count)))
    }
}

extension ModelRun {
    /// Judges `samples` of the data `data` (its training images for the memorisation check),
    /// writes `<out>/<section>/memorisation.png` (the samples closest to a training image, beside
    /// it) and puts it and the scores on the section's page: the model's page, beside its
    /// training figures, when `model` and its `result` are given.
    public func evaluateSamples(
        _ samples: Tensor, judge: Judge, data: DatasetSplits, section: String, title: String,
        model: (any GenerativeModel)? = nil, result: TrainingResult? = nil
    ) throws -> SampleEvaluation {
        let folder = request.out + "/" + section
        let evaluation = BLAS.withThreadCount(request.threads) {
            judge.evaluate(samples, training: data.train, test: data.test)
        }
        try InterruptFlag.stopIfSet(while: "judging \(title)")
        let pairs = evaluation.closestPairs
        try claimFolder(folder)
        let layout = ImageLayout(of: data.train)
        let picked = samples.rows(pairs.map(\.sample))
        let nearest = data.train.images(pairs.map(\.training))
        let canvas = Figures.imageRows(
            [("sample", picked), ("nearest", nearest)], errors: pairs.map { Float($0.distance) },
            errorNote:
                "distance to the nearest training image (Euclidean, pixels in [0, 1]); test images' median to their nearest: \(String(format: "%.2f", evaluation.testNearestMedian))",
            columns: max(pairs.count, 1), layout: layout,
            title: FigureTitle(
                "\(title): the samples closest to a training image",
                details: "\(evaluation.count) samples · \(data.train.name)"))
        try canvas.writePNG(to: folder + "/memorisation.png")
        say("Wrote \(folder)/memorisation.png")
        var metrics: [(String, String)] = [], note = "\(title), scored by the judge (gen eval)."
        if let model, let result {
            let page = ModelFigures(model: model, result: result, request: request, figures: FigureRequest())
            (metrics, note) = (page.metricsSummary(), page.pageNote)
        }
        metrics += evaluation.entries.map {
            (
                "eval: " + $0.0,
                $0.1 == $0.1.rounded() && abs($0.1) < 1e9 ? String(Int($0.1)) : String(format: "%.4g", $0.1)
            )
        }
        let caption =
            "gen eval: \(evaluation.count) samples scored by the judge: FD \(String(format: "%.1f", evaluation.frechetDistance)), precision \(String(format: "%.2f", evaluation.precision)), recall \(String(format: "%.2f", evaluation.recall)), \(evaluation.coverage.classesHeld) classes. Shown: the 8 samples closest to a training image, beside it; the median sample lies \(String(format: "%.2f", evaluation.sampleNearestMedian)) from its nearest training image, the median test image \(String(format: "%.2f", evaluation.testNearestMedian))."
        try GalleryPage.update(
            root: request.out, section: section,
            entries: [FigureEntry(file: "memorisation.png", caption: caption, command: request.command)],
            metrics: metrics, note: note)
        return evaluation
    }
}

/// Writes `images` (N, H·W grey, pixels in [0, 1]) as an IDX images file, refusing to replace a
/// file that exists.
public func exportIDX(_ images: Tensor, height: Int, width: Int, to path: String) throws {
    guard !fileExists(path) else { throw RunProblem.exportTargetExists(path: path) }
    var data = Data([0, 0, 8, 3])
    for size in [images.shape[0], height, width] {
        withUnsafeBytes(of: UInt32(size).bigEndian) { data.append(contentsOf: $0) }
    }
    data.append(contentsOf: images.scalars.map(pixelByte))
    try writeAtomically(data, to: path)
}
