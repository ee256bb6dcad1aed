/// A growable stack whose top elements can be *moved* out into an exactly sized array, without the
/// retain/release pair per element that copying a slice and then removing it costs.
///
/// The JSON parser collects an object's members (or an array's elements) here while parsing its
/// children, then moves them into the object's storage in one step.
final class ScratchStack<Element> {
    private var base: UnsafeMutablePointer<Element>
    private var capacity: Int
    private(set) var count = 0

    init(capacity: Int = 64) {
        self.capacity = capacity
        base = .allocate(capacity: capacity)
    }

    deinit {
        base.deinitialize(count: count)
        base.deallocate()
    }

    @inline(__always)
    func append(_ element: Element) {
        if count == capacity { grow() }
        (base + count).initialize(to: element)
        count += 1
    }

    @inline(__always)
    subscript(index: Int) -> Element {
        get { base[index] }
        set { base[index] = newValue }
    }

    /// Moves the elements from `start` to the top into a new array and pops them.
    @_specialize(where Element == Value)
    @_specialize(where Element == Value.Object.Entry)
    func popArray(from start: Int) -> [Element] {
        let n = count - start
        let p = base + start
        // Small counts go through array literals: the compiler allocates those with a cached type
        // metadata accessor, where `init(unsafeUninitializedCapacity:)` looks the array storage
        // type up at run time on every call (measured: about a third of the cost of a small array).
        let literal: [Element]? =
            switch n {
            case 1: [p.move()]
            case 2: [p.move(), (p + 1).move()]
            case 3: [p.move(), (p + 1).move(), (p + 2).move()]
            case 4: [p.move(), (p + 1).move(), (p + 2).move(), (p + 3).move()]
            case 5: [p.move(), (p + 1).move(), (p + 2).move(), (p + 3).move(), (p + 4).move()]
            case 6: [p.move(), (p + 1).move(), (p + 2).move(), (p + 3).move(), (p + 4).move(), (p + 5).move()]
            case 7: [p.move(), (p + 1).move(), (p + 2).move(), (p + 3).move(), (p + 4).move(), (p + 5).move(), (p + 6).move()]
            case 8:
                [p.move(), (p + 1).move(), (p + 2).move(), (p + 3).move(), (p + 4).move(), (p + 5).move(), (p + 6).move(), (p + 7).move()]
            default: nil
            }
        if let literal {
            count = start
            return literal
        }
        let result = [Element](unsafeUninitializedCapacity: n) { buffer, initialized in
            if let destination = buffer.baseAddress { destination.moveInitialize(from: base + start, count: n) }
            initialized = n
        }
        count = start
        return result
    }

    /// Drops the elements from `start` to the top (on an error path).
    func pop(to start: Int) {
        guard count > start else { return }
        (base + start).deinitialize(count: count - start)
        count = start
    }

    private func grow() {
        let bigger = UnsafeMutablePointer<Element>.allocate(capacity: capacity * 2)
        bigger.moveInitialize(from: base, count: count)
        base.deallocate()
        base = bigger
        capacity *= 2
    }
}
