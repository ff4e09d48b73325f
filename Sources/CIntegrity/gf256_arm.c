/*
 * GF(2^8) region kernel for aarch64 Advanced SIMD: the two 16-entry nibble tables of each
 * coefficient and tbl, several destination rows per pass over the sources (each source
 * byte loaded once per group of rows), 64 bytes of every shard a step, then 16-byte steps.
 * Checked for correctness under emulation (scripts/arm-check.sh); its speed has not been
 * measured on ARM hardware.
 */
#include "gf256_kernels.h"

#if defined(__aarch64__)
#include <arm_neon.h>

static inline __attribute__((always_inline)) size_t neon_group(size_t from, size_t to, int nsrc, const int g,
                                                              const uint8_t *tables, const uint8_t *const *src,
                                                              uint8_t *const *dst) {
    const uint8x16_t low = vdupq_n_u8(0x0f);
    size_t off = from;
    for (; off + 64 <= to; off += 64) {
        uint8x16_t acc[4][4];
        for (int r = 0; r < g; r++)
            for (int v = 0; v < 4; v++) acc[r][v] = vdupq_n_u8(0);
        const uint8_t *t = tables;
        for (int j = 0; j < nsrc; j++) {
            const uint8_t *s = src[j] + off;
            uint8x16_t lo[4], hi[4];
            for (int v = 0; v < 4; v++) {
                uint8x16_t x = vld1q_u8(s + 16 * v);
                lo[v] = vandq_u8(x, low);
                hi[v] = vshrq_n_u8(x, 4);
            }
            for (int r = 0; r < g; r++, t += 32) {
                uint8x16_t tl = vld1q_u8(t), th = vld1q_u8(t + 16);
                for (int v = 0; v < 4; v++)
                    acc[r][v] = veorq_u8(acc[r][v], veorq_u8(vqtbl1q_u8(tl, lo[v]), vqtbl1q_u8(th, hi[v])));
            }
        }
        for (int r = 0; r < g; r++)
            for (int v = 0; v < 4; v++) vst1q_u8(dst[r] + off + 16 * v, acc[r][v]);
    }
    for (; off + 16 <= to; off += 16) {
        uint8x16_t acc[4];
        for (int r = 0; r < g; r++) acc[r] = vdupq_n_u8(0);
        const uint8_t *t = tables;
        for (int j = 0; j < nsrc; j++) {
            uint8x16_t x = vld1q_u8(src[j] + off);
            uint8x16_t lo = vandq_u8(x, low), hi = vshrq_n_u8(x, 4);
            for (int r = 0; r < g; r++, t += 32)
                acc[r] = veorq_u8(acc[r], veorq_u8(vqtbl1q_u8(vld1q_u8(t), lo), vqtbl1q_u8(vld1q_u8(t + 16), hi)));
        }
        for (int r = 0; r < g; r++) vst1q_u8(dst[r] + off, acc[r]);
    }
    return off;
}

static size_t neon_rows(size_t from, size_t to, int nsrc, int g, const void *constants, const uint8_t *const *src, uint8_t *const *dst) {
    FD_GF_ROWS_UP_TO_4(neon_group, g)
}

void fd_gf_matmul_neon(size_t from, size_t to, int nsrc, int ndst, const uint8_t *coeffs,
                       const uint8_t *const *src, uint8_t *const *dst) {
    fd_gf_matmul_grouped(from, to, nsrc, ndst, coeffs, src, dst, 4, FD_GF_NIBBLE_TABLES, neon_rows);
}
#else
typedef int fd_gf256_arm_unused; /* keeps the translation unit non-empty elsewhere */
#endif
