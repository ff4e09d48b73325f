#ifndef FIREDRILL_CINTEGRITY_H
#define FIREDRILL_CINTEGRITY_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- CPU features ------------------------------------------------------ */

/// Bit set of the CPU features the kernels can use.
enum {
    FD_CPU_SSE42 = 1 << 0,
    FD_CPU_PCLMUL = 1 << 1,
    FD_CPU_SSSE3 = 1 << 2,
    FD_CPU_AVX2 = 1 << 3,
    FD_CPU_AVX512BW = 1 << 4,
    FD_CPU_GFNI = 1 << 5,
    FD_CPU_VPCLMUL = 1 << 6,   /* VPCLMULQDQ (with OS support for ymm registers) */
    FD_CPU_AVX512VL = 1 << 7,
    FD_CPU_NEON = 1 << 8,      /* aarch64 Advanced SIMD */
    FD_CPU_ARM_CRC32 = 1 << 9, /* aarch64 CRC32 instructions */
    FD_CPU_PMULL = 1 << 10,    /* aarch64 64-bit polynomial multiply (PMULL) */
};

/// The features of this CPU (and OS support for the wide registers), detected once.
uint32_t fd_cpu_features(void);

/* ---- CRC32C (Castagnoli, reflected 0x82F63B78) ------------------------- */

/// Kernels a CRC can be computed with.
typedef enum {
    FD_CRC_AUTO = 0,   /* the fastest this CPU has */
    FD_CRC_TABLE = 1,  /* portable slicing-by-8 */
    FD_CRC_SSE42 = 2,  /* crc32 instruction, three interleaved streams, PCLMULQDQ combine */
    FD_CRC_AVX512 = 3, /* VPCLMULQDQ folding of 256-byte blocks, crc32 for the ends */
    FD_CRC_VPCLMUL256 = 4, /* VPCLMULQDQ on ymm (no AVX-512), folding 256-byte blocks */
    FD_CRC_ARMV8 = 5,  /* aarch64 crc32c instructions, three streams, PMULL combine */
    FD_CRC_PCLMUL128 = 6, /* PCLMULQDQ on xmm (no VPCLMULQDQ), folding 128-byte blocks */
} fd_crc_kernel;

/// Extends a *raw* CRC register (no pre/post inversion) over `len` bytes.
/// The public value of a message is `~fd_crc32c_update(~0u, p, n)`.
uint32_t fd_crc32c_update(uint32_t state, const void *data, size_t len);

/// The same with a chosen kernel (for tests and benchmarks); an unavailable kernel
/// falls back to the table one.
uint32_t fd_crc32c_update_with(fd_crc_kernel kernel, uint32_t state, const void *data, size_t len);

/// Name of the kernel `FD_CRC_AUTO` resolves to: the fastest this CPU runs, or the one the
/// environment variable FIREDRILL_CRC_KERNEL names.
const char *fd_crc32c_kernel_name(void);

/// Name of a kernel (what FIREDRILL_CRC_KERNEL and `bench crc32c --kernel` take).
const char *fd_crc32c_kernel_name_of(fd_crc_kernel kernel);

/// Whether FIREDRILL_CRC_KERNEL named a kernel this CPU does not run (it was then ignored).
int fd_crc32c_kernel_override_refused(void);

/// Whether `kernel` can run on this CPU.
int fd_crc32c_kernel_available(fd_crc_kernel kernel);

/* ---- GF(2^8), polynomial 0x11D ------------------------------------------ */

/// Kernels for region multiply-add.
typedef enum {
    FD_GF_AUTO = 0,
    FD_GF_SCALAR = 1,      /* 256-entry row of a multiplication table */
    FD_GF_SSSE3 = 2,       /* pshufb nibble tables, 16 bytes a step */
    FD_GF_AVX2 = 3,        /* pshufb nibble tables, 32 bytes a step */
    FD_GF_GFNI512 = 4,     /* GF2P8AFFINEQB on AVX-512, 64 bytes a step */
    FD_GF_GFNI256 = 5,     /* GF2P8AFFINEQB on ymm (GFNI without AVX-512), 64 bytes a step */
    FD_GF_NEON = 6,        /* aarch64 tbl nibble tables, 64 bytes a step */
} fd_gf_kernel;

uint8_t fd_gf_mul(uint8_t a, uint8_t b);
uint8_t fd_gf_inv(uint8_t a);

/// Name of the kernel `FD_GF_AUTO` resolves to: the fastest this CPU runs, or the one the
/// environment variable FIREDRILL_GF_KERNEL names.
const char *fd_gf_kernel_name(void);

/// Name of a kernel (what FIREDRILL_GF_KERNEL and `bench rs --kernel` take).
const char *fd_gf_kernel_name_of(fd_gf_kernel kernel);

/// Whether `kernel` can run on this CPU.
int fd_gf_kernel_available(fd_gf_kernel kernel);

/// Whether FIREDRILL_GF_KERNEL named a kernel this CPU does not run (it was then ignored).
int fd_gf_kernel_override_refused(void);

/// dst[r] = sum_j coeffs[r*nsrc + j] * src[j], for r < ndst, over `len` bytes.
/// Every source byte is loaded once for all destination rows. Overwrites dst.
void fd_gf_matmul(fd_gf_kernel kernel, size_t len, int nsrc, int ndst,
                  const uint8_t *coeffs, const uint8_t *const *src, uint8_t *const *dst);

/// dst ^= c * src over `len` bytes (the single-region primitive).
void fd_gf_mul_add(fd_gf_kernel kernel, size_t len, uint8_t c, const uint8_t *src, uint8_t *dst);

#ifdef __cplusplus
}
#endif
#endif
