import Datasets
import Foundation
import Models

/// What a checkpoint written for a `ModelKind` says about how to rebuild its model: read from
/// a file the user names, so that `gen vae --samples --checkpoint FILE` needs no other flag.
public struct SavedSettings {
    /// The model's settings.
    public var settings: ModelSettings
    /// The data it was trained on, as the `--dataset` value.
    public var dataset: DataSource?

    /// The settings in `path` if it is a checkpoint of a `kind` model; nil when there is no
    /// such file, or it cannot say (the run then reports what is wrong with the file).
    public init?(checkpoint path: String, kind: ModelKind) {
        guard let checkpoint = try? Checkpoint.read(path), checkpoint.metadata["kind"] == kind.rawValue,
            let text = checkpoint.metadata["settings"],
            let settings = try? JSONDecoder().decode(ModelSettings.self, from: Data(text.utf8))
        else { return nil }
        self.settings = settings
        dataset = checkpoint.metadata["data"].map(DataSource.init(argument:))
    }
}
