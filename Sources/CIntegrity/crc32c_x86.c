/*
 * CRC32C kernels for x86-64:
 *  - the SSE4.2 crc32 instruction on three interleaved streams, joined by PCLMULQDQ
 *    (crc32c_3way.h);
 *  - PCLMULQDQ folding on 128-bit vectors, for CPUs with no VPCLMULQDQ (AMD Zen 1/2,
 *    Intel before Ice Lake);
 *  - VPCLMULQDQ folding, on 256-bit vectors (CPUs with VPCLMULQDQ but no AVX-512, such
 *    as AMD Zen 3) and on AVX-512.
 * Folding: accumulators hold the message's first bytes; each step carries them D bytes
 * forward by carry-less multiplication (a 128-bit lane L = H*x^64 + Lo moved D bytes
 * ahead becomes H*x^(8D+64) + Lo*x^(8D) mod P, written as clmul(H, x^(8D+31)) ^
 * clmul(Lo, x^(8D-33)) because clmul of reflected operands carries one extra x and the
 * low-32-bit placement of a constant another x^32). The accumulators are then folded into
 * one lane, whose 16 bytes the crc32 instruction reduces.
 */
#include "crc32c_kernels.h"

#if defined(__x86_64__)
#include <immintrin.h>

#define SSE_TARGET __attribute__((target("sse4.2,pclmul")))

SSE_TARGET static inline uint64_t clmul32(uint32_t a, uint32_t b) {
    __m128i r = _mm_clmulepi64_si128(_mm_cvtsi32_si128((int)a), _mm_cvtsi32_si128((int)b), 0);
    return (uint64_t)_mm_cvtsi128_si64(r);
}

/* fd_crc_sse42_kernel: the three-stream kernel on the SSE4.2 crc32 instruction. */
#define CRC3_TARGET SSE_TARGET
#define CRC3_U64(c, w) _mm_crc32_u64((c), (w))
#define CRC3_U32(c, w) _mm_crc32_u32((c), (w))
#define CRC3_U16(c, w) _mm_crc32_u16((c), (w))
#define CRC3_U8(c, w) _mm_crc32_u8((c), (w))
#define CRC3_CLMUL32(a, b) clmul32((a), (b))
#define CRC3_KERNEL fd_crc_sse42_kernel
#include "crc32c_3way.h"

/* ---- PCLMULQDQ on 128-bit vectors ----------------------------------------------------- */

SSE_TARGET static inline __m128i fold128(__m128i x, __m128i k, __m128i data) {
    __m128i lo = _mm_clmulepi64_si128(x, k, 0x00);
    __m128i hi = _mm_clmulepi64_si128(x, k, 0x11);
    return _mm_xor_si128(_mm_xor_si128(lo, hi), data);
}

SSE_TARGET static inline __m128i kconst128(int f) {
    return _mm_set_epi64x((long long)fd_crc_kfold[f][1], (long long)fd_crc_kfold[f][0]);
}

#define LOAD128(q) _mm_loadu_si128((const __m128i *)(q))

/* The CRC register of 32 bytes `a`, `b`: `a` folded onto `b`, reduced by crc32. */
SSE_TARGET static inline uint32_t reduce128(__m128i a, __m128i b) {
    __m128i z = fold128(a, kconst128(FD_F16), b);
    uint64_t c = _mm_crc32_u64(0, (uint64_t)_mm_cvtsi128_si64(z));
    return (uint32_t)_mm_crc32_u64(c, (uint64_t)_mm_extract_epi64(z, 1));
}

/* Four regions of FD_CRC_REGION bytes folded side by side, two accumulators each, then
   joined. On Zen 1 a 64 MiB message ran at 6.5 GB/s this way against 4.4 as one stream of
   eight accumulators and 4.3 with the crc32 instruction on three streams 4 KiB apart. */
