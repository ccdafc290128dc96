/*
 * xlate RISC-V conformance suite: common header.
 *
 * Every test is a bare-metal RV64 ELF linked at 0x80000000 (see ../link.ld)
 * that starts at `_start` in M-mode and reports through HTIF:
 *
 *   tohost <- (test_num << 1) | 1      1 == pass, otherwise test_num failed
 *
 * Register conventions
 *   gp (x3)      current test number (TESTNUM); reported on failure.
 *   t5, t6       scratch for the macros and the trap handlers: a trap may
 *                clobber them, so test code never keeps values there.
 *   everything else is free for the test and preserved by the handlers.
 *
 * Test numbers must be 1..254: QEMU passes (tohost >> 1) to exit() and the
 * shell sees only its low 8 bits. 255 means "failure before any test".
 *
 * Traps
 *   The default M-mode handler fails the current test. A test expects a
 *   trap by arming a resume address first (TRAP_ARM / TRY_* macros): the
 *   recording handler then stores mcause/mepc/mtval/previous mode into
 *   xlate_trap_info and resumes in M-mode at the armed address (one shot),
 *   with mstatus.MPRV cleared.
 *   An S-mode twin (xlate_strap_record, xlate_strap_info) does the same for
 *   traps delegated to S-mode, resuming in S-mode.
 */
#ifndef XLATE_TEST_H
#define XLATE_TEST_H

#define TESTNUM gp

/* ---- CSR field constants --------------------------------------------- */
#define MSTATUS_SIE      0x2
#define MSTATUS_MIE      0x8
#define MSTATUS_SPIE     0x20
#define MSTATUS_UBE      0x40
#define MSTATUS_MPIE     0x80
#define MSTATUS_SPP      0x100
#define MSTATUS_MPP      0x1800
#define MSTATUS_MPP_S    0x0800
#define MSTATUS_MPP_M    0x1800
#define MSTATUS_FS       0x6000
#define MSTATUS_FS_INIT  0x2000
#define MSTATUS_FS_CLEAN 0x4000
#define MSTATUS_FS_DIRTY 0x6000
#define MSTATUS_MPRV     0x20000
#define MSTATUS_SUM      0x40000
#define MSTATUS_MXR      0x80000
#define MSTATUS_TVM      0x100000
#define MSTATUS_TW       0x200000
#define MSTATUS_TSR      0x400000
#define MSTATUS_UXL      0x300000000
#define MSTATUS_SXL      0xc00000000
#define MSTATUS_SD       0x8000000000000000

#define PRV_U 0
#define PRV_S 1
#define PRV_M 3

#define MIP_SSIP (1 << 1)
#define MIP_MSIP (1 << 3)
#define MIP_STIP (1 << 5)
#define MIP_MTIP (1 << 7)
#define MIP_SEIP (1 << 9)
#define MIP_MEIP (1 << 11)

#define CAUSE_MISALIGNED_FETCH  0
#define CAUSE_FETCH_ACCESS      1
#define CAUSE_ILLEGAL_INSN      2
#define CAUSE_BREAKPOINT        3
#define CAUSE_MISALIGNED_LOAD   4
#define CAUSE_LOAD_ACCESS       5
#define CAUSE_MISALIGNED_STORE  6
#define CAUSE_STORE_ACCESS      7
#define CAUSE_ECALL_U           8
#define CAUSE_ECALL_S           9
#define CAUSE_ECALL_M           11
#define CAUSE_FETCH_PAGE_FAULT  12
#define CAUSE_LOAD_PAGE_FAULT   13
#define CAUSE_STORE_PAGE_FAULT  15
#define CAUSE_INTR              0x8000000000000000
#define CAUSE_NONE              (-1)     /* xlate_trap_info.cause when no trap was taken */

#define SATP_MODE_SV39 (8 << 60)
#define SATP_MODE_SV48 (9 << 60)

#define PTE_V (1 << 0)
#define PTE_R (1 << 1)
#define PTE_W (1 << 2)
#define PTE_X (1 << 3)
#define PTE_U (1 << 4)
#define PTE_G (1 << 5)
#define PTE_A (1 << 6)
#define PTE_D (1 << 7)

