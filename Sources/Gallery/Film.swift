import CGD
import Foundation
import TensorCore

/// An animated GIF, one frame per epoch: how a class watches a model learn. Frames are reduced
/// to a 256-colour palette without dithering, so the same frames give the same bytes.
public final class Film {
    private var frames: [Canvas] = []
    /// Hundredths of a second per frame; the last frame holds three times as long.
    public let delay: Int

    public init(delay: Int = 60) { self.delay = delay }

    /// Adds a frame; every frame must have the first one's size.
    public func append(_ frame: Canvas) {
        precondition(
            frames.isEmpty || (frames[0].width == frame.width && frames[0].height == frame.height),
            "film frames must share one size")
        frames.append(frame)
    }

    public var frameCount: Int { frames.count }

    /// The GIF's bytes (empty with no frames).
    public func gif() -> Data {
        guard !frames.isEmpty else { return Data() }
        let palettes = frames.map { frame -> gdImagePtr in gdImageCreatePaletteFromTrueColor(frame.image, 0, 256)! }
        defer { palettes.forEach { gdImageDestroy($0) } }
        var data = Data()
        var size: Int32 = 0
        // Global colour map off: each frame carries its own palette. Loop forever.
        if let begin = gdImageGifAnimBeginPtr(palettes[0], &size, 0, 0) {
            data.append(Data(bytes: begin, count: Int(size))); gdFree(begin)
        }
        for (i, frame) in palettes.enumerated() {
            let hold = i == palettes.count - 1 ? 3 * delay : delay
            if let bytes = gdImageGifAnimAddPtr(frame, &size, 1, 0, 0, Int32(hold), 1 /* gdDisposalNone */, nil) {
                data.append(Data(bytes: bytes, count: Int(size))); gdFree(bytes)
            }
        }
        if let end = gdImageGifAnimEndPtr(&size) { data.append(Data(bytes: end, count: Int(size))); gdFree(end) }
        return data
    }

    /// Writes the GIF to `path`, atomically.
    public func write(to path: String) throws { try writeAtomically(gif(), to: path) }
}
