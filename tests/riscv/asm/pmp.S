# Physical memory protection: NAPOT, TOR and NA4 regions checked for S- and
# U-mode loads, stores and fetches (access faults 5/7/1 with mtval = the
# address), entry priority, accesses partially inside a region, M-mode
# bypass of unlocked entries, MPRV making M-mode loads obey U-mode rules,
# and the L bit: locked entries apply to M-mode and ignore writes.
#include "xlate_test.h"

#define NAPOT_4K(base)  (((base) >> 2) | 0x1ff)

/* cfg bytes for entries 0..7 (entry 7 = allow-all fallback) */
#define CFG_A   (PMP_NAPOT)                           /* no access   */
#define CFG_B   (PMP_NAPOT | PMP_R)                   /* read-only   */
#define CFG_C   (PMP_TOR | PMP_R | PMP_W)             /* RW, no X    */
#define CFG_E   (PMP_NA4 | PMP_R | PMP_W)             /* 4 bytes RW  */
#define CFG_F   (PMP_NAPOT | PMP_R | PMP_X)           /* RX          */
#define CFG_ALL (PMP_NAPOT | PMP_R | PMP_W | PMP_X)
#define PMPCFG0 ((CFG_ALL << 56) | (CFG_F << 48) | (CFG_E << 32) | (CFG_C << 24) | (CFG_B << 8) | CFG_A)

#define RET_INSN 0x00008067
#define ADDI_A0_X0(imm) (0x00000513 | ((imm) << 20))

