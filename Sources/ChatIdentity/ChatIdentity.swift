/// Who this installation is and whom it has met: its static X25519 identity key, the
/// peers' pinned keys (like SSH's known_hosts), fingerprints and safety numbers.
public enum ChatIdentity {}
