/// Keys waiting for a deadline: a binary min-heap ordered by (deadline, insertion order),
/// with at most one live deadline per key.
///
/// Scheduling a key that is already waiting keeps the earlier of the two deadlines (client-go
/// `delaying_queue.go`). A moved-up deadline pushes a new heap entry and leaves the old one in
/// place as a stale entry, skipped when it surfaces; `waiting` is the source of truth.
/// Cost: O(log n) per schedule and per pop; memory one heap entry per live key plus stale
/// entries, which are bounded by the number of moved-up deadlines still in the heap.
struct DelayHeap<Key: Hashable & Sendable>: Sendable {
    private struct Entry: Sendable {
        var deadline: RuntimeInstant
        var sequence: UInt64
        var key: Key

        func precedes(_ other: Entry) -> Bool {
            deadline != other.deadline ? deadline < other.deadline : sequence < other.sequence
        }
    }

    private var heap: [Entry] = []
    private var waiting: [Key: RuntimeInstant] = [:]
    private var sequence: UInt64 = 0

    /// The number of distinct keys waiting.
    var count: Int { waiting.count }

    func deadline(of key: Key) -> RuntimeInstant? { waiting[key] }

    /// The earliest live deadline.
    var nextDeadline: RuntimeInstant? {
        mutating get {
            dropStale()
            return heap.first?.deadline
        }
    }

    /// Schedules `key` at `deadline`. Returns false (and changes nothing) when the key already waits
    /// for a deadline at or before this one.
    @discardableResult
    mutating func schedule(_ key: Key, at deadline: RuntimeInstant) -> Bool {
        if let existing = waiting[key], existing <= deadline { return false }
        waiting[key] = deadline
        sequence &+= 1
        push(Entry(deadline: deadline, sequence: sequence, key: key))
        return true
    }

    /// Removes and returns the keys whose deadline is at or before `now`, earliest first.
    mutating func popDue(now: RuntimeInstant) -> [Key] {
        var due: [Key] = []
        while let top = heap.first, top.deadline <= now {
            popTop()
            if waiting[top.key] == top.deadline {
                waiting[top.key] = nil
                due.append(top.key)
            }
        }
        return due
    }

    mutating func removeAll() {
        heap.removeAll()
        waiting.removeAll()
    }

    // MARK: Heap mechanics

    private mutating func dropStale() {
        while let top = heap.first, waiting[top.key] != top.deadline { popTop() }
    }

    private mutating func push(_ entry: Entry) {
        heap.append(entry)
        var child = heap.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard heap[child].precedes(heap[parent]) else { break }
            heap.swapAt(child, parent)
            child = parent
        }
    }

    private mutating func popTop() {
        let last = heap.removeLast()
        guard !heap.isEmpty else { return }
        heap[0] = last
        var parent = 0
        while true {
            let left = 2 * parent + 1
            let right = left + 1
            var best = parent
            if left < heap.count, heap[left].precedes(heap[best]) { best = left }
            if right < heap.count, heap[right].precedes(heap[best]) { best = right }
            if best == parent { return }
            heap.swapAt(parent, best)
            parent = best
        }
    }
}

/// A first-in first-out buffer: amortised O(1) append and pop, compacted as the head advances.
struct FIFO<Element: Sendable>: Sendable {
    private var storage: [Element] = []
    private var head = 0

    var count: Int { storage.count - head }
    var isEmpty: Bool { head == storage.count }

    mutating func append(_ element: Element) { storage.append(element) }

    mutating func popFirst() -> Element? {
        guard head < storage.count else { return nil }
        let element = storage[head]
        head += 1
        if head == storage.count {
            storage.removeAll(keepingCapacity: true)
            head = 0
        } else if head >= 1024, head * 2 >= storage.count {
            storage.removeFirst(head)
            head = 0
        }
        return element
    }

    mutating func removeAll() {
        storage.removeAll()
        head = 0
    }

    var elements: ArraySlice<Element> { storage[head...] }
}
