# Interrupts without any device: the supervisor software interrupt pending
# bit (mip.SSIP) set by software. Checks the enable conditions (mstatus.MIE,
# mie.SSIE, mideleg, sstatus.SIE and the current privilege), the cause and
# epc of the trap, vectored mtvec/stvec, and WFI with a pending-but-disabled
# interrupt (must not hang) or with mstatus.TW set (illegal in S-mode).
#include "xlate_test.h"

#define INTR_SSI (CAUSE_INTR | 1)
#define INTR_SEI (CAUSE_INTR | 9)

#define MCOUNT(reg)  la t5, xlate_trap_info; ld reg, TI_COUNT(t5)
#define SCOUNT(reg)  la t5, xlate_strap_info; ld reg, TI_COUNT(t5)

TEST_BEGIN
  la a1, m_handler
  csrw mtvec, a1
  la a1, s_handler
  csrw stvec, a1
  csrw mideleg, zero
  csrw mie, zero
  csrw mip, zero

  # ---- 1: pending + enabled in mie, but mstatus.MIE = 0: not taken ----
  li TESTNUM, 2
  MCOUNT(s2)
  csrci mstatus, MSTATUS_MIE
  li a1, MIP_SSIP
  csrw mie, a1
  csrs mip, a1
  nop
  nop
  MCOUNT(a1)
  CHECK_EQ(a1, s2)
  csrr a1, mip
  andi a1, a1, MIP_SSIP
  CHECK_IMM(a1, MIP_SSIP)               # still pending

  # ---- 2: setting mstatus.MIE takes it right after the csr write ----
  li TESTNUM, 3
  TRAP_ARM(2f)
1: csrsi mstatus, MSTATUS_MIE
3: j xlate_fail
2:
  CHECK_CAUSE(INTR_SSI)
  CHECK_EPC_LA(3b)                      # mepc = the next instruction
  TRAP_STATUS(a2)                       # handler saw MIE = 0, MPIE = 1, MPP = M
  andi a1, a2, MSTATUS_MIE
  CHECK_IMM(a1, 0)
  andi a1, a2, MSTATUS_MPIE
  CHECK_IMM(a1, MSTATUS_MPIE)
  TRAP_PRV(a1)
  CHECK_IMM(a1, PRV_M)
  csrci mstatus, MSTATUS_MIE

  # ---- 3: MIE = 1, pending, but mie.SSIE = 0: not taken until enabled ----
  li TESTNUM, 4
  csrw mie, zero
  li a1, MIP_SSIP
  csrs mip, a1
  csrsi mstatus, MSTATUS_MIE
  MCOUNT(s2)
  nop
  MCOUNT(a1)
  CHECK_EQ(a1, s2)
  li TESTNUM, 5
  TRAP_ARM(2f)
  li a1, MIP_SSIP
  csrs mie, a1
3: j xlate_fail
2:
  CHECK_CAUSE(INTR_SSI)
  CHECK_EPC_LA(3b)
  csrci mstatus, MSTATUS_MIE

  # ---- 4: setting the pending bit with everything enabled ----
  li TESTNUM, 6
  csrsi mstatus, MSTATUS_MIE
  TRAP_ARM(2f)
  li a1, MIP_SSIP
  csrs mip, a1
3: j xlate_fail
2:
  CHECK_CAUSE(INTR_SSI)
  CHECK_EPC_LA(3b)
  csrci mstatus, MSTATUS_MIE

  # ---- 5: an interrupt in the middle of a loop resumes it exactly ----
  li TESTNUM, 7
  csrsi mstatus, MSTATUS_MIE
  li a2, 0
  li a3, 1000
1: addi a2, a2, 1
  li a1, 500
  bne a2, a1, 2f
  li a1, MIP_SSIP
  csrs mip, a1                          # handler continues at mepc
2: bne a2, a3, 1b
  csrci mstatus, MSTATUS_MIE
  CHECK_IMM(a2, 1000)
  TRAP_CAUSE(a1)
  CHECK_IMM(a1, INTR_SSI)

  # ---- 6: vectored mtvec: interrupt cause 1 goes to BASE + 4 ----
  li TESTNUM, 8
  la a1, m_vectors
  ori a1, a1, 1
  csrw mtvec, a1
  li s4, 0
  TRAP_ARM(2f)
  li a1, MIP_SSIP
  csrs mip, a1
  csrsi mstatus, MSTATUS_MIE
  j xlate_fail
