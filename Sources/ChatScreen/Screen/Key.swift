/// A key press or terminal event, already decoded from the terminal's codes.
public enum Key: Hashable, Sendable {
  /// Printable text typed (or pasted) at the cursor.
  case text(String)
  case enter
  /// Tab: completes a path after `/send` or `/accept ID`; elsewhere it is typed.
  case tab
  case backspace
  case delete
  case left
  case right
  case up
  case down
  case home
  case end
  case pageUp
  case pageDown
  case wordLeft
  case wordRight
  /// Jump to the top or bottom of the scrollback (Ctrl-Home, Ctrl-End).
  case scrollTop
  case scrollBottom
  /// Ctrl and a letter, lowercase: `.control("a")` is Ctrl-A.
  case control(Character)
  /// A bracketed paste, whole: its line breaks are "\n".
  case paste(String)
  /// Insert: recognised so that its sequence is not typed as text; it does nothing.
  case insert
  case escape
}

/// What the screen asks the program to do.
public enum ScreenCommand: Hashable, Sendable {
  case send(String)
  /// Ask who is in the room.
  case who
  /// The user compared the safety number and it matched: pin the peer's key as verified
  /// (`name`: a member's hello name, when hosting; nil: the peer the program dialled).
  case markVerified(peerKey: [UInt8], name: String?)
  case quit
  /// Stop the program for the shell's job control (Ctrl-Z), and come back on `fg`.
  case suspend
  /// Repaint everything (Ctrl-L).
  case redraw
  /// Run a command for `/run`, off the UI thread; its result comes back through
  /// ``ScreenModel/commandFinished(_:time:)``.
  case runCommand(CommandRequest)
  /// Stop the running command with this ``CommandRequest/id`` (kill its process group).
  case stopCommand(id: Int)
  /// `/send [NAME] PATH`: offer the file to the peer (`to`: a room member).
  case offerFile(path: String, to: String?)
  /// `/accept [ID [DIR]]` ("": the only offer; nil directory: the default folder).
  case acceptFile(id: String, directory: String?)
  case rejectFile(id: String)
  case cancelFile(id: String)
}
