/*
 * GF(2^8) region kernels for x86-64: SSSE3 and AVX2 (two 16-entry nibble tables and
 * pshufb), GFNI on 256-bit vectors (AVX2 + GFNI, no AVX-512) and GFNI on AVX-512
 * (GF2P8AFFINEQB with the 8x8 bit matrix of "multiply by c"; GF2P8MULB itself is fixed
 * to the AES polynomial 0x11B, so the affine form is the one that fits 0x11D).
 *
 * Every kernel is multi-row: a group of destination rows keeps its accumulators in
 * registers while the sources are walked, so each source byte is loaded once per group,
 * and the group's constants (nibble tables or bit matrices) are laid out beforehand in
 * the order the inner loop reads them, so the loop does no coefficient lookups.
 */
#include "gf256_kernels.h"

#if defined(__x86_64__)
#include <immintrin.h>

/* ---- AVX2 pshufb ---------------------------------------------------------------------- */

#define AVX2_INLINE __attribute__((target("avx2"), always_inline)) static inline

AVX2_INLINE void avx2_mul_acc(__m256i *acc, __m256i tl, __m256i th, __m256i lo, __m256i hi) {
    *acc = _mm256_xor_si256(*acc, _mm256_xor_si256(_mm256_shuffle_epi8(tl, lo), _mm256_shuffle_epi8(th, hi)));
}

/* g rows (g <= 4), 64 bytes of every shard a step (a whole cache line: with shards a
   power of two apart every stream maps to the same cache set, and a line left half read
   is often evicted before its second half is wanted), then one 32-byte step. */
AVX2_INLINE size_t avx2_group(size_t from, size_t to, int nsrc, const int g, const uint8_t *tables,
                              const uint8_t *const *src, uint8_t *const *dst) {
    const __m256i low = _mm256_set1_epi8(0x0f);
    size_t off = from;
    for (; off + 64 <= to; off += 64) {
        __m256i a0[4], a1[4];
        for (int r = 0; r < g; r++) a0[r] = a1[r] = _mm256_setzero_si256();
        const uint8_t *t = tables;
        for (int j = 0; j < nsrc; j++) {
            const uint8_t *s = src[j] + off;
            __m256i x0 = _mm256_loadu_si256((const __m256i *)s);
            __m256i x1 = _mm256_loadu_si256((const __m256i *)(s + 32));
            __m256i lo0 = _mm256_and_si256(x0, low), hi0 = _mm256_and_si256(_mm256_srli_epi64(x0, 4), low);
            __m256i lo1 = _mm256_and_si256(x1, low), hi1 = _mm256_and_si256(_mm256_srli_epi64(x1, 4), low);
            for (int r = 0; r < g; r++, t += 32) {
                __m256i tl = _mm256_broadcastsi128_si256(_mm_load_si128((const __m128i *)t));
                __m256i th = _mm256_broadcastsi128_si256(_mm_load_si128((const __m128i *)(t + 16)));
                avx2_mul_acc(&a0[r], tl, th, lo0, hi0);
                avx2_mul_acc(&a1[r], tl, th, lo1, hi1);
            }
        }
        for (int r = 0; r < g; r++) {
            _mm256_storeu_si256((__m256i *)(dst[r] + off), a0[r]);
            _mm256_storeu_si256((__m256i *)(dst[r] + off + 32), a1[r]);
        }
    }
    if (off + 32 <= to) {
        __m256i a0[4];
        for (int r = 0; r < g; r++) a0[r] = _mm256_setzero_si256();
        const uint8_t *t = tables;
        for (int j = 0; j < nsrc; j++) {
            __m256i x0 = _mm256_loadu_si256((const __m256i *)(src[j] + off));
            __m256i lo0 = _mm256_and_si256(x0, low), hi0 = _mm256_and_si256(_mm256_srli_epi64(x0, 4), low);
            for (int r = 0; r < g; r++, t += 32) {
                __m256i tl = _mm256_broadcastsi128_si256(_mm_load_si128((const __m128i *)t));
                __m256i th = _mm256_broadcastsi128_si256(_mm_load_si128((const __m128i *)(t + 16)));
                avx2_mul_acc(&a0[r], tl, th, lo0, hi0);
            }
        }
        for (int r = 0; r < g; r++) _mm256_storeu_si256((__m256i *)(dst[r] + off), a0[r]);
        off += 32;
    }
    return off;
}

