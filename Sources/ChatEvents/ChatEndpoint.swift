public import ChatProtocol

/// One side of the chat as the front ends see it: a stream of events and a few commands.
///
/// ``ChatListener`` and ``ChatConnector`` are the two kinds. Commands return at once; their
/// outcome arrives as events.
public protocol ChatEndpoint: AnyObject, Sendable {
  /// Every event, in order. It finishes when the endpoint has stopped for good. A front
  /// end that stops reading them makes the endpoint stop reading its sockets.
  var events: SessionEvents { get }
  /// Sends `text` as one message; the outcome is a `messageSent` or `messageNotSent` event.
  func send(_ text: String)
  /// Sends each of `texts` as one message, in order, as ``send(_:)`` does (the lines of a
  /// block of piped input): an endpoint may hand them to its connection in one step.
  func send(contentsOf texts: [String])
  /// Asks who is in the room; the answer arrives as `room` events of kind `who`.
  func who()
  /// Whether this endpoint can send and receive files (both sides must also offer it).
  var supportsFiles: Bool { get }
  /// Offers the file at `path` to the peer (`member`: to one member of the room, through
  /// the relay); the outcome arrives as ``SessionEvent/file(_:_:)`` events.
  func offerFile(path: String, to member: String?)
  /// Accepts the offer `id` (its short form as shown, or the whole id), saving into
  /// `directory` (nil: the endpoint's default, the current directory).
  func acceptFile(_ id: String, into directory: String?)
  /// Rejects the offer `id`.
  func rejectFile(_ id: String)
  /// Stops the transfer `id`, either way.
  func cancelFile(_ id: String)
  /// Says goodbye to the peer, stops, and returns once the connection is closed.
  func close(_ goodbye: Goodbye) async
}

extension ChatEndpoint {
  public var supportsFiles: Bool { false }
  public func offerFile(path: String, to member: String?) {}
  public func acceptFile(_ id: String, into directory: String?) {}
  public func rejectFile(_ id: String) {}
  public func cancelFile(_ id: String) {}
  public func send(contentsOf texts: [String]) {
    for text in texts { send(text) }
  }
}
