# Zicond: czero.eqz / czero.nez, including the select idiom built from both.
# Binutils 2.40 has no Zicond mnemonics, so the instructions are encoded
# with .insn (OP opcode, funct7 = 0000111, funct3 = 101 / 111).
# On QEMU it needs -cpu rv64,zicond=true.
#include "xlate_test.h"

#define CZERO_EQZ(rd, rs1, rs2) .insn r 0x33, 5, 0x07, rd, rs1, rs2
#define CZERO_NEZ(rd, rs1, rs2) .insn r 0x33, 7, 0x07, rd, rs1, rs2

TEST_BEGIN

  # czero.eqz rd, rs1, rs2: rd = (rs2 == 0) ? 0 : rs1
  TEST_CASE(2, a4, 0, li a1, 0x1234; li a2, 0; CZERO_EQZ(a4, a1, a2))
  TEST_CASE(3, a4, 0x1234, li a1, 0x1234; li a2, 1; CZERO_EQZ(a4, a1, a2))
  TEST_CASE(4, a4, 0xdeadbeefcafef00d, li a1, 0xdeadbeefcafef00d; li a2, 0x8000000000000000; CZERO_EQZ(a4, a1, a2))
  TEST_CASE(5, a4, -1, li a1, -1; li a2, 0x100000000; CZERO_EQZ(a4, a1, a2))   # all 64 bits of rs2 tested
  # czero.nez rd, rs1, rs2: rd = (rs2 != 0) ? 0 : rs1
  TEST_CASE(6, a4, 0x1234, li a1, 0x1234; li a2, 0; CZERO_NEZ(a4, a1, a2))
  TEST_CASE(7, a4, 0, li a1, 0x1234; li a2, 1; CZERO_NEZ(a4, a1, a2))
  TEST_CASE(8, a4, 0, li a1, -1; li a2, 0x100000000; CZERO_NEZ(a4, a1, a2))
  TEST_CASE(9, a4, 0x8000000000000000, li a1, 0x8000000000000000; li a2, 0; CZERO_NEZ(a4, a1, a2))
  # x0 operands
  TEST_CASE(10, a4, 0, li a1, 0x55; CZERO_EQZ(a4, a1, x0))
  TEST_CASE(11, a4, 0x55, li a1, 0x55; CZERO_NEZ(a4, a1, x0))
  TEST_CASE(12, a4, 0, li a2, 7; li a4, 9; CZERO_EQZ(a4, x0, a2))
  # rd aliasing rs1 / rs2
  TEST_CASE(13, a1, 0x77, li a1, 0x77; li a2, 3; CZERO_EQZ(a1, a1, a2))
  TEST_CASE(14, a2, 0, li a1, 0x77; li a2, 3; CZERO_NEZ(a2, a1, a2))
  TEST_CASE(15, a2, 3, li a2, 3; CZERO_EQZ(a2, a2, a2))
  TEST_CASE(16, a2, 0, li a2, 3; CZERO_NEZ(a2, a2, a2))
  # write to x0 is discarded
  TEST_CASE(17, x0, 0, li a1, 5; li a2, 5; CZERO_EQZ(x0, a1, a2))
  # select idiom: rd = cond ? a : b  ==  czero.eqz(a, cond) | czero.nez(b, cond)
  TEST_CASE(18, a4, 0xaaaa, li a1, 0xaaaa; li a2, 0xbbbb; li a3, 1; \
      CZERO_EQZ(a5, a1, a3); CZERO_NEZ(a6, a2, a3); or a4, a5, a6)
  TEST_CASE(19, a4, 0xbbbb, li a1, 0xaaaa; li a2, 0xbbbb; li a3, 0; \
      CZERO_EQZ(a5, a1, a3); CZERO_NEZ(a6, a2, a3); or a4, a5, a6)
  # hot loop: count elements > 10 in 0..99 branch-free (89 of them)
  TEST_CASE(20, a4, 89, li a1, 0; li a4, 0; li a3, 100; \
      1: sltiu a5, a1, 11; li a6, 1; CZERO_NEZ(a6, a6, a5); add a4, a4, a6; addi a1, a1, 1; bne a1, a3, 1b)

  TEST_PASS
