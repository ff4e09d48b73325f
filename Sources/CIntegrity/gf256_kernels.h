/*
 * Internal to CIntegrity: the GF(2^8) tables the region kernels read, and the kernels
 * themselves, one per instruction set (gf256.c dispatches; gf256_x86.c and gf256_arm.c
 * hold the vector kernels). Every kernel computes, for bytes [from, to) of every shard,
 *   dst[r] = sum_j coeffs[r*nsrc + j] * src[j]
 * and tolerates a destination that is also a source (dst ^= c*src is written that way).
 */
#ifndef FIREDRILL_GF256_KERNELS_H
#define FIREDRILL_GF256_KERNELS_H

#include "CIntegrity.h"

/* mul[a][b] = a*b. */
extern uint8_t fd_gf_mul_table[256][256];
/* [c][0..15] = c*i, [c][16..31] = c*(i<<4): the two nibble tables of "multiply by c". */
extern uint8_t fd_gf_nibbles[256][32];
/* The GF2P8AFFINEQB bit matrix of "multiply by c". */
extern uint64_t fd_gf_affine[256];

/* The largest source count a code has (k + m <= 255). */
#define FD_GF_MAX_SOURCES 255

/* The most rows a vector kernel keeps in registers at once. */
#define FD_GF_MAX_GROUP 6

/* What a vector kernel reads for each (source, row) pair of a group: for source j and row
   r of a g-row group, entry j*g + r, in the order its inner loop walks them. */
typedef enum {
    FD_GF_NIBBLE_TABLES, /* 32 bytes: the low and high nibble tables of the coefficient */
    FD_GF_BIT_MATRICES,  /* a uint64_t: the GF2P8AFFINEQB matrix of the coefficient */
} fd_gf_constants;

/* Rows [0, g) of a group over bytes [from, to): returns the offset it stopped at (what is
   left, shorter than its vector, goes to the scalar kernel). */
typedef size_t (*fd_gf_group_fn)(size_t from, size_t to, int nsrc, int g, const void *constants,
                                 const uint8_t *const *src, uint8_t *const *dst);

/* The body of a fd_gf_group_fn over an always-inline `group(from, to, nsrc, G, constants,
   src, dst)` whose row count G must be a constant: one specialisation per row count, up
   to 4 or 6. */
#define FD_GF_ROWS_1_TO_3(group)                                   \
    case 1: return group(from, to, nsrc, 1, constants, src, dst); \
    case 2: return group(from, to, nsrc, 2, constants, src, dst); \
    case 3: return group(from, to, nsrc, 3, constants, src, dst);
#define FD_GF_ROWS_UP_TO_4(group, g)                                       \
    switch (g) {                                                          \
        FD_GF_ROWS_1_TO_3(group)                                          \
    default: return group(from, to, nsrc, 4, constants, src, dst);        \
    }
#define FD_GF_ROWS_UP_TO_6(group, g)                                       \
    switch (g) {                                                          \
        FD_GF_ROWS_1_TO_3(group)                                          \
    case 4: return group(from, to, nsrc, 4, constants, src, dst);         \
    case 5: return group(from, to, nsrc, 5, constants, src, dst);         \
    default: return group(from, to, nsrc, 6, constants, src, dst);        \
    }

/* Splits the rows into groups of at most `max_group`, lays out each group's constants and
   runs `group` over it, then the scalar kernel over what it left. */
void fd_gf_matmul_grouped(size_t from, size_t to, int nsrc, int ndst, const uint8_t *coeffs,
                          const uint8_t *const *src, uint8_t *const *dst, int max_group,
                          fd_gf_constants kind, fd_gf_group_fn group);

typedef void (*fd_gf_range_fn)(size_t from, size_t to, int nsrc, int ndst, const uint8_t *coeffs,
                               const uint8_t *const *src, uint8_t *const *dst);

void fd_gf_matmul_scalar(size_t from, size_t to, int nsrc, int ndst, const uint8_t *coeffs,
                         const uint8_t *const *src, uint8_t *const *dst);

#if defined(__x86_64__)
void fd_gf_matmul_ssse3(size_t from, size_t to, int nsrc, int ndst, const uint8_t *coeffs,
                        const uint8_t *const *src, uint8_t *const *dst);
void fd_gf_matmul_avx2(size_t from, size_t to, int nsrc, int ndst, const uint8_t *coeffs,
                       const uint8_t *const *src, uint8_t *const *dst);
void fd_gf_matmul_gfni256(size_t from, size_t to, int nsrc, int ndst, const uint8_t *coeffs,
                          const uint8_t *const *src, uint8_t *const *dst);
void fd_gf_matmul_gfni512(size_t from, size_t to, int nsrc, int ndst, const uint8_t *coeffs,
                          const uint8_t *const *src, uint8_t *const *dst);
#endif
#if defined(__aarch64__)
void fd_gf_matmul_neon(size_t from, size_t to, int nsrc, int ndst, const uint8_t *coeffs,
                       const uint8_t *const *src, uint8_t *const *dst);
#endif

#endif
