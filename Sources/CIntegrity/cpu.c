/* Run-time CPU feature detection (cpuid + xgetbv), done once. */
#include "CIntegrity.h"

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>

static uint64_t read_xcr0(void) {
    uint32_t eax, edx;
    __asm__ volatile("xgetbv" : "=a"(eax), "=d"(edx) : "c"(0));
    return ((uint64_t)edx << 32) | eax;
}

static uint32_t detect(void) {
    uint32_t a, b, c, d, f = 0;
    if (!__get_cpuid(1, &a, &b, &c, &d)) return 0;
    if (c & (1u << 20)) f |= FD_CPU_SSE42;
    if (c & (1u << 1)) f |= FD_CPU_PCLMUL;
    if (c & (1u << 9)) f |= FD_CPU_SSSE3;
    int osxsave = (c & (1u << 27)) != 0;
    uint64_t xcr0 = osxsave ? read_xcr0() : 0;
    int ymm_ok = (xcr0 & 0x6) == 0x6;
    int zmm_ok = (xcr0 & 0xE6) == 0xE6;
    if (__get_cpuid_max(0, 0) >= 7) {
        __cpuid_count(7, 0, a, b, c, d);
        if ((b & (1u << 5)) && ymm_ok) f |= FD_CPU_AVX2;
        if ((b & (1u << 16)) && (b & (1u << 30)) && zmm_ok) f |= FD_CPU_AVX512BW;
        if (c & (1u << 8)) f |= FD_CPU_GFNI;
        if ((c & (1u << 10)) && ymm_ok) f |= FD_CPU_VPCLMUL;
        /* The AVX-512 folding kernel uses 128-bit EVEX forms too. */
        if ((b & (1u << 31)) && (f & FD_CPU_AVX512BW)) f |= FD_CPU_AVX512VL;
    }
    return f;
}
#elif defined(__aarch64__) && defined(__linux__)
#include <sys/auxv.h>
#ifndef HWCAP_ASIMD
#define HWCAP_ASIMD (1 << 1)
#endif
#ifndef HWCAP_PMULL
#define HWCAP_PMULL (1 << 4)
#endif
#ifndef HWCAP_CRC32
#define HWCAP_CRC32 (1 << 7)
#endif

static uint32_t detect(void) {
    unsigned long hw = getauxval(AT_HWCAP);
    uint32_t f = 0;
    if (hw & HWCAP_ASIMD) f |= FD_CPU_NEON;
    if (hw & HWCAP_CRC32) f |= FD_CPU_ARM_CRC32;
    if (hw & HWCAP_PMULL) f |= FD_CPU_PMULL;
    return f;
}
#elif defined(__aarch64__) && defined(__APPLE__)
#include <sys/sysctl.h>

static int sysctl_flag(const char *name) {
    int v = 0;
    size_t n = sizeof v;
    return sysctlbyname(name, &v, &n, NULL, 0) == 0 && v != 0;
}

static uint32_t detect(void) {
    /* Every Apple arm64 CPU has Advanced SIMD; CRC32 and PMULL are asked for. */
    uint32_t f = FD_CPU_NEON;
    if (sysctl_flag("hw.optional.armv8_crc32")) f |= FD_CPU_ARM_CRC32;
    if (sysctl_flag("hw.optional.arm.FEAT_PMULL")) f |= FD_CPU_PMULL;
    return f;
}
#elif defined(__aarch64__)
static uint32_t detect(void) { return FD_CPU_NEON; } /* Advanced SIMD is part of AArch64 */
#else
static uint32_t detect(void) { return 0; }
#endif

static uint32_t cached = 0xFFFFFFFFu;

uint32_t fd_cpu_features(void) {
    /* Atomic on both sides (a plain read racing the store is a data race, as
       ThreadSanitizer found). */
    uint32_t f = __atomic_load_n(&cached, __ATOMIC_RELAXED);
    if (f == 0xFFFFFFFFu) {
        /* Idempotent: racing threads compute the same value. */
        f = detect();
        __atomic_store_n(&cached, f, __ATOMIC_RELAXED);
    }
    return f;
}
