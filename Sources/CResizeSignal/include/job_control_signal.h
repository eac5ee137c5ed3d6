#ifndef CHAT_JOB_CONTROL_SIGNAL_H
#define CHAT_JOB_CONTROL_SIGNAL_H

/// Installs SIGTSTP and SIGCONT handlers that only note the signal and write one byte to
/// `fd` (async-signal-safe), so the UI thread, sleeping in poll() on the other end, leaves
/// curses mode before stopping and repaints after continuing. They replace ncurses' own
/// SIGTSTP handler, which calls curses from the signal handler.
void chat_install_job_control_wakeup(int fd);

/// Whether a SIGTSTP arrived since the last call (and forgets it).
int chat_take_stop_request(void);

/// Whether a SIGCONT arrived since the last call (and forgets it).
int chat_take_continued(void);

/// Stops the process as SIGTSTP would by default (the shell sees a stopped job) and
/// returns once it is continued (`fg`). Call with the terminal already restored.
void chat_stop_for_job_control(void);

#endif