SSE_TARGET static uint32_t four_regions128(uint32_t crc, const uint8_t *p) {
    const uint8_t *q0 = p, *q1 = p + FD_CRC_REGION, *q2 = p + 2 * FD_CRC_REGION, *q3 = p + 3 * FD_CRC_REGION;
    __m128i a0 = _mm_xor_si128(LOAD128(q0), _mm_cvtsi32_si128((int)crc)), b0 = LOAD128(q0 + 16);
    __m128i a1 = LOAD128(q1), b1 = LOAD128(q1 + 16);
    __m128i a2 = LOAD128(q2), b2 = LOAD128(q2 + 16);
    __m128i a3 = LOAD128(q3), b3 = LOAD128(q3 + 16);
    const __m128i k32 = kconst128(FD_F32);
    for (size_t off = 32; off < FD_CRC_REGION; off += 32) {
        a0 = fold128(a0, k32, LOAD128(q0 + off));
        b0 = fold128(b0, k32, LOAD128(q0 + off + 16));
        a1 = fold128(a1, k32, LOAD128(q1 + off));
        b1 = fold128(b1, k32, LOAD128(q1 + off + 16));
        a2 = fold128(a2, k32, LOAD128(q2 + off));
        b2 = fold128(b2, k32, LOAD128(q2 + off + 16));
        a3 = fold128(a3, k32, LOAD128(q3 + off));
        b3 = fold128(b3, k32, LOAD128(q3 + off + 16));
    }
    uint32_t c0 = reduce128(a0, b0), c1 = reduce128(a1, b1), c2 = reduce128(a2, b2), c3 = reduce128(a3, b3);
    uint64_t moved = clmul32(c0, fd_crc_kregion[2]) ^ clmul32(c1, fd_crc_kregion[1]) ^ clmul32(c2, fd_crc_kregion[0]);
    return (uint32_t)_mm_crc32_u64(0, moved) ^ c3;
}

/* Long messages as four regions at once; the rest with eight accumulators folding 128
   bytes a step, joined as a tree (64, 32, 16 bytes apart). On Zen 1 this is 1.4x the
   three-stream crc32 kernel from 192 bytes up (1.7x at 256 bytes and beyond); messages
   under 128 bytes go to that kernel. */
SSE_TARGET uint32_t fd_crc_pclmul128_kernel(uint32_t crc, const uint8_t *p, size_t n) {
    while (n >= 4 * FD_CRC_REGION) {
        crc = four_regions128(crc, p);
        p += 4 * FD_CRC_REGION;
        n -= 4 * FD_CRC_REGION;
    }
    if (n < 128) return fd_crc_sse42_kernel(crc, p, n);
    __m128i x0 = _mm_xor_si128(LOAD128(p), _mm_cvtsi32_si128((int)crc));
    __m128i x1 = LOAD128(p + 16), x2 = LOAD128(p + 32), x3 = LOAD128(p + 48);
    __m128i x4 = LOAD128(p + 64), x5 = LOAD128(p + 80), x6 = LOAD128(p + 96), x7 = LOAD128(p + 112);
    p += 128;
    n -= 128;
    const __m128i k128 = kconst128(FD_F128);
    while (n >= 128) {
        x0 = fold128(x0, k128, LOAD128(p));
        x1 = fold128(x1, k128, LOAD128(p + 16));
        x2 = fold128(x2, k128, LOAD128(p + 32));
        x3 = fold128(x3, k128, LOAD128(p + 48));
        x4 = fold128(x4, k128, LOAD128(p + 64));
        x5 = fold128(x5, k128, LOAD128(p + 80));
        x6 = fold128(x6, k128, LOAD128(p + 96));
        x7 = fold128(x7, k128, LOAD128(p + 112));
        p += 128;
        n -= 128;
    }
    const __m128i k64 = kconst128(FD_F64);
    x4 = fold128(x0, k64, x4);
    x5 = fold128(x1, k64, x5);
    x6 = fold128(x2, k64, x6);
    x7 = fold128(x3, k64, x7);
    const __m128i k32 = kconst128(FD_F32);
    x6 = fold128(x4, k32, x6);
    x7 = fold128(x5, k32, x7);
    const __m128i k16 = kconst128(FD_F16);
    x0 = fold128(x6, k16, x7);
    while (n >= 16) {
        x0 = fold128(x0, k16, LOAD128(p));
        p += 16;
        n -= 16;
    }
    uint64_t c = _mm_crc32_u64(0, (uint64_t)_mm_cvtsi128_si64(x0));
    c = _mm_crc32_u64(c, (uint64_t)_mm_extract_epi64(x0, 1));
    return fd_crc_sse42_kernel((uint32_t)c, p, n);
}