#define PMP_R     0x01
#define PMP_W     0x02
#define PMP_X     0x04
#define PMP_OFF   0x00
#define PMP_TOR   0x08
#define PMP_NA4   0x10
#define PMP_NAPOT 0x18
#define PMP_L     0x80

#define FFLAG_NX 0x01
#define FFLAG_UF 0x02
#define FFLAG_OF 0x04
#define FFLAG_DZ 0x08
#define FFLAG_NV 0x10

/* Offsets inside xlate_trap_info / xlate_strap_info. */
#define TI_CAUSE   0
#define TI_EPC     8
#define TI_TVAL    16
#define TI_COUNT   24
#define TI_RESUME  32
#define TI_PRV     40   /* privilege the trap came from */
#define TI_STATUS  48   /* m/sstatus as seen by the handler */

/* ---- start-up, handlers, pass/fail ----------------------------------- */

/*
 * TEST_BEGIN: emits the reset code, the handlers and HTIF symbols, then
 * switches to .text where the test body follows. The body ends with
 * TEST_PASS (or jumps to xlate_fail).
 */
#define TEST_BEGIN                                                      \
        .pushsection .tohost, "aw", @progbits;                          \
        .balign 64; .globl tohost; .type tohost, @object;               \
        .size tohost, 8; tohost: .dword 0;                              \
        .balign 64; .globl fromhost; .type fromhost, @object;           \
        .size fromhost, 8; fromhost: .dword 0;                          \
        .popsection;                                                    \
        .pushsection .data;                                             \
        .balign 64;                                                     \
        .globl xlate_trap_info; xlate_trap_info: .fill 8, 8, 0;         \
        .globl xlate_strap_info; xlate_strap_info: .fill 8, 8, 0;       \
        .popsection;                                                    \
        .section .text.init, "ax", @progbits;                           \
        .globl _start;                                                  \
_start:                                                                 \
        XLATE_RESET_CODE;                                               \
        j xlate_test_body;                                              \
        XLATE_HANDLERS;                                                 \
        .text;                                                          \
        .balign 4;                                                      \
xlate_test_body:

#define XLATE_RESET_CODE                                                \
        li x1, 0; li x2, 0; li x3, 0; li x4, 0; li x5, 0; li x6, 0;     \
        li x7, 0; li x8, 0; li x9, 0; li x10, 0; li x11, 0; li x12, 0;  \
        li x13, 0; li x14, 0; li x15, 0; li x16, 0; li x17, 0;          \
        li x18, 0; li x19, 0; li x20, 0; li x21, 0; li x22, 0;          \
        li x23, 0; li x24, 0; li x25, 0; li x26, 0; li x27, 0;          \
        li x28, 0; li x29, 0; li x30, 0; li x31, 0;                     \
        la t0, xlate_trap_default; csrw mtvec, t0;                      \
        csrw mie, zero;                                                 \
        csrw mip, zero;                                                 \
        csrw medeleg, zero;                                             \
        csrw mideleg, zero;                                             \
        csrw satp, zero;                                                \
        li t0, MSTATUS_FS_INIT; csrw mstatus, t0;                       \
        /* PMP: one NAPOT entry covering everything, RWX, so S/U-mode   \
           may touch memory. Skipped if the CSRs trap (no PMP). */      \
        la t0, 81f; csrw mtvec, t0;                                     \
        li t0, -1; csrw pmpaddr0, t0;                                   \
        li t0, (PMP_NAPOT | PMP_R | PMP_W | PMP_X); csrw pmpcfg0, t0;   \
        .balign 4;                                                      \
81:     la t0, xlate_trap_default; csrw mtvec, t0;                      \
        /* FP unit: clear fcsr if F is present. */                      \
        csrr t0, misa; andi t0, t0, (1 << 5); beqz t0, 82f;             \
        fscsr zero;                                                     \
82:     li t0, MSTATUS_FS_INIT; csrw mstatus, t0;                       \
        la t0, xlate_trap_info; sd zero, TI_RESUME(t0);                 \
        li t1, CAUSE_NONE; sd t1, TI_CAUSE(t0);                         \
        la t0, xlate_strap_info; sd zero, TI_RESUME(t0);                \
        sd t1, TI_CAUSE(t0);                                            \
        li t0, 0; li t1, 0;                                             \
        li TESTNUM, 0

