import CGD
import Foundation
import TensorCore

// A real codec beside the autoencoder's: a grey image through libgd's JPEG encoder (libjpeg) and
// back, so that "1 bit per pixel" has a reference. libgd writes true-colour images, so the JPEG
// carries a grey image in three channels; its chroma is constant and costs few bytes.

/// Why a grey image could not go through JPEG: libgd failed at `step` (a libgd built without
/// libjpeg, or out of memory).
public struct JPEGUnavailable: Error, CustomStringConvertible {
    public let step: String
    public var description: String { "libgd could not \(step) a JPEG (is it built with libjpeg?)" }
}

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
    /// (1 to 100) and decodes the result; throws `JPEGUnavailable` when libgd cannot.
    public init(grey pixels: [Float], height: Int, width: Int, quality: Int) throws {
        precondition(pixels.count == height * width && (1...100).contains(quality), "a grey image and a quality")
        guard let image = gdImageCreateTrueColor(Int32(width), Int32(height)) else {
            throw JPEGUnavailable(step: "allocate the image for")
        }
        defer { gdImageDestroy(image) }
        for y in 0..<height {
            for x in 0..<width {
                let level = Int32((min(max(pixels[y * width + x], 0), 1) * 255).rounded())
                gdImageSetPixel(image, Int32(x), Int32(y), (level << 16) | (level << 8) | level)
            }
        }
        var size: Int32 = 0
        guard let encoded = gdImageJpegPtr(image, &size, Int32(quality)) else { throw JPEGUnavailable(step: "write") }
        defer { gdFree(encoded) }
        guard let back = gdImageCreateFromJpegPtr(size, encoded) else { throw JPEGUnavailable(step: "read back") }
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
    /// size grows with the quality), or quality 1's when even that is larger. Each quality is
    /// encoded once.
    public static func atMost(
        _ bitsPerPixel: Double, grey pixels: [Float], height: Int, width: Int
    ) throws -> (quality: Int, result: JPEGRoundTrip) {
        var (low, high) = (1, 95)
        var best: (quality: Int, result: JPEGRoundTrip)?, lowest: JPEGRoundTrip?
        while low <= high {
            let middle = (low + high) / 2
            let trip = try JPEGRoundTrip(grey: pixels, height: height, width: width, quality: middle)
            if middle == 1 { lowest = trip }
            if trip.bitsPerPixel <= bitsPerPixel {
                best = (middle, trip)
                low = middle + 1
            } else {
                high = middle - 1
            }
        }
        // Nothing fits: the search ended by trying quality 1 itself.
        return try best ?? (1, lowest ?? JPEGRoundTrip(grey: pixels, height: height, width: width, quality: 1))
    }
}
