import Foundation

/// A bounded hand-off between two threads: `put` waits while full, `take` waits while empty.
final class BlockingQueue<Element: Sendable>: @unchecked Sendable {
    // @unchecked: every access to `items` and `closed` holds `condition`.
    private let condition = NSCondition()
    private var items: [Element] = []
    private let capacity: Int
    private var cancelled = false
    /// Seconds the producer waited for room and the consumer waited for work (pipeline balance).
    private(set) var putWait = 0.0
    private(set) var takeWait = 0.0

    init(capacity: Int) { self.capacity = capacity }

    /// Waits for room and appends; returns false when the consumer has cancelled.
    func put(_ e: Element) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        if items.count >= capacity && !cancelled {
            let t = Date()
            while items.count >= capacity && !cancelled { condition.wait() }
            putWait += Date().timeIntervalSince(t)
        }
        if cancelled { return false }
        items.append(e)
        condition.broadcast()
        return true
    }

    /// Waits for an element and removes it.
    func take() -> Element {
        condition.lock()
        defer { condition.unlock() }
        if items.isEmpty {
            let t = Date()
            while items.isEmpty { condition.wait() }
            takeWait += Date().timeIntervalSince(t)
        }
        let e = items.removeFirst()
        condition.broadcast()
        return e
    }

    /// Tells the producer to stop.
    func cancel() {
        condition.lock()
        cancelled = true
        items.removeAll()
        condition.broadcast()
        condition.unlock()
    }
}

/// Moves a value that is used by one thread at a time across a thread boundary.
struct Handoff<T>: @unchecked Sendable {
    let value: T
}

/// Batches handed back by the writing thread, freed by the reading thread that allocated them
/// (freeing on the allocating thread keeps glibc's per-thread arenas uncontended).
final class RecycleBin<Element: Sendable>: @unchecked Sendable {
    // @unchecked: `items` is only touched under `lock`.
    private let lock = NSLock()
    private var items: [Element] = []

    func add(_ e: consuming Element) {
        lock.lock()
        items.append(e)
        lock.unlock()
    }

    /// Takes everything handed back and lets it go on this thread.
    func drain() {
        lock.lock()
        let taken = items
        items = []
        lock.unlock()
        _ = taken
    }
}
