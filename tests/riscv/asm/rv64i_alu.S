# RV64I integer computational instructions (register/immediate forms,
# 32-bit W variants, lui/auipc, x0 handling). Some results are also stored
# in the begin_signature..end_signature region for --signature checks.
#include "xlate_test.h"

TEST_BEGIN

  # ---- add / addi / sub ----
  TEST_RR_OP(2,  add, 0x00000000, 0x00000000, 0x00000000)
  TEST_RR_OP(3,  add, 0x0000000100000000, 0x00000000ffffffff, 1)
  TEST_RR_OP(4,  add, 0x0000000000000000, 0xffffffffffffffff, 1)
  TEST_RR_OP(5,  add, 0x8000000000000000, 0x7fffffffffffffff, 1)
  TEST_RR_OP(6,  sub, 0xffffffffffffffff, 0, 1)
  TEST_RR_OP(7,  sub, 0x7fffffffffffffff, 0x8000000000000000, 1)
  TEST_IMM_OP(8, addi, 0xfffffffffffff800, 0, -2048)
  TEST_IMM_OP(9, addi, 0x00000000000007ff, 0, 2047)
  TEST_IMM_OP(10, addi, 0x80000000000007fe, 0x7fffffffffffffff, 2047)
  TEST_RR_SRC1_EQ_DEST(11, add, 24, 13, 11)
  TEST_RR_SRC2_EQ_DEST(12, sub, 2, 13, 11)
  TEST_RR_SRC12_EQ_DEST(13, add, 26, 13)
  TEST_IMM_SRC1_EQ_DEST(14, addi, 24, 13, 11)

  # ---- W forms: 32-bit result, sign-extended ----
  TEST_RR_OP(15, addw, 0xffffffff80000000, 0x7fffffff, 1)
  TEST_RR_OP(16, addw, 0x0000000000000000, 0xffffffff, 1)
  TEST_RR_OP(17, addw, 0x0000000000000003, 0x1234567800000001, 0x0000000200000002)
  TEST_RR_OP(18, subw, 0xffffffffffffffff, 0x100000000, 1)
  TEST_RR_OP(19, subw, 0x000000007fffffff, 0x80000000, 1)
  TEST_IMM_OP(20, addiw, 0xffffffff80000000, 0x7fffffff, 1)
  TEST_IMM_OP(21, addiw, 0x000000007fffffff, 0xffffffff80000000, -1)
  TEST_IMM_OP(22, addiw, 0xfffffffffffff800, 0, -2048)
  # sext.w pseudo-instruction is addiw rd, rs, 0
  TEST_IMM_OP(23, addiw, 0xffffffff89abcdef, 0x0123456789abcdef, 0)

  # ---- logic ----
  TEST_RR_OP(24, and, 0x0f000f00, 0xff00ff00, 0x0f0f0f0f)
  TEST_RR_OP(25, or,  0xff0fff0f, 0xff00ff00, 0x0f0f0f0f)
  TEST_RR_OP(26, xor, 0xf00ff00f, 0xff00ff00, 0x0f0f0f0f)
  TEST_IMM_OP(27, andi, 0xffffffffff00ff00, 0xffffffffff00ff00, -1)
  TEST_IMM_OP(28, andi, 0x00000000000000f0, 0xffffffffffffffff, 0x0f0)
  TEST_IMM_OP(29, ori,  0xfffffffffffff80f, 0x0f, -2048)
  TEST_IMM_OP(30, xori, 0x00ff00ffff00f000, 0xff00ff0000ff0f0f, -0xf1)
  TEST_IMM_OP(31, xori, 0xfffffffffffffffe, 1, -1)                    # not

  # ---- shifts (64-bit: shamt uses 6 bits) ----
  TEST_RR_OP(32, sll, 0x8000000000000000, 1, 63)
  TEST_RR_OP(33, sll, 0x0000000000000002, 1, 65)                     # shamt = 65 & 63
  TEST_RR_OP(34, srl, 0x0000000000000001, 0x8000000000000000, 63)
  TEST_RR_OP(35, srl, 0x7fffffffffffffff, 0xffffffffffffffff, 0xffffffffffffffc1)
  TEST_RR_OP(36, sra, 0xffffffffffffffff, 0x8000000000000000, 63)
  TEST_RR_OP(37, sra, 0xfffff80000000000, 0x8000000000000000, 20)
  TEST_IMM_OP(38, slli, 0x8000000000000000, 1, 63)
  TEST_IMM_OP(39, srli, 0x0000000000ffffff, 0xffffffffffffffff, 40)
  TEST_IMM_OP(40, srai, 0xffffffffff800000, 0x8000000000000000, 40)
  TEST_IMM_OP(41, srai, 0x0000000000000001, 0x4000000000000000, 62)

  # ---- shifts, 32-bit W forms (shamt uses 5 bits, result sign-extended) ----
  TEST_RR_OP(42, sllw, 0xffffffff80000000, 1, 31)
  TEST_RR_OP(43, sllw, 0x0000000000000001, 1, 32)                    # shamt = 32 & 31 = 0
  TEST_RR_OP(44, sllw, 0x0000000012345678, 0xffffffff12345678, 0)
  TEST_RR_OP(45, srlw, 0x0000000000000001, 0x80000000, 31)
  TEST_RR_OP(46, srlw, 0xffffffff80000000, 0xffffffff80000000, 0)    # sign-extend even at 0
  TEST_RR_OP(47, srlw, 0x0000000000ffffff, 0xffffffffffffffff, 8)    # upper bits ignored
  TEST_RR_OP(48, sraw, 0xffffffffffffffff, 0x80000000, 31)
  TEST_RR_OP(49, sraw, 0x0000000000000fff, 0xabcdef017ffffff0, 19)
  TEST_IMM_OP(50, slliw, 0xffffffff80000000, 0x1, 31)
  TEST_IMM_OP(51, slliw, 0x0000000000000000, 0xffffffff00000000, 4)
  TEST_IMM_OP(52, srliw, 0x0000000000000001, 0xffffffff80000000, 31)
  TEST_IMM_OP(53, srliw, 0xffffffff80000000, 0x80000000, 0)
  TEST_IMM_OP(54, sraiw, 0xfffffffffff80000, 0x80000000, 12)
  TEST_IMM_OP(55, sraiw, 0x0000000000007fff, 0x123456787fffffff, 16)

  # ---- set-less-than ----
  TEST_RR_OP(56, slt,  1, 0x8000000000000000, 0)
  TEST_RR_OP(57, slt,  0, 0, 0x8000000000000000)
  TEST_RR_OP(58, slt,  0, 5, 5)
  TEST_RR_OP(59, sltu, 0, 0x8000000000000000, 0)
  TEST_RR_OP(60, sltu, 1, 0, 0x8000000000000000)
  TEST_RR_ZEROSRC1(61, sltu, 1, 7)                                  # snez
  TEST_IMM_OP(62, slti, 1, -1, 0)
  TEST_IMM_OP(63, slti, 0, 0x7ff, 0x7ff)
  TEST_IMM_OP(64, sltiu, 1, 0, -1)                                  # imm sign-extends to max unsigned
  TEST_IMM_OP(65, sltiu, 0, 0xffffffffffffffff, -1)
  TEST_IMM_OP(66, sltiu, 1, 0, 1)                                   # seqz

  # ---- x0 as destination and source ----
  TEST_RR_ZERODEST(67, add, 5, 6)
  TEST_RR_ZEROSRC2(68, sub, 0x55, 0x55)
  TEST_CASE(69, x0, 0, li x0, 123; addi x0, x0, 1)
  TEST_CASE(70, a4, 0, addi a4, x0, 0; addi x0, x0, 5; add a4, a4, x0)

  # ---- lui / auipc ----
  TEST_CASE(71, a4, 0xffffffff80000000, lui a4, 0x80000)
  TEST_CASE(72, a4, 0x000000007ffff000, lui a4, 0x7ffff)
  TEST_CASE(73, a4, 0xfffffffffffff000, lui a4, 0xfffff)
  TEST_CASE(74, a4, 0, \
      la a5, 1f; 1: auipc a4, 0; sub a4, a4, a5)
  TEST_CASE(75, a4, 0x1000, \
      la a5, 1f; 1: auipc a4, 1; sub a4, a4, a5)
  TEST_CASE(76, a4, -0x80000000, \
      la a5, 1f; 1: auipc a4, 0x80000; sub a4, a4, a5)   # negative offset, sign-extended

  # ---- long dependency chain (exercises register caching in a block) ----
  TEST_CASE(77, a4, 0x5a5a5a5a5a5a5a5a ^ 0x1111, \
      li a1, 0x5a5a5a5a5a5a5a5a; li a2, 0x1111; \
      xor a3, a1, a2; add a4, a3, a2; sub a4, a4, a2; or a4, a4, x0; \
      slli a4, a4, 0; srai a4, a4, 0)

  # ---- signature: store results, compare against the reference copy ----
  li TESTNUM, 78
  la a0, begin_signature
  li a1, 0x7fffffff;  addiw a2, a1, 1;  sd a2, 0(a0)      # 0xffffffff80000000
  li a1, 3;           sub a2, x0, a1;   sd a2, 8(a0)      # -3
  li a1, 0x12345678;  slli a2, a1, 12;  sd a2, 16(a0)     # 0x12345678000
  li a1, -1;          srli a2, a1, 1;   sd a2, 24(a0)     # 0x7fffffffffffffff
  li a1, 0xf0f0;      xori a2, a1, 0xff; sw a2, 32(a0)    # 0xf00f
  li a1, -5;          slti a2, a1, -4;  sw a2, 36(a0)     # 1
  lui a2, 0xabcde;    sd a2, 40(a0)                        # 0xffffffffabcde000
  # compare the whole region word by word
  la a0, begin_signature
  la a1, end_signature
  la a2, sigref
1:
  lw a3, 0(a0)
  lw a4, 0(a2)
  bne a3, a4, xlate_fail
  addi a0, a0, 4
  addi a2, a2, 4
  bltu a0, a1, 1b

  TEST_PASS

TEST_DATA
SIG_BEGIN
  .fill 12, 4, 0xdeadbeef
SIG_END

  # Expected signature contents (also written to build/rv64i_alu.sig.ref).
  .section .sigref, "aw", @progbits
  .balign 16
sigref:
  .dword 0xffffffff80000000
  .dword 0xfffffffffffffffd
  .dword 0x0000012345678000
  .dword 0x7fffffffffffffff
  .word  0x0000f00f
  .word  0x00000001
  .dword 0xffffffffabcde000