2:
  CHECK_IMM(s4, 0x5a)                   # set by vector entry 1
  CHECK_CAUSE(INTR_SSI)
  csrci mstatus, MSTATUS_MIE
  la a1, m_handler
  csrw mtvec, a1

  # ---- 7: delegated SSI is never taken in M-mode ----
  li TESTNUM, 9
  li a1, MIP_SSIP
  csrw mideleg, a1
  csrw mie, a1
  csrs mip, a1
  csrsi mstatus, MSTATUS_MIE
  MCOUNT(s2)
  SCOUNT(s3)
  nop
  nop
  csrci mstatus, MSTATUS_MIE
  MCOUNT(a1)
  CHECK_EQ(a1, s2)
  SCOUNT(a1)
  CHECK_EQ(a1, s3)

  # ---- 8: in S-mode with SIE = 0 not taken; setting SIE takes it (to S) ----
  li TESTNUM, 10
  li t5, MSTATUS_SIE
  csrc mstatus, t5
  TRAP_ARM(8f)
  GOTO_MODE(PRV_S, 1f)
1: nop
  nop
  SCOUNT(a4)                            # no S trap yet
  STRAP_ARM(2f)
  csrsi sstatus, MSTATUS_SIE
3: j xlate_fail
2: csrci sstatus, MSTATUS_SIE
  ecall                                 # back to M
8:
  CHECK_CAUSE(CAUSE_ECALL_S)
  CHECK_EQ(a4, s3)
  CHECK_SCAUSE(INTR_SSI)
  CHECK_SEPC_LA(3b)
  STRAP_STATUS(a2)
  andi a1, a2, MSTATUS_SPIE
  CHECK_IMM(a1, MSTATUS_SPIE)           # SPIE <- old SIE
  andi a1, a2, MSTATUS_SPP
  CHECK_IMM(a1, MSTATUS_SPP)            # from S

  # ---- 9: in U-mode a delegated SSI is taken even with SIE = 0 ----
  li TESTNUM, 11
  li a1, MIP_SSIP
  csrs mip, a1
  li t5, MSTATUS_SIE | MSTATUS_SPP
  csrc mstatus, t5
  TRAP_ARM(8f)
  STRAP_ARM(2f)                         # S handler resumes in S at 2f
  GOTO_MODE(PRV_U, 1f)
1: j 1b                                 # wait here in U
2: ecall                                # S -> M
8:
  CHECK_CAUSE(CAUSE_ECALL_S)
  CHECK_SCAUSE(INTR_SSI)
  CHECK_SEPC_LA(1b)
  STRAP_PRV(a1)
  CHECK_IMM(a1, PRV_U)

  # ---- 10: a non-delegated SSI is taken into M from S even with MIE = 0 ----
  li TESTNUM, 12
  csrci mstatus, MSTATUS_MIE
  csrw mideleg, zero
  li a1, MIP_SSIP
  csrs mip, a1
  TRAP_ARM(8f)
  GOTO_MODE(PRV_S, 1f)
1: j 1b
8:
  CHECK_CAUSE(INTR_SSI)
  CHECK_EPC_LA(1b)
  TRAP_PRV(a1)
  CHECK_IMM(a1, PRV_S)

  # ---- 11: WFI with an interrupt pending but globally disabled returns ----
  li TESTNUM, 13
  csrci mstatus, MSTATUS_MIE
  li a1, MIP_SSIP
  csrw mie, a1
  csrs mip, a1
  MCOUNT(s2)
  wfi
  MCOUNT(a1)
  CHECK_EQ(a1, s2)                      # not taken
  csrc mip, a1
  # ... the same in S-mode for a delegated interrupt with SIE = 0
  li TESTNUM, 14
  li a1, MIP_SSIP
  csrw mideleg, a1
  csrs mip, a1
  li t5, MSTATUS_SIE | MSTATUS_TW
  csrc mstatus, t5
  SCOUNT(s3)
  TRY_IN_MODE(PRV_S, wfi; li a5, 0x33)
  CHECK_CAUSE(CAUSE_ECALL_S)
  CHECK_IMM(a5, 0x33)
  SCOUNT(a1)
  CHECK_EQ(a1, s3)
  # ... and taking it once enabled after WFI woke up
  li TESTNUM, 15
  TRAP_ARM(8f)
  GOTO_MODE(PRV_S, 1f)
