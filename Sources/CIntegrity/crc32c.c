/*
 * CRC32C (Castagnoli). Two kernels:
 *  - slicing-by-8 tables, portable;
 *  - the SSE4.2 crc32 instruction on three interleaved streams (its latency is three
 *    cycles and its throughput one a cycle, so three independent chains keep it busy),
 *    the three partial CRCs joined by carry-less multiplication (PCLMULQDQ) with
 *    precomputed powers of x: shift(c, n bytes) = crc32_u64(0, clmul(c, x^(8n-33) mod P)).
 * All values here are raw CRC registers; the caller does the pre- and post-inversion.
 */
#include "CIntegrity.h"
#include <pthread.h>
#include <string.h>

#if defined(__x86_64__)
#include <nmmintrin.h>
#include <wmmintrin.h>
#include <immintrin.h>
#define FD_X86 1
#endif

#define POLY 0x82F63B78u
#define BLOCK 4096 /* bytes per stream in the long loop */

static uint32_t table[8][256];
/* kshift[i] = x^(8*L - 33) mod P for L = 8*(i+1) bytes, i < 2*BLOCK/8 */
static uint32_t kshift[2 * BLOCK / 8];
/* Folding constants for distance D bytes: {x^(8D+31), x^(8D-33)} mod P (see crc_avx512). */
enum { F256, F64, F128, F48, F32, F16, FCOUNT };
static const unsigned fold_distance[FCOUNT] = {256, 64, 128, 48, 32, 16};
static uint64_t kfold[FCOUNT][2];
static pthread_once_t once = PTHREAD_ONCE_INIT;

static uint32_t xpow(uint64_t n) { /* x^n mod P, reflected; only used at start-up */
    uint32_t v = 0x80000000u;
    while (n--) v = (v & 1) ? (v >> 1) ^ POLY : v >> 1;
    return v;
}

