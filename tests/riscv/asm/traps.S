# Synchronous traps into M-mode: ecall from M/S/U (mcause 11/9/8), ebreak,
# illegal instructions (mtval = instruction bits), xRET from too low a
# privilege, access faults on unmapped physical memory, mepc/mtval/mstatus
# on trap entry and mret, direct and vectored mtvec, a skip-style handler.
#include "xlate_test.h"

#define BAD_ADDR 0x0000700000000000     /* unmapped physical address */

#define CHECK_ILLEGAL_AT(label)                                         \
        CHECK_CAUSE(CAUSE_ILLEGAL_INSN);                                \
        CHECK_EPC_LA(label);                                            \
        la a6, label; lwu a6, 0(a6); CHECK_TVAL_REG(a6)

/* For xRET traps only cause and mepc are checked: QEMU 10 leaves a stale
   mtval (the bits of the previous illegal instruction) for these. */
#define CHECK_ILLEGAL_XRET_AT(label)                                    \
        CHECK_CAUSE(CAUSE_ILLEGAL_INSN);                                \
        CHECK_EPC_LA(label)

TEST_BEGIN
  TRAP_USE_RECORD

  # ---- ecall from each mode ----
  li TESTNUM, 2
  TRY(1: ecall; j xlate_fail)
  CHECK_CAUSE(CAUSE_ECALL_M)
  CHECK_EPC_LA(1b)                      # mepc = the ecall itself
  CHECK_TVAL_IMM(0)
  TRAP_PRV(a1)
  CHECK_IMM(a1, PRV_M)

  li TESTNUM, 3
  TRY_IN_MODE(PRV_S, nop)
  CHECK_CAUSE(CAUSE_ECALL_S)
  CHECK_TVAL_IMM(0)
  TRAP_PRV(a1)
  CHECK_IMM(a1, PRV_S)

  li TESTNUM, 4
  TRY_IN_MODE(PRV_U, nop)
  CHECK_CAUSE(CAUSE_ECALL_U)
  TRAP_PRV(a1)
  CHECK_IMM(a1, PRV_U)
  # mepc of the U-mode ecall: the instruction right after the nop
  li TESTNUM, 5
  TRY_IN_MODE(PRV_U, li a1, 3; 2: ecall)
  CHECK_CAUSE(CAUSE_ECALL_U)
  CHECK_EPC_LA(2b)

  # ---- ebreak ----
  li TESTNUM, 6
  TRY(1: ebreak; j xlate_fail)
  CHECK_CAUSE(CAUSE_BREAKPOINT)
  CHECK_EPC_LA(1b)
  # mtval is 0 or the breakpoint address
  TRAP_TVAL(a1)
  beqz a1, 2f
  CHECK_LA(a1, 1b)