#define XLATE_HANDLERS                                                  \
        /* default M-mode handler: record, then fail the current test */\
        .balign 4;                                                      \
        .globl xlate_trap_default;                                      \
xlate_trap_default:                                                     \
        la t5, xlate_trap_info;                                         \
        csrr t6, mcause; sd t6, TI_CAUSE(t5);                           \
        csrr t6, mepc;   sd t6, TI_EPC(t5);                             \
        csrr t6, mtval;  sd t6, TI_TVAL(t5);                            \
        j xlate_fail;                                                   \
        /* recording M-mode handler: resume at the armed address */     \
        .balign 4;                                                      \
        .globl xlate_trap_record;                                       \
xlate_trap_record:                                                      \
        la t5, xlate_trap_info;                                         \
        csrr t6, mcause; sd t6, TI_CAUSE(t5);                           \
        csrr t6, mepc;   sd t6, TI_EPC(t5);                             \
        csrr t6, mtval;  sd t6, TI_TVAL(t5);                            \
        ld t6, TI_COUNT(t5); addi t6, t6, 1; sd t6, TI_COUNT(t5);       \
        csrr t6, mstatus; sd t6, TI_STATUS(t5);                         \
        srli t6, t6, 11; andi t6, t6, 3; sd t6, TI_PRV(t5);             \
        ld t6, TI_RESUME(t5);                                           \
        beqz t6, xlate_fail;                                            \
        sd zero, TI_RESUME(t5);                                         \
        csrw mepc, t6;                                                  \
        li t6, MSTATUS_MPP; csrs mstatus, t6;                           \
        li t6, MSTATUS_MPRV; csrc mstatus, t6;                          \
        mret;                                                           \
        /* recording S-mode handler: resume (in S-mode) at the armed    \
           address of xlate_strap_info */                               \
        .balign 4;                                                      \
        .globl xlate_strap_record;                                      \
xlate_strap_record:                                                     \
        la t5, xlate_strap_info;                                        \
        csrr t6, scause; sd t6, TI_CAUSE(t5);                           \
        csrr t6, sepc;   sd t6, TI_EPC(t5);                             \
        csrr t6, stval;  sd t6, TI_TVAL(t5);                            \
        ld t6, TI_COUNT(t5); addi t6, t6, 1; sd t6, TI_COUNT(t5);       \
        csrr t6, sstatus; sd t6, TI_STATUS(t5);                         \
        srli t6, t6, 8; andi t6, t6, 1; sd t6, TI_PRV(t5);              \
        ld t6, TI_RESUME(t5);                                           \
        beqz t6, xlate_fail;                                            \
        sd zero, TI_RESUME(t5);                                         \
        csrw sepc, t6;                                                  \
        li t6, MSTATUS_SPP; csrs sstatus, t6;                           \
        sret;                                                           \
        .balign 4;                                                      \
        .globl xlate_fail;                                              \
xlate_fail:                                                             \
        fence;                                                          \
        bnez TESTNUM, 83f;                                              \
        li TESTNUM, 255;                                                \
83:     slli t6, TESTNUM, 1; ori t6, t6, 1;                             \
        la t5, tohost; sd t6, 0(t5);                                    \
84:     j 84b;                                                          \
        .globl xlate_pass;                                              \
xlate_pass:                                                             \
        fence;                                                          \
        li t6, 1;                                                       \
        la t5, tohost; sd t6, 0(t5);                                    \
85:     j 85b

#define TEST_PASS  j xlate_pass
#define TEST_FAIL  j xlate_fail

/* Data section helpers. */
#define TEST_DATA  .data
/* Signature region for --signature (riscv-arch-test style). */
#define SIG_BEGIN  .balign 16; .globl begin_signature; begin_signature:
#define SIG_END    .balign 16; .globl end_signature; end_signature:

/* ---- checks ----------------------------------------------------------- */

#define CHECK_IMM(reg, val)   li t6, val; bne reg, t6, xlate_fail
#define CHECK_EQ(r1, r2)      bne r1, r2, xlate_fail
#define CHECK_LA(reg, label)  la t6, label; bne reg, t6, xlate_fail

