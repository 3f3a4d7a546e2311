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
        let team = ThreadTeam()   // its own team: other tests resize the shared one
        team.resize(to: 2)
        let values = Tensor(zeros: [100_000])
        var g = SeededGenerator(seed: 1)
        values.fillNormal(using: &g)
        let sums = PartialSums()
        func sum() -> Double {
            team.run { part, count in
                if part == 0 { sums.parts.pointee = count }
                sums.sums[part] = ThreadTeam.range(part, of: count, in: values.count).reduce(0.0) { $0 + Double(values[$1]) }
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
}
