#ifndef FIREDRILL_CNCURSES_SHIM_H
#define FIREDRILL_CNCURSES_SHIM_H
/* ncursesw with wide characters, and static inline wrappers for what Swift 6 cannot
   import: the globals (stdscr, LINES, COLS, COLORS, COLOR_PAIRS), the A_* attribute
   macros, ACS_* line drawing, getmaxyx, and glibc's stdin/stdout. */
#ifndef NCURSES_WIDECHAR
#define NCURSES_WIDECHAR 1
#endif
#ifndef _XOPEN_SOURCE_EXTENDED
#define _XOPEN_SOURCE_EXTENDED 1
#endif
#include <locale.h>
#include <stdio.h>
#include <unistd.h>
#include <wchar.h>
#include <ncursesw/curses.h>

static inline WINDOW *fd_stdscr(void) { return stdscr; }
static inline int fd_lines(void) { return LINES; }
static inline int fd_cols(void) { return COLS; }
static inline int fd_colors(void) { return COLORS; }
static inline int fd_color_pairs(void) { return COLOR_PAIRS; }
static inline FILE *fd_stdin(void) { return stdin; }
static inline FILE *fd_stdout(void) { return stdout; }
static inline void fd_getmaxyx(WINDOW *w, int *y, int *x) { int yy, xx; getmaxyx(w, yy, xx); *y = yy; *x = xx; }

static inline attr_t fd_a_normal(void) { return A_NORMAL; }
static inline attr_t fd_a_bold(void) { return A_BOLD; }
static inline attr_t fd_a_dim(void) { return A_DIM; }
static inline attr_t fd_a_reverse(void) { return A_REVERSE; }
static inline attr_t fd_a_underline(void) { return A_UNDERLINE; }

static inline int fd_key_resize(void) { return KEY_RESIZE; }
static inline int fd_key_up(void) { return KEY_UP; }
static inline int fd_key_down(void) { return KEY_DOWN; }
static inline int fd_key_backspace(void) { return KEY_BACKSPACE; }

/* Put one styled wide character (with combining zero) at y, x. Pair may exceed 255. */
static inline int fd_put_cell(int y, int x, wchar_t ch, attr_t attrs, int pair) {
    cchar_t c;
    wchar_t wch[2] = {ch, 0};
    if (setcchar(&c, wch, attrs, (short)(pair < 32767 ? pair : 0), NULL) != OK) return ERR;
    return mvadd_wch(y, x, &c);
}
#endif
