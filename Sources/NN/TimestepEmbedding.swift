// The sinusoidal timestep embedding of DDPM (Ho et al. 2020, after the Transformer's position
// encoding): a timestep t becomes D numbers, half sines and half cosines of t at geometrically
// spaced frequencies, so that a denoiser can tell t = 10 from t = 900 with smooth features.
//   ω_i = 10000^(−i / (D/2 − 1)),  i = 0 … D/2 − 1
//   e(t) = [sin(t·ω_0) … sin(t·ω_{D/2−1}), cos(t·ω_0) … cos(t·ω_{D/2−1})]
// (the layout of the paper's code, get_timestep_embedding; the project's PyTorch reference uses it too).

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes the embedding of each of `timesteps` into a row of `embedding`, (N, D), D even and ≥ 4.
public func writeTimestepEmbedding(_ timesteps: [Int], into embedding: Tensor) {
    let d = embedding.shape[1], half = d / 2
    precondition(
        embedding.shape.rank == 2 && embedding.shape[0] == timesteps.count && d % 2 == 0 && d >= 4,
        "a timestep embedding is (timesteps, an even D ≥ 4), got \(embedding.shape) for \(timesteps.count) timesteps")
    let step = log(10_000.0) / Double(half - 1)
    for (n, t) in timesteps.enumerated() {
        let row = embedding.data + n * d
        for i in 0..<half {
            let angle = Double(t) * exp(-step * Double(i))
            row[i] = Float(sin(angle))
            row[half + i] = Float(cos(angle))
        }
    }
}
