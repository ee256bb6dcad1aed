/// The cost budget of an evaluation, modelled on the Kubernetes API server's CEL cost limits.
///
/// **Runtime cost.** Evaluating a comprehension (`all`, `exists`, `map`, `filter`, the
/// two-variable forms, `sortBy`, `optMap`) costs, for each element, one unit plus the number of
/// nodes in its body expressions; the library functions that build lists or strings (`sort`,
/// `join`, `split`, `format`, `lists.range`, `json.marshal`, ...) cost one unit per element or per
/// ten characters of their result. Everything else is free: a guard without comprehensions never
/// comes near the limit, and counting it would slow the common case. An evaluation whose cost
/// exceeds its limit fails with ``CELError`` "cost limit exceeded", which names the limit.
///
/// **Estimated cost.** At load time the compiler estimates the worst-case cost of an expression
/// whose comprehensions range over values it knows the size of (literals, `lists.range(n)` with
/// a constant `n`, nested comprehensions over those); an estimate above the limit is a compile
/// error. Ranges over variables are unbounded, left to the runtime limit.
public enum CELCostBudget {
    /// The default runtime cost limit of one evaluation: 1,000,000 units, the Kubernetes API
    /// server's per-expression limit (`PerCallLimit`).
    public static let defaultLimit: Int64 = 1_000_000
}

extension CELError {
    static func costLimitExceeded(_ limit: Int64, offset: Int) -> CELError {
        CELError("cost limit exceeded: the evaluation needs more than \(limit) units (see docs/expressions.md#cost-budget)", offset: offset)
    }
}