2:
  li TESTNUM, 7
  TRY_IN_MODE(PRV_U, 1: ebreak)
  CHECK_CAUSE(CAUSE_BREAKPOINT)
  CHECK_EPC_LA(1b)

  # ---- illegal instructions, mtval = instruction bits ----
  li TESTNUM, 8
  TRY(1: .word 0x0000000b)              # custom-0 opcode
  CHECK_ILLEGAL_AT(1b)
  li TESTNUM, 9
  TRY(1: .word 0xffffffff)              # reserved long encoding
  CHECK_CAUSE(CAUSE_ILLEGAL_INSN)
  CHECK_EPC_LA(1b)
  li TESTNUM, 10
  TRY(1: .word 0x00001073 | (0xfff << 20))   # csrrw x0, 0xfff (unimplemented), x0
  CHECK_ILLEGAL_AT(1b)
  li TESTNUM, 11
  TRY_IN_MODE(PRV_U, 1: mret)
  CHECK_ILLEGAL_XRET_AT(1b)
  li TESTNUM, 12
  TRY_IN_MODE(PRV_S, 1: mret)
  CHECK_ILLEGAL_XRET_AT(1b)
  li TESTNUM, 13
  TRY_IN_MODE(PRV_U, 1: sret)
  CHECK_ILLEGAL_XRET_AT(1b)
  # sret in S-mode with mstatus.TSR = 1
  li TESTNUM, 14
  li a1, MSTATUS_TSR
  csrs mstatus, a1
  TRY_IN_MODE(PRV_S, 1: sret)
  CHECK_ILLEGAL_XRET_AT(1b)
  li a1, MSTATUS_TSR
  csrc mstatus, a1
  # sfence.vma in U-mode
  li TESTNUM, 15
  TRY_IN_MODE(PRV_U, 1: sfence.vma)
  CHECK_ILLEGAL_AT(1b)
  # satp access in S-mode with mstatus.TVM = 1
  li TESTNUM, 16
  li a1, MSTATUS_TVM
  csrs mstatus, a1
  TRY_IN_MODE(PRV_S, 1: csrr a2, satp)
  CHECK_ILLEGAL_AT(1b)
  li a1, MSTATUS_TVM
  csrc mstatus, a1

  # ---- access faults on unmapped physical memory ----
  li TESTNUM, 17
  li a2, BAD_ADDR
  li a1, 0x1234
  TRY(1: ld a1, 0(a2))
  CHECK_CAUSE(CAUSE_LOAD_ACCESS)
  CHECK_EPC_LA(1b)
  CHECK_TVAL_REG(a2)
  CHECK_IMM(a1, 0x1234)                 # destination not written
  li TESTNUM, 18
  li a2, BAD_ADDR + 8
  TRY(1: sw a1, -8(a2))
  CHECK_CAUSE(CAUSE_STORE_ACCESS)
  addi a2, a2, -8
  CHECK_TVAL_REG(a2)
  li TESTNUM, 19
  li a2, BAD_ADDR
  TRY(jr a2)
  CHECK_CAUSE(CAUSE_FETCH_ACCESS)
  CHECK_EPC_REG(a2)                     # mepc = the target
  CHECK_TVAL_REG(a2)

  # ---- mstatus on trap entry and mret ----
  # trap: MPIE <- MIE, MIE <- 0, MPP <- previous mode
  li TESTNUM, 20
  li a1, MSTATUS_MIE
  csrs mstatus, a1
  TRY(ecall)
  TRAP_STATUS(a2)                       # mstatus as seen by the handler
  andi a3, a2, MSTATUS_MIE
  bnez a3, xlate_fail
  andi a3, a2, MSTATUS_MPIE
  beqz a3, xlate_fail
  li a1, MSTATUS_MIE
  csrc mstatus, a1
  # mret: MIE <- MPIE, MPIE <- 1, MPP <- U
  li TESTNUM, 21
  li a1, MSTATUS_MPP | MSTATUS_MPIE | MSTATUS_MIE
  csrc mstatus, a1
  li a1, MSTATUS_MPP_M
  csrs mstatus, a1
  la a1, 1f
  csrw mepc, a1
  mret
1:
  csrr a2, mstatus
  andi a3, a2, MSTATUS_MIE
  bnez a3, xlate_fail                   # MPIE was 0
  andi a3, a2, MSTATUS_MPIE
  beqz a3, xlate_fail
  li a3, MSTATUS_MPP
  and a3, a2, a3
  bnez a3, xlate_fail                   # MPP = U
  li TESTNUM, 22
  li a1, MSTATUS_MPP_M | MSTATUS_MPIE
  csrs mstatus, a1
  la a1, 1f
  csrw mepc, a1
  mret
1:
  csrr a2, mstatus
  andi a3, a2, MSTATUS_MIE
  beqz a3, xlate_fail                   # MIE <- MPIE = 1
  csrci mstatus, MSTATUS_MIE

  # ---- a handler that skips the trapping instruction ----
  li TESTNUM, 23
  la a1, skip_handler
  csrw mtvec, a1
  li a4, 0
  ecall
  addi a4, a4, 1                        # executed after the skip
  ebreak
  addi a4, a4, 1
  CHECK_IMM(a4, 2)
  CHECK_IMM(s11, 2)                     # handler ran twice

  # ---- vectored mtvec: exceptions still go to BASE ----
  li TESTNUM, 24
  la a1, vector_table
  ori a1, a1, 1
  csrw mtvec, a1
  csrr a2, mtvec
  bne a1, a2, xlate_fail                # vectored mode supported
  TRY(ecall)
  CHECK_CAUSE(CAUSE_ECALL_M)
  TRAP_USE_RECORD

  # ---- mtvec direct mode with an aligned base ----
  TEST_CASE(25, a4, 0, la a1, xlate_trap_record; csrw mtvec, a1; csrr a2, mtvec; sub a4, a1, a2)

  TEST_PASS

  .balign 4
skip_handler:
  csrr t5, mepc
  addi t5, t5, 4
  csrw mepc, t5
  addi s11, s11, 1
  mret

  .balign 256
vector_table:
  j xlate_trap_record                   # 0: exceptions
  .rept 15
  j xlate_fail
  .endr
