# RV64C compressed instructions (built with -march=rv64gc): every RV64C
# instruction, link values of 2-byte jumps, 32-bit instructions at 2-mod-4
# addresses and straddling a page boundary, traps from compressed code.
#include "xlate_test.h"

  .option rvc

TEST_BEGIN
  TRAP_USE_RECORD
  la sp, stack_top

  # ---- constants ----
  TEST_CASE(2, a0, -32, c.li a0, -32)
  TEST_CASE(3, a0, 31, c.li a0, 31)
  TEST_CASE(4, a0, 0x1f000, c.lui a0, 0x1f)
  TEST_CASE(5, a0, 0xfffffffffffff000, c.lui a0, 0xfffff)
  TEST_CASE(6, s1, 0xfffffffffffe0000, c.lui s1, 0xfffe0)

  # ---- immediate arithmetic ----
  TEST_CASE(7, a0, 0x7fffffffffffffff, li a0, 0x8000000000000000; c.addi a0, -1)
  TEST_CASE(8, a0, 0xffffffff80000000, li a0, 0x7fffffff; c.addiw a0, 1)
  TEST_CASE(9, a0, 0x0000000000000001, li a0, 0x1234567800000001; c.addiw a0, 0)   # sext.w
  TEST_CASE(10, a0, -512, mv s0, sp; c.addi16sp sp, -512; sub a0, sp, s0; mv sp, s0)
  TEST_CASE(11, a0, 496, mv s0, sp; c.addi16sp sp, 496; sub a0, sp, s0; mv sp, s0)
  TEST_CASE(12, a0, 1020, c.addi4spn a0, sp, 1020; sub a0, a0, sp)
  TEST_CASE(13, s1, 4, c.addi4spn s1, sp, 4; sub s1, s1, sp)
  TEST_CASE(14, a0, 0x8000000000000000, li a0, 1; c.slli a0, 63)
  TEST_CASE(15, s0, 1, li s0, 0x8000000000000000; c.srli s0, 63)
  TEST_CASE(16, s1, 0xc000000000000000, li s1, 0x8000000000000000; c.srai s1, 1)
  TEST_CASE(17, a5, 0xffffffff, li a5, 0xffffffffffffffff; c.srli a5, 32)
  TEST_CASE(18, a2, 0xffffffffffffffe0, li a2, -1; c.andi a2, -32)
  TEST_CASE(19, a3, 0x5, li a3, 0xfd; c.andi a3, 7)

  # ---- register arithmetic ----
  TEST_CASE(20, a0, 0x1234, li a0, 5; li a1, 0x1234; c.mv a0, a1)
  TEST_CASE(21, t3, 0x1239, li t3, 5; li a1, 0x1234; c.add t3, a1)
  TEST_CASE(22, a0, 0x0f00, li a0, 0xff00; li a1, 0x0ff0; c.and a0, a1)
  TEST_CASE(23, a0, 0xfff0, li a0, 0xff00; li a1, 0x0ff0; c.or a0, a1)
  TEST_CASE(24, a0, 0xf0f0, li a0, 0xff00; li a1, 0x0ff0; c.xor a0, a1)
  TEST_CASE(25, a0, -1, li a0, 5; li a1, 6; c.sub a0, a1)
  TEST_CASE(26, a0, 0xffffffff80000000, li a0, 0x7fffffff; li a1, 1; c.addw a0, a1)
  TEST_CASE(27, a0, 0x000000007fffffff, li a0, 0x80000000; li a1, 1; c.subw a0, a1)
  TEST_CASE(28, a4, 0, c.nop; li a4, 0; c.nop)

  # ---- loads and stores ----
  TEST_CASE(29, a1, 0xffffffff87654321, la a0, cdata; c.lw a1, 0(a0))
  TEST_CASE(30, a1, 0x0123456789abcdef, la a0, cdata; c.ld a1, 8(a0))
  TEST_CASE(31, a2, 0x5a5a, la a0, cbuf; li a1, 0x5a5a; c.sw a1, 124(a0); lw a2, 124(a0))
  TEST_CASE(32, a2, 0x0102030405060708, la a0, cbuf; li a1, 0x0102030405060708; c.sd a1, 248(a0); ld a2, 248(a0))
  TEST_CASE(33, a2, 0x0102030405060708, la a0, cbuf; c.ld a2, 248(a0))
  TEST_CASE(34, a4, 0xffffffffdeadbeef, li a1, 0xdeadbeef; c.swsp a1, 252(sp); c.lwsp a4, 252(sp))
  TEST_CASE(35, a4, 0x1122334455667788, li a1, 0x1122334455667788; c.sdsp a1, 504(sp); c.ldsp a4, 504(sp))
  TEST_CASE(36, a4, 0x4008000000000000, \
      la a0, cdata; c.fld fa1, 16(a0); mv s0, sp; c.fsd fa1, 0(s0); ld a4, 0(sp))
  TEST_CASE(37, a4, 0x4008000000000000, c.fldsp fa2, 0(sp); c.fsdsp fa2, 8(sp); ld a4, 8(sp))

  # ---- jumps and branches ----
  TEST_CASE(38, a4, 1, li a4, 1; c.j 1f; li a4, 2; 1: nop)
  # c.jr jumps to rs1
  TEST_CASE(39, a4, 3, li a4, 3; la a1, 1f; c.jr a1; li a4, 4; 1: nop)
  # c.jalr links pc + 2
  li TESTNUM, 40
  la a1, 2f
