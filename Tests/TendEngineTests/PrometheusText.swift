import Foundation
#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif
import Synchronization
import Testing

/// A strict reader of the Prometheus text exposition format (0.0.4), for tests: every sample must
/// belong to a family declared by a `# TYPE` line, label values must be quoted and escaped, values
/// must be floats. Throws on the first malformed line.
struct PrometheusText {
    struct Sample: Hashable {
        var name: String
        var labels: [String: String]
        var value: Double
    }

    struct Malformed: Error, CustomStringConvertible {
        var line: String
        var why: String
        var description: String { "\(why): \(line)" }
    }

    var types: [String: String] = [:]
    var help: [String: String] = [:]
    var samples: [Sample] = []

    init(_ text: String) throws {
        for line in text.split(separator: "\n", omittingEmptySubsequences: true).map(String.init) {
            if line.hasPrefix("# TYPE ") {
                let parts = line.dropFirst(7).split(separator: " ")
                guard parts.count == 2, ["counter", "gauge", "histogram", "summary", "untyped"].contains(String(parts[1])) else {
                    throw Malformed(line: line, why: "bad TYPE")
                }
                guard types.updateValue(String(parts[1]), forKey: String(parts[0])) == nil else { throw Malformed(line: line, why: "TYPE twice") }
            } else if line.hasPrefix("# HELP ") {
                let rest = line.dropFirst(7)
                guard let space = rest.firstIndex(of: " ") else { throw Malformed(line: line, why: "bad HELP") }
                help[String(rest[..<space])] = String(rest[rest.index(after: space)...])
            } else if line.hasPrefix("#") {
                continue
            } else {
                let sample = try Self.sample(line)
                guard types[Self.family(of: sample.name, types: types)] != nil else { throw Malformed(line: line, why: "no TYPE for the family") }
                samples.append(sample)
            }
        }
    }

    /// The family a sample belongs to (`x_bucket`, `x_sum`, `x_count` belong to histogram `x`).
    static func family(of name: String, types: [String: String]) -> String {
        for suffix in ["_bucket", "_sum", "_count"] where name.hasSuffix(suffix) {
            let base = String(name.dropLast(suffix.count))
            if types[base] == "histogram" || types[base] == "summary" { return base }
        }
        return name
    }

    static func sample(_ line: String) throws -> Sample {
        var i = line.startIndex
        while i < line.endIndex, line[i].isLetter || line[i].isNumber || line[i] == "_" || line[i] == ":" { i = line.index(after: i) }
        let name = String(line[..<i])
        guard !name.isEmpty, !(name.first!.isNumber) else { throw Malformed(line: line, why: "bad metric name") }
        var labels: [String: String] = [:]
        if i < line.endIndex, line[i] == "{" {
            i = line.index(after: i)
            while line[i] != "}" {
                let start = i
                while line[i] != "=" { i = line.index(after: i) }
                let key = String(line[start..<i])
                guard key.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }) else { throw Malformed(line: line, why: "bad label name") }
                i = line.index(after: i)
                guard line[i] == "\"" else { throw Malformed(line: line, why: "unquoted label value") }
                i = line.index(after: i)
                var value = ""
                while line[i] != "\"" {
                    if line[i] == "\\" {
                        i = line.index(after: i)
                        value.append(line[i] == "n" ? "\n" : line[i])
                    } else {
                        value.append(line[i])
                    }
                    i = line.index(after: i)
                }
                labels[key] = value
                i = line.index(after: i)
                if line[i] == "," { i = line.index(after: i) }
            }
            i = line.index(after: i)
        }
        let fields = line[i...].split(separator: " ")
        guard let first = fields.first, let value = Double(first == "+Inf" ? "inf" : first == "-Inf" ? "-inf" : String(first)) else {
            throw Malformed(line: line, why: "bad value")
        }
        return Sample(name: name, labels: labels, value: value)
    }

    /// The value of the one sample with this name and exactly these labels.
    func value(_ name: String, _ labels: [String: String] = [:]) -> Double? {
        samples.first { $0.name == name && $0.labels == labels }?.value
    }
}

/// GETs `http://127.0.0.1:port/path`: status, Content-Type and body.
func httpGet(_ port: Int, _ path: String) throws -> (status: Int, contentType: String?, body: String) {
    let url = URL(string: "http://127.0.0.1:\(port)\(path)")!
    let result = Mutex<(Int, String?, String)?>(nil)
    let done = DispatchSemaphore(value: 0)
    let task = URLSession.shared.dataTask(with: url) { data, response, _ in
        let http = response as? HTTPURLResponse
        result.withLock {
            $0 = (http?.statusCode ?? -1, http?.value(forHTTPHeaderField: "Content-Type"), String(decoding: data ?? Data(), as: UTF8.self))
        }
        done.signal()
    }
    task.resume()
    _ = done.wait(timeout: .now() + 5)
    let r = try #require(result.withLock { $0 })
    return (r.0, r.1, r.2)
}
