/*
 * Internal to CIntegrity: the CRC32C constants the kernels share, and the kernels, one
 * per instruction set (crc32c.c builds the constants, holds the portable kernel and
 * dispatches; crc32c_x86.c and crc32c_arm.c hold the hardware ones). All values are raw
 * CRC registers; the caller does the pre- and post-inversion.
 */
#ifndef FIREDRILL_CRC32C_KERNELS_H
#define FIREDRILL_CRC32C_KERNELS_H

#include "CIntegrity.h"

#define FD_CRC_POLY 0x82F63B78u
#define FD_CRC_BLOCK 4096 /* bytes per stream in the long three-stream loop */

/* fd_crc_kshift[i] = x^(8*L - 33) mod P for L = 8*(i+1) bytes: multiplying a CRC by it
   with a carry-less multiply and reducing with the crc32 instruction moves it L bytes on. */
extern uint32_t fd_crc_kshift[2 * FD_CRC_BLOCK / 8];

/* Folding constants for a distance of D bytes: {x^(8D+31), x^(8D-33)} mod P. */
enum { FD_F256, FD_F64, FD_F128, FD_F48, FD_F32, FD_F16, FD_FCOUNT };
extern uint64_t fd_crc_kfold[FD_FCOUNT][2];

/* Long messages are folded as four regions of FD_CRC_REGION bytes at once (four streams
   from memory instead of one); fd_crc_kregion[i] = x^(8*(i+1)*FD_CRC_REGION - 33) mod P
   moves a region's CRC over the i+1 regions after it. */
#define FD_CRC_REGION (64 * 1024)
extern uint32_t fd_crc_kregion[3];

uint32_t fd_crc_table_kernel(uint32_t crc, const uint8_t *p, size_t n);

#if defined(__x86_64__)
uint32_t fd_crc_sse42_kernel(uint32_t crc, const uint8_t *p, size_t n);
uint32_t fd_crc_pclmul128_kernel(uint32_t crc, const uint8_t *p, size_t n);
uint32_t fd_crc_vpclmul256_kernel(uint32_t crc, const uint8_t *p, size_t n);
uint32_t fd_crc_avx512_kernel(uint32_t crc, const uint8_t *p, size_t n);
#endif
#if defined(__aarch64__)
uint32_t fd_crc_armv8_kernel(uint32_t crc, const uint8_t *p, size_t n);
#endif

#endif
