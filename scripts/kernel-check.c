/*
 * The CRC32C and GF(2^8) kernels of CIntegrity against their portable references, with
 * no Swift: built natively or cross-compiled (scripts/arm-check.sh runs it for aarch64
 * under qemu-user). Every kernel the CPU runs is checked on sizes 0..1 MiB+7 at unaligned
 * starts, every coefficient, and split updates. Exit 0 when all agree, 1 otherwise.
 *   cc -O2 -I Sources/CIntegrity/include scripts/kernel-check.c Sources/CIntegrity/[a-z]*.c -lpthread
 */
#include "CIntegrity.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint64_t seed = 0x9E3779B97F4A7C15ull;
static uint8_t next_byte(void) {
    seed ^= seed << 13;
    seed ^= seed >> 7;
    seed ^= seed << 17;
    return (uint8_t)(seed >> 24);
}

static const size_t sizes[] = {0, 1, 7, 8, 15, 16, 17, 31, 32, 33, 47, 48, 63, 64, 65, 95, 127, 128, 129,
                               191, 255, 256, 257, 383, 511, 512, 1023, 1024, 4095, 4096, 4097, 12287,
                               12288, 12289, 65535, 65536, 65537, 100003, (1u << 18) - 1, 1u << 18,
                               (1u << 18) + 129, (1u << 20) + 7};
#define NSIZES (sizeof sizes / sizeof sizes[0])
#define MAXLEN ((1u << 20) + 7 + 64)

static int failures = 0;

static void fail(const char *what, const char *kernel, size_t size, size_t offset) {
    if (failures++ < 20) printf("FAIL %s: kernel %s, %zu bytes at offset %zu\n", what, kernel, size, offset);
}

static void check_crc(const uint8_t *buf) {
    const fd_crc_kernel kernels[] = {FD_CRC_SSE42, FD_CRC_PCLMUL128, FD_CRC_VPCLMUL256, FD_CRC_AVX512, FD_CRC_ARMV8};
    /* The standard check value of "123456789". */
    if (~fd_crc32c_update_with(FD_CRC_TABLE, ~0u, "123456789", 9) != 0xE3069283u) fail("crc check value", "slicing-by-8", 9, 0);
    for (size_t k = 0; k < sizeof kernels / sizeof kernels[0]; k++) {
        if (!fd_crc32c_kernel_available(kernels[k])) {
            printf("crc32c %-15s not run by this CPU: skipped\n", fd_crc32c_kernel_name_of(kernels[k]));
            continue;
        }
        const char *name = fd_crc32c_kernel_name_of(kernels[k]);
        int before = failures;
        for (size_t s = 0; s < NSIZES; s++)
            for (size_t off = 0; off < 9; off++) {
                uint32_t want = fd_crc32c_update_with(FD_CRC_TABLE, 0x12345678u, buf + off, sizes[s]);
                if (fd_crc32c_update_with(kernels[k], 0x12345678u, buf + off, sizes[s]) != want) fail("crc32c", name, sizes[s], off);
                /* Split in two at an odd place: the state carries over. */
                size_t cut = sizes[s] / 3;
                uint32_t c = fd_crc32c_update_with(kernels[k], 0x12345678u, buf + off, cut);
                if (fd_crc32c_update_with(kernels[k], c, buf + off + cut, sizes[s] - cut) != want) fail("crc32c split", name, sizes[s], off);
            }
        for (size_t n = 0; n <= 600; n++) /* every short length */
            if (fd_crc32c_update_with(kernels[k], ~0u, buf + 3, n) != fd_crc32c_update_with(FD_CRC_TABLE, ~0u, buf + 3, n))
                fail("crc32c short", name, n, 3);
        printf("crc32c %-15s %s\n", name, failures == before ? "agrees with slicing-by-8" : "DISAGREES");
    }
}

/* Every kernel's matmul of nsrc sources into ndst rows against the scalar one. */
static void check_matmul(const char *name, fd_gf_kernel kernel, uint8_t *pool, size_t len, size_t off, int nsrc, int ndst,
                         const uint8_t *coeffs) {
    const uint8_t *src[16] = {0};
    uint8_t *want[8] = {0}, *got[8] = {0};
    for (int j = 0; j < nsrc; j++) src[j] = pool + off + (size_t)j * (len + 67);
    uint8_t *out = pool + off + (size_t)nsrc * (len + 67);
    for (int r = 0; r < ndst; r++) {
        want[r] = out + (size_t)(2 * r) * (len + 67);
        got[r] = out + (size_t)(2 * r + 1) * (len + 67);
    }
    fd_gf_matmul(FD_GF_SCALAR, len, nsrc, ndst, coeffs, src, want);
    fd_gf_matmul(kernel, len, nsrc, ndst, coeffs, src, got);
    for (int r = 0; r < ndst; r++)
        if (memcmp(want[r], got[r], len) != 0) {
            fail("gf matmul", name, len, off);
            return;
        }
}

