import CNcursesw
import ChatScreen

/// Turns ncurses key codes into the screen model's ``Key``s.
struct KeyDecoder {
  let codes: CursesScreen.KeyCodes

  enum Decoded: Hashable {
    case key(Key)
    case resize
  }

  func decode(_ raw: RawKey) -> Decoded? {
    switch raw {
    case .function(let code):
      return decodeFunction(code)
    case .character(let value):
      switch value {
      case 10, 13: return .key(.enter)
      case 8, 127: return .key(.backspace)
      case 9: return .key(.text("\t"))
      case 27: return .key(.escape)
      case 1...26: return .key(.control(Character(Unicode.Scalar(value + 96)!)))
      case 0, 28...31: return nil
      default:
        guard let scalar = Unicode.Scalar(value) else { return nil }
        return .key(.text(String(Character(scalar))))
      }
    }
  }

  private func decodeFunction(_ code: Int32) -> Decoded? {
    switch code {
    case chat_key_resize(): return .resize
    case KEY_LEFT: return .key(.left)
    case KEY_RIGHT: return .key(.right)
    case KEY_UP: return .key(.up)
    case KEY_DOWN: return .key(.down)
    case KEY_HOME: return .key(.home)
    case KEY_END: return .key(.end)
    case KEY_PPAGE: return .key(.pageUp)
    case KEY_NPAGE: return .key(.pageDown)
    case KEY_BACKSPACE: return .key(.backspace)
    case KEY_DC: return .key(.delete)
    case KEY_ENTER: return .key(.enter)
    case codes.pasteBegin: return .key(.pasteBegin)
    case codes.pasteEnd: return .key(.pasteEnd)
    case codes.controlHome: return .key(.scrollTop)
    case codes.controlEnd: return .key(.scrollBottom)
    case codes.controlLeft: return .key(.wordLeft)
    case codes.controlRight: return .key(.wordRight)
    default: return nil
    }
  }
}
