/*
 * Internal to CIntegrity: the three-stream CRC32C kernel, written once for every CPU
 * with a CRC32C instruction and a carry-less multiply. The including file defines
 *   CRC3_TARGET          the function attribute enabling those instructions
 *   CRC3_U64(c, w)       the CRC of 8 bytes `w` (a uint64_t) on register `c`
 *   CRC3_U32 / U16 / U8  the same for 4, 2 and 1 bytes
 *   CRC3_CLMUL32(a, b)   the 64-bit carry-less product of two 32-bit values
 *   CRC3_KERNEL          the name of the kernel to define
 * The crc32 instruction's latency is three cycles and its throughput one a cycle, so three
 * independent chains keep it busy; the three partial CRCs are joined by carry-less
 * multiplication with precomputed powers of x:
 *   shift(c, n bytes) = crc32_u64(0, clmul(c, x^(8n-33) mod P)).
 */
#include "crc32c_kernels.h"
#include <string.h>

static inline uint64_t crc3_load64(const uint8_t *p) {
    uint64_t w;
    memcpy(&w, p, 8);
    return w;
}

/* Three streams of `len` bytes each (len a multiple of 8, at least 8), joined. */
CRC3_TARGET static inline uint32_t crc3_streams(uint32_t crc0, const uint8_t *p, size_t len) {
    uint64_t c0 = crc0, c1 = 0, c2 = 0;
    const uint8_t *end = p + len;
    const uint8_t *p1 = p + len, *p2 = p + 2 * len;
    /* Process all but the last word of stream 2; that word absorbs the combine. */
    while (p < end - 8) {
        c0 = CRC3_U64(c0, crc3_load64(p));
        c1 = CRC3_U64(c1, crc3_load64(p1));
        c2 = CRC3_U64(c2, crc3_load64(p2));
        p += 8;
        p1 += 8;
        p2 += 8;
    }
    c0 = CRC3_U64(c0, crc3_load64(p));
    c1 = CRC3_U64(c1, crc3_load64(p1));
    /* Stream 0 ends 2*len bytes and stream 1 len bytes before the end of stream 2's last
       word: shift them that far, xor them into that word, and let the crc32 instruction
       do the reduction. */
    uint64_t fold = CRC3_CLMUL32((uint32_t)c0, fd_crc_kshift[2 * len / 8 - 1]) ^ CRC3_CLMUL32((uint32_t)c1, fd_crc_kshift[len / 8 - 1]);
    c2 = CRC3_U64(c2, crc3_load64(p2) ^ fold);
    return (uint32_t)c2;
}

CRC3_TARGET uint32_t CRC3_KERNEL(uint32_t crc, const uint8_t *p, size_t n) {
    /* No alignment prologue: unaligned 8-byte loads cost nothing extra on these CPUs,
       and a short record would pay up to seven dependent byte steps for it. */
    while (n >= 3 * FD_CRC_BLOCK) {
        crc = crc3_streams(crc, p, FD_CRC_BLOCK);
        p += 3 * FD_CRC_BLOCK;
        n -= 3 * FD_CRC_BLOCK;
    }
    if (n >= 3 * 16) {
        size_t len = (n / 24) * 8;
        crc = crc3_streams(crc, p, len);
        p += 3 * len;
        n -= 3 * len;
    }
    uint64_t c = crc;
    while (n >= 8) {
        c = CRC3_U64(c, crc3_load64(p));
        p += 8;
        n -= 8;
    }
    crc = (uint32_t)c;
    /* Fewer than 8 bytes: at most three steps (4, 2, 1), not up to seven byte steps. */
    if (n & 4) {
        uint32_t w;
        memcpy(&w, p, 4);
        crc = CRC3_U32(crc, w);
        p += 4;
    }
    if (n & 2) {
        uint16_t w;
        memcpy(&w, p, 2);
        crc = CRC3_U16(crc, w);
        p += 2;
    }
    if (n & 1) crc = CRC3_U8(crc, *p);
    return crc;
}