__attribute__((target("avx2")))
static size_t avx2_rows(size_t from, size_t to, int nsrc, int g, const void *constants, const uint8_t *const *src, uint8_t *const *dst) {
    FD_GF_ROWS_UP_TO_4(avx2_group, g)
}

void fd_gf_matmul_avx2(size_t from, size_t to, int nsrc, int ndst, const uint8_t *coeffs,
                       const uint8_t *const *src, uint8_t *const *dst) {
    fd_gf_matmul_grouped(from, to, nsrc, ndst, coeffs, src, dst, 4, FD_GF_NIBBLE_TABLES, avx2_rows);
}

/* ---- SSSE3 pshufb ----------------------------------------------------------------------- */

#define SSSE3_INLINE __attribute__((target("ssse3"), always_inline)) static inline

SSSE3_INLINE size_t ssse3_group(size_t from, size_t to, int nsrc, const int g, const uint8_t *tables,
                                const uint8_t *const *src, uint8_t *const *dst) {
    const __m128i low = _mm_set1_epi8(0x0f);
    size_t off = from;
    for (; off + 16 <= to; off += 16) {
        __m128i acc[4];
        for (int r = 0; r < g; r++) acc[r] = _mm_setzero_si128();
        const uint8_t *t = tables;
        for (int j = 0; j < nsrc; j++) {
            __m128i x = _mm_loadu_si128((const __m128i *)(src[j] + off));
            __m128i lo = _mm_and_si128(x, low);
            __m128i hi = _mm_and_si128(_mm_srli_epi64(x, 4), low);
            for (int r = 0; r < g; r++, t += 32) {
                __m128i tl = _mm_load_si128((const __m128i *)t);
                __m128i th = _mm_load_si128((const __m128i *)(t + 16));
                acc[r] = _mm_xor_si128(acc[r], _mm_xor_si128(_mm_shuffle_epi8(tl, lo), _mm_shuffle_epi8(th, hi)));
            }
        }
        for (int r = 0; r < g; r++) _mm_storeu_si128((__m128i *)(dst[r] + off), acc[r]);
    }
    return off;
}

__attribute__((target("ssse3")))
static size_t ssse3_rows(size_t from, size_t to, int nsrc, int g, const void *constants, const uint8_t *const *src, uint8_t *const *dst) {
    FD_GF_ROWS_UP_TO_4(ssse3_group, g)
}

void fd_gf_matmul_ssse3(size_t from, size_t to, int nsrc, int ndst, const uint8_t *coeffs,
                        const uint8_t *const *src, uint8_t *const *dst) {
    fd_gf_matmul_grouped(from, to, nsrc, ndst, coeffs, src, dst, 4, FD_GF_NIBBLE_TABLES, ssse3_rows);
}

/* ---- GFNI ----------------------------------------------------------------------------- */

#define GFNI256_INLINE __attribute__((target("avx2,gfni"), always_inline)) static inline

/* g rows (g <= 6), 64 bytes a step (12 accumulators, two sources and a matrix: 15 of the
   16 ymm registers), then one 32-byte step. */
