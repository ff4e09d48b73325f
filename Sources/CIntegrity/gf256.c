/*
 * GF(2^8) arithmetic over the polynomial x^8 + x^4 + x^3 + x^2 + 1 (0x11D) and the
 * region kernels Reed-Solomon coding spends its time in:
 *   dst[r] = sum_j c[r][j] * src[j]   (matrix times a stripe of shards)
 * Kernels: scalar (a 256-byte row of the multiplication table), SSSE3 and AVX2
 * (two 16-entry nibble tables and pshufb), and GFNI on AVX-512 (GF2P8AFFINEQB with
 * the 8x8 bit matrix of "multiply by c"; GF2P8MULB itself is fixed to the AES
 * polynomial 0x11B, so the affine form is the one that fits 0x11D).
 * The vector kernels keep up to G destination accumulators in registers, so each
 * source vector is loaded once for all of them.
 */
#include "CIntegrity.h"
#include <pthread.h>
#include <string.h>

#if defined(__x86_64__)
#include <immintrin.h>
#define FD_X86 1
#endif

static uint8_t gexp[512];
static uint8_t glog[256];
static uint8_t mul[256][256];
static uint8_t nib[256][32];    /* [c][0..15] = c*i, [c][16..31] = c*(i<<4) */
static uint64_t affine[256];    /* GF2P8AFFINEQB matrix for multiplication by c */
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
            mul[a][b] = (a && b) ? gexp[glog[a] + glog[b]] : 0;
    for (int c = 0; c < 256; c++) {
        for (int i = 0; i < 16; i++) {
            nib[c][i] = mul[c][i];
            nib[c][16 + i] = mul[c][i << 4];
        }
        /* Output bit i of c*x is the parity of (row_i & x), where bit j of row_i is bit i
           of c*2^j; GF2P8AFFINEQB reads row_i from byte 7-i of the matrix. */
        uint64_t m = 0;
        for (int i = 0; i < 8; i++) {
            uint8_t row = 0;
            for (int j = 0; j < 8; j++)
                if ((mul[c][1 << j] >> i) & 1) row |= (uint8_t)(1 << j);
            m |= (uint64_t)row << (8 * (7 - i));
        }
        affine[c] = m;
    }
}

static inline void ensure_init(void) { pthread_once(&once, init_tables); }

uint8_t fd_gf_mul(uint8_t a, uint8_t b) {
    ensure_init();
    return mul[a][b];
}

uint8_t fd_gf_inv(uint8_t a) {
    ensure_init();
    return a ? gexp[255 - glog[a]] : 0;
}

int fd_gf_kernel_available(fd_gf_kernel kernel) {
    uint32_t f = fd_cpu_features();
    switch (kernel) {
    case FD_GF_AUTO:
    case FD_GF_SCALAR: return 1;
#ifdef FD_X86
    case FD_GF_SSSE3: return (f & FD_CPU_SSSE3) != 0;
    case FD_GF_AVX2: return (f & FD_CPU_AVX2) != 0;
    case FD_GF_GFNI512: return (f & (FD_CPU_AVX512BW | FD_CPU_GFNI)) == (FD_CPU_AVX512BW | FD_CPU_GFNI);
#else
    default: return 0;
#endif
    }
    return 0;
}

static fd_gf_kernel resolve(fd_gf_kernel k) {
    if (k != FD_GF_AUTO && fd_gf_kernel_available(k)) return k;
    if (k != FD_GF_AUTO) return FD_GF_SCALAR;
    if (fd_gf_kernel_available(FD_GF_GFNI512)) return FD_GF_GFNI512;
    if (fd_gf_kernel_available(FD_GF_AVX2)) return FD_GF_AVX2;
    if (fd_gf_kernel_available(FD_GF_SSSE3)) return FD_GF_SSSE3;
    return FD_GF_SCALAR;
}

const char *fd_gf_kernel_name(void) {
    switch (resolve(FD_GF_AUTO)) {
    case FD_GF_GFNI512: return "gfni-avx512";
    case FD_GF_AVX2: return "avx2-pshufb";
    case FD_GF_SSSE3: return "ssse3-pshufb";
    default: return "scalar";
    }
}

/* ---- scalar --------------------------------------------------------------- */

static void matmul_scalar_range(size_t from, size_t to, int nsrc, int ndst, const uint8_t *coeffs,
                                const uint8_t *const *src, uint8_t *const *dst) {
    /* A small buffer per row, so a destination may also be one of the sources. */
    uint8_t tmp[512];
    for (size_t base = from; base < to; base += sizeof tmp) {
        size_t n = to - base < sizeof tmp ? to - base : sizeof tmp;
        for (int r = 0; r < ndst; r++) {
            memset(tmp, 0, n);
            for (int j = 0; j < nsrc; j++) {
                const uint8_t *t = mul[coeffs[r * nsrc + j]];
                const uint8_t *s = src[j] + base;
                for (size_t i = 0; i < n; i++) tmp[i] ^= t[s[i]];
            }
            memcpy(dst[r] + base, tmp, n);
        }
    }
}

