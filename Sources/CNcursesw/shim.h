// What Swift can't import from ncursesw directly: macros, attribute constants, globals that
// Swift 6 rejects as unsafe.
#ifndef CHAT_NCURSESW_SHIM_H
#define CHAT_NCURSESW_SHIM_H

#ifndef NCURSES_WIDECHAR
#define NCURSES_WIDECHAR 1
#endif
#include <locale.h>
#include <langinfo.h>
#include <string.h>
#include <wchar.h>
#include <ncursesw/curses.h>
#include <ncursesw/term.h>

static inline WINDOW *chat_stdscr(void) { return stdscr; }
static inline int chat_lines(void) { return LINES; }
static inline int chat_cols(void) { return COLS; }
static inline int chat_colors(void) { return COLORS; }
static inline int chat_key_code_yes(void) { return KEY_CODE_YES; }
static inline int chat_key_resize(void) { return KEY_RESIZE; }

static inline attr_t chat_attr_normal(void) { return A_NORMAL; }
static inline attr_t chat_attr_bold(void) { return A_BOLD; }
static inline attr_t chat_attr_dim(void) { return A_DIM; }
static inline attr_t chat_attr_reverse(void) { return A_REVERSE; }
static inline attr_t chat_attr_underline(void) { return A_UNDERLINE; }
static inline attr_t chat_color_pair(short pair) { return COLOR_PAIR(pair); }

/// Sets the attributes for the next characters drawn.
static inline int chat_set_attributes(WINDOW *window, attr_t attributes, short pair) {
  return wattr_set(window, attributes, pair, NULL);
}

/// Draws one terminal cell: a spacing character and up to CCHARW_MAX - 1 that join it
/// (combining marks, zero-width joiners and what follows them), in the current attributes.
/// ncurses takes the cell's width from its first character. setcchar() cuts the cell at
/// the first spacing character after the first (it would draw only 👨 of 👨‍👩‍👧), so the
/// rest are put in after it.
static inline int chat_draw_cell(WINDOW *window, int row, int column, const wchar_t *scalars, int count) {
  if (count < 1) return ERR;
  if (count > CCHARW_MAX) count = CCHARW_MAX;
  wchar_t first[2] = {scalars[0], 0};
  attr_t attributes = 0;
  short pair = 0;
  wattr_get(window, &attributes, &pair, NULL);
  cchar_t cell;
  memset(&cell, 0, sizeof cell);
  if (setcchar(&cell, first, attributes, pair, NULL) != OK) return ERR;
  for (int i = 1; i < count; i++) cell.chars[i] = scalars[i];
  return mvwadd_wch(window, row, column, &cell);
}

/// The terminfo string capability `name`, or NULL when the terminal lacks it.
static inline const char *chat_terminfo_string(const char *name) {
  char *value = tigetstr((char *)name);
  if (value == NULL || value == (char *)-1) return NULL;
  return value;
}

/// Whether the locale's character set is UTF-8.
static inline int chat_locale_is_utf8(void) {
  const char *codeset = nl_langinfo(CODESET);
  return codeset != NULL && (strcmp(codeset, "UTF-8") == 0 || strcmp(codeset, "utf8") == 0);
}

#endif
