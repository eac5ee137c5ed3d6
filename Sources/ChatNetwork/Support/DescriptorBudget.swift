#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// How many connections the process can hold open, given its file-descriptor limit.
///
/// Every connection is a descriptor, and so is every connection turned away (until its
/// refusal is sent). A room that admits more than its descriptors allow ends up unable to
/// accept at all, so honest clients get no answer. chat raises its soft limit to the hard
/// one at start, keeps ``reserve`` descriptors for itself (event loops, standard streams,
/// the listening sockets) and for refusing the connections it can't take, and admits at
/// most the rest.
public struct DescriptorBudget: Hashable, Sendable {
  /// The soft limit, after raising it as far as allowed.
  public var limit: Int
  /// Descriptors kept back for the process itself and for sending refusals.
  public var reserve: Int

  public init(limit: Int, reserve: Int = DescriptorBudget.defaultReserve) {
    self.limit = limit
    self.reserve = reserve
  }

  /// Enough for the event loops (three each), stdio, two listening sockets, the input
  /// thread, and a few dozen refusals in flight.
  public static let defaultReserve = 32

  /// The most connections to admit when `requested` (`--max-clients`) are asked for: at
  /// least one, whatever the limit.
  public func connectionLimit(requested: Int) -> Int {
    max(1, min(requested, limit - reserve))
  }

  /// The start-up line: what the room takes, and why it is less than asked when it is.
  public func describe(requested: Int) -> String {
    let effective = connectionLimit(requested: requested)
    guard effective < requested else {
      return "accepting up to \(effective) connections at once (\(limit) file descriptors)"
    }
    return "accepting up to \(effective) connections at once, not \(requested): \(limit) file descriptors, "
      + "\(reserve) kept in reserve (raise the limit with ulimit -n)"
  }

  /// Raises the soft RLIMIT_NOFILE to the hard limit (capped where the system caps it) and
  /// returns the budget under the limit in force afterwards.
  public static func raisingSoftLimit() -> DescriptorBudget {
    var limits = rlimit()
    guard getrlimit(openFilesResource, &limits) == 0 else { return DescriptorBudget(limit: 1024) }
    if limits.rlim_cur < limits.rlim_max {
      var raised = limits
      raised.rlim_cur = limits.rlim_max
      if setrlimit(openFilesResource, &raised) == 0 { limits = raised }
    }
    // RLIM_INFINITY is a huge number; no process needs more than an Int's worth.
    return DescriptorBudget(limit: Int(clamping: limits.rlim_cur))
  }

  #if canImport(Glibc)
    private static let openFilesResource = __rlimit_resource_t(RLIMIT_NOFILE.rawValue)
  #else
    private static let openFilesResource = RLIMIT_NOFILE
  #endif
}
