# Exception delegation (medeleg) to S-mode, sret/mret between modes, and
# the mstatus SPP/SPIE/SIE and MPP bookkeeping on trap entry and return.
#include "xlate_test.h"

/* from S-mode: sret into U-mode at label */
#define SRET_TO_U(label)                                                \
        li t5, MSTATUS_SPP; csrc sstatus, t5;                           \
        la t5, label; csrw sepc, t5; sret

#define MCOUNT(reg)  la t5, xlate_trap_info; ld reg, TI_COUNT(t5)
#define SCOUNT(reg)  la t5, xlate_strap_info; ld reg, TI_COUNT(t5)

TEST_BEGIN
  TRAP_USE_RECORD
  la a1, xlate_strap_record
  csrw stvec, a1

  # ---- A: U-mode ecall delegated to S; S ecall goes to M ----
  li TESTNUM, 2
  li a1, 1 << CAUSE_ECALL_U
  csrw medeleg, a1
  MCOUNT(s2)
  SCOUNT(s3)
  TRAP_ARM(8f)
  GOTO_MODE(PRV_S, 1f)
1:                                      # S-mode
  STRAP_ARM(2f)
  SRET_TO_U(3f)
3:                                      # U-mode
  li a2, 0x77
4: ecall                                # -> S handler
  j xlate_fail
2:                                      # S-mode again
5: ecall                                # -> M handler (ecall from S not delegated)
  j xlate_fail
8:                                      # M-mode
  CHECK_SCAUSE(CAUSE_ECALL_U)
  CHECK_SEPC_LA(4b)
  STRAP_PRV(a1)
  CHECK_IMM(a1, PRV_U)                  # SPP = U
  CHECK_CAUSE(CAUSE_ECALL_S)
  CHECK_EPC_LA(5b)
  TRAP_PRV(a1)
  CHECK_IMM(a1, PRV_S)                  # MPP = S
  CHECK_IMM(a2, 0x77)
  li TESTNUM, 3                         # exactly one trap each way
  MCOUNT(a1)
  sub a1, a1, s2
  CHECK_IMM(a1, 1)
  SCOUNT(a1)
  sub a1, a1, s3
  CHECK_IMM(a1, 1)

  # ---- B: delegated U-mode breakpoint does not reach M ----
  li TESTNUM, 4
  li a1, 1 << CAUSE_BREAKPOINT
  csrw medeleg, a1
  MCOUNT(s2)
  SCOUNT(s3)
  li t5, MSTATUS_SPP
  csrs mstatus, t5
  STRAP_ARM(2f)
  TRAP_ARM(8f)
  GOTO_MODE(PRV_U, 1f)
1: ebreak                               # U -> S
  j xlate_fail
2: ecall                                # S -> M
  j xlate_fail
8:
  CHECK_SCAUSE(CAUSE_BREAKPOINT)
  CHECK_SEPC_LA(1b)
  CHECK_CAUSE(CAUSE_ECALL_S)
  MCOUNT(a1)
  sub a1, a1, s2
  CHECK_IMM(a1, 1)
  SCOUNT(a1)
  sub a1, a1, s3
  CHECK_IMM(a1, 1)

  # ---- C: delegated illegal instruction from S-mode stays in S ----
  li TESTNUM, 5
  li a1, 1 << CAUSE_ILLEGAL_INSN
  csrw medeleg, a1
  TRAP_ARM(8f)
  GOTO_MODE(PRV_S, 1f)
1: STRAP_ARM(2f)
3: .word 0x0000000b                     # S -> S
  j xlate_fail
2: ecall
  j xlate_fail
8:
  CHECK_CAUSE(CAUSE_ECALL_S)
  CHECK_SCAUSE(CAUSE_ILLEGAL_INSN)
  CHECK_SEPC_LA(3b)
  STRAP_PRV(a1)
  CHECK_IMM(a1, PRV_S)                  # SPP = S
  la t5, xlate_strap_info
  ld a1, TI_TVAL(t5)
  CHECK_IMM(a1, 0x0000000b)             # stval = instruction bits

  # ---- D: traps taken in M-mode are never delegated ----
  li TESTNUM, 6
  li a1, (1 << CAUSE_BREAKPOINT) | (1 << CAUSE_ILLEGAL_INSN) | (1 << CAUSE_ECALL_U) | (1 << CAUSE_ECALL_S)
  csrw medeleg, a1
  SCOUNT(s3)
  TRY(1: ebreak)
  CHECK_CAUSE(CAUSE_BREAKPOINT)
  CHECK_EPC_LA(1b)
  TRY(.word 0x0000000b)
  CHECK_CAUSE(CAUSE_ILLEGAL_INSN)
  SCOUNT(a1)
  CHECK_EQ(a1, s3)

  # ---- E: without delegation a U-mode ecall goes to M ----
  li TESTNUM, 7
  csrw medeleg, zero
  SCOUNT(s3)
  TRY_IN_MODE(PRV_U, nop)
  CHECK_CAUSE(CAUSE_ECALL_U)
  SCOUNT(a1)
  CHECK_EQ(a1, s3)

  # ---- F: sstatus on a trap into S and on sret ----
  # In S with SIE = 1, SPIE = 0: a delegated trap sets SPIE = 1, SIE = 0,
  # SPP = S; the handler's sret then gives SIE = 1, SPIE = 1, SPP = U.
  li TESTNUM, 8
  li a1, 1 << CAUSE_ILLEGAL_INSN
  csrw medeleg, a1
  csrw mie, zero                        # no interrupt can fire with SIE = 1
  TRAP_ARM(8f)
  GOTO_MODE(PRV_S, 1f)
1: li t5, MSTATUS_SPIE
  csrc sstatus, t5
  li t5, MSTATUS_SIE
  csrs sstatus, t5
  STRAP_ARM(2f)
  .word 0x0000000b                      # S -> S
  j xlate_fail
2: csrr a3, sstatus                     # after the handler's sret
  ecall
  j xlate_fail
8:
  STRAP_STATUS(a2)                      # sstatus inside the handler
  andi a1, a2, MSTATUS_SIE
  CHECK_IMM(a1, 0)
  andi a1, a2, MSTATUS_SPIE
  CHECK_IMM(a1, MSTATUS_SPIE)
  andi a1, a2, MSTATUS_SPP
  CHECK_IMM(a1, MSTATUS_SPP)
  li TESTNUM, 9
  andi a1, a3, MSTATUS_SIE
  CHECK_IMM(a1, MSTATUS_SIE)            # SIE <- SPIE
  andi a1, a3, MSTATUS_SPIE
  CHECK_IMM(a1, MSTATUS_SPIE)           # SPIE <- 1
  andi a1, a3, MSTATUS_SPP
  CHECK_IMM(a1, 0)                      # SPP <- U
  li t5, MSTATUS_SIE
  csrc mstatus, t5

  # ---- G: sret from S with SPP = U enters U, SIE <- SPIE (0) ----
  li TESTNUM, 10
  csrw medeleg, zero
  TRAP_ARM(8f)
  GOTO_MODE(PRV_S, 1f)
1: li t5, MSTATUS_SPIE
  csrc sstatus, t5
  li t5, MSTATUS_SIE
  csrs sstatus, t5
  SRET_TO_U(2f)
2: ecall                                # U -> M
  j xlate_fail
8:
  CHECK_CAUSE(CAUSE_ECALL_U)
  csrr a2, mstatus
  andi a1, a2, MSTATUS_SIE
  CHECK_IMM(a1, 0)
  andi a1, a2, MSTATUS_SPIE
  CHECK_IMM(a1, MSTATUS_SPIE)

  # ---- H: sret executed in M-mode returns to the mode in SPP ----
  li TESTNUM, 11
  li t5, MSTATUS_SPP
  csrs mstatus, t5                      # SPP = S
  TRAP_ARM(8f)
  la t5, 1f
  csrw sepc, t5
  sret
1: ecall
  j xlate_fail
8:
  CHECK_CAUSE(CAUSE_ECALL_S)
  li TESTNUM, 12
  li t5, MSTATUS_SPP
  csrc mstatus, t5                      # SPP = U
  TRAP_ARM(8f)
  la t5, 1f
  csrw sepc, t5
  sret
1: ecall
  j xlate_fail
8:
  CHECK_CAUSE(CAUSE_ECALL_U)

  # ---- I: mret to S then U: MPP is U afterwards, MPIE = 1 ----
  li TESTNUM, 13
  TRAP_ARM(8f)
  li t5, MSTATUS_MPIE
  csrc mstatus, t5
  GOTO_MODE(PRV_S, 1f)
1: ecall
  j xlate_fail
8:
  TRAP_STATUS(a2)                       # at the S ecall: MPP = S
  li a1, MSTATUS_MPP
  and a1, a2, a1
  CHECK_IMM(a1, MSTATUS_MPP_S)
  # mret to U with MPP = U (value 0)
  li TESTNUM, 14
  TRY_IN_MODE(PRV_U, nop)
  CHECK_CAUSE(CAUSE_ECALL_U)

  # ---- J: S-mode cannot read M CSRs even with illegal delegated: the
  #         illegal-instruction trap goes to S with stval = bits ----
  li TESTNUM, 15
  li a1, 1 << CAUSE_ILLEGAL_INSN
  csrw medeleg, a1
  TRAP_ARM(8f)
  GOTO_MODE(PRV_S, 1f)
1: STRAP_ARM(2f)
3: csrr a1, mscratch
  j xlate_fail
2: ecall
8:
  CHECK_SCAUSE(CAUSE_ILLEGAL_INSN)
  CHECK_SEPC_LA(3b)
  la a1, 3b
  lwu a1, 0(a1)
  la t5, xlate_strap_info
  ld a2, TI_TVAL(t5)
  CHECK_EQ(a1, a2)
  csrw medeleg, zero

  TEST_PASS
