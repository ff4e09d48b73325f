/*
 * CRC32C (Castagnoli): the shared constants, the portable slicing-by-8 kernel and the
 * choice of kernel. The hardware kernels are in crc32c_x86.c (SSE4.2 crc32 on three
 * streams, PCLMULQDQ folding on xmm, VPCLMULQDQ folding on ymm and on AVX-512) and crc32c_arm.c (the ARMv8 crc32c
 * instructions on three streams, joined by PMULL). The fastest the CPU runs is chosen
 * once, unless FIREDRILL_CRC_KERNEL names another (so tests and CI can force every path).
 * All values here are raw CRC registers; the caller does the pre- and post-inversion.
 */
#include "crc32c_kernels.h"
#include "kernel_choice.h"
#include <pthread.h>
#include <string.h>

static uint32_t table[8][256];
uint32_t fd_crc_kshift[2 * FD_CRC_BLOCK / 8];
uint64_t fd_crc_kfold[FD_FCOUNT][2];
uint32_t fd_crc_kregion[3];
static const unsigned fold_distance[FD_FCOUNT] = {256, 64, 128, 48, 32, 16};
static pthread_once_t once = PTHREAD_ONCE_INIT;

/* a*b mod P, reflected (x^0 is 0x80000000); only used at start-up. */
static uint32_t multmodp(uint32_t a, uint32_t b) {
    uint32_t product = 0;
    for (uint32_t m = 0x80000000u; m; m >>= 1) {
        if (a & m) product ^= b;
        b = (b & 1) ? (b >> 1) ^ FD_CRC_POLY : b >> 1;
    }
    return product;
}

static uint32_t xpow(uint64_t n) { /* x^n mod P by squaring; only used at start-up */
    uint32_t result = 0x80000000u, square = 0x40000000u; /* x^0, x^1 */
    for (; n; n >>= 1) {
        if (n & 1) result = multmodp(result, square);
        square = multmodp(square, square);
    }
    return result;
}

static void init_tables(void) {
    for (uint32_t n = 0; n < 256; n++) {
        uint32_t c = n;
        for (int k = 0; k < 8; k++) c = (c & 1) ? (c >> 1) ^ FD_CRC_POLY : c >> 1;
        table[0][n] = c;
    }
    for (uint32_t n = 0; n < 256; n++) {
        uint32_t c = table[0][n];
        for (int k = 1; k < 8; k++) {
            c = table[0][c & 0xff] ^ (c >> 8);
            table[k][n] = c;
        }
    }
    /* Powers of x in the reflected representation: x^0 is 0x80000000. */
    uint32_t v = 0x80000000u;
    uint64_t power = 0;
    for (size_t i = 0; i < sizeof fd_crc_kshift / sizeof fd_crc_kshift[0]; i++) {
        uint64_t want = 8 * 8 * (uint64_t)(i + 1) - 33;
        while (power < want) {
            v = (v & 1) ? (v >> 1) ^ FD_CRC_POLY : v >> 1;
            power++;
        }
        fd_crc_kshift[i] = v;
    }
    for (int i = 0; i < 3; i++) fd_crc_kregion[i] = xpow(8ull * (uint64_t)(i + 1) * FD_CRC_REGION - 33);
    for (int f = 0; f < FD_FCOUNT; f++) {
        fd_crc_kfold[f][0] = xpow(8ull * fold_distance[f] + 31);
        fd_crc_kfold[f][1] = xpow(8ull * fold_distance[f] - 33);
    }
}

static inline void ensure_init(void) { pthread_once(&once, init_tables); }

uint32_t fd_crc_table_kernel(uint32_t crc, const uint8_t *p, size_t n) {
    while (n && ((uintptr_t)p & 7)) {
        crc = table[0][(crc ^ *p++) & 0xff] ^ (crc >> 8);
        n--;
    }
    while (n >= 8) {
        uint64_t w;
        memcpy(&w, p, 8);
        w ^= crc;
        crc = table[7][w & 0xff] ^ table[6][(w >> 8) & 0xff] ^ table[5][(w >> 16) & 0xff] ^
              table[4][(w >> 24) & 0xff] ^ table[3][(w >> 32) & 0xff] ^ table[2][(w >> 40) & 0xff] ^
              table[1][(w >> 48) & 0xff] ^ table[0][w >> 56];
        p += 8;
        n -= 8;
    }
    while (n--) crc = table[0][(crc ^ *p++) & 0xff] ^ (crc >> 8);
    return crc;
}

/* ---- the kernels and their choice --------------------------------------------------- */

/* Fastest first; the automatic choice is the first available. */
static const fd_crc_kernel ranked[] = {FD_CRC_AVX512, FD_CRC_VPCLMUL256, FD_CRC_PCLMUL128, FD_CRC_SSE42, FD_CRC_ARMV8, FD_CRC_TABLE};
#define RANKED (sizeof ranked / sizeof ranked[0])

