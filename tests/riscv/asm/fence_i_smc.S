# Self-modifying code: instruction words that already ran (and may sit in a
# translation cache, interpreted or compiled) are overwritten, fence.i is
# executed, and the new code must run. Covers a patched leaf function, a
# patched hot function, an instruction later in the running straight-line
# code, repeated re-patching while hot, and patches written with byte
# stores, a doubleword store and an AMO.
#include "xlate_test.h"

/* encodings of the replacement instructions */
#define ADDI_A0_X0(imm)   (0x00000513 | ((imm) << 20))   /* addi a0, x0, imm */
#define ADDI_A0_A0(imm)   (0x00050513 | ((imm) << 20))   /* addi a0, a0, imm */
#define RET_INSN          0x00008067                     /* jalr x0, 0(ra) */

TEST_BEGIN

  # ---- patch a function that already ran ----
  TEST_CASE(2, a0, 1, call patch_fn)
  li TESTNUM, 3
  la a1, patch_fn
  li a2, ADDI_A0_X0(2)
  sw a2, 0(a1)
  fence.i
  call patch_fn
  CHECK_IMM(a0, 2)
  # and again, so a stale second translation would show
  li TESTNUM, 4
  li a2, ADDI_A0_X0(3)
  sw a2, 0(a1)
  fence.i
  call patch_fn
  CHECK_IMM(a0, 3)

  # ---- hot function: run 2000 times, patch it, run 2000 times ----
  li TESTNUM, 5
  li a3, 2000
  li a0, 0
1: call hot_fn                          # adds 1
  addi a3, a3, -1
  bnez a3, 1b
  CHECK_IMM(a0, 2000)
  li TESTNUM, 6
  la a1, hot_fn
  li a2, ADDI_A0_A0(5)
  sw a2, 0(a1)
  fence.i
  li a3, 2000
  li a0, 0
1: call hot_fn                          # now adds 5
  addi a3, a3, -1
  bnez a3, 1b
  CHECK_IMM(a0, 10000)

  # ---- patch an instruction later in the same straight-line code ----
  TEST_CASE(7, a0, 100, li a0, 0; li a4, ADDI_A0_A0(100); call patch_ahead)
  TEST_CASE(8, a0, 7, li a0, 0; li a4, ADDI_A0_A0(7); call patch_ahead)
  # re-patch on every call while hot: alternately +1 and +2, 600 calls
  TEST_CASE(9, s1, 900, \
      li s1, 0; li s2, 600; \
      1: andi a5, s2, 1; li a4, ADDI_A0_A0(1); beqz a5, 2f; li a4, ADDI_A0_A0(2); \
      2: li a0, 0; call patch_ahead; add s1, s1, a0; addi s2, s2, -1; bnez s2, 1b)

  # ---- patch written byte by byte ----
  li TESTNUM, 10
  call patch_fn                         # warm: returns 3
  CHECK_IMM(a0, 3)
  la a1, patch_fn
  li a2, ADDI_A0_X0(0x123)
  sb a2, 0(a1)
  srli a2, a2, 8
  sb a2, 1(a1)
  srli a2, a2, 8
  sb a2, 2(a1)
  srli a2, a2, 8
  sb a2, 3(a1)
  fence.i
  call patch_fn
  CHECK_IMM(a0, 0x123)

  # ---- two instructions replaced by one doubleword store ----
  li TESTNUM, 11
  la a1, patch_fn
  li a2, (RET_INSN << 32) | ADDI_A0_X0(0x45)
  sd a2, 0(a1)
  fence.i
  call patch_fn
  CHECK_IMM(a0, 0x45)

  # ---- patch written with an AMO ----
  li TESTNUM, 12
  la a1, patch_fn
  li a2, ADDI_A0_X0(0x67)
  amoswap.w a3, a2, (a1)
  li t6, ADDI_A0_X0(0x45)
  bne a3, t6, xlate_fail                # the AMO read the current code word
  fence.i
  call patch_fn
  CHECK_IMM(a0, 0x67)

  # ---- code generated into a data buffer and called ----
  li TESTNUM, 13
  la a1, code_buf
  li a2, ADDI_A0_X0(0x11)
  sw a2, 0(a1)
  li a2, RET_INSN
  sw a2, 4(a1)
  fence.i
  jalr ra, 0(a1)
  CHECK_IMM(a0, 0x11)
  li TESTNUM, 14
  li a2, ADDI_A0_X0(0x22)
  sw a2, 0(a1)
  fence.i
  jalr ra, 0(a1)
  CHECK_IMM(a0, 0x22)

  TEST_PASS

  .balign 8
patch_fn:
  addi a0, x0, 1
  ret

  .balign 8
hot_fn:
  addi a0, a0, 1
  ret

# stores a4 over the instruction at 1f, then runs it
  .balign 8
patch_ahead:
  la a1, 1f
  sw a4, 0(a1)
  fence.i
1: addi a0, a0, 1
  ret

TEST_DATA
  .balign 64
code_buf:
  .skip 64