TEST_BEGIN
  TRAP_USE_RECORD

  # ---- program the entries (all unlocked) ----
  csrw pmpcfg0, zero
  la a1, pmp_a
  srli a1, a1, 2
  ori a1, a1, 0x1ff
  csrw pmpaddr0, a1
  la a1, pmp_b
  srli a1, a1, 2
  ori a1, a1, 0x1ff
  csrw pmpaddr1, a1
  la a1, pmp_c                          # TOR: [pmpaddr2, pmpaddr3)
  srli a1, a1, 2
  csrw pmpaddr2, a1
  la a1, pmp_c_end
  srli a1, a1, 2
  csrw pmpaddr3, a1
  la a1, pmp_e                          # NA4: 4 bytes at pmp_e
  srli a1, a1, 2
  csrw pmpaddr4, a1
  csrw pmpaddr5, zero
  la a1, pmp_f
  srli a1, a1, 2
  ori a1, a1, 0x1ff
  csrw pmpaddr6, a1
  li a1, -1
  csrw pmpaddr7, a1
  # code for region F (RX) and for region C (RW, no X)
  la a1, pmp_f
  li a2, ADDI_A0_X0(0x42)
  sw a2, 0(a1)
  li a2, RET_INSN
  sw a2, 4(a1)
  la a1, pmp_c
  sw a2, 0(a1)
  fence.i
  li a1, PMPCFG0
  csrw pmpcfg0, a1
  TEST_CASE(2, a4, PMPCFG0, csrr a4, pmpcfg0)

  # ---- region A: no permissions ----
  li TESTNUM, 3
  la a2, pmp_a
  addi a2, a2, 8
  TRY_IN_MODE(PRV_U, ld a1, 0(a2))
  CHECK_CAUSE(CAUSE_LOAD_ACCESS)
  CHECK_TVAL_REG(a2)
  li TESTNUM, 4
  TRY_IN_MODE(PRV_S, sd a1, 0(a2))
  CHECK_CAUSE(CAUSE_STORE_ACCESS)
  CHECK_TVAL_REG(a2)
  li TESTNUM, 5
  TRY_IN_MODE(PRV_S, lbu a1, 0(a2))
  CHECK_CAUSE(CAUSE_LOAD_ACCESS)
  # the last byte of the region is covered, the next byte is not
  li TESTNUM, 6
  la a2, pmp_a + 4095
  TRY_IN_MODE(PRV_U, lbu a1, 0(a2))
  CHECK_CAUSE(CAUSE_LOAD_ACCESS)
  li TESTNUM, 7
  la a2, pmp_b - 0                      # = pmp_a + 4096
  TRY_IN_MODE(PRV_U, lbu a1, 0(a2))
  CHECK_CAUSE(CAUSE_ECALL_U)
  # M-mode ignores unlocked entries
  TEST_CASE(8, a4, 0x1111, la a1, pmp_a; li a2, 0x1111; sd a2, 0(a1); ld a4, 0(a1))

  # ---- region B: read-only ----
  li TESTNUM, 9
  la a2, pmp_b
  li a1, 0
  TRY_IN_MODE(PRV_U, ld a1, 0(a2))
  CHECK_CAUSE(CAUSE_ECALL_U)
  CHECK_IMM(a1, 0xbbbb)
  li TESTNUM, 10
  addi a2, a2, 16
  TRY_IN_MODE(PRV_S, sw a1, 0(a2))
  CHECK_CAUSE(CAUSE_STORE_ACCESS)
  CHECK_TVAL_REG(a2)
  li TESTNUM, 11
  la a2, pmp_b
  TRY_IN_MODE(PRV_U, amoadd.d a1, a1, (a2))     # AMOs need W
  CHECK_CAUSE(CAUSE_STORE_ACCESS)
  li TESTNUM, 12                                # no X: fetch fault
  la a2, pmp_b
  TRY_IN_MODE(PRV_U, jalr ra, 0(a2))
  CHECK_CAUSE(CAUSE_FETCH_ACCESS)
  CHECK_TVAL_REG(a2)
  CHECK_EPC_REG(a2)

  # ---- region C (TOR): read/write but no execute ----
  li TESTNUM, 13
  la a2, pmp_c_end - 8                  # last doubleword inside
  li a1, 0x3333
  TRY_IN_MODE(PRV_U, sd a1, 0(a2); ld a3, 0(a2))
  CHECK_CAUSE(CAUSE_ECALL_U)
  CHECK_IMM(a3, 0x3333)
  li TESTNUM, 14
  la a2, pmp_c
  TRY_IN_MODE(PRV_S, jalr ra, 0(a2))
  CHECK_CAUSE(CAUSE_FETCH_ACCESS)
  CHECK_TVAL_REG(a2)
  # M-mode may execute there
  li TESTNUM, 15
  la a2, pmp_c
  jalr ra, 0(a2)

  # ---- region F: execute from a RX data page in U-mode ----
  li TESTNUM, 16
  li a0, 0
  la a2, pmp_f
  TRY_IN_MODE(PRV_U, jalr ra, 0(a2))
  CHECK_CAUSE(CAUSE_ECALL_U)
  CHECK_IMM(a0, 0x42)
  li TESTNUM, 17
  TRY_IN_MODE(PRV_U, sw a0, 0(a2))
  CHECK_CAUSE(CAUSE_STORE_ACCESS)

  # ---- NA4: an access must lie entirely inside the matching entry ----
  li TESTNUM, 18
  la a2, pmp_e
  TRY_IN_MODE(PRV_U, lw a1, 0(a2))      # exactly the 4 bytes
  CHECK_CAUSE(CAUSE_ECALL_U)
  li TESTNUM, 19
  TRY_IN_MODE(PRV_U, ld a1, 0(a2))      # 8 bytes, half outside entry 4
  CHECK_CAUSE(CAUSE_LOAD_ACCESS)
  CHECK_TVAL_REG(a2)
  li TESTNUM, 20
  addi a2, a2, 4
  TRY_IN_MODE(PRV_U, lw a1, 0(a2))      # next word: only entry 7 matches
  CHECK_CAUSE(CAUSE_ECALL_U)

  # ---- priority: entry 0 (no access) wins over a later RW entry ----
  li TESTNUM, 21
  la a1, pmp_a
  srli a1, a1, 2
  ori a1, a1, 0x1ff
  csrw pmpaddr5, a1
  li a1, (PMP_NAPOT | PMP_R | PMP_W) << 40
  csrs pmpcfg0, a1
  la a2, pmp_a
  TRY_IN_MODE(PRV_S, ld a1, 0(a2))
  CHECK_CAUSE(CAUSE_LOAD_ACCESS)
  # ... and with entry 0 switched off, entry 5 grants the access
  li TESTNUM, 22
  li a1, 0xff
  csrc pmpcfg0, a1
  TRY_IN_MODE(PRV_S, ld a1, 0(a2))
  CHECK_CAUSE(CAUSE_ECALL_S)
  CHECK_IMM(a1, 0x1111)
  li a1, 0xff << 40
  csrc pmpcfg0, a1
  li a1, CFG_A
  csrs pmpcfg0, a1

  # ---- MPRV: M-mode loads/stores checked as MPP's mode ----
  li TESTNUM, 23
  li a1, MSTATUS_MPP
  csrc mstatus, a1                      # MPP = U
  li a1, MSTATUS_MPRV
  la a2, pmp_a
  TRY(csrs mstatus, a1; ld a3, 0(a2))
  CHECK_CAUSE(CAUSE_LOAD_ACCESS)
  CHECK_TVAL_REG(a2)
  li TESTNUM, 24
  li a1, MSTATUS_MPP
  csrc mstatus, a1
  li a1, MSTATUS_MPRV
  la a2, pmp_b
  TRY(csrs mstatus, a1; ld a3, 0(a2); sd a3, 0(a2))
  CHECK_CAUSE(CAUSE_STORE_ACCESS)       # the load was fine, the store not
  li a1, MSTATUS_MPRV
  csrc mstatus, a1
  # MPRV with MPP = M: no restriction
  TEST_CASE(25, a3, 0xbbbb, li a1, MSTATUS_MPP | MSTATUS_MPRV; csrs mstatus, a1; la a2, pmp_a; ld a3, 0(a2); sd a3, 0(a2); \
      li a1, MSTATUS_MPRV; csrc mstatus, a1; la a2, pmp_b; ld a3, 0(a2))

  # ---- RV64 has no odd pmpcfg registers ----
  li TESTNUM, 26
  TRY(csrr a1, pmpcfg1)
  CHECK_CAUSE(CAUSE_ILLEGAL_INSN)
  li TESTNUM, 27
  TRY_IN_MODE(PRV_S, csrr a1, pmpcfg0)  # M-mode only
  CHECK_CAUSE(CAUSE_ILLEGAL_INSN)

  # ---- locked entry: applies to M-mode, ignores further writes ----
  li TESTNUM, 28
  la a1, pmp_d
  srli a1, a1, 2
  ori a1, a1, 0x1ff
  csrw pmpaddr5, a1
  li a1, 0xff << 40
  csrc pmpcfg0, a1
  li a1, (PMP_L | PMP_NAPOT) << 40      # locked, no permissions
  csrs pmpcfg0, a1
  la a2, pmp_d
  TRY(ld a3, 0(a2))
  CHECK_CAUSE(CAUSE_LOAD_ACCESS)
  CHECK_TVAL_REG(a2)
  li TESTNUM, 29
  addi a2, a2, 64
  TRY(sw a3, 0(a2))
  CHECK_CAUSE(CAUSE_STORE_ACCESS)
  CHECK_TVAL_REG(a2)
  # cfg byte and address of the locked entry cannot change
  li TESTNUM, 30
  csrr a3, pmpaddr5
  li a1, 0xff << 40
  csrc pmpcfg0, a1
  csrr a4, pmpcfg0
  srli a4, a4, 40
  andi a4, a4, 0xff
  CHECK_IMM(a4, PMP_L | PMP_NAPOT)
  li TESTNUM, 31
  csrw pmpaddr5, zero
  csrr a4, pmpaddr5
  CHECK_EQ(a4, a3)
  li TESTNUM, 32                        # still enforced
  la a2, pmp_d
  TRY(ld a3, 0(a2))
  CHECK_CAUSE(CAUSE_LOAD_ACCESS)
  # other (unlocked) entries are still writable
  li TESTNUM, 33
  li a1, 0xff
  csrc pmpcfg0, a1
  csrr a4, pmpcfg0
  andi a4, a4, 0xff
  CHECK_IMM(a4, 0)

  TEST_PASS

TEST_DATA
  .balign 4096
pmp_a: .dword 0xaaaa
  .balign 4096
pmp_b: .dword 0xbbbb
  .balign 4096
pmp_c: .skip 8192
pmp_c_end:
  .balign 4096
pmp_d: .skip 4096
  .balign 4096
pmp_e: .dword 0x0e0e0e0e0e0e0e0e
  .balign 4096
pmp_f: .skip 4096
