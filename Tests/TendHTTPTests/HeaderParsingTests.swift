import Testing
@testable import TendHTTP

@Suite struct HeaderParsingTests {
    private func parse(_ lines: [String]) -> (ResponseHeadParser, [ResponseHeadParser.Event]) {
        var parser = ResponseHeadParser()
        let events = lines.map { parser.consume(Array(($0 + "\r\n").utf8)) }
        return (parser, events)
    }

    @Test func http1Head() {
        let (p, events) = parse(["HTTP/1.1 429 Too Many Requests", "Content-Type: application/json",
                                 "Retry-After:  5 ", "X-Multi: a", "x-multi: b", ""])
        #expect(events.last == .complete)
        #expect(p.status == 429)
        #expect(p.version == .http1_1)
        #expect(p.headers["retry-after"] == "5")
        #expect(p.headers["RETRY-AFTER"] == "5")
        #expect(p.headers.values(for: "X-MULTI") == ["a", "b"])
        #expect(p.headers["missing"] == nil)
    }

    @Test func http2HeadWithoutReason() {
        let (p, _) = parse(["HTTP/2 200", "content-type: application/json", ""])
        #expect(p.status == 200)
        #expect(p.version == .http2)
        #expect(p.headers["Content-Type"] == "application/json")
    }

    @Test func interimContinueBlockIsDiscarded() {
        let (p, events) = parse(["HTTP/1.1 100 Continue", "X-Interim: 1", "", "HTTP/1.1 201 Created", "Location: /x", ""])
        #expect(events[2] == .partial)
        #expect(events.last == .complete)
        #expect(p.status == 201)
        #expect(p.headers["X-Interim"] == nil)
        #expect(p.headers["location"] == "/x")
    }

    @Test func foldedContinuationAndJunk() {
        let (p, _) = parse(["HTTP/1.1 200 OK", "X-Long: one", "\ttwo", "garbage without colon", "Empty:", ""])
        #expect(p.headers["x-long"] == "one two")
        #expect(p.headers["empty"] == "")
        #expect(p.headers.count == 2)
    }

    @Test func headersSubscriptSetReplacesAllCaseInsensitively() {
        var h: HTTPHeaders = ["Accept": "a", "ACCEPT": "b", "Other": "c"]
        h["accept"] = "json"
        #expect(h.values(for: "Accept") == ["json"])
        #expect(h.count == 2)
        h["other"] = nil
        #expect(!h.contains("Other"))
    }

    @Test func credentialHeadersAreRedactedInDescription() {
        let h: HTTPHeaders = ["Authorization": "Bearer s3cr3t", "Cookie": "c=s3cr3t", "Accept": "x"]
        #expect(!h.description.contains("s3cr3t"))
        #expect(h.description.contains("Accept: x"))
    }
}
