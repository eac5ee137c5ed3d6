import ChatProtocol

/// Accessors that let a test `try #require` the case it expects instead of a `guard case`.
extension SessionAction {
  /// The frame, when this action sends one.
  var sentFrame: Frame? { if case .send(let frame) = self { frame } else { nil } }
  /// The report, when this action is one.
  var report: SessionReport? { if case .report(let report) = self { report } else { nil } }
  /// Whether this action closes the connection.
  var isClose: Bool { if case .close = self { true } else { false } }
}

extension Frame {
  /// The report of an ERROR frame.
  var errorReport: ErrorReport? { if case .error(let report) = self { report } else { nil } }
  /// The hello of a HELLO frame.
  var hello: Hello? { if case .hello(let hello) = self { hello } else { nil } }
}

extension SessionReport {
  /// How the session ended, for an `ended` report.
  var end: SessionEnd? { if case .ended(let end) = self { end } else { nil } }
  /// The text and reason of a `messageNotSent` report.
  var notSent: (text: String, reason: String)? {
    if case .messageNotSent(let text, let reason) = self { (text, reason) } else { nil }
  }
}

extension Result {
  /// The value of a success.
  var value: Success? { if case .success(let value) = self { value } else { nil } }
  /// The error of a failure.
  var error: Failure? { if case .failure(let error) = self { error } else { nil } }
}

extension SessionEnd {
  /// The code and reason of a `failed` end.
  var failure: (code: ErrorCode, reason: String)? {
    if case .failed(let code, let reason) = self { (code, reason) } else { nil }
  }
}