/* Start test n: run `code`, then compare `reg` with `expected`. */
#define TEST_CASE(n, reg, expected, code...)                            \
test_ ## n:                                                             \
        li TESTNUM, n;                                                  \
        code;                                                           \
        li t6, expected;                                                \
        bne reg, t6, xlate_fail

/* Integer op templates: operands in a1/a2, result in a4. */
#define TEST_RR_OP(n, inst, result, v1, v2)                             \
        TEST_CASE(n, a4, result, li a1, v1; li a2, v2; inst a4, a1, a2)
#define TEST_RR_SRC1_EQ_DEST(n, inst, result, v1, v2)                   \
        TEST_CASE(n, a1, result, li a1, v1; li a2, v2; inst a1, a1, a2)
#define TEST_RR_SRC2_EQ_DEST(n, inst, result, v1, v2)                   \
        TEST_CASE(n, a2, result, li a1, v1; li a2, v2; inst a2, a1, a2)
#define TEST_RR_SRC12_EQ_DEST(n, inst, result, v1)                      \
        TEST_CASE(n, a1, result, li a1, v1; inst a1, a1, a1)
#define TEST_RR_ZERODEST(n, inst, v1, v2)                               \
        TEST_CASE(n, x0, 0, li a1, v1; li a2, v2; inst x0, a1, a2)
#define TEST_RR_ZEROSRC1(n, inst, result, v2)                           \
        TEST_CASE(n, a4, result, li a2, v2; inst a4, x0, a2)
#define TEST_RR_ZEROSRC2(n, inst, result, v1)                           \
        TEST_CASE(n, a4, result, li a1, v1; inst a4, a1, x0)
#define TEST_IMM_OP(n, inst, result, v1, imm)                           \
        TEST_CASE(n, a4, result, li a1, v1; inst a4, a1, imm)
#define TEST_IMM_SRC1_EQ_DEST(n, inst, result, v1, imm)                 \
        TEST_CASE(n, a1, result, li a1, v1; inst a1, a1, imm)
#define TEST_R_OP(n, inst, result, v1)                                  \
        TEST_CASE(n, a4, result, li a1, v1; inst a4, a1)

/* ---- traps ------------------------------------------------------------- */

/* Use the recording handler for M-mode traps from now on. */
#define TRAP_USE_RECORD   la t5, xlate_trap_record; csrw mtvec, t5
#define TRAP_USE_DEFAULT  la t5, xlate_trap_default; csrw mtvec, t5

/* Arm a one-shot resume address; reset the recorded cause to CAUSE_NONE. */
#define TRAP_ARM(label)                                                 \
        la t5, xlate_trap_info; la t6, label; sd t6, TI_RESUME(t5);     \
        li t6, CAUSE_NONE; sd t6, TI_CAUSE(t5)
#define TRAP_DISARM       la t5, xlate_trap_info; sd zero, TI_RESUME(t5)
#define STRAP_ARM(label)                                                \
        la t5, xlate_strap_info; la t6, label; sd t6, TI_RESUME(t5);    \
        li t6, CAUSE_NONE; sd t6, TI_CAUSE(t5)
#define STRAP_DISARM      la t5, xlate_strap_info; sd zero, TI_RESUME(t5)

/* Load the recorded trap fields into registers. */
#define TRAP_CAUSE(reg)   la t5, xlate_trap_info; ld reg, TI_CAUSE(t5)
#define TRAP_EPC(reg)     la t5, xlate_trap_info; ld reg, TI_EPC(t5)
#define TRAP_TVAL(reg)    la t5, xlate_trap_info; ld reg, TI_TVAL(t5)
#define TRAP_PRV(reg)     la t5, xlate_trap_info; ld reg, TI_PRV(t5)
#define TRAP_STATUS(reg)  la t5, xlate_trap_info; ld reg, TI_STATUS(t5)
#define STRAP_CAUSE(reg)  la t5, xlate_strap_info; ld reg, TI_CAUSE(t5)
#define STRAP_EPC(reg)    la t5, xlate_strap_info; ld reg, TI_EPC(t5)
#define STRAP_TVAL(reg)   la t5, xlate_strap_info; ld reg, TI_TVAL(t5)
#define STRAP_PRV(reg)    la t5, xlate_strap_info; ld reg, TI_PRV(t5)
#define STRAP_STATUS(reg) la t5, xlate_strap_info; ld reg, TI_STATUS(t5)

