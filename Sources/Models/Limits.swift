/// The largest values a setting takes: the bounds of gen's flags and the scripts', and of the
/// settings a checkpoint's metadata carries, which pass the same checks (`ModelSettings.rangeProblem`).
public enum Limits {
    public static let epochs = 100_000
    public static let width = 16_384
    public static let hiddenLayers = 8
    public static let batchSize = 65_536
    public static let threads = 256
    public static let grid = 64
    public static let steps = 100
    public static let discriminatorSteps = 1_000
    /// A diffusion model's T (DDPM uses 1,000).
    public static let diffusionSteps = 10_000
}
