import Foundation
import TendCEL
import Testing

/// Every row of a `| Function | Example | Result |` table in docs/expressions.md: the example
/// must equal the result (`(example) == (result)` evaluates to true), or, for a result written
/// `error: text`, fail with an error containing the text.
@Test func documentedExamplesHold() throws {
    let docs = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("docs/expressions.md")
    let text = try String(contentsOf: docs, encoding: .utf8)
    var checked = 0
    for line in text.split(separator: "\n") where line.hasPrefix("| ") {
        let cells = splitRow(String(line))
        guard cells.count == 3, let example = code(cells[1]), let result = code(cells[2]) else { continue }
        checked += 1
        if result.hasPrefix("error: ") {
            let want = String(result.dropFirst("error: ".count))
            do {
                let v = try CELProgram(example).evaluate()
                Issue.record("\(example): expected an error containing \(want), got \(v.jsonText)")
            } catch {
                #expect("\(error)".contains(want), "\(example): \(error)")
            }
            continue
        }
        do {
            let v = try CELProgram("(\(example)) == (\(result))").evaluate()
            #expect(v == .bool(true), "\(example) is not \(result): got \((try? CELProgram(example).evaluate())?.jsonText ?? "an error")")
        } catch {
            Issue.record("\(example) == \(result): \(error)")
        }
    }
    #expect(checked >= 70, "only \(checked) documented examples found")
}

/// The cells of a Markdown table row, split at `|` not escaped as `\|`.
private func splitRow(_ line: String) -> [String] {
    var cells: [String] = [], cur = "", escaped = false
    for c in line.dropFirst().dropLast() {
        if c == "|" && !escaped {
            cells.append(cur.trimmingCharacters(in: .whitespaces))
            cur = ""
        } else {
            cur.append(c)
        }
        escaped = c == "\\"
    }
    cells.append(cur.trimmingCharacters(in: .whitespaces))
    return cells
}

/// The code of a cell that is exactly one code span.
private func code(_ cell: String) -> String? {
    guard cell.count > 2, cell.hasPrefix("`"), cell.hasSuffix("`"), cell.dropFirst().dropLast().firstIndex(of: "`") == nil else { return nil }
    return String(cell.dropFirst().dropLast())
}
