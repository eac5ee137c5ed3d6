#ifndef CHAT_RESIZE_SIGNAL_H
#define CHAT_RESIZE_SIGNAL_H

/// Chains a SIGWINCH handler after the one installed now (ncurses', which records the new
/// size) that writes one byte to `fd`, so a thread sleeping in poll() on the other end of
/// that pipe wakes up, whichever thread the signal was delivered to.
void chat_install_resize_wakeup(int fd);

#endif
