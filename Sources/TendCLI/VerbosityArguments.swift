/// kubectl's spellings of the log level, accepted beside `tend`'s counted `-v` flag.
///
/// kubectl takes the level as a value (`-v=4`, `-v 4`, `--v=4`, `-v4`); `tend` counts its flag
/// (`-v` info, `-vv` debug, `-vvv` trace). Before parsing, each kubectl form becomes that many `-v`
/// flags, so `-v=2` is `-vv` and levels of 3 and more are trace. `-v=0` is dropped (the default
/// level). Arguments after `--` are left alone, and `-v` followed by anything but digits stays the
/// counted flag: `-v rules/` is still `-v` and a path.
enum VerbosityArguments {
    /// The highest level kept: more `-v` flags than this change nothing.
    static let maximumLevel = 9

    /// `arguments` (without the program name) with kubectl's verbosity forms rewritten.
    static func normalize(_ arguments: [String]) -> [String] {
        var out: [String] = []
        out.reserveCapacity(arguments.count)
        var index = arguments.startIndex
        while index < arguments.endIndex {
            let argument = arguments[index]
            if argument == "--" {
                out += arguments[index...]
                break
            }
            if let level = attachedLevel(argument) {
                out += flags(level)
            } else if argument == "-v" || argument == "--v", index + 1 < arguments.endIndex, let level = Self.level(arguments[index + 1]) {
                out += flags(level)
                index += 1
            } else if argument == "--v" {
                out.append("-v")  // kubectl needs a value; alone, read it as the counted flag
            } else {
                out.append(argument)
            }
            index += 1
        }
        return out
    }

    /// The level of `-v=N`, `--v=N` or `-vN`; nil for anything else.
    private static func attachedLevel(_ argument: String) -> Int? {
        for prefix in ["-v=", "--v=", "--verbose="] where argument.hasPrefix(prefix) {
            return level(String(argument.dropFirst(prefix.count)))
        }
        if argument.hasPrefix("-v"), argument.count > 2 { return level(String(argument.dropFirst(2))) }
        return nil
    }

    /// A level: one or more decimal digits.
    private static func level(_ text: String) -> Int? {
        guard !text.isEmpty, text.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return nil }
        return Int(text.prefix(4)).map { min($0, maximumLevel) } ?? maximumLevel
    }

    private static func flags(_ level: Int) -> [String] { Array(repeating: "-v", count: level) }
}
