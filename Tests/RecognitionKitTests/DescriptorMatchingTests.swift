import Foundation
import Testing
import RecognitionKit

struct DescriptorMatchingTests {
    /// Descriptors near a few centres, so that some pairs fall inside the threshold and many do not.
    func clustered(_ count: Int, centres: [[Float]], seed: inout UInt64) -> [[Float]] {
        func next() -> Float { seed = seed &* 6364136223846793005 &+ 1442695040888963407; return Float(seed >> 40) / Float(1 << 24) - 0.5 }
        return (0..<count).map { i in centres[i % centres.count].map { $0 + 0.09 * next() } }
    }

    @Test func matrixPairsEqualThePerFaceScan() throws {
        var seed: UInt64 = 3
        let centres = (0..<7).map { _ in (0..<128).map { _ in Float.random(in: -0.1...0.1) } }
        // More than one tile of each (1,024 queries, 8,192 photos) so tile edges are crossed.
        let gallery = clustered(9_000, centres: centres, seed: &seed), queries = clustered(1_100, centres: centres, seed: &seed)
        var flat = DescriptorIndex()
        for (i, g) in gallery.enumerated() { flat.append(id: Int64(i), descriptor: g) }
        let threshold: Float = 0.42   // about the median distance within a cluster: many pairs on both sides
        var expected = Set<[Int]>()
        for (q, v) in queries.enumerated().prefix(150) {
            for m in flat.nearest(to: v, k: gallery.count, maxDistance: threshold) where m.distance < threshold { expected.insert([q, Int(m.id)]) }
        }
        let pairs = try DescriptorBatchMatcher(gallery).pairs(Array(queries.prefix(150)), within: threshold)
        #expect(!expected.isEmpty && expected.count < 150 * gallery.count / 2)
        #expect(Set(pairs.map { [$0.query, $0.gallery] }) == expected)
        for p in pairs.prefix(50) { #expect(abs(p.distance - faceDistance(queries[p.query], gallery[p.gallery])) < 1e-5) }
        // The last tile of queries and of the gallery too.
        let tail = try DescriptorBatchMatcher(gallery).pairs(queries, within: threshold)
        let q = queries.count - 1
        let lastExpected = Set(flat.nearest(to: queries[q], k: gallery.count, maxDistance: threshold).filter { $0.distance < threshold }.map { Int($0.id) })
        #expect(Set(tail.filter { $0.query == q }.map(\.gallery)) == lastExpected)
        #expect(lastExpected.contains { $0 >= 8_192 })
    }

    @Test func emptyGalleryOrQueriesGiveNoPairs() throws {
        #expect(try DescriptorBatchMatcher([]).pairs([[Float](repeating: 0, count: 128)], within: 1).isEmpty)
        #expect(try DescriptorBatchMatcher([[Float](repeating: 0, count: 128)]).pairs([], within: 1).isEmpty)
    }

    @Test func blasKernelsFollowTheCPUFlags() {
        let skylake: Set<Substring> = ["avx2", "fma", "avx512f", "avx512bw", "avx512dq", "avx512vl"]
        #expect(BLASCore.better(than: "Prescott", flags: skylake) == "SkylakeX")
        #expect(BLASCore.better(than: "Haswell", flags: skylake) == "SkylakeX")
        #expect(BLASCore.better(than: "SkylakeX", flags: skylake) == nil)
        #expect(BLASCore.better(than: "Prescott", flags: ["avx2", "fma"]) == "Haswell")
        #expect(BLASCore.better(than: "Zen", flags: ["avx2", "fma"]) == nil)
        #expect(BLASCore.better(than: "Prescott", flags: ["sse4_2"]) == nil)
    }
}
