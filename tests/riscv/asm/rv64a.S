# RV64A: lr/sc success and failure cases, and every amo*.w / amo*.d:
# returned old value (sign-extended for .w), new memory value, untouched
# neighbouring word, rd == rs2 and rd == x0 forms.
#include "xlate_test.h"

# amo on a doubleword: mem = init; rd = amo(mem, operand)
# checks rd == old and mem == newval
#define TEST_AMO_D(n, inst, init, operand, old, newval)                 \
        TEST_CASE(n, a4, newval,                                        \
            la a1, amo_buf; li a2, init; sd a2, 0(a1); li a3, operand;  \
            inst a5, a3, (a1);                                          \
            li t6, old; bne a5, t6, xlate_fail;                         \
            ld a4, 0(a1))

# amo on the low word of a doubleword whose high word is 0x5a5a5a5a:
# checks rd == sext(old) and the whole doubleword afterwards
#define TEST_AMO_W(n, inst, init, operand, old, newval)                 \
        TEST_CASE(n, a4, (0x5a5a5a5a00000000 | ((newval) & 0xffffffff)), \
            la a1, amo_buf; li a2, (0x5a5a5a5a00000000 | ((init) & 0xffffffff)); \
            sd a2, 0(a1); li a3, operand;                               \
            inst a5, a3, (a1);                                          \
            li t6, old; bne a5, t6, xlate_fail;                         \
            ld a4, 0(a1))

