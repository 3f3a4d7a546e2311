import Foundation
import Testing
@testable import Lab

@Suite("The resident peak a benchmark reports")
struct ResidentMemoryTests {
    @Test("it rises with memory touched, and set back it forgets memory since freed")
    func peakResets() {
        let before = ResidentMemory.peakMB()
        let bytes = 256 << 20
        let block = UnsafeMutableRawPointer.allocate(byteCount: bytes, alignment: 4096)
        block.initializeMemory(as: UInt8.self, repeating: 1, count: bytes)  // touched: resident
        let raised = ResidentMemory.peakMB()
        #expect(raised >= before + 200, "\(before) → \(raised) MB with 256 MB touched")
        block.deallocate()
        // Set back, the peak is what is resident now: without the 256 MB (other tests running
        // beside this one hold far less than the 128 MB of slack).
        // Where /proc refuses (the bench then reports the process's whole peak), nothing to check.
        guard ResidentMemory.resetPeak() else { return }
        #expect(ResidentMemory.peakMB() < raised - 128, "still \(ResidentMemory.peakMB()) MB after the reset")
    }
}
