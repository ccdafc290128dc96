# RV64M: multiply (low/high, signed/unsigned mixes), divide and remainder
# including division by zero and signed overflow, and the W forms.
#include "xlate_test.h"

TEST_BEGIN

  # ---- mul ----
  TEST_RR_OP(2,  mul, 0x0000000000000000, 0, 0)
  TEST_RR_OP(3,  mul, 0x0000000000000015, 3, 7)
  TEST_RR_OP(4,  mul, 0xfffffffffffffff9, -1, 7)
  TEST_RR_OP(5,  mul, 0x0000000000000001, -1, -1)
  TEST_RR_OP(6,  mul, 0x0000000000000000, 0x8000000000000000, 2)  # low bits only
  TEST_RR_OP(7,  mul, 0x2236d88fe5618cf0, 0x0123456789abcdef, 0xfedcba9876543210)
  # ---- mulh / mulhu / mulhsu ----
  TEST_RR_OP(8,  mulh,   0xffffffffffffffff, -1, 7)
  TEST_RR_OP(9,  mulh,   0x0000000000000000, -1, -1)
  TEST_RR_OP(10, mulh,   0x4000000000000000, 0x8000000000000000, 0x8000000000000000)
  TEST_RR_OP(11, mulh,   0xc000000000000000, 0x8000000000000000, 0x7fffffffffffffff)
  TEST_RR_OP(12, mulhu,  0xfffffffffffffffe, -1, -1)
  TEST_RR_OP(13, mulhu,  0x0000000000000006, -1, 7)
  TEST_RR_OP(14, mulhu,  0x4000000000000000, 0x8000000000000000, 0x8000000000000000)
  TEST_RR_OP(15, mulhsu, 0xffffffffffffffff, -1, -1)        # (-1) * (2^64-1)
  TEST_RR_OP(16, mulhsu, 0xc000000000000000, 0x8000000000000000, 0x8000000000000000)
  TEST_RR_OP(17, mulhsu, 0x0000000000000006, 7, -1)
  TEST_RR_OP(18, mulh,   0xffdcaa89797a8cb0, 0x0123456789abcdef, 0xe0f1e2d3c4b5a697)  # signed 128-bit high part
  # ---- mulw ----
  TEST_RR_OP(19, mulw, 0xffffffff80000000, 0x40000000, 2)
  TEST_RR_OP(20, mulw, 0x0000000000000001, 0xffffffffffffffff, 0x00000000ffffffff)
  TEST_RR_OP(21, mulw, 0x0000000000000015, 0x1234567800000003, 0xabcdef0000000007)
  TEST_RR_SRC12_EQ_DEST(22, mul, 169, 13)

  # ---- div / divu ----
  TEST_RR_OP(23, div,  3, 20, 6)
  TEST_RR_OP(24, div,  -3, -20, 6)           # rounds toward zero
  TEST_RR_OP(25, div,  -3, 20, -6)
  TEST_RR_OP(26, div,  3, -20, -6)
  TEST_RR_OP(27, div,  -1, 5, 0)             # by zero -> all ones
  TEST_RR_OP(28, div,  0x8000000000000000, 0x8000000000000000, -1)  # overflow
  TEST_RR_OP(29, divu, 0x2aaaaaaaaaaaaaa7, -20, 6)
  TEST_RR_OP(30, divu, -1, 5, 0)
  TEST_RR_OP(31, divu, 0, 0x8000000000000000, -1)
  # ---- rem / remu ----
  TEST_RR_OP(32, rem,  2, 20, 6)
  TEST_RR_OP(33, rem,  -2, -20, 6)           # sign of dividend
  TEST_RR_OP(34, rem,  2, 20, -6)
  TEST_RR_OP(35, rem,  -2, -20, -6)
  TEST_RR_OP(36, rem,  -5, -5, 0)            # by zero -> dividend
  TEST_RR_OP(37, rem,  0, 0x8000000000000000, -1)
  TEST_RR_OP(38, remu, 2, -20, 6)
  TEST_RR_OP(39, remu, 0x8000000000000000, 0x8000000000000000, 0)
  TEST_RR_OP(40, remu, 0x8000000000000000, 0x8000000000000000, -1)

  # ---- W forms: operate on low 32 bits, sign-extend the result ----
  TEST_RR_OP(41, divw,  -3, 0x00000000ffffffec, 6)          # -20 / 6
  TEST_RR_OP(42, divw,  -1, 5, 0x100000000)                  # divisor low word 0
  TEST_RR_OP(43, divw,  0xffffffff80000000, 0x80000000, -1) # overflow
  TEST_RR_OP(44, divuw, 0x000000002aaaaaa7, 0xffffffffffffffec, 6)
  TEST_RR_OP(45, divuw, 0xffffffffffffffff, 7, 0)
  TEST_RR_OP(46, divuw, 0xffffffff80000000, 0xffffffff80000000, 1)  # result sign-extended
  TEST_RR_OP(47, remw,  -2, 0x12345678ffffffec, 6)
  TEST_RR_OP(48, remw,  0xffffffff80000000, 0x80000000, 0)   # by zero -> sext(dividend)
  TEST_RR_OP(49, remw,  0, 0x80000000, -1)
  TEST_RR_OP(50, remuw, 2, 0xffffffffffffffec, 6)
  TEST_RR_OP(51, remuw, 0xffffffff80000000, 0x80000000, 0)
  TEST_RR_OP(52, remuw, 0x0000000000000005, 0x0000000500000005, 0x0000000700000007)

  # dest == source forms
  TEST_RR_SRC1_EQ_DEST(53, div, 4, 17, 4)
  TEST_RR_SRC2_EQ_DEST(54, rem, 1, 17, 4)
  TEST_RR_ZERODEST(55, div, 17, 0)

  # hot loop: factorial 20 via mul, then divide it back down
  TEST_CASE(56, a4, 1, \
      li a1, 1; li a2, 1; li a3, 21; 1: mul a1, a1, a2; addi a2, a2, 1; bne a2, a3, 1b; \
      li a2, 20; 2: divu a1, a1, a2; addi a2, a2, -1; bnez a2, 2b; mv a4, a1)
  TEST_CASE(57, a4, 2432902008176640000, \
      li a1, 1; li a2, 1; li a3, 21; 1: mul a1, a1, a2; addi a2, a2, 1; bne a2, a3, 1b; mv a4, a1)

  TEST_PASS
