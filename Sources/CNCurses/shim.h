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
#include <signal.h>
#include <string.h>
#include <termios.h>
#include <stdio.h>
#include <unistd.h>
#include <wchar.h>
#include <ncursesw/curses.h>

/* term.h's setupterm, declared alone: term.h's capability macros (lines, columns, ...) would
   leak into Swift's names. */
extern int setupterm(const char *, int, int *);

/* Whether curses can draw on the terminal TERM names: it knows the terminal and the terminal
   has cursor addressing (TERM=dumb has not: curses would draw a blank screen). */
static inline int fd_term_can_draw(void) {
    int err = 0;
    if (setupterm(NULL, 1, &err) != 0) return 0;
    const char *cup = tigetstr("cup");
    return cup != NULL && cup != (const char *)-1;
}

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
static inline int fd_key_left(void) { return KEY_LEFT; }
static inline int fd_key_right(void) { return KEY_RIGHT; }
static inline int fd_key_ppage(void) { return KEY_PPAGE; }
static inline int fd_key_npage(void) { return KEY_NPAGE; }
static inline int fd_key_home(void) { return KEY_HOME; }
static inline int fd_key_end(void) { return KEY_END; }
static inline int fd_key_enter(void) { return KEY_ENTER; }
static inline int fd_key_backspace(void) { return KEY_BACKSPACE; }
static inline int fd_key_code_yes(void) { return KEY_CODE_YES; }
static inline int fd_ok(void) { return OK; }
static inline int fd_key_mouse(void) { return KEY_MOUSE; }

/* Mouse: clicks and the wheel only (a terminal's own text selection works with Shift). */
static inline void fd_enable_mouse(void) {
    mmask_t mask = BUTTON1_PRESSED | BUTTON1_CLICKED | BUTTON4_PRESSED;
#ifdef BUTTON5_PRESSED
    mask |= BUTTON5_PRESSED;
#endif
    mousemask(mask, NULL);
    mouseinterval(0);
}

/* The pending mouse event: 1 click, 2 wheel up, 3 wheel down, 0 none or another. */
static inline int fd_read_mouse(int *x, int *y) {
    MEVENT e;
    if (getmouse(&e) != OK) return 0;
    *x = e.x;
    *y = e.y;
    if (e.bstate & (BUTTON1_PRESSED | BUTTON1_CLICKED)) return 1;
    if (e.bstate & BUTTON4_PRESSED) return 2;
#ifdef BUTTON5_PRESSED
    if (e.bstate & BUTTON5_PRESSED) return 3;
#endif
    return 0;
}

/* Terminal restoration on signals. Only async-signal-safe calls run in the handlers:
   a crash signal puts the saved terminal modes back, leaves the alternate screen, shows
   the cursor, and re-raises with the default action (so a core dump still happens);
   SIGINT, SIGTERM and SIGHUP are handled in Swift (Terminal/SignalGuard.swift), which is
   also the one file that calls these. */
static inline struct termios *fd_saved_termios(void) { static struct termios saved; return &saved; }
static volatile sig_atomic_t fd_have_termios = 0;
static volatile sig_atomic_t fd_screen_active = 0;

static void fd_crash_handler(int sig) {
    if (fd_screen_active) {
        if (fd_have_termios) tcsetattr(0, TCSANOW, fd_saved_termios());
        static const char reset[] = "\033[0m\033[?1000l\033[?1002l\033[?1006l\033[?25h\033[?1049l\r\nfiredrill: crashed; the terminal was restored\r\n";
        ssize_t ignored = write(2, reset, sizeof reset - 1);
        (void)ignored;
    }
    signal(sig, SIG_DFL);
    raise(sig);
}

static inline void fd_install_signal_handlers(void) {
    if (tcgetattr(0, fd_saved_termios()) == 0) fd_have_termios = 1;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sigemptyset(&sa.sa_mask);
    sa.sa_handler = fd_crash_handler;
    int crash[] = {SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT, SIGTRAP};
    for (unsigned i = 0; i < sizeof crash / sizeof crash[0]; i++) sigaction(crash[i], &sa, NULL);
}

static inline void fd_set_screen_active(int on) { fd_screen_active = on; }


/* Put one styled wide character at y, x. The pair goes through setcchar's extended
   argument, so pairs past 255 (which COLOR_PAIR cannot hold) work too. */
static inline int fd_put_cell(int y, int x, wchar_t ch, attr_t attrs, int pair) {
    cchar_t c;
    wchar_t wch[2] = {ch, 0};
    int p = pair;
    if (setcchar(&c, wch, attrs, 0, &p) != OK) return ERR;
    return mvadd_wch(y, x, &c);
}

/* Defines a colour pair; -1 is the terminal's default colour. */
static inline int fd_init_pair(int pair, int fg, int bg) { return init_extended_pair(pair, fg, bg); }
#endif
