# RV64I loads and stores: every width, sign/zero extension, little-endian
# byte order, positive/negative offsets, partial-width stores leaving the
# neighbouring bytes intact, rd == base, x0 destination.
#include "xlate_test.h"

#define TEST_LD(n, inst, result, off, base)                             \
        TEST_CASE(n, a4, result, la a1, base; inst a4, off(a1))

#define TEST_ST_LD(n, st, ld, result, off, base)                        \
        TEST_CASE(n, a4, result, la a1, base; li a2, result; st a2, off(a1); ld a4, off(a1))

TEST_BEGIN

  # loads of the constant table (little-endian)
  TEST_LD(2,  lb,  0xffffffffffffff88, 0, tdat)
  TEST_LD(3,  lbu, 0x0000000000000088, 0, tdat)
  TEST_LD(4,  lb,  0x0000000000000011, 7, tdat)
  TEST_LD(5,  lh,  0xffffffffffff8899, 0, tdat2)
  TEST_LD(6,  lhu, 0x0000000000008899, 0, tdat2)
  TEST_LD(7,  lh,  0x0000000000007766, 2, tdat2)
  TEST_LD(8,  lw,  0xffffffff8899aabb, 0, tdat3)
  TEST_LD(9,  lwu, 0x000000008899aabb, 0, tdat3)
  TEST_LD(10, lw,  0x0000000011223344, 4, tdat3)
  TEST_LD(11, ld,  0x1122334455667788, 0, tdat)
  TEST_LD(12, ld,  0x8899aabbccddeeff, 8, tdat)
  TEST_LD(13, lbu, 0x0000000000000077, 1, tdat)
  TEST_LD(14, lhu, 0x0000000000003344, 4, tdat)   # bytes 4,5 of tdat
  # negative offsets
  TEST_LD(15, ld,  0x1122334455667788, -8, tdat + 8)
  TEST_LD(16, lw,  0xffffffffccddeeff, -2048 + 8, tdat + 2048)
  TEST_LD(17, lbu, 0x0000000000000088, 2047, tdat - 2047)

  # store then load, every width
  TEST_ST_LD(18, sb, lb,  0xffffffffffffffaa, 0, buf)
  TEST_ST_LD(19, sb, lbu, 0x0000000000000055, 1, buf)
  TEST_ST_LD(20, sh, lh,  0xffffffffffffbeef, 2, buf)
  TEST_ST_LD(21, sh, lhu, 0x0000000000001234, 4, buf)
  TEST_ST_LD(22, sw, lw,  0xffffffffdeadbeef, 8, buf)
  TEST_ST_LD(23, sw, lwu, 0x00000000cafef00d, 12, buf)
  TEST_ST_LD(24, sd, ld,  0x0123456789abcdef, 16, buf)
  TEST_ST_LD(25, sd, ld,  0xfedcba9876543210, -8, buf + 32)

  # narrow stores only write their own bytes
  TEST_CASE(26, a4, 0x11223344aa667788, \
      la a1, buf2; li a2, 0x1122334455667788; sd a2, 0(a1); li a3, 0xffaa; sb a3, 3(a1); ld a4, 0(a1))
  TEST_CASE(27, a4, 0x1122beefaa667788, \
      la a1, buf2; li a3, 0x7777beef; sh a3, 4(a1); ld a4, 0(a1))
  TEST_CASE(28, a4, 0x0000000faa667788, \
      la a1, buf2; li a3, 0xffffffff0000000f; sw a3, 4(a1); ld a4, 0(a1))
  # a doubleword written as bytes reads back as little-endian
  TEST_CASE(29, a4, 0x0807060504030201, \
      la a1, buf2; li a2, 1; sb a2, 0(a1); li a2, 2; sb a2, 1(a1); li a2, 3; sb a2, 2(a1); \
      li a2, 4; sb a2, 3(a1); li a2, 5; sb a2, 4(a1); li a2, 6; sb a2, 5(a1); \
      li a2, 7; sb a2, 6(a1); li a2, 8; sb a2, 7(a1); ld a4, 0(a1))
  TEST_CASE(30, a4, 0x0000000004030201, la a1, buf2; lwu a4, 0(a1))
  TEST_CASE(31, a4, 0x0000000000000605, la a1, buf2; lh a4, 4(a1))

  # rd == base register
  TEST_CASE(32, a1, 0x1122334455667788, la a1, tdat; ld a1, 0(a1))
  # load into x0 is discarded
  TEST_CASE(33, x0, 0, la a1, tdat; ld x0, 0(a1))
  # store of x0 writes zeros
  TEST_CASE(34, a4, 0, la a1, buf2; sd x0, 0(a1); ld a4, 0(a1))
  # store using the same register as base and data
  TEST_CASE(35, a4, 0, la a1, buf3; sd a1, 0(a1); ld a4, 0(a1); sub a4, a4, a1)

  # load-use chain: pointer chasing through a small linked list
  TEST_CASE(36, a4, 0x33, la a1, node0; ld a1, 0(a1); ld a1, 0(a1); ld a4, 8(a1))

  # hot copy loop: copy 512 bytes word by word, then checksum
  TEST_CASE(37, a4, 0, \
      la a1, srcbuf; la a2, dstbuf; li a3, 128; li a5, 0; \
      1: sw a3, 0(a1); addi a1, a1, 4; addi a3, a3, -1; bnez a3, 1b; \
      la a1, srcbuf; li a3, 128; \
      2: lw a6, 0(a1); sw a6, 0(a2); addi a1, a1, 4; addi a2, a2, 4; addi a3, a3, -1; bnez a3, 2b; \
      la a2, dstbuf; li a3, 128; li a4, 0; \
      3: lw a6, 0(a2); add a4, a4, a6; addi a2, a2, 4; addi a3, a3, -1; bnez a3, 3b; \
      li a6, 128 * 129 / 2; sub a4, a4, a6)

  TEST_PASS

TEST_DATA
  .balign 16
tdat:
  .dword 0x1122334455667788
  .dword 0x8899aabbccddeeff
tdat2:
  .half 0x8899, 0x7766, 0x0000, 0x0000
tdat3:
  .word 0x8899aabb, 0x11223344
  .balign 16
buf:  .skip 64
buf2: .skip 16
buf3: .skip 16
node0: .dword node1, 0x11
node1: .dword node2, 0x22
node2: .dword 0, 0x33
  .balign 16
srcbuf: .skip 512
dstbuf: .skip 512
  .skip 2048