static void init_tables(void) {
    for (uint32_t n = 0; n < 256; n++) {
        uint32_t c = n;
        for (int k = 0; k < 8; k++) c = (c & 1) ? (c >> 1) ^ POLY : c >> 1;
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
    for (size_t i = 0; i < sizeof kshift / sizeof kshift[0]; i++) {
        uint64_t want = 8 * 8 * (uint64_t)(i + 1) - 33;
        while (power < want) {
            v = (v & 1) ? (v >> 1) ^ POLY : v >> 1;
            power++;
        }
        kshift[i] = v;
    }
    for (int f = 0; f < FCOUNT; f++) {
        kfold[f][0] = xpow(8ull * fold_distance[f] + 31);
        kfold[f][1] = xpow(8ull * fold_distance[f] - 33);
    }
}

static inline void ensure_init(void) { pthread_once(&once, init_tables); }

static uint32_t crc_table(uint32_t crc, const uint8_t *p, size_t n) {
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

#ifdef FD_X86
__attribute__((target("sse4.2,pclmul")))
static inline uint64_t clmul32(uint32_t a, uint32_t b) {
    __m128i r = _mm_clmulepi64_si128(_mm_cvtsi32_si128((int)a), _mm_cvtsi32_si128((int)b), 0);
    return (uint64_t)_mm_cvtsi128_si64(r);
}

static inline uint64_t load64(const uint8_t *p) {
    uint64_t w;
    memcpy(&w, p, 8);
    return w;
}

/* Three streams of `len` bytes each (len a multiple of 8, at least 8), joined. */
__attribute__((target("sse4.2,pclmul")))
static inline uint32_t crc_3way(uint32_t crc0, const uint8_t *p, size_t len) {
    uint64_t c0 = crc0, c1 = 0, c2 = 0;
    const uint8_t *end = p + len;
    const uint8_t *p1 = p + len, *p2 = p + 2 * len;
    /* Process all but the last word of stream 2; that word absorbs the combine. */
    while (p < end - 8) {
        c0 = _mm_crc32_u64(c0, load64(p));
        c1 = _mm_crc32_u64(c1, load64(p1));
        c2 = _mm_crc32_u64(c2, load64(p2));
        p += 8;
        p1 += 8;
        p2 += 8;
    }
    c0 = _mm_crc32_u64(c0, load64(p));
    c1 = _mm_crc32_u64(c1, load64(p1));
    /* Stream 0 ends 2*len bytes and stream 1 len bytes before the end of stream 2's last
       word: shift them that far, xor them into that word, and let the crc32 instruction
       do the reduction. */
    uint64_t fold = clmul32((uint32_t)c0, kshift[2 * len / 8 - 1]) ^ clmul32((uint32_t)c1, kshift[len / 8 - 1]);
    c2 = _mm_crc32_u64(c2, load64(p2) ^ fold);
    return (uint32_t)c2;
}

__attribute__((target("sse4.2,pclmul")))
static uint32_t crc_sse42(uint32_t crc, const uint8_t *p, size_t n) {
    while (n && ((uintptr_t)p & 7)) {
        crc = _mm_crc32_u8(crc, *p++);
        n--;
    }
    while (n >= 3 * BLOCK) {
        crc = crc_3way(crc, p, BLOCK);
        p += 3 * BLOCK;
        n -= 3 * BLOCK;
    }
    if (n >= 3 * 16) {
        size_t len = (n / 24) * 8;
        crc = crc_3way(crc, p, len);
        p += 3 * len;
        n -= 3 * len;
    }
    uint64_t c = crc;
    while (n >= 8) {
        c = _mm_crc32_u64(c, load64(p));
        p += 8;
        n -= 8;
    }
    crc = (uint32_t)c;
    while (n--) crc = _mm_crc32_u8(crc, *p++);
    return crc;
}

/*
 * AVX-512 VPCLMULQDQ folding. Four 512-bit accumulators hold the message's first 256
 * bytes; each step carries them 256 bytes forward by carry-less multiplication (a 128-bit
 * lane L = H*x^64 + Lo moved D bytes ahead becomes H*x^(8D+64) + Lo*x^(8D) mod P, written
 * as clmul(H, x^(8D+31)) ^ clmul(Lo, x^(8D-33)) because clmul of reflected operands carries
 * one extra x and the low-32-bit placement of a constant another x^32). The accumulators
 * are then folded into one lane, whose 16 bytes the crc32 instruction reduces.
 */
#define V512_TARGET __attribute__((target("avx512f,avx512bw,avx512vl,vpclmulqdq,pclmul,sse4.2")))

V512_TARGET static inline __m512i fold512(__m512i x, __m512i k, __m512i data) {
    __m512i lo = _mm512_clmulepi64_epi128(x, k, 0x00);
    __m512i hi = _mm512_clmulepi64_epi128(x, k, 0x11);
    return _mm512_ternarylogic_epi64(lo, hi, data, 0x96);
}

V512_TARGET static inline __m512i kconst(int f) {
    return _mm512_broadcast_i32x4(_mm_set_epi64x((long long)kfold[f][1], (long long)kfold[f][0]));
}

V512_TARGET static uint32_t crc_avx512(uint32_t crc, const uint8_t *p, size_t n) {
    if (n < 64) return crc_sse42(crc, p, n);
    __m512i x0 = _mm512_xor_si512(_mm512_loadu_si512((const void *)p), _mm512_castsi128_si512(_mm_cvtsi32_si128((int)crc)));
    if (n >= 256) {
        __m512i x1 = _mm512_loadu_si512((const void *)(p + 64));
        __m512i x2 = _mm512_loadu_si512((const void *)(p + 128));
        __m512i x3 = _mm512_loadu_si512((const void *)(p + 192));
        p += 256;
        n -= 256;
        const __m512i k256 = kconst(F256);
        while (n >= 256) {
            x0 = fold512(x0, k256, _mm512_loadu_si512((const void *)p));
            x1 = fold512(x1, k256, _mm512_loadu_si512((const void *)(p + 64)));
            x2 = fold512(x2, k256, _mm512_loadu_si512((const void *)(p + 128)));
            x3 = fold512(x3, k256, _mm512_loadu_si512((const void *)(p + 192)));
            p += 256;
            n -= 256;
        }
        const __m512i k64 = kconst(F64);
        x1 = fold512(x0, k64, x1);
        x3 = fold512(x2, k64, x3);
        x0 = fold512(x1, kconst(F128), x3);
    } else {
        p += 64;
        n -= 64;
    }
    const __m512i k64 = kconst(F64);
    while (n >= 64) {
        x0 = fold512(x0, k64, _mm512_loadu_si512((const void *)p));
        p += 64;
        n -= 64;
    }
    /* Lanes 0, 1, 2 are 48, 32, 16 bytes before lane 3: fold them onto it. */
    const __m512i kr = _mm512_set_epi64(0, 0, (long long)kfold[F16][1], (long long)kfold[F16][0],
                                        (long long)kfold[F32][1], (long long)kfold[F32][0],
                                        (long long)kfold[F48][1], (long long)kfold[F48][0]);
    __m512i t = _mm512_xor_si512(_mm512_clmulepi64_epi128(x0, kr, 0x00), _mm512_clmulepi64_epi128(x0, kr, 0x11));
    __m128i z = _mm_xor_si128(_mm_xor_si128(_mm512_castsi512_si128(t), _mm512_extracti32x4_epi32(t, 1)),
                              _mm_xor_si128(_mm512_extracti32x4_epi32(t, 2), _mm512_extracti32x4_epi32(x0, 3)));
    uint64_t c = _mm_crc32_u64(0, (uint64_t)_mm_cvtsi128_si64(z));
    c = _mm_crc32_u64(c, (uint64_t)_mm_extract_epi64(z, 1));
    return crc_sse42((uint32_t)c, p, n);
}
#endif

int fd_crc32c_kernel_available(fd_crc_kernel kernel) {
    switch (kernel) {
    case FD_CRC_AUTO:
    case FD_CRC_TABLE: return 1;
    case FD_CRC_AVX512:
#ifdef FD_X86
        return fd_crc32c_kernel_available(FD_CRC_SSE42) &&
               (fd_cpu_features() & (FD_CPU_AVX512BW | FD_CPU_VPCLMUL)) == (FD_CPU_AVX512BW | FD_CPU_VPCLMUL);
#else
        return 0;
#endif
    case FD_CRC_SSE42:
#ifdef FD_X86
        return (fd_cpu_features() & (FD_CPU_SSE42 | FD_CPU_PCLMUL)) == (FD_CPU_SSE42 | FD_CPU_PCLMUL);
#else
        return 0;
#endif
    }
    return 0;
}

typedef uint32_t (*crc_fn)(uint32_t, const uint8_t *, size_t);
static crc_fn best = 0;

static crc_fn resolve(void) {
    ensure_init();
#ifdef FD_X86
    if (fd_crc32c_kernel_available(FD_CRC_AVX512)) return crc_avx512;
    if (fd_crc32c_kernel_available(FD_CRC_SSE42)) return crc_sse42;
#endif
    return crc_table;
}

uint32_t fd_crc32c_update(uint32_t state, const void *data, size_t len) {
    crc_fn f = __atomic_load_n(&best, __ATOMIC_ACQUIRE);
    if (!f) {
        f = resolve();
        __atomic_store_n(&best, f, __ATOMIC_RELEASE);
    }
    return f(state, (const uint8_t *)data, len);
}

uint32_t fd_crc32c_update_with(fd_crc_kernel kernel, uint32_t state, const void *data, size_t len) {
    ensure_init();
    if (kernel == FD_CRC_AUTO) return fd_crc32c_update(state, data, len);
#ifdef FD_X86
    if (kernel == FD_CRC_AVX512 && fd_crc32c_kernel_available(FD_CRC_AVX512))
        return crc_avx512(state, (const uint8_t *)data, len);
    if (kernel == FD_CRC_SSE42 && fd_crc32c_kernel_available(FD_CRC_SSE42))
        return crc_sse42(state, (const uint8_t *)data, len);
#endif
    return crc_table(state, (const uint8_t *)data, len);
}

const char *fd_crc32c_kernel_name(void) {
    if (fd_crc32c_kernel_available(FD_CRC_AVX512)) return "avx512-vpclmulqdq";
    return fd_crc32c_kernel_available(FD_CRC_SSE42) ? "sse4.2-3way+pclmul" : "slicing-by-8";
}
