// Union-find over rows, and the sorted-array search the pair lists use: the small structures clustering rests on.

/// Union-find over rows 0..<n, with path halving; `parent` is open to callers that choose the root of a union.
struct DisjointSets {
    var parent: [Int32]

    init(_ n: Int) { parent = (0..<n).map { Int32($0) } }

    /// The representative of `x`'s set.
    mutating func find(_ x: Int32) -> Int32 {
        var x = x
        while parent[Int(x)] != x {
            parent[Int(x)] = parent[Int(parent[Int(x)])]
            x = parent[Int(x)]
        }
        return x
    }
}

extension Array where Element == UInt64 {
    /// Whether a sorted array holds `x`.
    func binarySearchContains(_ x: UInt64) -> Bool {
        var lo = 0
        var hi = count
        while lo < hi {
            let mid = (lo + hi) / 2
            if self[mid] < x { lo = mid + 1 } else { hi = mid }
        }
        return lo < count && self[lo] == x
    }
}
