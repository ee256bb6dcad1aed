/// The cost budget of an evaluation, modelled on the Kubernetes API server's CEL cost limit.
///
/// Evaluating a comprehension (`all`, `exists`, `exists_one`, `map`, `filter`, the two-variable
/// forms, `sortBy`, `optMap`, `optFlatMap`) costs, for each element it visits, one unit plus the
/// number of nodes in its body expressions. Everything else is free: a guard without
/// comprehensions never comes near the limit, and counting it would slow the common case.
/// `lists.range(n)` refuses an `n` above the limit. An evaluation whose cost exceeds its limit
/// fails with the ``CELError`` "cost limit exceeded", located at the comprehension.
///
/// At load time, ``CostEstimator`` refuses an expression whose bounded worst case is over the
/// limit (CostEstimate.swift).
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
