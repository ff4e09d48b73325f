/*
 * CRC32C for aarch64: the ARMv8 crc32c instructions on three interleaved streams, the
 * partial CRCs joined by a 64-bit polynomial multiply (PMULL): the kernel of
 * crc32c_3way.h, as x86 runs it with SSE4.2 and PCLMULQDQ.
 * Checked for correctness under emulation (scripts/arm-check.sh); its speed has not been
 * measured on ARM hardware.
 */
#include "crc32c_kernels.h"

#if defined(__aarch64__)
#include <arm_acle.h>
#include <arm_neon.h>

#define ARM_TARGET __attribute__((target("arch=armv8-a+crc+crypto")))

ARM_TARGET static inline uint64_t pmull32(uint32_t a, uint32_t b) {
    return (uint64_t)vgetq_lane_u64(vreinterpretq_u64_p128(vmull_p64((poly64_t)a, (poly64_t)b)), 0);
}

#define CRC3_TARGET ARM_TARGET
#define CRC3_U64(c, w) __crc32cd((uint32_t)(c), (w))
#define CRC3_U32(c, w) __crc32cw((c), (w))
#define CRC3_U16(c, w) __crc32ch((c), (w))
#define CRC3_U8(c, w) __crc32cb((c), (w))
#define CRC3_CLMUL32(a, b) pmull32((a), (b))
#define CRC3_KERNEL fd_crc_armv8_kernel
#include "crc32c_3way.h"
#else
typedef int fd_crc32c_arm_unused; /* keeps the translation unit non-empty elsewhere */
#endif