/* ---- VPCLMULQDQ on 256-bit vectors ------------------------------------------------------ */

#define V256_TARGET __attribute__((target("avx2,vpclmulqdq,pclmul,sse4.2")))

V256_TARGET static inline __m256i fold256(__m256i x, __m256i k, __m256i data) {
    __m256i lo = _mm256_clmulepi64_epi128(x, k, 0x00);
    __m256i hi = _mm256_clmulepi64_epi128(x, k, 0x11);
    return _mm256_xor_si256(_mm256_xor_si256(lo, hi), data);
}

V256_TARGET static inline __m256i kconst256(int f) {
    return _mm256_broadcastsi128_si256(_mm_set_epi64x((long long)fd_crc_kfold[f][1], (long long)fd_crc_kfold[f][0]));
}

/* The CRC register of 32 bytes `x`: 16 bytes folded onto the next 16, reduced by crc32. */
V256_TARGET static inline uint32_t reduce256(__m256i x0) {
    const __m128i k16 = _mm_set_epi64x((long long)fd_crc_kfold[FD_F16][1], (long long)fd_crc_kfold[FD_F16][0]);
    __m128i lane0 = _mm256_castsi256_si128(x0);
    __m128i z = _mm_xor_si128(_mm_xor_si128(_mm_clmulepi64_si128(lane0, k16, 0x00), _mm_clmulepi64_si128(lane0, k16, 0x11)),
                              _mm256_extracti128_si256(x0, 1));
    uint64_t c = _mm_crc32_u64(0, (uint64_t)_mm_cvtsi128_si64(z));
    return (uint32_t)_mm_crc32_u64(c, (uint64_t)_mm_extract_epi64(z, 1));
}

/* Four regions of FD_CRC_REGION bytes folded side by side, two accumulators each, then
   joined: a single core reads four streams from memory much faster than one (measured
   on Zen 3), and a long message is memory-bound. */
V256_TARGET static uint32_t four_regions(uint32_t crc, const uint8_t *p) {
    const uint8_t *q0 = p, *q1 = p + FD_CRC_REGION, *q2 = p + 2 * FD_CRC_REGION, *q3 = p + 3 * FD_CRC_REGION;
    __m256i a0 = _mm256_xor_si256(_mm256_loadu_si256((const __m256i *)q0), _mm256_zextsi128_si256(_mm_cvtsi32_si128((int)crc)));
    __m256i b0 = _mm256_loadu_si256((const __m256i *)(q0 + 32));
    __m256i a1 = _mm256_loadu_si256((const __m256i *)q1), b1 = _mm256_loadu_si256((const __m256i *)(q1 + 32));
    __m256i a2 = _mm256_loadu_si256((const __m256i *)q2), b2 = _mm256_loadu_si256((const __m256i *)(q2 + 32));
    __m256i a3 = _mm256_loadu_si256((const __m256i *)q3), b3 = _mm256_loadu_si256((const __m256i *)(q3 + 32));
    const __m256i k64 = kconst256(FD_F64);
    for (size_t off = 64; off < FD_CRC_REGION; off += 64) {
        a0 = fold256(a0, k64, _mm256_loadu_si256((const __m256i *)(q0 + off)));
        b0 = fold256(b0, k64, _mm256_loadu_si256((const __m256i *)(q0 + off + 32)));
        a1 = fold256(a1, k64, _mm256_loadu_si256((const __m256i *)(q1 + off)));
        b1 = fold256(b1, k64, _mm256_loadu_si256((const __m256i *)(q1 + off + 32)));
        a2 = fold256(a2, k64, _mm256_loadu_si256((const __m256i *)(q2 + off)));
        b2 = fold256(b2, k64, _mm256_loadu_si256((const __m256i *)(q2 + off + 32)));
        a3 = fold256(a3, k64, _mm256_loadu_si256((const __m256i *)(q3 + off)));
        b3 = fold256(b3, k64, _mm256_loadu_si256((const __m256i *)(q3 + off + 32)));
    }
    const __m256i k32 = kconst256(FD_F32);
    uint32_t c0 = reduce256(fold256(a0, k32, b0)), c1 = reduce256(fold256(a1, k32, b1));
    uint32_t c2 = reduce256(fold256(a2, k32, b2)), c3 = reduce256(fold256(a3, k32, b3));
    uint64_t moved = clmul32(c0, fd_crc_kregion[2]) ^ clmul32(c1, fd_crc_kregion[1]) ^ clmul32(c2, fd_crc_kregion[0]);
    return (uint32_t)_mm_crc32_u64(0, moved) ^ c3;
}

