import ArgumentParser
import TendValue

/// `tend version`: the version and how this binary was built, as text or JSON.
struct VersionCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "version",
        abstract: "Print the version of tend and how it was built.",
        discussion: "`tend --version` prints the version alone; `tend version -o json` prints every detail for tools."
    )

    @Option(name: [.short, .customLong("output")], help: "text or json.")
    var output: OutputFormat = .text

    enum OutputFormat: String, ExpressibleByArgument, CaseIterable { case text, json }

    func run() throws {
        let details = Self.details
        switch output {
        case .text:
            Terminal.writeStdout(details.map { "\($0.0): \($0.1)" }.joined(separator: "\n") + "\n")
        case .json:
            Terminal.writeStdout(JSON.serialize(.object(Value.Object(details.map { ($0.0, Value.string($0.1)) })), options: .prettyPrinted) + "\n")
        }
    }

    /// Name and value of each detail, in print order.
    static var details: [(String, String)] {
        #if DEBUG
        let configuration = "debug"
        #else
        let configuration = "release"
        #endif
        #if arch(x86_64)
        let arch = "amd64"
        #elseif arch(arm64)
        let arch = "arm64"
        #else
        let arch = "unknown"
        #endif
        #if os(Linux)
        let os = "linux"
        #elseif os(macOS)
        let os = "darwin"
        #else
        let os = "unknown"
        #endif
        return [
            ("version", TendVersion.current), ("commit", BuildStamp.commit ?? "unknown"), ("buildConfiguration", configuration),
            ("compiler", "swift-\(compilerVersion)"), ("platform", "\(os)/\(arch)"),
        ]
    }

    static var compilerVersion: String {
        #if compiler(>=6.4)
        "6.4+"
        #elseif compiler(>=6.3)
        "6.3"
        #elseif compiler(>=6.2)
        "6.2"
        #else
        "6.1"
        #endif
    }
}
