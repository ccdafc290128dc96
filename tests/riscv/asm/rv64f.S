# RV64F single precision: arithmetic with every rounding mode, exception
# flags, fused multiply-add, sqrt, min/max with NaN and signed zero,
# compares, conversions (out-of-range/NaN), sign injection, fclass, moves,
# NaN-boxing, dynamic/invalid rounding modes and mstatus.FS.
#include "xlate_test.h"

#define QNAN   0x7fc00000
#define SNAN   0x7f800001
#define PINF   0x7f800000
#define NINF   0xff800000
#define NZERO  0x80000000
#define ONE    0x3f800000
#define TWO    0x40000000
#define THREE  0x40400000
#define MONE   0xbf800000
#define FMAX   0x7f7fffff

TEST_BEGIN
  TRAP_USE_RECORD

  # ---- add/sub/mul/div/sqrt with flags ----
  TEST_FS_OP2(2,  fadd.s, 0, 3.5, 2.5, 1.0)
  TEST_FS_OP2_HEX(3, fadd.s, FFLAG_NX, ONE, ONE, 0x30800000)          # 1 + 2^-30
  TEST_FS_OP2(4,  fsub.s, 0, -1.5, 1.0, 2.5)
  TEST_FS_OP2(5,  fmul.s, 0, -7.5, 2.5, -3.0)
  TEST_FS_OP2_HEX(6, fmul.s, FFLAG_OF | FFLAG_NX, PINF, FMAX, TWO)
  TEST_FS_OP2_HEX(7, fdiv.s, FFLAG_DZ, NINF, MONE, 0)
  TEST_FS_OP2_HEX(8, fdiv.s, FFLAG_NV, QNAN, 0, 0)
  TEST_FS_OP2_HEX(9, fdiv.s, FFLAG_NX, 0x3eaaaaab, ONE, THREE)
  TEST_FS_OP1_HEX(10, fsqrt.s, FFLAG_NX, 0x3fb504f3, TWO)
  TEST_FS_OP1_HEX(11, fsqrt.s, FFLAG_NV, QNAN, MONE)
  TEST_FS_OP1_HEX(12, fsqrt.s, 0, NZERO, NZERO)
  TEST_FS_OP2_HEX(13, fadd.s, FFLAG_NV, QNAN, PINF, NINF)
  TEST_FS_OP2_HEX(14, fadd.s, 0, QNAN, 0x7fc12345, ONE)               # NaN payload not propagated
  TEST_FS_OP2_HEX(15, fadd.s, FFLAG_NV, QNAN, SNAN, ONE)
  # exact subnormal result raises nothing; inexact tiny raises UF|NX
  TEST_FS_OP2_HEX(16, fmul.s, 0, 0x00000200, 0x1c800000, 0x1c800000)            # 2^-70 * 2^-70
  TEST_FS_OP2_HEX(17, fmul.s, FFLAG_UF | FFLAG_NX, 0x00000200, 0x1c800000, 0x1c800008) # * (1 + 2^-20)
  TEST_FS_OP2_HEX(18, fsub.s, 0, NZERO, NZERO, 0)                     # -0 - +0 = -0
  TEST_FS_OP2_HEX(19, fsub.s, 0, 0, ONE, ONE)                         # x - x = +0 in RNE

  # ---- static rounding modes ----
  TEST_FS_OP2_RM(20, fdiv.s, rne, FFLAG_NX, 0x3eaaaaab, 1.0, 3.0)
  TEST_FS_OP2_RM(21, fdiv.s, rtz, FFLAG_NX, 0x3eaaaaaa, 1.0, 3.0)
  TEST_FS_OP2_RM(22, fdiv.s, rdn, FFLAG_NX, 0xbeaaaaab, -1.0, 3.0)
  TEST_FS_OP2_RM(23, fdiv.s, rup, FFLAG_NX, 0xbeaaaaaa, -1.0, 3.0)
  TEST_FS_OP2_RM(24, fdiv.s, rup, FFLAG_NX, 0x3eaaaaab, 1.0, 3.0)
  TEST_FS_OP2_RM(25, fmul.s, rtz, FFLAG_OF | FFLAG_NX, FMAX, 3.0e38, 10.0)
  TEST_FS_OP2_RM(26, fsub.s, rdn, 0, NZERO, 1.0, 1.0)                  # x - x = -0 in RDN
  # rmm vs rne on an exact tie: 1 + 2^-24 (a tie between 1 and 1+2^-23)
  TEST_FP_CORE(27, FFLAG_NX, flw, .word, ONE, 0x33800000, 0, .word, lw, 0x3f800001, fadd.s fa4, fa0, fa1, rmm; fmv.x.w a4, fa4)
  TEST_FP_CORE(28, FFLAG_NX, flw, .word, ONE, 0x33800000, 0, .word, lw, ONE, fadd.s fa4, fa0, fa1, rne; fmv.x.w a4, fa4)

  # ---- fused multiply-add ----
  TEST_FS_OP3(29, fmadd.s,  0, 5.0, 1.0, 2.0, 3.0)
  TEST_FS_OP3(30, fmsub.s,  0, -1.0, 1.0, 2.0, 3.0)
  TEST_FS_OP3(31, fnmadd.s, 0, -5.0, 1.0, 2.0, 3.0)
  TEST_FS_OP3(32, fnmsub.s, 0, 1.0, 1.0, 2.0, 3.0)
  # single rounding: (1 + 2^-12)^2 - 1 = 2^-11 + 2^-24 exactly
  TEST_FS_OP3_HEX(33, fmadd.s, 0, 0x3a000400, 0x3f800800, 0x3f800800, MONE)
  # inf * 0 + qNaN is invalid
  TEST_FS_OP3_HEX(34, fmadd.s, FFLAG_NV, QNAN, PINF, 0, QNAN)

  # ---- min / max ----
  TEST_FS_OP2_HEX(35, fmin.s, 0, NZERO, NZERO, 0)
  TEST_FS_OP2_HEX(36, fmin.s, 0, NZERO, 0, NZERO)
  TEST_FS_OP2_HEX(37, fmax.s, 0, 0, NZERO, 0)
  TEST_FS_OP2_HEX(38, fmax.s, 0, 0, 0, NZERO)
  TEST_FS_OP2_HEX(39, fmin.s, 0, ONE, QNAN, ONE)
  TEST_FS_OP2_HEX(40, fmax.s, 0, MONE, MONE, QNAN)
  TEST_FS_OP2_HEX(41, fmin.s, FFLAG_NV, ONE, SNAN, ONE)
  TEST_FS_OP2_HEX(42, fmax.s, 0, QNAN, 0x7fc00001, 0x7fc00002)        # both NaN -> canonical
  TEST_FS_OP2_HEX(43, fmin.s, FFLAG_NV, QNAN, SNAN, QNAN)
  TEST_FS_OP2(44, fmax.s, 0, 2.5, -3.0, 2.5)

  # ---- compares ----
  TEST_FS_CMP_HEX(45, feq.s, 0, 0, QNAN, ONE)
  TEST_FS_CMP_HEX(46, feq.s, FFLAG_NV, 0, SNAN, ONE)
  TEST_FS_CMP_HEX(47, flt.s, FFLAG_NV, 0, QNAN, ONE)
  TEST_FS_CMP_HEX(48, fle.s, FFLAG_NV, 0, ONE, QNAN)
  TEST_FS_CMP_HEX(49, feq.s, 0, 1, NZERO, 0)
  TEST_FS_CMP_HEX(50, flt.s, 0, 0, NZERO, 0)
  TEST_FS_CMP_HEX(51, fle.s, 0, 1, NZERO, 0)
  TEST_FS_CMP(52, flt.s, 0, 1, -2.5, -1.5)
  TEST_FS_CMP_HEX(53, fle.s, 0, 1, NINF, PINF)

  # ---- FP -> integer ----
  TEST_FS_INT1_RM(54, fcvt.w.s, rne, FFLAG_NX, 2, 2.5)
  TEST_FS_INT1_RM(55, fcvt.w.s, rmm, FFLAG_NX, 3, 2.5)
  TEST_FS_INT1_RM(56, fcvt.w.s, rdn, FFLAG_NX, -3, -2.5)
  TEST_FS_INT1_RM(57, fcvt.w.s, rup, FFLAG_NX, -2, -2.5)
  TEST_FS_INT1_RM(58, fcvt.w.s, rtz, FFLAG_NX, -2, -2.5)
  TEST_FS_INT1_RM(59, fcvt.w.s, rtz, FFLAG_NV, 0x7fffffff, 3.0e9)
  TEST_FS_INT1_RM(60, fcvt.w.s, rtz, FFLAG_NV, 0xffffffff80000000, -3.0e9)
  TEST_FS_INT1_HEX(61, fcvt.w.s, FFLAG_NV, 0x7fffffff, QNAN)
  TEST_FS_INT1_HEX(62, fcvt.w.s, FFLAG_NV, 0xffffffff80000000, NINF)
  TEST_FS_INT1_RM(63, fcvt.wu.s, rtz, FFLAG_NV, 0, -1.0)
  TEST_FS_INT1_RM(64, fcvt.wu.s, rtz, FFLAG_NX, 0, -0.5)
  TEST_FS_INT1_RM(65, fcvt.wu.s, rtz, 0, 0xffffffffb2d05e00, 3.0e9)   # result is sign-extended
  TEST_FS_INT1_RM(66, fcvt.wu.s, rtz, FFLAG_NV, 0xffffffffffffffff, 5.0e9)
  TEST_FS_INT1_HEX(67, fcvt.l.s, FFLAG_NV, 0x7fffffffffffffff, 0x5f000000)  # 2^63
  TEST_FS_INT1_HEX(68, fcvt.l.s, 0, 0x8000000000000000, 0xdf000000)         # -2^63
  TEST_FS_INT1_HEX(69, fcvt.l.s, FFLAG_NV, 0x7fffffffffffffff, QNAN)
  TEST_FS_INT1_HEX(70, fcvt.lu.s, FFLAG_NV, 0, NINF)
  TEST_FS_INT1_HEX(71, fcvt.lu.s, 0, 0x8000000000000000, 0x5f000000)
  TEST_FS_INT1_HEX(72, fcvt.lu.s, FFLAG_NV, 0xffffffffffffffff, PINF)

  # ---- integer -> FP ----
  TEST_INT_FP(73, fcvt.s.w, 0, 0xffffffffbf800000, -1, fmv.x.w)
  TEST_INT_FP(74, fcvt.s.w, 0, 0x40000000, 0x1234567800000002, fmv.x.w)  # only low 32 bits
  TEST_INT_FP(75, fcvt.s.wu, FFLAG_NX, 0x4f800000, 0xffffffff, fmv.x.w)
  TEST_INT_FP(76, fcvt.s.l, 0, 0xffffffffdf000000, 0x8000000000000000, fmv.x.w)
  TEST_INT_FP(77, fcvt.s.l, FFLAG_NX, 0x4b800000, 16777217, fmv.x.w)
  TEST_INT_FP_RM(78, fcvt.s.l, rup, FFLAG_NX, 0x4b800001, 16777217, fmv.x.w)
  TEST_INT_FP(79, fcvt.s.lu, FFLAG_NX, 0x5f800000, 0xffffffffffffffff, fmv.x.w)
  TEST_INT_FP(80, fcvt.s.w, 0, 0, 0, fmv.x.w)                        # +0, not -0

  # ---- sign injection (no NaN canonicalisation, no flags) ----
  TEST_FS_OP2(81, fsgnj.s,  0, -1.0, 1.0, -2.0)
  TEST_FS_OP2(82, fsgnjn.s, 0, 1.0, 1.0, -2.0)
  TEST_FS_OP2(83, fsgnjx.s, 0, 1.0, -1.0, -2.0)
  TEST_FS_OP2(84, fsgnjx.s, 0, -1.0, -1.0, 2.0)
  TEST_FS_OP2_HEX(85, fsgnj.s,  0, 0xffc12345, 0x7fc12345, MONE)
  TEST_FS_OP2_HEX(86, fsgnjn.s, 0, 0xff800001, SNAN, ONE)

  # ---- fclass ----
  TEST_FS_INT1_HEX(87, fclass.s, 0, 1 << 0, NINF)
  TEST_FS_INT1_HEX(88, fclass.s, 0, 1 << 1, MONE)
  TEST_FS_INT1_HEX(89, fclass.s, 0, 1 << 2, 0x807fffff)
  TEST_FS_INT1_HEX(90, fclass.s, 0, 1 << 3, NZERO)
  TEST_FS_INT1_HEX(91, fclass.s, 0, 1 << 4, 0)
  TEST_FS_INT1_HEX(92, fclass.s, 0, 1 << 5, 0x00000001)
  TEST_FS_INT1_HEX(93, fclass.s, 0, 1 << 6, ONE)
  TEST_FS_INT1_HEX(94, fclass.s, 0, 1 << 7, PINF)
  TEST_FS_INT1_HEX(95, fclass.s, 0, 1 << 8, SNAN)
  TEST_FS_INT1_HEX(96, fclass.s, 0, 1 << 9, QNAN)

  # ---- moves and NaN-boxing ----
  TEST_CASE(97, a4, 0xffffffff80000000, li a1, 0x80000000; fmv.w.x fa4, a1; fmv.x.w a4, fa4)
  # fmv.w.x ignores upper bits and NaN-boxes the result
  TEST_CASE(98, a4, 0xffffffff3f800000, li a1, 0x123456783f800000; fmv.w.x fa4, a1; fmv.x.d a4, fa4)
  # flw NaN-boxes
  TEST_CASE(99, a4, 0xffffffff40400000, la a1, fdata; flw fa4, 0(a1); fmv.x.d a4, fa4)
  # a properly boxed value is used as is
  TEST_CASE(100, a4, 0x40000000, \
      li a1, 0xffffffff3f800000; fmv.d.x fa1, a1; fadd.s fa4, fa1, fa1; fmv.x.w a4, fa4)
  # an improperly boxed value reads as the canonical NaN (quiet: no NV)
  TEST_CASE(101, a4, QNAN, \
      li a1, 0x000000003f800000; fmv.d.x fa1, a1; li a2, ONE; fmv.w.x fa2, a2; \
      fsflags zero; fadd.s fa4, fa1, fa2; frflags a5; bnez a5, xlate_fail; fmv.x.w a4, fa4)
  TEST_CASE(102, a4, 0xffffffffffc00000, \
      li a1, 0x7fffffff3f800000; fmv.d.x fa1, a1; li a2, MONE; fmv.w.x fa2, a2; \
      fsgnj.s fa4, fa1, fa2; fmv.x.d a4, fa4)
  TEST_CASE(103, a4, 0, \
      li a1, 0xfffffffe3f800000; fmv.d.x fa1, a1; fclass.s a4, fa1; li t6, 1 << 9; sub a4, a4, t6)
  # fsw and fmv.x.w move the low 32 bits without checking the boxing
  TEST_CASE(104, a4, 0x3f800000, \
      li a1, 0x000000003f800000; fmv.d.x fa1, a1; la a2, fbuf; fsw fa1, 0(a2); lwu a4, 0(a2))
  TEST_CASE(105, a4, 0x3f800000, \
      li a1, 0x123456783f800000; fmv.d.x fa1, a1; fmv.x.w a4, fa1)
  # results of single ops are boxed
  TEST_CASE(106, a4, 0xffffffff40400000, \
      li a1, ONE; fmv.w.x fa1, a1; li a1, TWO; fmv.w.x fa2, a1; fadd.s fa4, fa1, fa2; fmv.x.d a4, fa4)

  # ---- dynamic rounding mode through frm ----
  TEST_CASE(107, a4, 0x3eaaaaaa, \
      li a1, 1; fsrm a2, a1; bnez a2, xlate_fail; \
      li a1, ONE; fmv.w.x fa1, a1; li a1, THREE; fmv.w.x fa2, a1; \
      fdiv.s fa4, fa1, fa2; fmv.x.w a4, fa4)
  TEST_CASE(108, a4, 0x3eaaaaab, \
      li a1, 3; fsrm a1; fdiv.s fa4, fa1, fa2, dyn; fmv.x.w a4, fa4; frrm a5; li t6, 3; bne a5, t6, xlate_fail)
  # static rm overrides frm
  TEST_CASE(109, a4, 0x3eaaaaaa, fdiv.s fa4, fa1, fa2, rtz; fmv.x.w a4, fa4)
  # reserved frm values make dynamic-rm instructions illegal
  li TESTNUM, 110
  li a1, 5
  fsrm a1
  TRY(fdiv.s fa4, fa1, fa2)
  CHECK_CAUSE(CAUSE_ILLEGAL_INSN)
  li TESTNUM, 111
  li a1, 7
  fsrm a1
  TRY(fadd.s fa4, fa1, fa2, dyn)
  CHECK_CAUSE(CAUSE_ILLEGAL_INSN)
  # ... but instructions with a static rm still work
  TEST_CASE(112, a4, 0x3eaaaaaa, fdiv.s fa4, fa1, fa2, rtz; fmv.x.w a4, fa4)
  fsrm zero
  # reserved static rm (5) is illegal: fadd.s fa4, fa1, fa2 with rm=5
  li TESTNUM, 113
  TRY(.insn r 0x53, 5, 0x00, fa4, fa1, fa2)
  CHECK_CAUSE(CAUSE_ILLEGAL_INSN)
  # flags accumulate until cleared
  TEST_CASE(114, a5, FFLAG_NX | FFLAG_DZ, \
      fsflags zero; fdiv.s fa4, fa1, fa2; li a1, 0; fmv.w.x fa3, a1; fdiv.s fa4, fa1, fa3; frflags a5)

  # ---- mstatus.FS ----
  # FP state written -> FS = dirty (and SD set)
  li TESTNUM, 115
  li a1, MSTATUS_FS
  csrc mstatus, a1
  li a1, MSTATUS_FS_CLEAN
  csrs mstatus, a1
  fadd.s fa4, fa1, fa2
  csrr a2, mstatus
  li a1, MSTATUS_FS
  and a3, a2, a1
  li t6, MSTATUS_FS_DIRTY
  bne a3, t6, xlate_fail
  bgez a2, xlate_fail                 # SD (bit 63) set
  # FS = off: FP instructions and fcsr accesses are illegal
  li TESTNUM, 116
  li a1, MSTATUS_FS
  csrc mstatus, a1
  TRY(fadd.s fa4, fa1, fa2)
  CHECK_CAUSE(CAUSE_ILLEGAL_INSN)
  li TESTNUM, 117
  TRY(frflags a1)
  CHECK_CAUSE(CAUSE_ILLEGAL_INSN)
  li TESTNUM, 118
  TRY(flw fa1, 0(sp))
  CHECK_CAUSE(CAUSE_ILLEGAL_INSN)
  li a1, MSTATUS_FS_INIT
  csrs mstatus, a1
  TEST_FS_OP2(119, fadd.s, 0, 3.5, 2.5, 1.0)

  TEST_PASS

TEST_DATA
  .balign 8
fdata: .float 3.0
  .balign 8
fbuf: .dword 0