/* Eight accumulators (256 bytes) fold 256 bytes a step, then fold pairwise as a tree
   (128, 64, 32 bytes apart) so a short message pays three fold latencies, not seven. */
V256_TARGET uint32_t fd_crc_vpclmul256_kernel(uint32_t crc, const uint8_t *p, size_t n) {
    if (n < 64) return fd_crc_sse42_kernel(crc, p, n);
    while (n >= 4 * FD_CRC_REGION) {
        crc = four_regions(crc, p);
        p += 4 * FD_CRC_REGION;
        n -= 4 * FD_CRC_REGION;
    }
    if (n < 64) return fd_crc_sse42_kernel(crc, p, n);
    __m256i x0 = _mm256_xor_si256(_mm256_loadu_si256((const __m256i *)p), _mm256_zextsi128_si256(_mm_cvtsi32_si128((int)crc)));
    if (n >= 256) {
        __m256i x1 = _mm256_loadu_si256((const __m256i *)(p + 32));
        __m256i x2 = _mm256_loadu_si256((const __m256i *)(p + 64));
        __m256i x3 = _mm256_loadu_si256((const __m256i *)(p + 96));
        __m256i x4 = _mm256_loadu_si256((const __m256i *)(p + 128));
        __m256i x5 = _mm256_loadu_si256((const __m256i *)(p + 160));
        __m256i x6 = _mm256_loadu_si256((const __m256i *)(p + 192));
        __m256i x7 = _mm256_loadu_si256((const __m256i *)(p + 224));
        p += 256;
        n -= 256;
        if (n >= 256) {
            const __m256i k256 = kconst256(FD_F256);
            do {
                /* A long message streams from memory: asking 2 KiB ahead (non-temporal,
                   so the stream does not push the caller's data out of the caches)
                   measured faster than the hardware prefetcher alone on Zen 3. */
                _mm_prefetch((const char *)(p + 2048), _MM_HINT_NTA);
                _mm_prefetch((const char *)(p + 2048 + 64), _MM_HINT_NTA);
                _mm_prefetch((const char *)(p + 2048 + 128), _MM_HINT_NTA);
                _mm_prefetch((const char *)(p + 2048 + 192), _MM_HINT_NTA);
                x0 = fold256(x0, k256, _mm256_loadu_si256((const __m256i *)p));
                x1 = fold256(x1, k256, _mm256_loadu_si256((const __m256i *)(p + 32)));
                x2 = fold256(x2, k256, _mm256_loadu_si256((const __m256i *)(p + 64)));
                x3 = fold256(x3, k256, _mm256_loadu_si256((const __m256i *)(p + 96)));
                x4 = fold256(x4, k256, _mm256_loadu_si256((const __m256i *)(p + 128)));
                x5 = fold256(x5, k256, _mm256_loadu_si256((const __m256i *)(p + 160)));
                x6 = fold256(x6, k256, _mm256_loadu_si256((const __m256i *)(p + 192)));
                x7 = fold256(x7, k256, _mm256_loadu_si256((const __m256i *)(p + 224)));
                p += 256;
                n -= 256;
            } while (n >= 256);
        }
        const __m256i k128 = kconst256(FD_F128);
        x4 = fold256(x0, k128, x4);
        x5 = fold256(x1, k128, x5);
        x6 = fold256(x2, k128, x6);
        x7 = fold256(x3, k128, x7);
        const __m256i k64 = kconst256(FD_F64);
        x6 = fold256(x4, k64, x6);
        x7 = fold256(x5, k64, x7);
        x0 = fold256(x6, kconst256(FD_F32), x7);
    } else {
        p += 32;
        n -= 32;
    }
    const __m256i k32 = kconst256(FD_F32);
    while (n >= 32) {
        x0 = fold256(x0, k32, _mm256_loadu_si256((const __m256i *)p));
        p += 32;
        n -= 32;
    }
    return fd_crc_sse42_kernel(reduce256(x0), p, n);
}