GFNI256_INLINE size_t gfni256_group(size_t from, size_t to, int nsrc, const int g, const uint64_t *matrices,
                                    const uint8_t *const *src, uint8_t *const *dst) {
    size_t off = from;
    for (; off + 64 <= to; off += 64) {
        __m256i a0[6], a1[6];
        for (int r = 0; r < g; r++) a0[r] = a1[r] = _mm256_setzero_si256();
        const uint64_t *m = matrices;
        for (int j = 0; j < nsrc; j++) {
            __m256i x0 = _mm256_loadu_si256((const __m256i *)(src[j] + off));
            __m256i x1 = _mm256_loadu_si256((const __m256i *)(src[j] + off + 32));
            for (int r = 0; r < g; r++, m++) {
                __m256i k = _mm256_set1_epi64x((long long)*m);
                a0[r] = _mm256_xor_si256(a0[r], _mm256_gf2p8affine_epi64_epi8(x0, k, 0));
                a1[r] = _mm256_xor_si256(a1[r], _mm256_gf2p8affine_epi64_epi8(x1, k, 0));
            }
        }
        for (int r = 0; r < g; r++) {
            _mm256_storeu_si256((__m256i *)(dst[r] + off), a0[r]);
            _mm256_storeu_si256((__m256i *)(dst[r] + off + 32), a1[r]);
        }
    }
    if (off + 32 <= to) {
        __m256i a0[6];
        for (int r = 0; r < g; r++) a0[r] = _mm256_setzero_si256();
        const uint64_t *m = matrices;
        for (int j = 0; j < nsrc; j++) {
            __m256i x0 = _mm256_loadu_si256((const __m256i *)(src[j] + off));
            for (int r = 0; r < g; r++, m++)
                a0[r] = _mm256_xor_si256(a0[r], _mm256_gf2p8affine_epi64_epi8(x0, _mm256_set1_epi64x((long long)*m), 0));
        }
        for (int r = 0; r < g; r++) _mm256_storeu_si256((__m256i *)(dst[r] + off), a0[r]);
        off += 32;
    }
    return off;
}

__attribute__((target("avx2,gfni")))
static size_t gfni256_rows(size_t from, size_t to, int nsrc, int g, const void *constants, const uint8_t *const *src, uint8_t *const *dst) {
    FD_GF_ROWS_UP_TO_6(gfni256_group, g)
}

void fd_gf_matmul_gfni256(size_t from, size_t to, int nsrc, int ndst, const uint8_t *coeffs,
                          const uint8_t *const *src, uint8_t *const *dst) {
    fd_gf_matmul_grouped(from, to, nsrc, ndst, coeffs, src, dst, 6, FD_GF_BIT_MATRICES, gfni256_rows);
}

#define GFNI512_INLINE __attribute__((target("avx512f,avx512bw,gfni"), always_inline)) static inline

/* g rows (g <= 6), 64 bytes a step, the tail under a byte mask (nothing is left over). */
GFNI512_INLINE size_t gfni512_group(size_t from, size_t to, int nsrc, const int g, const uint64_t *matrices,
                                    const uint8_t *const *src, uint8_t *const *dst) {
    size_t off = from;
    for (; off < to; off += 64) {
        __mmask64 k = to - off >= 64 ? ~(__mmask64)0 : (__mmask64)((~0ULL) >> (64 - (to - off)));
        __m512i acc[6];
        for (int r = 0; r < g; r++) acc[r] = _mm512_setzero_si512();
        const uint64_t *m = matrices;
        for (int j = 0; j < nsrc; j++) {
            __m512i x = _mm512_maskz_loadu_epi8(k, (const void *)(src[j] + off));
            for (int r = 0; r < g; r++, m++)
                acc[r] = _mm512_xor_si512(acc[r], _mm512_gf2p8affine_epi64_epi8(x, _mm512_set1_epi64((long long)*m), 0));
        }
        for (int r = 0; r < g; r++) _mm512_mask_storeu_epi8((void *)(dst[r] + off), k, acc[r]);
    }
    return to;
}

__attribute__((target("avx512f,avx512bw,gfni")))
static size_t gfni512_rows(size_t from, size_t to, int nsrc, int g, const void *constants, const uint8_t *const *src, uint8_t *const *dst) {
    FD_GF_ROWS_UP_TO_6(gfni512_group, g)
}

void fd_gf_matmul_gfni512(size_t from, size_t to, int nsrc, int ndst, const uint8_t *coeffs,
                          const uint8_t *const *src, uint8_t *const *dst) {
    fd_gf_matmul_grouped(from, to, nsrc, ndst, coeffs, src, dst, 6, FD_GF_BIT_MATRICES, gfni512_rows);
}
#endif