#define CHECK_CAUSE(c)    la t5, xlate_trap_info; ld t5, TI_CAUSE(t5); li t6, c; bne t5, t6, xlate_fail
#define CHECK_SCAUSE(c)   la t5, xlate_strap_info; ld t5, TI_CAUSE(t5); li t6, c; bne t5, t6, xlate_fail
#define CHECK_TVAL_IMM(v) la t5, xlate_trap_info; ld t5, TI_TVAL(t5); li t6, v; bne t5, t6, xlate_fail
#define CHECK_TVAL_REG(r) la t5, xlate_trap_info; ld t5, TI_TVAL(t5); bne t5, r, xlate_fail
#define CHECK_EPC_REG(r)  la t5, xlate_trap_info; ld t5, TI_EPC(t5); bne t5, r, xlate_fail
#define CHECK_EPC_LA(l)   la t5, xlate_trap_info; ld t5, TI_EPC(t5); la t6, l; bne t5, t6, xlate_fail
#define CHECK_STVAL_REG(r) la t5, xlate_strap_info; ld t5, TI_TVAL(t5); bne t5, r, xlate_fail
#define CHECK_SEPC_LA(l)  la t5, xlate_strap_info; ld t5, TI_EPC(t5); la t6, l; bne t5, t6, xlate_fail

/*
 * M-mode: run `insns` expecting them to trap (or not): afterwards
 * xlate_trap_info holds the cause (CAUSE_NONE if nothing trapped).
 * The recording handler must be installed (TRAP_USE_RECORD).
 */
#define TRY(insns...)                                                   \
        TRAP_ARM(92f);                                                  \
        insns;                                                          \
92:     TRAP_DISARM

/* mret into `mode` at `label` (which must follow or be reachable). */
#define GOTO_MODE(mode, label)                                          \
        li t5, MSTATUS_MPP; csrc mstatus, t5;                           \
        li t5, ((mode) << 11); csrs mstatus, t5;                        \
        la t5, label; csrw mepc, t5;                                    \
        mret

/*
 * Run `insns` in privilege `mode`, followed by an ecall; back in M-mode
 * afterwards. xlate_trap_info.cause is the ecall cause (8/9/11) if insns
 * completed, or the cause of the first trap they took. Registers written
 * by insns (other than t5/t6) keep their values.
 * The recording handler must be installed (TRAP_USE_RECORD).
 */
#define TRY_IN_MODE(mode, insns...)                                     \
        TRAP_ARM(94f);                                                  \
        GOTO_MODE(mode, 93f);                                           \
93:     insns;                                                          \
        ecall;                                                          \
94:     TRAP_DISARM

/* ---- floating point ------------------------------------------------------ */

/*
 * FP templates. Operands and expected result live in .data, one 8-byte
 * slot each: `od` is the operand directive (.float/.double for decimal
 * literals, .word/.dword for raw bit patterns), `rd`/`rl` the result
 * directive and the integer load used to fetch it.
 * Naming: plain variants take decimal operands and result; _HEX variants
 * take raw bits everywhere; _RM variants take decimal operands, a static
 * rounding mode and the result as raw bits; _INT/_CMP results are the
 * full 64-bit integer register value. Results are compared as
 * bits through the integer registers (fmv.x.w sign-extends, as lw does),
 * and fflags must equal `flags` exactly.
 * Registers: fa0..fa2 operands, fa4 result, a0 data address, a4 result
 * bits, a5 fflags.
 */
#define FP_DATA(od, v1, v2, v3, rd, res)                                \
        .pushsection .data; .balign 8;                                  \
95:     od v1; .balign 8; od v2; .balign 8; od v3; .balign 8;           \
        rd res; .balign 8;                                              \
        .popsection