#define SLICE (64 * 1024) /* bytes of every shard handled before moving on (L2-sized) */

#ifdef FD_X86
/* ---- GFNI + AVX-512 ------------------------------------------------------ */

#define GFNI_TARGET __attribute__((target("avx512f,avx512bw,gfni"), always_inline)) static inline

GFNI_TARGET void gfni_group(size_t from, size_t to, int nsrc, const int g, const uint8_t *coeffs,
                            const uint8_t *const *src, uint8_t *const *dst) {
    size_t off = from;
    for (; off + 64 <= to; off += 64) {
        __m512i acc[8];
        for (int r = 0; r < g; r++) acc[r] = _mm512_setzero_si512();
        for (int j = 0; j < nsrc; j++) {
            __m512i x = _mm512_loadu_si512((const void *)(src[j] + off));
            for (int r = 0; r < g; r++) {
                __m512i m = _mm512_set1_epi64((long long)affine[coeffs[r * nsrc + j]]);
                acc[r] = _mm512_xor_si512(acc[r], _mm512_gf2p8affine_epi64_epi8(x, m, 0));
            }
        }
        for (int r = 0; r < g; r++) _mm512_storeu_si512((void *)(dst[r] + off), acc[r]);
    }
    if (off < to) {
        __mmask64 k = (__mmask64)((~0ULL) >> (64 - (to - off)));
        __m512i acc[8];
        for (int r = 0; r < g; r++) acc[r] = _mm512_setzero_si512();
        for (int j = 0; j < nsrc; j++) {
            __m512i x = _mm512_maskz_loadu_epi8(k, (const void *)(src[j] + off));
            for (int r = 0; r < g; r++) {
                __m512i m = _mm512_set1_epi64((long long)affine[coeffs[r * nsrc + j]]);
                acc[r] = _mm512_xor_si512(acc[r], _mm512_gf2p8affine_epi64_epi8(x, m, 0));
            }
        }
        for (int r = 0; r < g; r++) _mm512_mask_storeu_epi8((void *)(dst[r] + off), k, acc[r]);
    }
}

__attribute__((target("avx512f,avx512bw,gfni")))
static void matmul_gfni(size_t from, size_t to, int nsrc, int ndst, const uint8_t *coeffs,
                        const uint8_t *const *src, uint8_t *const *dst) {
    for (int r0 = 0; r0 < ndst; r0 += 6) {
        int g = ndst - r0 < 6 ? ndst - r0 : 6;
        const uint8_t *c = coeffs + (size_t)r0 * nsrc;
        uint8_t *const *d = dst + r0;
        switch (g) {
        case 1: gfni_group(from, to, nsrc, 1, c, src, d); break;
        case 2: gfni_group(from, to, nsrc, 2, c, src, d); break;
        case 3: gfni_group(from, to, nsrc, 3, c, src, d); break;
        case 4: gfni_group(from, to, nsrc, 4, c, src, d); break;
        case 5: gfni_group(from, to, nsrc, 5, c, src, d); break;
        default: gfni_group(from, to, nsrc, 6, c, src, d); break;
        }
    }
}

/* ---- AVX2 pshufb ------------------------------------------------------------ */

#define AVX2_TARGET __attribute__((target("avx2"), always_inline)) static inline

AVX2_TARGET void avx2_group(size_t from, size_t to, int nsrc, const int g, const uint8_t *coeffs,
                            const uint8_t *const *src, uint8_t *const *dst, size_t *done) {
    const __m256i low = _mm256_set1_epi8(0x0f);
    size_t off = from;
    for (; off + 32 <= to; off += 32) {
        __m256i acc[4];
        for (int r = 0; r < g; r++) acc[r] = _mm256_setzero_si256();
        for (int j = 0; j < nsrc; j++) {
            __m256i x = _mm256_loadu_si256((const __m256i *)(src[j] + off));
            __m256i lo = _mm256_and_si256(x, low);
            __m256i hi = _mm256_and_si256(_mm256_srli_epi64(x, 4), low);
            for (int r = 0; r < g; r++) {
                const uint8_t *t = nib[coeffs[r * nsrc + j]];
                __m256i tl = _mm256_broadcastsi128_si256(_mm_loadu_si128((const __m128i *)t));
                __m256i th = _mm256_broadcastsi128_si256(_mm_loadu_si128((const __m128i *)(t + 16)));
                acc[r] = _mm256_xor_si256(acc[r], _mm256_xor_si256(_mm256_shuffle_epi8(tl, lo), _mm256_shuffle_epi8(th, hi)));
            }
        }
        for (int r = 0; r < g; r++) _mm256_storeu_si256((__m256i *)(dst[r] + off), acc[r]);
    }
    *done = off;
}