int fd_crc32c_kernel_available(fd_crc_kernel kernel) {
    uint32_t f = fd_cpu_features();
    const uint32_t sse = FD_CPU_SSE42 | FD_CPU_PCLMUL;
    switch (kernel) {
    case FD_CRC_AUTO:
    case FD_CRC_TABLE: return 1;
    case FD_CRC_SSE42:
    case FD_CRC_PCLMUL128: return (f & sse) == sse;
    case FD_CRC_VPCLMUL256: return (f & (sse | FD_CPU_AVX2 | FD_CPU_VPCLMUL)) == (sse | FD_CPU_AVX2 | FD_CPU_VPCLMUL);
    case FD_CRC_AVX512: {
        const uint32_t need = sse | FD_CPU_AVX512BW | FD_CPU_AVX512VL | FD_CPU_VPCLMUL;
        return (f & need) == need;
    }
    case FD_CRC_ARMV8: return (f & (FD_CPU_ARM_CRC32 | FD_CPU_PMULL)) == (FD_CPU_ARM_CRC32 | FD_CPU_PMULL);
    }
    return 0;
}

const char *fd_crc32c_kernel_name_of(fd_crc_kernel kernel) {
    switch (kernel) {
    case FD_CRC_AUTO: return "automatic";
    case FD_CRC_TABLE: return "slicing-by-8";
    case FD_CRC_SSE42: return "sse4.2";
    case FD_CRC_PCLMUL128: return "pclmul-sse";
    case FD_CRC_VPCLMUL256: return "vpclmul-avx2";
    case FD_CRC_AVX512: return "vpclmul-avx512";
    case FD_CRC_ARMV8: return "armv8-crc";
    }
    return "unknown";
}

typedef uint32_t (*crc_fn)(uint32_t, const uint8_t *, size_t);

static crc_fn kernel_fn(fd_crc_kernel k) {
    switch (k) {
    case FD_CRC_AUTO:
    case FD_CRC_TABLE: return fd_crc_table_kernel;
#if defined(__x86_64__)
    case FD_CRC_SSE42: return fd_crc_sse42_kernel;
    case FD_CRC_PCLMUL128: return fd_crc_pclmul128_kernel;
    case FD_CRC_VPCLMUL256: return fd_crc_vpclmul256_kernel;
    case FD_CRC_AVX512: return fd_crc_avx512_kernel;
    case FD_CRC_ARMV8: return fd_crc_table_kernel;
#elif defined(__aarch64__)
    case FD_CRC_ARMV8: return fd_crc_armv8_kernel;
    case FD_CRC_SSE42:
    case FD_CRC_PCLMUL128:
    case FD_CRC_VPCLMUL256:
    case FD_CRC_AVX512: return fd_crc_table_kernel;
#else
    case FD_CRC_SSE42:
    case FD_CRC_PCLMUL128:
    case FD_CRC_VPCLMUL256:
    case FD_CRC_AVX512:
    case FD_CRC_ARMV8: return fd_crc_table_kernel;
#endif
    }
    return fd_crc_table_kernel;
}

static crc_fn best = 0;
static int chosen = -1;
static int refused = 0; /* FIREDRILL_CRC_KERNEL named a kernel this CPU does not run */

static void resolve(void) {
    ensure_init();
    fd_crc_kernel fastest = FD_CRC_TABLE;
    fd_kernel_option options[RANKED];
    for (size_t i = 0; i < RANKED; i++) {
        int available = fd_crc32c_kernel_available(ranked[i]);
        options[i] = (fd_kernel_option){(int)ranked[i], fd_crc32c_kernel_name_of(ranked[i]), available};
        if (available && fastest == FD_CRC_TABLE) fastest = ranked[i];
    }
    int no = 0;
    int k = fd_kernel_forced("FIREDRILL_CRC_KERNEL", options, (int)RANKED, (int)fastest, &no);
    /* Idempotent: racing threads compute the same values (and at worst warn twice). */
    __atomic_store_n(&refused, no, __ATOMIC_RELAXED);
    __atomic_store_n(&chosen, k, __ATOMIC_RELAXED);
    __atomic_store_n(&best, kernel_fn((fd_crc_kernel)k), __ATOMIC_RELEASE);
}

uint32_t fd_crc32c_update(uint32_t state, const void *data, size_t len) {
    crc_fn f = __atomic_load_n(&best, __ATOMIC_ACQUIRE);
    if (!f) {
        resolve();
        f = __atomic_load_n(&best, __ATOMIC_ACQUIRE);
    }
    return f(state, (const uint8_t *)data, len);
}

uint32_t fd_crc32c_update_with(fd_crc_kernel kernel, uint32_t state, const void *data, size_t len) {
    ensure_init();
    if (kernel == FD_CRC_AUTO) return fd_crc32c_update(state, data, len);
    fd_crc_kernel k = fd_crc32c_kernel_available(kernel) ? kernel : FD_CRC_TABLE;
    return kernel_fn(k)(state, (const uint8_t *)data, len);
}

const char *fd_crc32c_kernel_name(void) {
    if (!__atomic_load_n(&best, __ATOMIC_ACQUIRE)) resolve();
    return fd_crc32c_kernel_name_of((fd_crc_kernel)__atomic_load_n(&chosen, __ATOMIC_RELAXED));
}

int fd_crc32c_kernel_override_refused(void) {
    if (!__atomic_load_n(&best, __ATOMIC_ACQUIRE)) resolve();
    return __atomic_load_n(&refused, __ATOMIC_RELAXED);
}