/* ---- VPCLMULQDQ on AVX-512 ------------------------------------------------------------ */

#define V512_TARGET __attribute__((target("avx512f,avx512bw,avx512vl,vpclmulqdq,pclmul,sse4.2")))

V512_TARGET static inline __m512i fold512(__m512i x, __m512i k, __m512i data) {
    __m512i lo = _mm512_clmulepi64_epi128(x, k, 0x00);
    __m512i hi = _mm512_clmulepi64_epi128(x, k, 0x11);
    return _mm512_ternarylogic_epi64(lo, hi, data, 0x96);
}

V512_TARGET static inline __m512i kconst(int f) {
    return _mm512_broadcast_i32x4(_mm_set_epi64x((long long)fd_crc_kfold[f][1], (long long)fd_crc_kfold[f][0]));
}

/* Four 512-bit accumulators fold 256 bytes a step. */
V512_TARGET uint32_t fd_crc_avx512_kernel(uint32_t crc, const uint8_t *p, size_t n) {
    if (n < 64) return fd_crc_sse42_kernel(crc, p, n);
    __m512i x0 = _mm512_xor_si512(_mm512_loadu_si512((const void *)p), _mm512_zextsi128_si512(_mm_cvtsi32_si128((int)crc)));
    if (n >= 256) {
        __m512i x1 = _mm512_loadu_si512((const void *)(p + 64));
        __m512i x2 = _mm512_loadu_si512((const void *)(p + 128));
        __m512i x3 = _mm512_loadu_si512((const void *)(p + 192));
        p += 256;
        n -= 256;
        const __m512i k256 = kconst(FD_F256);
        while (n >= 256) {
            x0 = fold512(x0, k256, _mm512_loadu_si512((const void *)p));
            x1 = fold512(x1, k256, _mm512_loadu_si512((const void *)(p + 64)));
            x2 = fold512(x2, k256, _mm512_loadu_si512((const void *)(p + 128)));
            x3 = fold512(x3, k256, _mm512_loadu_si512((const void *)(p + 192)));
            p += 256;
            n -= 256;
        }
        const __m512i k64 = kconst(FD_F64);
        x1 = fold512(x0, k64, x1);
        x3 = fold512(x2, k64, x3);
        x0 = fold512(x1, kconst(FD_F128), x3);
    } else {
        p += 64;
        n -= 64;
    }
    const __m512i k64 = kconst(FD_F64);
    while (n >= 64) {
        x0 = fold512(x0, k64, _mm512_loadu_si512((const void *)p));
        p += 64;
        n -= 64;
    }
    /* Lanes 0, 1, 2 are 48, 32, 16 bytes before lane 3: fold them onto it. */
    const __m512i kr = _mm512_set_epi64(0, 0, (long long)fd_crc_kfold[FD_F16][1], (long long)fd_crc_kfold[FD_F16][0],
                                        (long long)fd_crc_kfold[FD_F32][1], (long long)fd_crc_kfold[FD_F32][0],
                                        (long long)fd_crc_kfold[FD_F48][1], (long long)fd_crc_kfold[FD_F48][0]);
    __m512i t = _mm512_xor_si512(_mm512_clmulepi64_epi128(x0, kr, 0x00), _mm512_clmulepi64_epi128(x0, kr, 0x11));
    __m128i z = _mm_xor_si128(_mm_xor_si128(_mm512_castsi512_si128(t), _mm512_extracti32x4_epi32(t, 1)),
                              _mm_xor_si128(_mm512_extracti32x4_epi32(t, 2), _mm512_extracti32x4_epi32(x0, 3)));
    uint64_t c = _mm_crc32_u64(0, (uint64_t)_mm_cvtsi128_si64(z));
    c = _mm_crc32_u64(c, (uint64_t)_mm_extract_epi64(z, 1));
    return fd_crc_sse42_kernel((uint32_t)c, p, n);
}
#endif
