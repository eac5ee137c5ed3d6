#include "resize_signal.h"

#include <signal.h>
#include <string.h>
#include <unistd.h>

static int wakeup_fd = -1;
static struct sigaction previous_action;

static void resize_handler(int signal, siginfo_t *info, void *context) {
  if (previous_action.sa_flags & SA_SIGINFO) {
    if (previous_action.sa_sigaction != NULL) previous_action.sa_sigaction(signal, info, context);
  } else if (previous_action.sa_handler != SIG_DFL && previous_action.sa_handler != SIG_IGN &&
             previous_action.sa_handler != NULL) {
    previous_action.sa_handler(signal);
  }
  if (wakeup_fd >= 0) {
    char byte = 'w';
    ssize_t ignored = write(wakeup_fd, &byte, 1);  // async-signal-safe
    (void)ignored;
  }
}

void chat_install_resize_wakeup(int fd) {
  struct sigaction action;
  memset(&action, 0, sizeof action);
  action.sa_sigaction = resize_handler;
  sigemptyset(&action.sa_mask);
  action.sa_flags = SA_RESTART | SA_SIGINFO;
  wakeup_fd = fd;
  sigaction(SIGWINCH, &action, &previous_action);
}
