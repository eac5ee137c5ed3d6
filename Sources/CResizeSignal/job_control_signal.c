#include "job_control_signal.h"

#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

static int job_wakeup_fd = -1;
static volatile sig_atomic_t stop_requested = 0;
static volatile sig_atomic_t continued = 0;
static struct sigaction stop_action;

static void wake(void) {
  if (job_wakeup_fd >= 0) {
    char byte = 'j';
    ssize_t ignored = write(job_wakeup_fd, &byte, 1);  // async-signal-safe
    (void)ignored;
  }
}

static void job_control_handler(int signal) {
  if (signal == SIGTSTP) stop_requested = 1;
  if (signal == SIGCONT) continued = 1;
  wake();
}

void chat_install_job_control_wakeup(int fd) {
  job_wakeup_fd = fd;
  memset(&stop_action, 0, sizeof stop_action);
  stop_action.sa_handler = job_control_handler;
  sigemptyset(&stop_action.sa_mask);
  stop_action.sa_flags = SA_RESTART;
  sigaction(SIGTSTP, &stop_action, NULL);
  sigaction(SIGCONT, &stop_action, NULL);
}

int chat_take_stop_request(void) {
  int value = stop_requested;
  stop_requested = 0;
  return value;
}

int chat_take_continued(void) {
  int value = continued;
  continued = 0;
  return value;
}

void chat_stop_for_job_control(void) {
  struct sigaction ignore;
  memset(&ignore, 0, sizeof ignore);
  ignore.sa_handler = SIG_IGN;
  sigemptyset(&ignore.sa_mask);
  struct sigaction default_action = ignore;
  default_action.sa_handler = SIG_DFL;
  // First the rest of our process group (a script that started chat), as the terminal's
  // Ctrl-Z would: the shell's job is the whole group, and it is stopped only when all of
  // it is. Ignored here meanwhile, so that this process stops only below.
  sigaction(SIGTSTP, &ignore, NULL);
  kill(0, SIGTSTP);
  // The signal is ignored for this process only if the thread the kernel checks (the main
  // thread) isn't blocking it at that moment; it is while it runs our handler for the
  // SIGTSTP that brought us here, which may not have returned yet. Then the signal stays
  // pending and, once the action is the default again, stops the process early and once
  // too often: after fg, the stop below stops it a second time. Setting SIG_IGN again
  // discards a pending SIGTSTP (POSIX).
  sigaction(SIGTSTP, &ignore, NULL);
  sigaction(SIGTSTP, &default_action, NULL);
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTSTP);
  pthread_sigmask(SIG_UNBLOCK, &set, NULL);
  // Then this process, through this thread, not the process: the kernel could give a
  // process-directed signal to another thread, which might act on it only after our
  // handler is back (and then not stop). This thread acts on it as the call returns: the
  // whole process stops there and the call returns once it is continued (fg). In an
  // orphaned process group, with no shell to continue it, the kernel discards it and the
  // call returns at once.
  pthread_kill(pthread_self(), SIGTSTP);
  sigaction(SIGTSTP, &stop_action, NULL);
}
