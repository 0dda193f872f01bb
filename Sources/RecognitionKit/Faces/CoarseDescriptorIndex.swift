/// An inverted-file index over 128-D face descriptors for many queries against a large gallery
/// (a watchlist recheck): k-means centroids (about √n of them) split the gallery into lists, and
/// a query scans only the lists of its `probes` nearest centroids. Approximate: a match near a
/// list boundary can be missed, so the recall at the watchlist threshold is measured
/// (`forensic-bench watchlist-scale`) and the flat scan stays the default for small galleries.
public struct CoarseDescriptorIndex: Sendable {
    private var centroids = DescriptorIndex()
    private var lists: [DescriptorIndex] = []
    public let probes: Int

    /// - Parameters: `descriptors` with their ids; `probes`: lists scanned per query.
    public init(_ descriptors: [(id: Int64, descriptor: [Float])], probes: Int = 24, iterations: Int = 8) {
        self.probes = probes
        let n = descriptors.count
        let k = max(1, Int(Double(n).squareRoot()))
        // Centroids start at evenly spaced descriptors; Lloyd's iterations on a sample of up to 50 per list.
        var centres = (0..<k).map { descriptors[$0 * n / k].descriptor }
        let sample = stride(from: 0, to: n, by: max(1, n / (k * 50))).map { descriptors[$0].descriptor }
        for _ in 0..<iterations {
            var index = DescriptorIndex()
            for (i, c) in centres.enumerated() { index.append(id: Int64(i), descriptor: c) }
            var sums = [[Float]](repeating: [Float](repeating: 0, count: 128), count: k)
            var counts = [Int](repeating: 0, count: k)
            for v in sample {
                guard let c = index.nearest(to: v, k: 1).first.map({ Int($0.id) }) else { continue }
                counts[c] += 1
                for j in 0..<128 { sums[c][j] += v[j] }
            }
            for c in 0..<k where counts[c] > 0 { centres[c] = sums[c].map { $0 / Float(counts[c]) } }
        }
        for (i, c) in centres.enumerated() { centroids.append(id: Int64(i), descriptor: c) }
        lists = [DescriptorIndex](repeating: DescriptorIndex(), count: k)
        for d in descriptors {
            guard let c = centroids.nearest(to: d.descriptor, k: 1).first.map({ Int($0.id) }) else { continue }
            lists[c].append(id: d.id, descriptor: d.descriptor)
        }
    }

    public var count: Int { lists.reduce(0) { $0 + $1.count } }

    /// The `k` nearest within `maxDistance` among the lists of the `probes` nearest centroids.
    public func nearest(to query: [Float], k: Int, maxDistance: Float) -> [DescriptorIndex.Match] {
        centroids.nearest(to: query, k: probes)
            .flatMap { lists[Int($0.id)].nearest(to: query, k: k, maxDistance: maxDistance) }
            .sorted { $0.distance < $1.distance }
            .prefix(k).map { $0 }
    }
}