1: c.jalr a1
2:
  la a2, 1b
  addi a2, a2, 2
  bne ra, a2, xlate_fail
  # c.beqz / c.bnez
  TEST_CASE(41, a4, 7, li a4, 7; li a0, 0; c.beqz a0, 1f; li a4, 8; 1: nop)
  TEST_CASE(42, a4, 7, li a4, 7; li a0, 1; c.beqz a0, xlate_fail; li a0, 1; c.bnez a0, 1f; li a4, 9; 1: nop)
  TEST_CASE(43, a4, 7, li a0, 0; c.bnez a0, xlate_fail; li a4, 7)
  # backward c.bnez loop
  TEST_CASE(44, a4, 64, li a0, 64; li a4, 0; 1: c.addi a4, 1; c.addi a0, -1; c.bnez a0, 1b)
  # c.bnez tests all 64 bits
  TEST_CASE(45, a4, 1, li a4, 0; li a0, 0x100000000; c.bnez a0, 1f; j xlate_fail; 1: li a4, 1)

  # ---- hot loop entirely in compressed code: sum 1..1000 ----
  TEST_CASE(46, a0, 500500, \
      li a1, 1000; c.li a0, 0; 1: c.add a0, a1; c.addi a1, -1; c.bnez a1, 1b)

  # ---- 32-bit instructions at 2-mod-4 addresses ----
  li TESTNUM, 47
  .balign 4
  c.nop
  li a4, 0x123            # 32-bit addi at pc % 4 == 2
  addi a4, a4, 0x111
  li t6, 0x234
  bne a4, t6, xlate_fail
  # jump to a 32-bit instruction at 2 mod 4
  li TESTNUM, 48
  la a1, 2f
  jr a1
  .balign 4
  c.nop
2: .option push; .option norvc; addi a4, x0, 0x55; .option pop
  li t6, 0x55
  bne a4, t6, xlate_fail

  # ---- a 32-bit instruction straddling a page boundary ----
  # run sequentially through a page of c.nop into the straddler ...
  li TESTNUM, 49
  li a4, 0
  call page_start
  li t6, 0x77
  bne a4, t6, xlate_fail
  # ... and jump straight to it
  li TESTNUM, 50
  li a4, 0x100
  la a1, straddle
  jalr a1
  li t6, 0x177
  bne a4, t6, xlate_fail
  j 1f
  .balign 4096
page_start:
  .rept 2047
  c.nop
  .endr
straddle:
  .option push; .option norvc; addi a4, a4, 0x77; .option pop
  ret
1:

  # ---- traps in compressed code ----
  # c.ebreak: breakpoint with mepc at the 2-byte instruction
  li TESTNUM, 51
  TRY(1: c.ebreak)
  CHECK_CAUSE(CAUSE_BREAKPOINT)
  CHECK_EPC_LA(1b)
  # all-zero halfword is illegal; mtval = 0 (the instruction bits)
  li TESTNUM, 52
  TRY(1: .half 0x0000)
  CHECK_CAUSE(CAUSE_ILLEGAL_INSN)
  CHECK_EPC_LA(1b)
  CHECK_TVAL_IMM(0)
  # c.addi16sp with zero immediate is reserved
  li TESTNUM, 53
  TRY(1: .half 0x6101)
  CHECK_CAUSE(CAUSE_ILLEGAL_INSN)
  # c.lui with zero immediate is reserved
  li TESTNUM, 54
  TRY(1: .half 0x6501)
  CHECK_CAUSE(CAUSE_ILLEGAL_INSN)
  # c.lwsp with rd = x0 is reserved
  li TESTNUM, 55
  TRY(1: .half 0x4002)
  CHECK_CAUSE(CAUSE_ILLEGAL_INSN)
  # mret back to a 2-byte aligned address works
  li TESTNUM, 56
  TRY(c.nop; ecall; j xlate_fail)    # resumes after the TRY
  CHECK_CAUSE(CAUSE_ECALL_M)
  li a4, 0
  .balign 4
  c.nop
  la a1, 1f
  csrw mepc, a1
  li a1, MSTATUS_MPP
  csrs mstatus, a1
  mret
  c.nop
1: c.li a4, 9
  li t6, 9
  bne a4, t6, xlate_fail

  TEST_PASS

TEST_DATA
  .balign 16
cdata:
  .word 0x87654321, 0
  .dword 0x0123456789abcdef
  .double 3.0
  .balign 16
cbuf: .skip 256
stack: .skip 1024
stack_top:
  .skip 1024
