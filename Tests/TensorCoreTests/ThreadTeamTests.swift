import Foundation
import Testing
@testable import TensorCore

@Suite("The thread team: every part once, in disjoint ranges, and sums that do not depend on timing")
struct ThreadTeamTests {
    @Test("ranges tile 0..<count in order", arguments: [0, 1, 2, 7, 1000])
    func ranges(count: Int) {
        for parts in 1...5 {
            let all = (0..<parts).flatMap { Array(ThreadTeam.range($0, of: parts, in: count)) }
            #expect(all == Array(0..<count))
        }
    }

    @Test("a team of two runs both parts, thousands of times in a row, and partial sums come out the same each time")
    func manyJobs() {
        let team = ThreadTeam()  // its own team: other tests resize the shared one
        team.resize(to: 2)
        let values = Tensor(zeros: [100_000])
        var g = SeededGenerator(seed: 1)
        values.fillNormal(using: &g)
        let sums = PartialSums()
        func sum() -> Double {
            team.run { part, count in
                if part == 0 { sums.parts.pointee = count }
                sums.sums[part] = ThreadTeam.range(part, of: count, in: values.count).reduce(0.0) {
                    $0 + Double(values[$1])
                }
            }
            return sums.total
        }
        let first = sum()
        let counts = UnsafeMutablePointer<Int>.allocate(capacity: 2)
        counts.initialize(repeating: 0, count: 2)
        defer { counts.deallocate() }
        for _ in 0..<5_000 {
            team.run { part, _ in counts[part] += 1 }
            #expect(sum() == first)
        }
        #expect(counts[0] == 5_000 && counts[1] == 5_000)
    }

    @Test(
        "a thread's own part count holds while another thread sets the default and its own; jobs started inside a part keep the job's count"
    )
    func scopedCounts() {
        let team = ThreadTeam()
        team.resize(to: 1)
        nonisolated(unsafe) let seen = UnsafeMutablePointer<Int>.allocate(capacity: 8)
        seen.initialize(repeating: 0, count: 8)
        defer { seen.deallocate() }
        team.withParts(2) {
            #expect(team.parts == 2)
            let finished = DispatchSemaphore(value: 0)
            let other = Thread {
                team.resize(to: 3)  // the default, for threads without a count
                seen[0] = team.parts
                team.withParts(1) { seen[1] = team.parts }
                finished.signal()
            }
            other.start()
            finished.wait()
            #expect(seen[0] == 3 && seen[1] == 1, "the other thread saw \(seen[0]) and \(seen[1])")
            #expect(team.parts == 2, "this thread's count followed the other thread's")
            team.run { part, parts in
                seen[2 + part] = parts
                team.run { _, inner in seen[4 + part] = inner }  // runs inline: the team is busy
            }
            #expect((0..<4).map { seen[2 + $0] } == [2, 2, 2, 2])
        }
        #expect(team.parts == 3, "the default came back after the scope")
    }
}