TEST_BEGIN

  # ---- lr / sc ----
  # successful pair: sc returns 0 and stores
  TEST_CASE(2, a4, 0x1234, \
      la a1, lr_buf; li a2, 7; sd a2, 0(a1); \
      lr.d a3, (a1); li t6, 7; bne a3, t6, xlate_fail; \
      li a2, 0x1234; sc.d a5, a2, (a1); bnez a5, xlate_fail; ld a4, 0(a1))
  # second sc without a new lr fails (rd = 1) and does not store
  TEST_CASE(3, a4, 0x1234, \
      la a1, lr_buf; li a2, 0x9999; sc.d a5, a2, (a1); \
      li t6, 1; bne a5, t6, xlate_fail; ld a4, 0(a1))
  # lr.w sign-extends; sc.w writes only the low word
  TEST_CASE(4, a4, 0x1111111100000042, \
      la a1, lr_buf; li a2, 0x11111111f0000000; sd a2, 0(a1); \
      lr.w a3, (a1); li t6, 0xfffffffff0000000; bne a3, t6, xlate_fail; \
      li a2, 0x42; sc.w a5, a2, (a1); bnez a5, xlate_fail; ld a4, 0(a1))
  # sc to an address other than the reserved one fails (other page)
  TEST_CASE(5, a4, 0x77, \
      la a1, lr_buf; la a6, lr_far; li a2, 0x77; sd a2, 0(a6); \
      lr.d a3, (a1); li a2, 0x88; sc.d a5, a2, (a6); \
      li t6, 1; bne a5, t6, xlate_fail; ld a4, 0(a6))
  # the failed sc above leaves memory at the reserved address untouched too
  TEST_CASE(6, a4, 0x1111111100000042, la a1, lr_buf; ld a4, 0(a1))
  # sc.w without any reservation fails
  TEST_CASE(7, a5, 1, \
      la a1, lr_buf; lr.d a3, (a1); sc.d a5, a3, (a1); bnez a5, xlate_fail; \
      li a2, 5; sc.w a5, a2, (a1))
  # lr/sc retry loop: atomic increment 300 times
  TEST_CASE(8, a4, 300, \
      la a1, lr_buf; sd x0, 0(a1); li a6, 300; \
      1: lr.d a3, (a1); addi a3, a3, 1; sc.d a5, a3, (a1); bnez a5, 1b; \
      addi a6, a6, -1; bnez a6, 1b; ld a4, 0(a1))
  # aq/rl variants behave the same
  TEST_CASE(9, a4, 0x55, \
      la a1, lr_buf; lr.d.aq a3, (a1); li a2, 0x55; sc.d.rl a5, a2, (a1); \
      bnez a5, xlate_fail; ld a4, 0(a1))
  TEST_CASE(10, a4, 0x66, \
      la a1, lr_buf; lr.w.aqrl a3, (a1); li a2, 0x66; sc.w.aqrl a5, a2, (a1); \
      bnez a5, xlate_fail; lwu a4, 0(a1))

  # ---- amo*.d ----
  TEST_AMO_D(11, amoswap.d, 0x1111, 0x2222, 0x1111, 0x2222)
  TEST_AMO_D(12, amoadd.d,  0xffffffffffffffff, 2, 0xffffffffffffffff, 1)
  TEST_AMO_D(13, amoxor.d,  0xff00ff00ff00ff00, 0x0ff00ff00ff00ff0, 0xff00ff00ff00ff00, 0xf0f0f0f0f0f0f0f0)
  TEST_AMO_D(14, amoand.d,  0xff00ff00ff00ff00, 0x0ff00ff00ff00ff0, 0xff00ff00ff00ff00, 0x0f000f000f000f00)
  TEST_AMO_D(15, amoor.d,   0xff00ff00ff00ff00, 0x0ff00ff00ff00ff0, 0xff00ff00ff00ff00, 0xfff0fff0fff0fff0)
  TEST_AMO_D(16, amomin.d,  0x8000000000000000, 5, 0x8000000000000000, 0x8000000000000000)
  TEST_AMO_D(17, amomin.d,  5, -3, 5, -3)
  TEST_AMO_D(18, amomax.d,  0x8000000000000000, 5, 0x8000000000000000, 5)
  TEST_AMO_D(19, amomax.d,  7, -3, 7, 7)
  TEST_AMO_D(20, amominu.d, 0x8000000000000000, 5, 0x8000000000000000, 5)
  TEST_AMO_D(21, amominu.d, 3, -1, 3, 3)
  TEST_AMO_D(22, amomaxu.d, 0x8000000000000000, 5, 0x8000000000000000, 0x8000000000000000)
  TEST_AMO_D(23, amomaxu.d, 3, -1, 3, -1)

  # ---- amo*.w (high word of the doubleword must stay 0x5a5a5a5a) ----
  TEST_AMO_W(24, amoswap.w, 0x80000000, 0x1234, 0xffffffff80000000, 0x1234)
  TEST_AMO_W(25, amoadd.w,  0x7fffffff, 1, 0x7fffffff, 0x80000000)     # no carry into high word
  TEST_AMO_W(26, amoadd.w,  0xffffffff, 1, 0xffffffffffffffff, 0)
  TEST_AMO_W(27, amoxor.w,  0xff00ff00, 0x0ff00ff0, 0xffffffffff00ff00, 0xf0f0f0f0)
  TEST_AMO_W(28, amoand.w,  0xff00ff00, 0x0ff00ff0, 0xffffffffff00ff00, 0x0f000f00)
  TEST_AMO_W(29, amoor.w,   0x0f00ff00, 0x0ff00ff0, 0x000000000f00ff00, 0x0ff0fff0)
  TEST_AMO_W(30, amomin.w,  0x80000000, 5, 0xffffffff80000000, 0x80000000)
  TEST_AMO_W(31, amomin.w,  5, 0xfffffffd, 5, 0xfffffffd)          # operand -3 as 32-bit
  TEST_AMO_W(32, amomin.w,  5, 0x00000001fffffffd, 5, 0xfffffffd)  # operand's upper bits ignored
  TEST_AMO_W(33, amomax.w,  0x80000000, 5, 0xffffffff80000000, 5)
  TEST_AMO_W(34, amomax.w,  0xffffffff, 0x100000000, 0xffffffffffffffff, 0)  # max(-1, 0) = 0
  TEST_AMO_W(35, amominu.w, 0x80000000, 5, 0xffffffff80000000, 5)
  TEST_AMO_W(36, amominu.w, 3, 0xffffffff, 3, 3)
  TEST_AMO_W(37, amomaxu.w, 0x80000000, 5, 0xffffffff80000000, 0x80000000)
  TEST_AMO_W(38, amomaxu.w, 3, 0x1ffffffff, 3, 0xffffffff)

  # ---- operand/destination aliasing ----
  # rd == rs2: old value lands in rd, memory gets the original rs2
  TEST_CASE(39, a4, 0x99, \
      la a1, amo_buf; li a2, 0x10; sd a2, 0(a1); li a3, 0x99; \
      amoswap.d a3, a3, (a1); li t6, 0x10; bne a3, t6, xlate_fail; ld a4, 0(a1))
  # rd == x0: memory still updated
  TEST_CASE(40, a4, 0x15, \
      la a1, amo_buf; li a2, 0x10; sd a2, 0(a1); li a3, 5; \
      amoadd.d x0, a3, (a1); ld a4, 0(a1))
  # aq/rl encodings
  TEST_CASE(41, a4, 0x17, \
      la a1, amo_buf; li a3, 2; amoadd.w.aqrl a5, a3, (a1); \
      li t6, 0x15; bne a5, t6, xlate_fail; lw a4, 0(a1))
  # hot loop of amoadd.w: sum 1..500
  TEST_CASE(42, a4, 125250, \
      la a1, amo_buf; sd x0, 0(a1); li a6, 500; \
      1: amoadd.w x0, a6, (a1); addi a6, a6, -1; bnez a6, 1b; ld a4, 0(a1))
  # amo to a word at offset 4 (upper half of the doubleword)
  TEST_CASE(43, a4, 0xffffffff00000001, \
      la a1, amo_buf; li a2, 1; sd a2, 0(a1); li a3, -1; addi a6, a1, 4; \
      amoswap.w a5, a3, (a6); bnez a5, xlate_fail; ld a4, 0(a1))

  TEST_PASS

TEST_DATA
  .balign 64
lr_buf:  .dword 0
  .balign 64
amo_buf: .dword 0, 0
  .balign 4096
lr_far:  .dword 0
