/// Work over many items with a fixed number running at once (requests in flight, records pushed).
public enum BoundedConcurrency {
    /// `transform` over `items` with at most `width` running at once; results in the order of `items`.
    public static func map<T: Sendable, U: Sendable>(
        _ items: [T], width: Int, _ transform: @escaping @Sendable (T) async -> U
    ) async -> [U?] {
        let results = await withTaskGroup(of: (Int, U).self, returning: [(Int, U)].self) { group in
            var collected: [(Int, U)] = []
            collected.reserveCapacity(items.count)
            var next = 0
            while next < min(max(1, width), items.count) {
                let i = next
                next += 1
                group.addTask { (i, await transform(items[i])) }
            }
            while let done = await group.next() {
                collected.append(done)
                if next < items.count {
                    let i = next
                    next += 1
                    group.addTask { (i, await transform(items[i])) }
                }
            }
            return collected
        }
        var out = [U?](repeating: nil, count: items.count)
        for (i, u) in results { out[i] = u }
        return out
    }
}
