// What autoencoders are used for: anomaly detection, pretraining with few labels (and two
// self-supervised pretext tasks), and compressing image patches.
//   swift run applications            Fashion-MNIST (and a photograph), into Gallery/applications/
//   swift run applications --quick    synthetic digits, one epoch per model: seconds
import Foundation
import Lab

do {
    let notebook = try Notebook(
        "applications", title: "Applications: anomalies, few labels, pretext tasks, compression",
        introduction: """
            An autoencoder that rebuilds its training images well rebuilds unfamiliar ones badly, learns \
            features without labels, and squeezes images into fewer bits. Each section puts one of these \
            uses to a measured test.
            """, order: 6)
    let data = try notebook.data()
    let epochs = notebook.epochs(10)
    // One test image of each class, the same in every figure.
    let originals = data.test.images(data.test.classNames.indices.compactMap { data.test.labels.firstIndex(of: $0) })
    // A section a file, in the page's order (AnomalyDetection.swift, PretextTasks.swift, …).
    try anomalyDetection(notebook, data: data, epochs: notebook.epochs(5))  // half: it trains ten models
    let pretext = try pretextTasks(notebook, data: data, epochs: epochs, originals: originals)
    try fewLabels(notebook, data: data, epochs: epochs, pretext: pretext)
    try patchCompression(notebook, data: data, epochs: epochs)
    try codesAsFeatures(notebook, data: data, epochs: epochs)
    try imageToImage(notebook, data: data, epochs: epochs, originals: originals)
    try notebook.finish()
} catch {
    exit(Notebook.exitCode(reporting: error, script: "applications"))
}
