# RV64I unconditional jumps: jal/jalr link values, jalr target computation
# (offset, bit 0 cleared, rd == rs1), jump tables, calls and recursion.
#include "xlate_test.h"

TEST_BEGIN

  # jal links pc+4 and jumps
  li TESTNUM, 2
  li a3, 0
1: jal a1, 2f
  li a3, 1                      # skipped
2:
  bnez a3, xlate_fail
  la a2, 1b
  addi a2, a2, 4
  bne a1, a2, xlate_fail

  # jal x0 (j) does not write a link
  TEST_CASE(3, a3, 0, li a3, 0; j 1f; li a3, 5; 1: nop)

  # jalr with zero offset, link = pc+4
  li TESTNUM, 4
  la a1, 2f
1: jalr a4, 0(a1)
  j xlate_fail
2:
  la a2, 1b
  addi a2, a2, 4
  bne a4, a2, xlate_fail

  # jalr with positive and negative offsets
  li TESTNUM, 5
  la a1, 2f
  addi a1, a1, -16
  jalr x0, 16(a1)
  j xlate_fail
2:
  li TESTNUM, 6
  la a1, 2f
  addi a1, a1, 100
  jalr x0, -100(a1)
  j xlate_fail
2:

  # jalr clears bit 0 of the target
  li TESTNUM, 7
  la a1, 2f
  addi a1, a1, 1
  jalr x0, 0(a1)
  j xlate_fail
  .balign 4
2:
  li TESTNUM, 8
  la a1, 2f
  jalr x0, 1(a1)
  j xlate_fail
  .balign 4
2:

  # rd == rs1: the target uses the old value of rs1
  li TESTNUM, 9
  la a1, 2f
1: jalr a1, 0(a1)
  j xlate_fail
2:
  la a2, 1b
  addi a2, a2, 4
  bne a1, a2, xlate_fail

  # call / ret through ra, nested two levels
  TEST_CASE(10, a0, 7, li a0, 0; call func_add3; call func_add4)
  TEST_CASE(11, a0, 14, li a0, 0; call func_nested)

  # jump table indexed by register
  TEST_CASE(12, a0, 30, li a1, 2; call jump_table_dispatch)
  TEST_CASE(13, a0, 10, li a1, 0; call jump_table_dispatch)
  TEST_CASE(14, a0, 40, li a1, 3; call jump_table_dispatch)

  # recursion with a stack: fib(15) = 610
  TEST_CASE(15, a0, 610, la sp, stack_top; li a0, 15; call fib)

  # hot indirect call loop: 1000 calls alternating between two targets
  TEST_CASE(16, a0, 500 * 3 + 500 * 4, \
      li a0, 0; li s1, 1000; la s2, func_add3; la s3, func_add4; \
      1: andi t0, s1, 1; beqz t0, 2f; jalr ra, 0(s2); j 3f; 2: jalr ra, 0(s3); 3: addi s1, s1, -1; bnez s1, 1b)

  # jal with the largest backward reach used here (across the skip area)
  li TESTNUM, 17
  j far_target
far_return:
  j 2f
  .skip 8000
far_target:
  jal x0, far_return
2:

  # link register value computed before the jump even when rd == ra
  # and auipc-based (call) offset: link must equal the address after jalr
  li TESTNUM, 18
  la a1, func_ret_ra
  jalr ra, a1
3:
  la a2, 3b
  bne a0, a2, xlate_fail

  TEST_PASS

func_add3:
  addi a0, a0, 3
  ret
func_add4:
  addi a0, a0, 4
  ret
func_nested:
  mv s0, ra
  call func_add3
  call func_add4
  call func_add3
  call func_add4
  mv ra, s0
  ret
func_ret_ra:
  mv a0, ra
  ret

jump_table_dispatch:
  la t0, jtab
  slli t1, a1, 3
  add t0, t0, t1
  ld t0, 0(t0)
  jr t0
jt0: li a0, 10; ret
jt1: li a0, 20; ret
jt2: li a0, 30; ret
jt3: li a0, 40; ret

# fib(n) = n < 2 ? n : fib(n-1) + fib(n-2)
fib:
  li t0, 2
  blt a0, t0, 1f
  addi sp, sp, -32
  sd ra, 0(sp)
  sd a0, 8(sp)
  addi a0, a0, -1
  call fib
  sd a0, 16(sp)
  ld a0, 8(sp)
  addi a0, a0, -2
  call fib
  ld t1, 16(sp)
  add a0, a0, t1
  ld ra, 0(sp)
  addi sp, sp, 32
1:
  ret

TEST_DATA
  .balign 8
jtab:
  .dword jt0, jt1, jt2, jt3
  .balign 16
stack:
  .skip 4096
stack_top:
