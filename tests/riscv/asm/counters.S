# Zicntr counters: cycle/instret increase monotonically, minstret/mcycle
# are writable from M-mode, the user-level aliases follow them, and
# mcounteren/scounteren gate rdcycle/rdinstret in S- and U-mode (illegal
# instruction when disabled). mcountinhibit.IR freezes minstret.
#include "xlate_test.h"

#define CY (1 << 0)
#define IR (1 << 2)

TEST_BEGIN
  TRAP_USE_RECORD

  # ---- monotonic ----
  li TESTNUM, 2
  rdinstret a1
  .rept 20
  nop
  .endr
  rdinstret a2
  bleu a2, a1, xlate_fail
  li TESTNUM, 3
  rdcycle a1
  li a3, 100
1: addi a3, a3, -1
  bnez a3, 1b
  rdcycle a2
  bleu a2, a1, xlate_fail
  # a long loop: 16 samples, each strictly above the previous one
  li TESTNUM, 4
  li a3, 16
  rdinstret a1
1: li a4, 50
2: addi a4, a4, -1
  bnez a4, 2b
  rdinstret a2
  bleu a2, a1, xlate_fail
  mv a1, a2
  addi a3, a3, -1
  bnez a3, 1b

  # ---- minstret / mcycle are writable ----
  li TESTNUM, 5
  li a1, 0x100000
  csrw minstret, a1
  csrr a2, minstret
  bltu a2, a1, xlate_fail
  li a3, 0x100000 + 0x100000000
  bgeu a2, a3, xlate_fail               # continued from the written value
  li TESTNUM, 6
  li a1, 0x7000000000000000
  csrw mcycle, a1
  csrr a2, mcycle
  bltu a2, a1, xlate_fail
  li TESTNUM, 7                         # writing a small value goes backwards
  li a1, 0x4000000000000000
  csrw minstret, a1
  csrw minstret, zero
  csrr a2, minstret
  li a3, 0x100000000
  bgeu a2, a3, xlate_fail
  # the unprivileged aliases see the same counters
  li TESTNUM, 8
  li a1, 0x5000000000
  csrw minstret, a1
  rdinstret a2
  bltu a2, a1, xlate_fail
  li a3, 0x5000000000 + 0x100000000
  bgeu a2, a3, xlate_fail
  li TESTNUM, 9
  li a1, 0x6000000000
  csrw mcycle, a1
  rdcycle a2
  bltu a2, a1, xlate_fail

  # ---- mcountinhibit.IR stops minstret (skipped if the CSR is absent) ----
  li TESTNUM, 10
  TRY(csrr a1, mcountinhibit)
  TRAP_CAUSE(a1)
  li t6, CAUSE_NONE
  bne a1, t6, 9f
  csrwi mcountinhibit, IR
  li a1, 0x1234
  csrw minstret, a1
  nop
  nop
  nop
  csrr a2, minstret
  CHECK_IMM(a2, 0x1234)
  csrwi mcountinhibit, 0
  nop
  csrr a2, minstret
  bleu a2, a1, xlate_fail               # counting again
9:

  # ---- counter-enable gating ----
  csrw mcounteren, zero
  csrw scounteren, zero
  # S-mode with mcounteren.CY = 0: illegal
  li TESTNUM, 11
  TRY_IN_MODE(PRV_S, 1: rdcycle a1)
  CHECK_CAUSE(CAUSE_ILLEGAL_INSN)
  CHECK_EPC_LA(1b)
  li TESTNUM, 12
  TRY_IN_MODE(PRV_U, 1: rdcycle a1)
  CHECK_CAUSE(CAUSE_ILLEGAL_INSN)
  CHECK_EPC_LA(1b)
  la a2, 1b
  lwu a2, 0(a2)
  CHECK_TVAL_REG(a2)                    # mtval = instruction bits
  li TESTNUM, 13
  TRY_IN_MODE(PRV_U, 1: rdinstret a1)
  CHECK_CAUSE(CAUSE_ILLEGAL_INSN)
  # mcounteren.CY = 1: S-mode may read cycle, U-mode still needs scounteren
  li TESTNUM, 14
  csrwi mcounteren, CY
  li a1, 0
  TRY_IN_MODE(PRV_S, rdcycle a1)
  CHECK_CAUSE(CAUSE_ECALL_S)
  beqz a1, xlate_fail
  li TESTNUM, 15
  TRY_IN_MODE(PRV_U, rdcycle a1)
  CHECK_CAUSE(CAUSE_ILLEGAL_INSN)
  li TESTNUM, 16
  TRY_IN_MODE(PRV_S, rdinstret a1)      # IR not enabled
  CHECK_CAUSE(CAUSE_ILLEGAL_INSN)
  # both enables: U-mode may read cycle and instret
  li TESTNUM, 17
  csrwi mcounteren, CY | IR
  csrwi scounteren, CY | IR
  li a1, 0
  li a2, 0
  TRY_IN_MODE(PRV_U, rdcycle a1; rdinstret a2)
  CHECK_CAUSE(CAUSE_ECALL_U)
  beqz a1, xlate_fail
  beqz a2, xlate_fail
  # scounteren alone (mcounteren clear) is not enough
  li TESTNUM, 18
  csrw mcounteren, zero
  TRY_IN_MODE(PRV_U, rdinstret a1)
  CHECK_CAUSE(CAUSE_ILLEGAL_INSN)
  # S-mode reading scounteren-gated counters is governed by mcounteren only
  li TESTNUM, 19
  csrwi mcounteren, IR
  csrw scounteren, zero
  TRY_IN_MODE(PRV_S, rdinstret a1)
  CHECK_CAUSE(CAUSE_ECALL_S)
  # U-mode writing a counter is always illegal
  li TESTNUM, 20
  csrwi mcounteren, CY | IR
  csrwi scounteren, CY | IR
  TRY_IN_MODE(PRV_U, 1: csrw cycle, zero)
  CHECK_CAUSE(CAUSE_ILLEGAL_INSN)
  CHECK_EPC_LA(1b)
  # S-mode cannot touch mcounteren / minstret
  li TESTNUM, 21
  TRY_IN_MODE(PRV_S, csrw minstret, zero)
  CHECK_CAUSE(CAUSE_ILLEGAL_INSN)
  li TESTNUM, 22
  TRY_IN_MODE(PRV_S, csrr a1, mcounteren)
  CHECK_CAUSE(CAUSE_ILLEGAL_INSN)
  # S-mode can set scounteren
  li TESTNUM, 23
  TRY_IN_MODE(PRV_S, csrwi scounteren, CY; csrr a2, scounteren)
  CHECK_CAUSE(CAUSE_ECALL_S)
  andi a2, a2, CY | IR
  CHECK_IMM(a2, CY)

  TEST_PASS
