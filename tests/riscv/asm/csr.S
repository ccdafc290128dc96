# Zicsr: csrrw/csrrs/csrrc and the immediate forms, read-only CSR write
# traps (with mtval = instruction bits), access from lower privilege,
# mscratch, misa, mhartid, WARL fields of mstatus/medeleg/satp/mepc, the
# sstatus/sie views, and the fcsr/frm/fflags aliases.
#include "xlate_test.h"

# Check that the instruction at `label` trapped as illegal with
# mtval == its own encoding (read back from memory).
#define CHECK_ILLEGAL_AT(label)                                         \
        CHECK_CAUSE(CAUSE_ILLEGAL_INSN);                                \
        CHECK_EPC_LA(label);                                            \
        la a6, label; lwu a6, 0(a6); CHECK_TVAL_REG(a6)

TEST_BEGIN
  TRAP_USE_RECORD

  # ---- register forms on mscratch ----
  TEST_CASE(2, a4, 0x1234, li a1, 0x1234; csrw mscratch, a1; csrr a4, mscratch)
  TEST_CASE(3, a4, 0x1234, li a1, 0x5678; csrrw a4, mscratch, a1; csrr a5, mscratch; li t6, 0x5678; bne a5, t6, xlate_fail)
  TEST_CASE(4, a4, 0x5678, li a1, 0x0f00000000000001; csrrs a4, mscratch, a1; csrr a5, mscratch; li t6, 0x0f00000000005679; bne a5, t6, xlate_fail)
  TEST_CASE(5, a4, 0x0f00000000005679, li a1, 0x0f00000000000071; csrrc a4, mscratch, a1; csrr a5, mscratch; li t6, 0x5608; bne a5, t6, xlate_fail)
  # full 64-bit value
  TEST_CASE(6, a4, 0xfedcba9876543210, li a1, 0xfedcba9876543210; csrw mscratch, a1; csrr a4, mscratch)
  # rd == rs1: old value returned, new value from the old register contents
  TEST_CASE(7, a1, 0xfedcba9876543210, li a1, 0x42; csrrw a1, mscratch, a1; csrr a5, mscratch; li t6, 0x42; bne a5, t6, xlate_fail)
  # csrrs/csrrc with rs1 = x0 only read
  TEST_CASE(8, a4, 0x42, csrrs a4, mscratch, x0; csrrc a5, mscratch, x0; csrr a4, mscratch)

  # ---- immediate forms ----
  TEST_CASE(9, a4, 0x42, csrrwi a4, mscratch, 0x1f; csrr a5, mscratch; li t6, 0x1f; bne a5, t6, xlate_fail)
  TEST_CASE(10, a4, 0x1f, csrrci a4, mscratch, 0x0a; csrr a5, mscratch; li t6, 0x15; bne a5, t6, xlate_fail)
  TEST_CASE(11, a4, 0x15, csrrsi a4, mscratch, 0x08; csrr a5, mscratch; li t6, 0x1d; bne a5, t6, xlate_fail)
  TEST_CASE(12, a4, 0x1d, csrrsi a4, mscratch, 0; csrrci a5, mscratch, 0; csrr a4, mscratch)
  # immediate is zero-extended (uimm 31 -> 31, not -1)
  TEST_CASE(13, a4, 31, csrwi mscratch, 31; csrr a4, mscratch)

  # ---- identification CSRs ----
  # misa: MXL = 2 (64-bit) and I, M, A, F, D, C?, S, U
  li TESTNUM, 14
  csrr a1, misa
  srli a2, a1, 62
  li t6, 2
  bne a2, t6, xlate_fail
  li a3, (1 << 8) | (1 << 12) | (1 << 0) | (1 << 5) | (1 << 3) | (1 << 18) | (1 << 20)
  and a2, a1, a3
  bne a2, a3, xlate_fail
  TEST_CASE(15, a4, 0, csrr a4, mhartid)
  # reading the other ID CSRs does not trap
  li TESTNUM, 16
  TRY(csrr a1, mvendorid; csrr a1, marchid; csrr a1, mimpid)
  CHECK_CAUSE(CAUSE_NONE)

  # ---- writes to read-only CSRs trap; reads and no-write forms do not ----
  li TESTNUM, 17
  TRY(1: csrw mhartid, zero)
  CHECK_ILLEGAL_AT(1b)
  li TESTNUM, 18
  TRY(1: csrrwi a1, mvendorid, 0)
  CHECK_ILLEGAL_AT(1b)
  li TESTNUM, 19
  li a1, 0
  TRY(1: csrrs a2, mhartid, a1)          # rs1 != x0 is a write even if the value is 0
  CHECK_ILLEGAL_AT(1b)
  li TESTNUM, 20
  TRY(csrrs a2, mhartid, x0; csrrsi a2, mhartid, 0; csrrc a2, mhartid, x0; csrrci a2, mimpid, 0)
  CHECK_CAUSE(CAUSE_NONE)
  li TESTNUM, 21
  TRY(1: csrw cycle, zero)
  CHECK_ILLEGAL_AT(1b)
  li TESTNUM, 22
  TRY(1: csrwi instret, 1)
  CHECK_ILLEGAL_AT(1b)
  # an unimplemented CSR number (custom space 0x7c0) is illegal
  li TESTNUM, 23
  TRY(1: csrr a1, 0x7c0)
  CHECK_ILLEGAL_AT(1b)
  # the register a trapping csr instruction would write keeps its value
  TEST_CASE(24, a2, 0x777, li a2, 0x777; TRY(csrrw a2, mhartid, x0))

  # ---- privilege checks ----
  # S-mode may not touch M-mode CSRs
  li TESTNUM, 25
  TRY_IN_MODE(PRV_S, 1: csrr a1, mscratch)
  CHECK_ILLEGAL_AT(1b)
  # S-mode may use its own
  li TESTNUM, 26
  li a1, 0x99
  TRY_IN_MODE(PRV_S, csrw sscratch, a1; csrr a2, sscratch)
  CHECK_CAUSE(CAUSE_ECALL_S)
  CHECK_IMM(a2, 0x99)
  # U-mode may not touch S-mode CSRs
  li TESTNUM, 27
  TRY_IN_MODE(PRV_U, 1: csrr a1, sscratch)
  CHECK_ILLEGAL_AT(1b)
  li TESTNUM, 28
  TRY_IN_MODE(PRV_U, 1: csrw sstatus, zero)
  CHECK_ILLEGAL_AT(1b)
  # the M-mode value is untouched by a trapped write
  TEST_CASE(29, a4, 0x99, csrr a4, sscratch)

  # ---- WARL fields ----
  # mstatus.MPP cannot hold the reserved value 2
  li TESTNUM, 30
  li a1, MSTATUS_MPP
  csrc mstatus, a1
  li a1, (2 << 11)
  csrs mstatus, a1
  csrr a2, mstatus
  srli a2, a2, 11
  andi a2, a2, 3
  li t6, 2
  beq a2, t6, xlate_fail
  # UXL and SXL are 2 (64-bit)
  li TESTNUM, 31
  csrr a2, mstatus
  srli a2, a2, 32
  andi a2, a2, 0xf
  li t6, 0xa
  bne a2, t6, xlate_fail
  # mideleg can delegate the supervisor software interrupt (bit 1)
  TEST_CASE(32, a4, MIP_SSIP, li a1, MIP_SSIP; csrw mideleg, a1; csrr a4, mideleg; andi a4, a4, MIP_SSIP; csrw mideleg, zero)
  # medeleg can delegate ecall from U-mode (bit 8)
  TEST_CASE(33, a4, 1 << 8, li a1, 1 << 8; csrw medeleg, a1; csrr a4, medeleg; csrw medeleg, zero)
  # mepc holds the address (bit 0 must read 0 per spec; QEMU 10 keeps it,
  # so only bits above 0 are checked here)
  TEST_CASE(34, a4, 0x80001002, li a1, 0x80001003; csrw mepc, a1; csrr a4, mepc; andi a4, a4, -2)
  # mcause and mtval are plain read/write registers
  TEST_CASE(35, a4, 0x8000000000000005, li a1, 0x8000000000000005; csrw mcause, a1; csrr a4, mcause)
  TEST_CASE(36, a4, 0x123456789, li a1, 0x123456789; csrw mtval, a1; csrr a4, mtval)
  # satp: Sv39 is accepted, an unsupported mode leaves the CSR unchanged
  TEST_CASE(37, a4, SATP_MODE_SV39 | 0x80123, li a1, SATP_MODE_SV39 | 0x80123; csrw satp, a1; csrr a4, satp)
  TEST_CASE(38, a4, SATP_MODE_SV39 | 0x80123, li a1, (7 << 60) | 0x555; csrw satp, a1; csrr a4, satp)
  csrw satp, zero

  # ---- sstatus / sie / sip are views of the M-mode registers ----
  TEST_CASE(39, a4, MSTATUS_SIE, \
      li a1, MSTATUS_SIE | MSTATUS_MIE; csrc mstatus, a1; li a1, MSTATUS_SIE; csrs sstatus, a1; csrr a4, mstatus; andi a4, a4, MSTATUS_SIE | MSTATUS_MIE)
  # sstatus does not show MIE / MPP
  TEST_CASE(40, a4, 0, \
      li a1, MSTATUS_MIE | MSTATUS_MPP; csrs mstatus, a1; csrr a4, sstatus; li a5, MSTATUS_MIE | MSTATUS_MPP; and a4, a4, a5; \
      li a1, MSTATUS_MIE; csrc mstatus, a1)
  # sie.SSIE reads zero unless SSIP is delegated
  TEST_CASE(41, a4, 0, csrw mideleg, zero; li a1, MIP_SSIP; csrw mie, a1; csrr a4, sie)
  TEST_CASE(42, a4, MIP_SSIP, li a1, MIP_SSIP; csrw mideleg, a1; csrr a4, sie; andi a4, a4, MIP_SSIP)
  TEST_CASE(43, a4, 0, csrw sie, zero; csrr a4, mie; andi a4, a4, MIP_SSIP)
  # sip.SSIP is writable from S-level view when delegated, and shows in mip
  TEST_CASE(44, a4, MIP_SSIP, li a1, MIP_SSIP; csrs sip, a1; csrr a4, mip; andi a4, a4, MIP_SSIP; csrc mip, a1)
  csrw mideleg, zero
  csrw mie, zero

  # ---- fcsr / frm / fflags ----
  TEST_CASE(45, a4, 0xff, li a1, 0xff; csrw fcsr, a1; csrr a4, fcsr)
  TEST_CASE(46, a4, 7, csrr a4, frm)
  TEST_CASE(47, a4, 0x1f, csrr a4, fflags)
  TEST_CASE(48, a4, 0xe0, csrw fflags, zero; csrr a4, fcsr)
  TEST_CASE(49, a4, 0x45, csrwi frm, 2; csrsi fflags, 5; csrr a4, fcsr)
  TEST_CASE(50, a4, 0x0ff, li a1, -1; csrw fcsr, a1; csrr a4, fcsr)      # bits above 7 read zero
  TEST_CASE(51, a4, 0x1f, li a1, -1; csrw fflags, a1; csrr a4, fflags)   # only 5 bits
  TEST_CASE(52, a4, 0x07, li a1, -1; csrw frm, a1; csrr a4, frm)         # only 3 bits
  TEST_CASE(53, a4, 0x1f, csrrci a4, fflags, 0x1f; csrr a5, fflags; bnez a5, xlate_fail)
  TEST_CASE(54, a4, 0xe0, csrr a4, fcsr)
  TEST_CASE(55, a4, 0x7, csrrwi a4, frm, 0; csrr a5, fcsr; bnez a5, xlate_fail)

  TEST_PASS
