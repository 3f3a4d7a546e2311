import Drawing
import Testing

@Suite("JPEG through libgd: the reference codec of the compression section")
struct JPEGTests {
    /// A smooth 64 × 64 grey gradient with a bright square: what JPEG keeps well at high quality.
    let image: [Float] = (0..<64).flatMap { y in
        (0..<64).map { x in (16..<32).contains(x) && (16..<32).contains(y) ? 0.9 : Float(x + y) / 126 }
    }

    @Test("a high quality decodes close to the image; a lower one takes fewer bytes and loses more")
    func roundTrip() throws {
        let fine = try JPEGRoundTrip(grey: image, height: 64, width: 64, quality: 95)
        let coarse = try JPEGRoundTrip(grey: image, height: 64, width: 64, quality: 10)
        func meanSquaredError(_ trip: JPEGRoundTrip) -> Float {
            zip(trip.decoded, image).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) } / Float(image.count)
        }
        #expect(fine.decoded.count == image.count && meanSquaredError(fine) < 1e-4)
        #expect(coarse.bytes < fine.bytes && meanSquaredError(coarse) > meanSquaredError(fine))
        #expect(abs(fine.bitsPerPixel - 8 * Double(fine.bytes) / 4096) < 1e-12)
    }

    @Test("the quality search keeps the file within the rate asked, at the highest quality that does")
    func qualityForRate() throws {
        let (quality, trip) = try JPEGRoundTrip.atMost(4, grey: image, height: 64, width: 64)
        #expect(trip.bitsPerPixel <= 4 && quality >= 1)
        if quality < 95 {
            #expect(try JPEGRoundTrip(grey: image, height: 64, width: 64, quality: quality + 1).bitsPerPixel > 4)
        }
    }
}