#define TEST_FP_CORE(n, flags, fl, od, v1, v2, v3, rd, rl, res, code...) \
test_ ## n:                                                             \
        li TESTNUM, n;                                                  \
        FP_DATA(od, v1, v2, v3, rd, res);                               \
        la a0, 95b;                                                     \
        fl fa0, 0(a0); fl fa1, 8(a0); fl fa2, 16(a0);                   \
        fsflags zero;                                                   \
        code;                                                           \
        frflags a5;                                                     \
        rl t6, 24(a0);                                                  \
        bne a4, t6, xlate_fail;                                         \
        li t6, flags;                                                   \
        bne a5, t6, xlate_fail

/* single precision, FP result */
#define TEST_FS_OP1(n, inst, flags, res, v1)                            \
        TEST_FP_CORE(n, flags, flw, .float, v1, 0.0, 0.0, .float, lw, res, inst fa4, fa0; fmv.x.w a4, fa4)
#define TEST_FS_OP1_RM(n, inst, rm, flags, res, v1)                     \
        TEST_FP_CORE(n, flags, flw, .float, v1, 0.0, 0.0, .word, lw, res, inst fa4, fa0, rm; fmv.x.w a4, fa4)
#define TEST_FS_OP2(n, inst, flags, res, v1, v2)                        \
        TEST_FP_CORE(n, flags, flw, .float, v1, v2, 0.0, .float, lw, res, inst fa4, fa0, fa1; fmv.x.w a4, fa4)
#define TEST_FS_OP2_RM(n, inst, rm, flags, res, v1, v2)                 \
        TEST_FP_CORE(n, flags, flw, .float, v1, v2, 0.0, .word, lw, res, inst fa4, fa0, fa1, rm; fmv.x.w a4, fa4)
#define TEST_FS_OP3(n, inst, flags, res, v1, v2, v3)                    \
        TEST_FP_CORE(n, flags, flw, .float, v1, v2, v3, .float, lw, res, inst fa4, fa0, fa1, fa2; fmv.x.w a4, fa4)
#define TEST_FS_OP1_HEX(n, inst, flags, res, v1)                        \
        TEST_FP_CORE(n, flags, flw, .word, v1, 0, 0, .word, lw, res, inst fa4, fa0; fmv.x.w a4, fa4)
#define TEST_FS_OP2_HEX(n, inst, flags, res, v1, v2)                    \
        TEST_FP_CORE(n, flags, flw, .word, v1, v2, 0, .word, lw, res, inst fa4, fa0, fa1; fmv.x.w a4, fa4)
#define TEST_FS_OP3_HEX(n, inst, flags, res, v1, v2, v3)                \
        TEST_FP_CORE(n, flags, flw, .word, v1, v2, v3, .word, lw, res, inst fa4, fa0, fa1, fa2; fmv.x.w a4, fa4)
/* single precision, integer result (compare, class, fp->int); the
   expected value is the full 64-bit register value */
#define TEST_FS_INT1(n, inst, flags, res, v1)                           \
        TEST_FP_CORE(n, flags, flw, .float, v1, 0.0, 0.0, .dword, ld, res, inst a4, fa0)
#define TEST_FS_INT1_RM(n, inst, rm, flags, res, v1)                    \
        TEST_FP_CORE(n, flags, flw, .float, v1, 0.0, 0.0, .dword, ld, res, inst a4, fa0, rm)
#define TEST_FS_INT1_HEX(n, inst, flags, res, v1)                       \
        TEST_FP_CORE(n, flags, flw, .word, v1, 0, 0, .dword, ld, res, inst a4, fa0)
#define TEST_FS_CMP(n, inst, flags, res, v1, v2)                        \
        TEST_FP_CORE(n, flags, flw, .float, v1, v2, 0.0, .dword, ld, res, inst a4, fa0, fa1)
#define TEST_FS_CMP_HEX(n, inst, flags, res, v1, v2)                    \
        TEST_FP_CORE(n, flags, flw, .word, v1, v2, 0, .dword, ld, res, inst a4, fa0, fa1)

/* double precision, FP result */
#define TEST_FD_OP1(n, inst, flags, res, v1)                            \
        TEST_FP_CORE(n, flags, fld, .double, v1, 0.0, 0.0, .double, ld, res, inst fa4, fa0; fmv.x.d a4, fa4)