__attribute__((target("avx2")))
static void matmul_avx2(size_t from, size_t to, int nsrc, int ndst, const uint8_t *coeffs,
                        const uint8_t *const *src, uint8_t *const *dst) {
    size_t done = from;
    for (int r0 = 0; r0 < ndst; r0 += 4) {
        int g = ndst - r0 < 4 ? ndst - r0 : 4;
        const uint8_t *c = coeffs + (size_t)r0 * nsrc;
        uint8_t *const *d = dst + r0;
        switch (g) {
        case 1: avx2_group(from, to, nsrc, 1, c, src, d, &done); break;
        case 2: avx2_group(from, to, nsrc, 2, c, src, d, &done); break;
        case 3: avx2_group(from, to, nsrc, 3, c, src, d, &done); break;
        default: avx2_group(from, to, nsrc, 4, c, src, d, &done); break;
        }
    }
    if (done < to) matmul_scalar_range(done, to, nsrc, ndst, coeffs, src, dst);
}

/* ---- SSSE3 pshufb ----------------------------------------------------------- */

#define SSSE3_TARGET __attribute__((target("ssse3"), always_inline)) static inline

SSSE3_TARGET void ssse3_group(size_t from, size_t to, int nsrc, const int g, const uint8_t *coeffs,
                              const uint8_t *const *src, uint8_t *const *dst, size_t *done) {
    const __m128i low = _mm_set1_epi8(0x0f);
    size_t off = from;
    for (; off + 16 <= to; off += 16) {
        __m128i acc[4];
        for (int r = 0; r < g; r++) acc[r] = _mm_setzero_si128();
        for (int j = 0; j < nsrc; j++) {
            __m128i x = _mm_loadu_si128((const __m128i *)(src[j] + off));
            __m128i lo = _mm_and_si128(x, low);
            __m128i hi = _mm_and_si128(_mm_srli_epi64(x, 4), low);
            for (int r = 0; r < g; r++) {
                const uint8_t *t = nib[coeffs[r * nsrc + j]];
                __m128i tl = _mm_loadu_si128((const __m128i *)t);
                __m128i th = _mm_loadu_si128((const __m128i *)(t + 16));
                acc[r] = _mm_xor_si128(acc[r], _mm_xor_si128(_mm_shuffle_epi8(tl, lo), _mm_shuffle_epi8(th, hi)));
            }
        }
        for (int r = 0; r < g; r++) _mm_storeu_si128((__m128i *)(dst[r] + off), acc[r]);
    }
    *done = off;
}

__attribute__((target("ssse3")))
static void matmul_ssse3(size_t from, size_t to, int nsrc, int ndst, const uint8_t *coeffs,
                         const uint8_t *const *src, uint8_t *const *dst) {
    size_t done = from;
    for (int r0 = 0; r0 < ndst; r0 += 4) {
        int g = ndst - r0 < 4 ? ndst - r0 : 4;
        const uint8_t *c = coeffs + (size_t)r0 * nsrc;
        uint8_t *const *d = dst + r0;
        switch (g) {
        case 1: ssse3_group(from, to, nsrc, 1, c, src, d, &done); break;
        case 2: ssse3_group(from, to, nsrc, 2, c, src, d, &done); break;
        case 3: ssse3_group(from, to, nsrc, 3, c, src, d, &done); break;
        default: ssse3_group(from, to, nsrc, 4, c, src, d, &done); break;
        }
    }
    if (done < to) matmul_scalar_range(done, to, nsrc, ndst, coeffs, src, dst);
}
#endif

void fd_gf_matmul(fd_gf_kernel kernel, size_t len, int nsrc, int ndst, const uint8_t *coeffs,
                  const uint8_t *const *src, uint8_t *const *dst) {
    ensure_init();
    if (nsrc <= 0 || ndst <= 0 || len == 0) return;
    fd_gf_kernel k = resolve(kernel);
    for (size_t from = 0; from < len; from += SLICE) {
        size_t to = len - from > SLICE ? from + SLICE : len;
        switch (k) {
#ifdef FD_X86
        case FD_GF_GFNI512: matmul_gfni(from, to, nsrc, ndst, coeffs, src, dst); break;
        case FD_GF_AVX2: matmul_avx2(from, to, nsrc, ndst, coeffs, src, dst); break;
        case FD_GF_SSSE3: matmul_ssse3(from, to, nsrc, ndst, coeffs, src, dst); break;
#endif
        default: matmul_scalar_range(from, to, nsrc, ndst, coeffs, src, dst); break;
        }
    }
}

void fd_gf_mul_add(fd_gf_kernel kernel, size_t len, uint8_t c, const uint8_t *src, uint8_t *dst) {
    /* dst ^= c*src is the 2-source matmul [c, 1] * [src, dst] written back into dst. */
    const uint8_t coeffs[2] = {c, 1};
    const uint8_t *srcs[2] = {src, dst};
    uint8_t *dsts[1] = {dst};
    fd_gf_matmul(kernel, len, 2, 1, coeffs, srcs, dsts);
}
