/* An environment variable that forces a kernel's choice (see kernel_choice.h). */
#include "kernel_choice.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int fd_kernel_forced(const char *variable, const fd_kernel_option *options, int count, int fallback, int *refused) {
    const char *want = getenv(variable);
    if (!want || !*want) return fallback;
    const char *fallback_name = "";
    for (int i = 0; i < count; i++) {
        if (options[i].id == fallback) fallback_name = options[i].name;
        if (options[i].available && strcmp(options[i].name, want) == 0) return options[i].id;
    }
    *refused = 1;
    fprintf(stderr, "firedrill: %s='%s' is not a kernel this CPU runs (it runs:", variable, want);
    for (int i = 0; i < count; i++)
        if (options[i].available) fprintf(stderr, " %s", options[i].name);
    fprintf(stderr, "); using %s\n", fallback_name);
    return fallback;
}
