import CGD
import Foundation
import TensorCore

// A real codec beside the autoencoder's: a grey image through libgd's JPEG encoder (libjpeg) and
// back, so that "1 bit per pixel" has a reference. libgd writes true-colour images, so the JPEG
// carries a grey image in three channels; its chroma is constant and costs few bytes.

/// What JPEG makes of a grey image at one quality.
public struct JPEGRoundTrip: Sendable {
    /// The file's size in bytes, headers included.
    public let bytes: Int
    /// The decoded grey levels in [0, 1], row by row (the red channel; the three are equal to a
    /// level or two).
    public let decoded: [Float]
    /// 8 · bytes / pixels.
    public let bitsPerPixel: Double

    /// Encodes `pixels` (`height` × `width` grey levels in [0, 1], row by row) at `quality`
    /// (1 to 100) and decodes the result.
    public init(grey pixels: [Float], height: Int, width: Int, quality: Int) {
        precondition(pixels.count == height * width && (1...100).contains(quality), "a grey image and a quality")
        let image = gdImageCreateTrueColor(Int32(width), Int32(height))!
        defer { gdImageDestroy(image) }
        for y in 0..<height {
            for x in 0..<width {
                let level = Int32((min(max(pixels[y * width + x], 0), 1) * 255).rounded())
                gdImageSetPixel(image, Int32(x), Int32(y), (level << 16) | (level << 8) | level)
            }
        }
        var size: Int32 = 0
        let encoded = gdImageJpegPtr(image, &size, Int32(quality))!
        defer { gdFree(encoded) }
        let back = gdImageCreateFromJpegPtr(size, encoded)!
        defer { gdImageDestroy(back) }
        var decoded = [Float](repeating: 0, count: height * width)
        for y in 0..<height {
            for x in 0..<width {
                decoded[y * width + x] = Float((gdImageGetTrueColorPixel(back, Int32(x), Int32(y)) >> 16) & 0xFF) / 255
            }
        }
        (bytes, self.decoded) = (Int(size), decoded)
        bitsPerPixel = 8 * Double(size) / Double(height * width)
    }

    /// The highest quality whose file takes at most `bitsPerPixel`, searched over 1 to 95 (the
    /// size grows with the quality), or quality 1's when even that is larger.
    public static func atMost(
        _ bitsPerPixel: Double, grey pixels: [Float], height: Int, width: Int
    ) -> (quality: Int, result: JPEGRoundTrip) {
        var (low, high) = (1, 95)
        var best = (quality: 1, result: JPEGRoundTrip(grey: pixels, height: height, width: width, quality: 1))
        while low <= high {
            let middle = (low + high) / 2
            let trip = JPEGRoundTrip(grey: pixels, height: height, width: width, quality: middle)
            if trip.bitsPerPixel <= bitsPerPixel {
                best = (middle, trip)
                low = middle + 1
            } else {
                high = middle - 1
            }
        }
        return best
    }
}
