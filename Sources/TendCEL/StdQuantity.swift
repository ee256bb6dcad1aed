/// `quantity("500m")`: Kubernetes resource quantities, as a plus over cel-go's core.
///
/// Tend represents a quantity as its value in canonical form: `quantity(s)` parses the
/// Kubernetes quantity syntax (decimal SI suffixes `n u m k M G T P E`, binary suffixes
/// `Ki Mi Gi Ti Pi Ei`, exponents `1e3`) and returns a `double` number of base units, so
/// quantities compare and add as numbers: `quantity(self.spec.memory) <= quantity("2Gi")`.
/// `isQuantity(s)` tests the syntax.
extension FunctionTable {
    mutating func addQuantity() {
        add("quantity", global: true) { (v: CELValue) throws(CELError) -> CELValue in
            guard case .string(let s) = v else { throw .noOverload("quantity", v) }
            guard let d = parseQuantity(s) else { throw CELError("invalid quantity \(quoteString(s))") }
            return .double(d)
        }
        add("isQuantity", global: true) { (v: CELValue) throws(CELError) -> CELValue in
            guard case .string(let s) = v else { throw .noOverload("isQuantity", v) }
            return .bool(parseQuantity(s) != nil)
        }
    }
}

func parseQuantity(_ s: String) -> Double? {
    let suffixes: [(String, Double)] = [
        ("Ki", 1024), ("Mi", 1_048_576), ("Gi", 1_073_741_824), ("Ti", 1_099_511_627_776),
        ("Pi", 1_125_899_906_842_624), ("Ei", 1_152_921_504_606_846_976),
        ("n", 1e-9), ("u", 1e-6), ("m", 1e-3), ("k", 1e3), ("M", 1e6), ("G", 1e9), ("T", 1e12),
        ("P", 1e15), ("E", 1e18),
    ]
    var number = Substring(s)
    var scale = 1.0
    for (suffix, value) in suffixes where number.hasSuffix(suffix) {
        number = number.dropLast(suffix.count)
        scale = value
        break
    }
    guard !number.isEmpty,
        number.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == "." || $0 == "+" || $0 == "-" || $0 == "e" || $0 == "E") }),
        let d = Double(number)
    else { return nil }
    if scale != 1, number.contains(where: { $0 == "e" || $0 == "E" }) { return nil }
    return d * scale
}