static void check_gf(void) {
    const fd_gf_kernel kernels[] = {FD_GF_SSSE3, FD_GF_AVX2, FD_GF_GFNI256, FD_GF_GFNI512, FD_GF_NEON};
    /* Room for 10 sources and 4 rows twice over at the largest size. */
    size_t room = 20 * ((size_t)MAXLEN + 67) + 128;
    uint8_t *pool = malloc(room);
    if (!pool) {
        printf("FAIL: no memory for the GF check\n");
        failures++;
        return;
    }
    for (size_t i = 0; i < room; i++) pool[i] = next_byte();
    /* The scalar reference itself against the field's definition (a*b by shift and add). */
    for (int a = 0; a < 256; a++)
        for (int b = 0; b < 256; b++) {
            unsigned p = 0, x = (unsigned)a, y = (unsigned)b;
            while (y) {
                if (y & 1) p ^= x;
                x <<= 1;
                if (x & 0x100) x ^= 0x11D;
                y >>= 1;
            }
            if (fd_gf_mul((uint8_t)a, (uint8_t)b) != p) fail("gf multiply", "scalar", (size_t)a, (size_t)b);
        }
    for (size_t k = 0; k < sizeof kernels / sizeof kernels[0]; k++) {
        const char *name = fd_gf_kernel_name_of(kernels[k]);
        if (!fd_gf_kernel_available(kernels[k])) {
            printf("gf     %-15s not run by this CPU: skipped\n", name);
            continue;
        }
        int before = failures;
        uint8_t coeffs[40];
        /* Every coefficient, one source, one row, at several sizes and offsets. */
        for (int c = 0; c < 256; c++) {
            coeffs[0] = (uint8_t)c;
            check_matmul(name, kernels[k], pool, 4096 + 33, (size_t)c % 7, 1, 1, coeffs);
        }
        /* (4,2)- and (10,4)-shaped products and the in-between row counts, every size. */
        const int shapes[][2] = {{4, 2}, {10, 4}, {3, 1}, {5, 3}, {10, 5}, {9, 7}};
        for (size_t sh = 0; sh < sizeof shapes / sizeof shapes[0]; sh++)
            for (size_t s = 0; s < NSIZES; s++) {
                int nsrc = shapes[sh][0], ndst = shapes[sh][1];
                if (sizes[s] > 70000 && nsrc + 2 * ndst > 19) continue; /* the pool's room */
                for (int i = 0; i < nsrc * ndst; i++) coeffs[i] = next_byte();
                check_matmul(name, kernels[k], pool, sizes[s], s % 5, nsrc, ndst, coeffs);
            }
        /* dst ^= c*src in place. */
        for (int c = 0; c < 256; c += 17) {
            uint8_t *a = pool + 1, *b = pool + 5000, *want = pool + 10003;
            memcpy(want, b, 3001);
            fd_gf_mul_add(FD_GF_SCALAR, 3001, (uint8_t)c, a, want);
            fd_gf_mul_add(kernels[k], 3001, (uint8_t)c, a, b);
            if (memcmp(want, b, 3001) != 0) fail("gf mul_add", name, 3001, 1);
        }
        printf("gf     %-15s %s\n", name, failures == before ? "agrees with scalar" : "DISAGREES");
    }
    free(pool);
}

int main(void) {
    uint8_t *buf = malloc(MAXLEN + 16);
    if (!buf) {
        printf("FAIL: no memory\n");
        return 1;
    }
    for (size_t i = 0; i < MAXLEN + 16; i++) buf[i] = next_byte();
    printf("chosen: crc32c %s, gf %s\n", fd_crc32c_kernel_name(), fd_gf_kernel_name());
    check_crc(buf);
    check_gf();
    free(buf);
    printf("%s\n", failures ? "kernel-check: FAILED" : "kernel-check: every kernel agrees with its reference");
    return failures ? 1 : 0;
}
