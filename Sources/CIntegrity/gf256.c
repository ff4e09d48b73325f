/*
 * GF(2^8) arithmetic over the polynomial x^8 + x^4 + x^3 + x^2 + 1 (0x11D), and the
 * dispatch of the region kernels Reed-Solomon coding spends its time in:
 *   dst[r] = sum_j c[r][j] * src[j]   (matrix times a stripe of shards)
 * Kernels: scalar (a 256-byte row of the multiplication table) here; SSSE3, AVX2, GFNI on
 * 256- and 512-bit vectors in gf256_x86.c; NEON in gf256_arm.c. The fastest the CPU runs
 * is chosen once, unless FIREDRILL_GF_KERNEL names another (so tests and CI can force
 * every path the CPU has).
 */
#include "gf256_kernels.h"
#include "kernel_choice.h"
#include <pthread.h>
#include <string.h>

static uint8_t gexp[512];
static uint8_t glog[256];
uint8_t fd_gf_mul_table[256][256];
uint8_t fd_gf_nibbles[256][32];
uint64_t fd_gf_affine[256];
static pthread_once_t once = PTHREAD_ONCE_INIT;

static void init_tables(void) {
    unsigned x = 1;
    for (int i = 0; i < 255; i++) {
        gexp[i] = (uint8_t)x;
        glog[x] = (uint8_t)i;
        x <<= 1;
        if (x & 0x100) x ^= 0x11D;
    }
    for (int i = 255; i < 512; i++) gexp[i] = gexp[i - 255];
    for (int a = 0; a < 256; a++)
        for (int b = 0; b < 256; b++)
            fd_gf_mul_table[a][b] = (a && b) ? gexp[glog[a] + glog[b]] : 0;
    for (int c = 0; c < 256; c++) {
        for (int i = 0; i < 16; i++) {
            fd_gf_nibbles[c][i] = fd_gf_mul_table[c][i];
            fd_gf_nibbles[c][16 + i] = fd_gf_mul_table[c][i << 4];
        }
        /* Output bit i of c*x is the parity of (row_i & x), where bit j of row_i is bit i
           of c*2^j; GF2P8AFFINEQB reads row_i from byte 7-i of the matrix. */
        uint64_t m = 0;
        for (int i = 0; i < 8; i++) {
            uint8_t row = 0;
            for (int j = 0; j < 8; j++)
                if ((fd_gf_mul_table[c][1 << j] >> i) & 1) row |= (uint8_t)(1 << j);
            m |= (uint64_t)row << (8 * (7 - i));
        }
        fd_gf_affine[c] = m;
    }
}

static inline void ensure_init(void) { pthread_once(&once, init_tables); }

uint8_t fd_gf_mul(uint8_t a, uint8_t b) {
    ensure_init();
    return fd_gf_mul_table[a][b];
}

uint8_t fd_gf_inv(uint8_t a) {
    ensure_init();
    return a ? gexp[255 - glog[a]] : 0;
}

/* ---- the kernels and their choice --------------------------------------------------- */

/* Fastest first; the automatic choice is the first available. */
static const fd_gf_kernel ranked[] = {FD_GF_GFNI512, FD_GF_GFNI256, FD_GF_AVX2, FD_GF_NEON, FD_GF_SSSE3, FD_GF_SCALAR};
#define RANKED (sizeof ranked / sizeof ranked[0])

int fd_gf_kernel_available(fd_gf_kernel kernel) {
    uint32_t f = fd_cpu_features();
    switch (kernel) {
    case FD_GF_AUTO:
    case FD_GF_SCALAR: return 1;
    case FD_GF_SSSE3: return (f & FD_CPU_SSSE3) != 0;
    case FD_GF_AVX2: return (f & FD_CPU_AVX2) != 0;
    case FD_GF_GFNI256: return (f & (FD_CPU_AVX2 | FD_CPU_GFNI)) == (FD_CPU_AVX2 | FD_CPU_GFNI);
    case FD_GF_GFNI512: return (f & (FD_CPU_AVX512BW | FD_CPU_GFNI)) == (FD_CPU_AVX512BW | FD_CPU_GFNI);
    case FD_GF_NEON: return (f & FD_CPU_NEON) != 0;
    }
    return 0;
}

const char *fd_gf_kernel_name_of(fd_gf_kernel kernel) {
    switch (kernel) {
    case FD_GF_AUTO: return "automatic";
    case FD_GF_SCALAR: return "scalar";
    case FD_GF_SSSE3: return "ssse3";
    case FD_GF_AVX2: return "avx2";
    case FD_GF_GFNI256: return "gfni-avx2";
    case FD_GF_GFNI512: return "gfni-avx512";
    case FD_GF_NEON: return "neon";
    }
    return "unknown";
}

static fd_gf_kernel fastest(void) {
    for (size_t i = 0; i < RANKED; i++)
        if (fd_gf_kernel_available(ranked[i])) return ranked[i];
    return FD_GF_SCALAR;
}

static int chosen = -1; /* the resolved FD_GF_AUTO, once */
static int refused = 0;  /* FIREDRILL_GF_KERNEL named a kernel this CPU does not run */

static fd_gf_kernel automatic(void) {
    int k = __atomic_load_n(&chosen, __ATOMIC_ACQUIRE);
    if (k < 0) {
        /* Idempotent: racing threads compute the same value (and at worst warn twice). */
        fd_kernel_option options[RANKED];
        for (size_t i = 0; i < RANKED; i++)
            options[i] = (fd_kernel_option){(int)ranked[i], fd_gf_kernel_name_of(ranked[i]), fd_gf_kernel_available(ranked[i])};
        int no = 0;
        k = fd_kernel_forced("FIREDRILL_GF_KERNEL", options, (int)RANKED, (int)fastest(), &no);
        __atomic_store_n(&refused, no, __ATOMIC_RELAXED);
        __atomic_store_n(&chosen, k, __ATOMIC_RELEASE);
    }
    return (fd_gf_kernel)k;
}

