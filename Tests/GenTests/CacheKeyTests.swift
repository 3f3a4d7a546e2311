import Foundation
import Testing

@Suite("The model cache is keyed to the data's contents, not to the path typed")
struct CacheKeyTests {
    @Test("another folder of the same name, or images replaced in place, train anew; the same images reuse the model")
    func keyedByContents() throws {
        let root = try scratchFolder()
        let cache = ["XDG_CACHE_HOME": root + "/cache"]
        let (a, b) = (root + "/a/shirts", root + "/b/shirts")
        for (folder, seed) in [(a, UInt64(1)), (b, UInt64(2))] {
            try FileManager.default.createDirectory(
                atPath: URL(fileURLWithPath: folder).deletingLastPathComponent().path, withIntermediateDirectories: true
            )
            try FileManager.default.moveItem(atPath: try tinyIDXFolder(count: 40, seed: seed), toPath: folder)
        }
        func reused(_ data: String) throws -> Bool {
            let result = try runGen(
                [
                    "ae", "--dataset", data, "--epochs", "1", "--hidden", "16", "--batch-size", "20", "--out",
                    root + "/out",
                ],
                environment: cache)
            #expect(result.status == 0, "\(result.stderr)")
            return result.stdout.contains("Reusing")
        }
        #expect(try !reused(a))
        #expect(try reused(a), "the same images, the same settings: the cached model")
        #expect(try !reused(b), "another folder called shirts holds other images")
        // a's training images replaced in place by other images of the same size
        try FileManager.default.removeItem(atPath: a + "/train-images-idx3-ubyte")
        try FileManager.default.copyItem(atPath: b + "/train-images-idx3-ubyte", toPath: a + "/train-images-idx3-ubyte")
        #expect(try !reused(a), "images replaced in place are other data")
        #expect(
            try FileManager.default.contentsOfDirectory(atPath: root + "/cache/gen").filter {
                $0.hasSuffix(".safetensors")
            }.count == 3)
    }
}
