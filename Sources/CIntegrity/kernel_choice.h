/* Internal to CIntegrity: an environment variable that forces a kernel's choice. */
#ifndef FIREDRILL_KERNEL_CHOICE_H
#define FIREDRILL_KERNEL_CHOICE_H

/* One kernel a variable may name. */
typedef struct {
    int id;
    const char *name;
    int available;
} fd_kernel_option;

/* The kernel `variable` names among `options`, or `fallback` when it is unset or empty.
   A name that is unknown or not available on this CPU is refused: *refused is set, one
   line naming the variable and the kernels this CPU runs goes to stderr, and `fallback`
   is returned. */
int fd_kernel_forced(const char *variable, const fd_kernel_option *options, int count, int fallback, int *refused);

#endif