1: wfi
  STRAP_ARM(2f)
  csrsi sstatus, MSTATUS_SIE
3: j xlate_fail
2: csrci sstatus, MSTATUS_SIE
  ecall
8:
  CHECK_SCAUSE(INTR_SSI)
  CHECK_SEPC_LA(3b)
  csrw mideleg, zero
  csrw mip, zero

  # ---- 12: WFI in S-mode with mstatus.TW = 1 is illegal ----
  li TESTNUM, 16
  li t5, MSTATUS_TW
  csrs mstatus, t5
  TRY_IN_MODE(PRV_S, 1: wfi)
  CHECK_CAUSE(CAUSE_ILLEGAL_INSN)
  CHECK_EPC_LA(1b)
  li t5, MSTATUS_TW
  csrc mstatus, t5

  # ---- 13: software-set mip.SEIP raises a supervisor external interrupt
  #          (cause 9). (Priority between SEI and SSI is not checked: QEMU
  #          without AIA takes the lowest-numbered pending interrupt.) ----
  li TESTNUM, 17
  csrci mstatus, MSTATUS_MIE
  csrw mie, zero
  li a1, MIP_SEIP
  csrs mip, a1
  csrr a2, mip
  and a2, a2, a1
  beqz a2, 9f                           # SEIP not software-writable here: skip
  csrw mie, a1
  TRAP_ARM(2f)
  csrsi mstatus, MSTATUS_MIE
  j xlate_fail
2:
  csrci mstatus, MSTATUS_MIE
  CHECK_CAUSE(INTR_SEI)
  csrr a2, mip                          # the handler cleared it
  andi a2, a2, MIP_SEIP
  CHECK_IMM(a2, 0)
9:
  csrw mip, zero
  csrw mie, zero

  TEST_PASS

# M-mode handler: records like xlate_trap_record, clears the software
# pending bits, resumes at the armed address or (interrupts only) at mepc.
  .balign 4
m_handler:
  la t5, xlate_trap_info
  csrr t6, mcause; sd t6, TI_CAUSE(t5)
  csrr t6, mepc;   sd t6, TI_EPC(t5)
  csrr t6, mtval;  sd t6, TI_TVAL(t5)
  ld t6, TI_COUNT(t5); addi t6, t6, 1; sd t6, TI_COUNT(t5)
  csrr t6, mstatus; sd t6, TI_STATUS(t5)
  srli t6, t6, 11; andi t6, t6, 3; sd t6, TI_PRV(t5)
  csrr t6, mcause
  bgez t6, 2f                           # exceptions leave mip alone
  li t6, MIP_SSIP | MIP_SEIP
  csrc mip, t6
2:
  ld t6, TI_RESUME(t5)
  beqz t6, 1f
  sd zero, TI_RESUME(t5)
  csrw mepc, t6
  li t6, MSTATUS_MPP
  csrs mstatus, t6
  mret
1:
  csrr t6, mcause
  bgez t6, xlate_fail                   # unexpected exception
  mret

  .balign 4
s_handler:
  la t5, xlate_strap_info
  csrr t6, scause; sd t6, TI_CAUSE(t5)
  csrr t6, sepc;   sd t6, TI_EPC(t5)
  csrr t6, stval;  sd t6, TI_TVAL(t5)
  ld t6, TI_COUNT(t5); addi t6, t6, 1; sd t6, TI_COUNT(t5)
  csrr t6, sstatus; sd t6, TI_STATUS(t5)
  srli t6, t6, 8; andi t6, t6, 1; sd t6, TI_PRV(t5)
  csrr t6, scause
  bgez t6, 2f
  li t6, MIP_SSIP
  csrc sip, t6
2:
  ld t6, TI_RESUME(t5)
  beqz t6, 1f
  sd zero, TI_RESUME(t5)
  csrw sepc, t6
  li t6, MSTATUS_SPP
  csrs sstatus, t6
  sret
1:
  csrr t6, scause
  bgez t6, xlate_fail
  sret

  .balign 256
m_vectors:
  j m_handler                           # 0: exceptions
  j m_vec_ssi                           # 1: SSI
  .rept 14
  j xlate_fail
  .endr
m_vec_ssi:
  li s4, 0x5a
  j m_handler