#define TEST_FD_OP1_RM(n, inst, rm, flags, res, v1)                     \
        TEST_FP_CORE(n, flags, fld, .double, v1, 0.0, 0.0, .dword, ld, res, inst fa4, fa0, rm; fmv.x.d a4, fa4)
#define TEST_FD_OP2(n, inst, flags, res, v1, v2)                        \
        TEST_FP_CORE(n, flags, fld, .double, v1, v2, 0.0, .double, ld, res, inst fa4, fa0, fa1; fmv.x.d a4, fa4)
#define TEST_FD_OP2_RM(n, inst, rm, flags, res, v1, v2)                 \
        TEST_FP_CORE(n, flags, fld, .double, v1, v2, 0.0, .dword, ld, res, inst fa4, fa0, fa1, rm; fmv.x.d a4, fa4)
#define TEST_FD_OP3(n, inst, flags, res, v1, v2, v3)                    \
        TEST_FP_CORE(n, flags, fld, .double, v1, v2, v3, .double, ld, res, inst fa4, fa0, fa1, fa2; fmv.x.d a4, fa4)
#define TEST_FD_OP3_RM(n, inst, rm, flags, res, v1, v2, v3)             \
        TEST_FP_CORE(n, flags, fld, .double, v1, v2, v3, .dword, ld, res, inst fa4, fa0, fa1, fa2, rm; fmv.x.d a4, fa4)
#define TEST_FD_OP1_HEX(n, inst, flags, res, v1)                        \
        TEST_FP_CORE(n, flags, fld, .dword, v1, 0, 0, .dword, ld, res, inst fa4, fa0; fmv.x.d a4, fa4)
#define TEST_FD_OP2_HEX(n, inst, flags, res, v1, v2)                    \
        TEST_FP_CORE(n, flags, fld, .dword, v1, v2, 0, .dword, ld, res, inst fa4, fa0, fa1; fmv.x.d a4, fa4)
#define TEST_FD_OP3_HEX(n, inst, flags, res, v1, v2, v3)                \
        TEST_FP_CORE(n, flags, fld, .dword, v1, v2, v3, .dword, ld, res, inst fa4, fa0, fa1, fa2; fmv.x.d a4, fa4)
/* double precision, integer result */
#define TEST_FD_INT1(n, inst, flags, res, v1)                           \
        TEST_FP_CORE(n, flags, fld, .double, v1, 0.0, 0.0, .dword, ld, res, inst a4, fa0)
#define TEST_FD_INT1_RM(n, inst, rm, flags, res, v1)                    \
        TEST_FP_CORE(n, flags, fld, .double, v1, 0.0, 0.0, .dword, ld, res, inst a4, fa0, rm)
#define TEST_FD_INT1_HEX(n, inst, flags, res, v1)                       \
        TEST_FP_CORE(n, flags, fld, .dword, v1, 0, 0, .dword, ld, res, inst a4, fa0)
#define TEST_FD_CMP(n, inst, flags, res, v1, v2)                        \
        TEST_FP_CORE(n, flags, fld, .double, v1, v2, 0.0, .dword, ld, res, inst a4, fa0, fa1)
#define TEST_FD_CMP_HEX(n, inst, flags, res, v1, v2)                    \
        TEST_FP_CORE(n, flags, fld, .dword, v1, v2, 0, .dword, ld, res, inst a4, fa0, fa1)

/* integer -> FP conversions: `mvx` moves the result bits to a4 */
#define TEST_INT_FP(n, inst, flags, resbits, ival, mvx)                 \
        TEST_CASE(n, a4, resbits, li a1, ival; fsflags zero; inst fa4, a1; mvx a4, fa4; frflags a5; li t6, flags; bne a5, t6, xlate_fail)
#define TEST_INT_FP_RM(n, inst, rm, flags, resbits, ival, mvx)          \
        TEST_CASE(n, a4, resbits, li a1, ival; fsflags zero; inst fa4, a1, rm; mvx a4, fa4; frflags a5; li t6, flags; bne a5, t6, xlate_fail)

#endif /* XLATE_TEST_H */