int fd_gf_kernel_override_refused(void) {
    (void)automatic();
    return __atomic_load_n(&refused, __ATOMIC_RELAXED);
}

const char *fd_gf_kernel_name(void) { return fd_gf_kernel_name_of(automatic()); }

static fd_gf_kernel resolve(fd_gf_kernel k) {
    if (k == FD_GF_AUTO) return automatic();
    return fd_gf_kernel_available(k) ? k : FD_GF_SCALAR;
}

/* ---- scalar --------------------------------------------------------------------------- */

void fd_gf_matmul_scalar(size_t from, size_t to, int nsrc, int ndst, const uint8_t *coeffs,
                         const uint8_t *const *src, uint8_t *const *dst) {
    /* A small buffer per row, so a destination may also be one of the sources. */
    uint8_t tmp[512];
    for (size_t base = from; base < to; base += sizeof tmp) {
        size_t n = to - base < sizeof tmp ? to - base : sizeof tmp;
        for (int r = 0; r < ndst; r++) {
            memset(tmp, 0, n);
            for (int j = 0; j < nsrc; j++) {
                const uint8_t *t = fd_gf_mul_table[coeffs[r * nsrc + j]];
                const uint8_t *s = src[j] + base;
                for (size_t i = 0; i < n; i++) tmp[i] ^= t[s[i]];
            }
            memcpy(dst[r] + base, tmp, n);
        }
    }
}

void fd_gf_matmul_grouped(size_t from, size_t to, int nsrc, int ndst, const uint8_t *coeffs,
                          const uint8_t *const *src, uint8_t *const *dst, int max_group,
                          fd_gf_constants kind, fd_gf_group_fn group) {
    /* Aligned for the vector loads; 48 KiB at most (255 sources, 6 rows, 32 bytes). */
    _Alignas(64) uint8_t constants[FD_GF_MAX_SOURCES * FD_GF_MAX_GROUP * 32];
    if (nsrc > FD_GF_MAX_SOURCES || max_group > FD_GF_MAX_GROUP) {
        fd_gf_matmul_scalar(from, to, nsrc, ndst, coeffs, src, dst);
        return;
    }
    size_t done = from;
    for (int r0 = 0; r0 < ndst; r0 += max_group) {
        int g = ndst - r0 < max_group ? ndst - r0 : max_group;
        const uint8_t *c = coeffs + (size_t)r0 * nsrc;
        for (int j = 0; j < nsrc; j++)
            for (int r = 0; r < g; r++) {
                size_t at = (size_t)j * g + r;
                switch (kind) {
                case FD_GF_NIBBLE_TABLES: memcpy(constants + at * 32, fd_gf_nibbles[c[r * nsrc + j]], 32); break;
                case FD_GF_BIT_MATRICES: memcpy(constants + at * 8, &fd_gf_affine[c[r * nsrc + j]], 8); break;
                }
            }
        done = group(from, to, nsrc, g, constants, src, dst + r0);
    }
    if (done < to) fd_gf_matmul_scalar(done, to, nsrc, ndst, coeffs, src, dst);
}

static fd_gf_range_fn range_fn(fd_gf_kernel k) {
    switch (k) {
    case FD_GF_AUTO:
    case FD_GF_SCALAR: return fd_gf_matmul_scalar;
#if defined(__x86_64__)
    case FD_GF_SSSE3: return fd_gf_matmul_ssse3;
    case FD_GF_AVX2: return fd_gf_matmul_avx2;
    case FD_GF_GFNI256: return fd_gf_matmul_gfni256;
    case FD_GF_GFNI512: return fd_gf_matmul_gfni512;
    case FD_GF_NEON: return fd_gf_matmul_scalar;
#elif defined(__aarch64__)
    case FD_GF_NEON: return fd_gf_matmul_neon;
    case FD_GF_SSSE3:
    case FD_GF_AVX2:
    case FD_GF_GFNI256:
    case FD_GF_GFNI512: return fd_gf_matmul_scalar;
#else
    case FD_GF_SSSE3:
    case FD_GF_AVX2:
    case FD_GF_GFNI256:
    case FD_GF_GFNI512:
    case FD_GF_NEON: return fd_gf_matmul_scalar;
#endif
    }
    return fd_gf_matmul_scalar;
}

#define SLICE (64 * 1024) /* bytes of every shard handled before moving on (L2-sized) */

void fd_gf_matmul(fd_gf_kernel kernel, size_t len, int nsrc, int ndst, const uint8_t *coeffs,
                  const uint8_t *const *src, uint8_t *const *dst) {
    ensure_init();
    if (nsrc <= 0 || ndst <= 0 || len == 0) return;
    fd_gf_range_fn f = range_fn(resolve(kernel));
    for (size_t from = 0; from < len; from += SLICE) {
        size_t to = len - from > SLICE ? from + SLICE : len;
        f(from, to, nsrc, ndst, coeffs, src, dst);
    }
}

void fd_gf_mul_add(fd_gf_kernel kernel, size_t len, uint8_t c, const uint8_t *src, uint8_t *dst) {
    /* dst ^= c*src is the 2-source matmul [c, 1] * [src, dst] written back into dst. */
    const uint8_t coeffs[2] = {c, 1};
    const uint8_t *srcs[2] = {src, dst};
    uint8_t *dsts[1] = {dst};
    fd_gf_matmul(kernel, len, 2, 1, coeffs, srcs, dsts);
}
