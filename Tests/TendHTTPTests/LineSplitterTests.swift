import Testing
@testable import TendHTTP

@Suite struct LineSplitterTests {
    private func lines(_ chunks: [String], finish: Bool = true) -> [String] {
        var splitter = LineSplitter()
        var out: [String] = []
        for chunk in chunks {
            splitter.append(Array(chunk.utf8))
            while let line = splitter.nextLine() { out.append(String(decoding: line, as: UTF8.self)) }
        }
        if finish, let last = splitter.finish() { out.append(String(decoding: last, as: UTF8.self)) }
        return out
    }

    @Test func chunkEndingMidLine() {
        #expect(lines(["{\"a\":", "1}\n{\"b\"", ":2}\n"]) == ["{\"a\":1}", "{\"b\":2}"])
    }

    @Test func crlfIsStrippedEvenWhenSplitAcrossChunks() {
        #expect(lines(["one\r", "\ntwo\r\n"]) == ["one", "two"])
    }

    @Test func emptyLinesAreKept() {
        #expect(lines(["a\n\n\r\nb\n"]) == ["a", "", "", "b"])
    }

    @Test func finalLineWithoutNewline() {
        #expect(lines(["a\nlast"]) == ["a", "last"])
        #expect(lines(["a\nlast"], finish: false) == ["a"])
        #expect(lines(["a\n"]) == ["a"])
        #expect(lines([]) == [])
    }

    @Test func byteAtATime() {
        let text = "alpha\nbeta\r\n\ngamma"
        #expect(lines(text.map { String($0) }) == ["alpha", "beta", "", "gamma"])
    }

    @Test func tenMegabyteSingleLineInSmallChunks() {
        var splitter = LineSplitter()
        let chunk = [UInt8](repeating: 0x78, count: 16 * 1024)
        let total = 10 * 1024 * 1024
        var sent = 0
        while sent < total {
            splitter.append(chunk)
            sent += chunk.count
            #expect(splitter.nextLine() == nil)
        }
        splitter.append(Array("\nnext\n".utf8))
        let line = splitter.nextLine()
        #expect(line?.count == total)
        #expect(line?.allSatisfy { $0 == 0x78 } == true)
        #expect(splitter.nextLine() == Array("next".utf8))
        #expect(splitter.pendingByteCount == 0)
    }

    @Test func compactionKeepsLinesIntact() {
        var splitter = LineSplitter()
        var expected: [[UInt8]] = []
        var got: [[UInt8]] = []
        for i in 0..<5000 {
            let line = Array("line number \(i) with some padding to grow the buffer".utf8)
            expected.append(line)
            splitter.append(line + [0x0A])
            if i % 3 == 0 { while let l = splitter.nextLine() { got.append(l) } }
        }
        while let l = splitter.nextLine() { got.append(l) }
        #expect(got == expected)
    }
}
