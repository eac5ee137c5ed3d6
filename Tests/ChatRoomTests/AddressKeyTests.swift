import ChatRoom
import Testing

@Suite("AddressKey: the address per-address limits count by")
struct AddressKeyTests {
  @Test(arguments: [
    ("127.0.0.1", "127.0.0.1"),
    ("::ffff:127.0.0.1", "127.0.0.1"),
    ("::FFFF:7f00:0001", "127.0.0.1"),
    ("0:0:0:0:0:ffff:10.1.2.3", "10.1.2.3"),
    ("::1", "::/64"),
    ("2001:db8::1", "2001:db8::/64"),
    ("2001:DB8:0:0:1:2:3:4", "2001:db8::/64"),
    ("2001:db8:aa:bb:cc:dd:ee:ff", "2001:db8:aa:bb::/64"),
    ("fe80::1%eth0", "fe80::/64"),
    ("[2001:db8:1::5]", "2001:db8:1::/64"),
    ("::", "::/64"),
    ("1:2:3:4:5:6:7:8", "1:2:3:4::/64"),
    ("1::", "1::/64"),
    ("unknown address", "unknown address"),
    ("1:2:3:4:5:6:7:8:9", "1:2:3:4:5:6:7:8:9"),
    (":::1", ":::1"),
    ("1::2::3", "1::2::3"),
    ("::ffff:300.1.1.1", "::ffff:300.1.1.1"),
  ])
  func keys(_ address: String, _ key: String) {
    #expect(AddressKey(address).description == key)
  }
}
