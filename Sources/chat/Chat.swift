import ChatApp

/// The `chat` executable: parse the command line and run it (see ``ChatCommand``).
@main
enum Chat {
  static func main() async {
    do {
      let command = try ChatCommand.parse()
      try await command.run()
    } catch {
      ChatCommand.exit(withError: error)
    }
  }
}
