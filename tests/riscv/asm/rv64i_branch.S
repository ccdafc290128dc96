# RV64I conditional branches: every condition taken and not taken with
# signed/unsigned edge values, forward and backward targets, equal source
# registers, and hot loops with data-dependent branches.
#include "xlate_test.h"

#define TEST_BR_TAKEN(n, inst, v1, v2)                                  \
test_ ## n:                                                             \
        li TESTNUM, n; li a1, v1; li a2, v2;                            \
        inst a1, a2, 1f;                                                \
        j xlate_fail;                                                   \
1:

#define TEST_BR_NOT_TAKEN(n, inst, v1, v2)                              \
test_ ## n:                                                             \
        li TESTNUM, n; li a1, v1; li a2, v2;                            \
        inst a1, a2, 1f;                                                \
        j 2f;                                                           \
1:      j xlate_fail;                                                   \
2:

TEST_BEGIN

  TEST_BR_TAKEN(2, beq, 0, 0)
  TEST_BR_TAKEN(3, beq, -1, -1)
  TEST_BR_NOT_TAKEN(4, beq, 0, 1)
  TEST_BR_NOT_TAKEN(5, beq, 0x100000000, 0)        # differs only above bit 31
  TEST_BR_TAKEN(6, bne, 0x100000000, 0)
  TEST_BR_TAKEN(7, bne, 1, 0)
  TEST_BR_NOT_TAKEN(8, bne, 0x8000000000000000, 0x8000000000000000)

  TEST_BR_TAKEN(9,  blt, -1, 0)
  TEST_BR_TAKEN(10, blt, 0x8000000000000000, 0x7fffffffffffffff)
  TEST_BR_NOT_TAKEN(11, blt, 0, -1)
  TEST_BR_NOT_TAKEN(12, blt, 5, 5)
  TEST_BR_NOT_TAKEN(13, blt, 0x80000000, 0x7fffffff)  # 64-bit compare, not 32-bit
  TEST_BR_TAKEN(14, bge, 0, -1)
  TEST_BR_TAKEN(15, bge, 5, 5)
  TEST_BR_TAKEN(16, bge, 0x7fffffffffffffff, 0x8000000000000000)
  TEST_BR_NOT_TAKEN(17, bge, -2, -1)

  TEST_BR_TAKEN(18, bltu, 0, -1)
  TEST_BR_TAKEN(19, bltu, 0x7fffffffffffffff, 0x8000000000000000)
  TEST_BR_NOT_TAKEN(20, bltu, -1, 0)
  TEST_BR_NOT_TAKEN(21, bltu, 3, 3)
  TEST_BR_TAKEN(22, bgeu, -1, 0)
  TEST_BR_TAKEN(23, bgeu, 3, 3)
  TEST_BR_NOT_TAKEN(24, bgeu, 0, 0x8000000000000000)
  TEST_BR_NOT_TAKEN(25, bgeu, 0xfffffffffffffffe, 0xffffffffffffffff)

  # pseudo-instructions with x0: beqz/bnez/bltz/bgez/blez/bgtz
  TEST_BR_TAKEN(26, bge, 0, 0)
  li TESTNUM, 27
  li a1, -7
  bltz a1, 1f
  j xlate_fail
1:
  bgez a1, xlate_fail
  blez a1, 1f
  j xlate_fail
1:
  bgtz a1, xlate_fail
  li a1, 0
  bnez a1, xlate_fail
  beqz a1, 1f
  j xlate_fail
1:
  # same register on both sides
  li TESTNUM, 28
  li a1, 42
  bne a1, a1, xlate_fail
  blt a1, a1, xlate_fail
  bltu a1, a1, xlate_fail
  bge a1, a1, 1f
  j xlate_fail
1:
  # backward branch: count down 10 times
  TEST_CASE(29, a3, 10, li a1, 10; li a3, 0; 1: addi a3, a3, 1; addi a1, a1, -1; bnez a1, 1b)

  # branch not taken must not disturb registers; taken branch must not
  # execute the fall-through instruction
  TEST_CASE(30, a3, 1, li a3, 1; li a1, 1; beq a1, a1, 1f; li a3, 2; 1: nop)

  # hot loop (well above any JIT threshold) with a data-dependent branch:
  # sum of i for i in [0, 3000) where i % 3 == 0  -> 3*(0+..+999) = 1498500
  TEST_CASE(31, a3, 1498500, \
      li a1, 0; li a2, 3000; li a3, 0; li a4, 0; \
      1: bnez a4, 2f; add a3, a3, a1; 2: addi a4, a4, 1; li a5, 3; bne a4, a5, 3f; li a4, 0; \
      3: addi a1, a1, 1; bltu a1, a2, 1b)

  # nested loops with signed compare going negative
  TEST_CASE(32, a3, 400, \
      li a3, 0; li a1, 20; 1: li a2, -10; 2: addi a3, a3, 1; addi a2, a2, 1; blt a2, x0, 2b; \
      addi a3, a3, 10; addi a1, a1, -1; bgtz a1, 1b)

  # far branch: target more than 2 KiB away (uses the full 13-bit offset)
  li TESTNUM, 33
  li a1, 1
  beq a1, a1, far_fwd
  j xlate_fail
far_back:
  j 2f
  .skip 3000
far_fwd:
  bne a1, x0, far_back
  j xlate_fail
2:

  TEST_PASS
