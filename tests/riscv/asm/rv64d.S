# RV64D double precision: arithmetic with rounding modes and fflags, fused
# multiply-add, sqrt, min/max with NaN and -0, compares, conversions to and
# from integers and single precision (edge cases, NaN-boxing of single
# inputs), sign injection, fclass, moves, loads/stores of NaN payloads.
#include "xlate_test.h"

#define DQNAN  0x7ff8000000000000
#define DSNAN  0x7ff0000000000001
#define DPINF  0x7ff0000000000000
#define DNINF  0xfff0000000000000
#define DNZERO 0x8000000000000000
#define DONE   0x3ff0000000000000
#define DTWO   0x4000000000000000
#define DTHREE 0x4008000000000000
#define DMONE  0xbff0000000000000
#define DMAX   0x7fefffffffffffff

TEST_BEGIN
  TRAP_USE_RECORD

  # ---- arithmetic and flags ----
  TEST_FD_OP2(2, fadd.d, 0, 3.5, 2.5, 1.0)
  TEST_FD_OP2_HEX(3, fadd.d, FFLAG_NX, DONE, DONE, 0x3c00000000000000)  # 1 + 2^-63
  TEST_FD_OP2(4, fsub.d, 0, -1.5, 1.0, 2.5)
  TEST_FD_OP2(5, fmul.d, 0, -7.5, 2.5, -3.0)
  TEST_FD_OP2(6, fdiv.d, 0, 0.25, 1.0, 4.0)
  TEST_FD_OP2_HEX(7, fmul.d, FFLAG_OF | FFLAG_NX, DPINF, DMAX, DTWO)
  TEST_FD_OP2_HEX(8, fdiv.d, FFLAG_DZ, DPINF, DONE, 0)
  TEST_FD_OP2_HEX(9, fdiv.d, FFLAG_NV, DQNAN, DPINF, DNINF)
  TEST_FD_OP2_HEX(10, fdiv.d, FFLAG_NX, 0x3fd5555555555555, DONE, DTHREE)
  TEST_FD_OP1_HEX(11, fsqrt.d, FFLAG_NX, 0x3ff6a09e667f3bcd, DTWO)
  TEST_FD_OP1(12, fsqrt.d, 0, 1.5, 2.25)
  TEST_FD_OP1_HEX(13, fsqrt.d, FFLAG_NV, DQNAN, DNINF)
  TEST_FD_OP2_HEX(14, fmul.d, FFLAG_NV, DQNAN, DPINF, 0)
  TEST_FD_OP2_HEX(15, fadd.d, 0, DQNAN, 0x7ff8000000012345, DONE)       # canonical NaN out
  TEST_FD_OP2_HEX(16, fadd.d, FFLAG_NV, DQNAN, DONE, DSNAN)
  TEST_FD_OP2_HEX(17, fmul.d, FFLAG_UF | FFLAG_NX, 0x0008000000000000, 0x3cd0000000000000, 0x0320000000000001) # 2^-1023 (1 + 2^-52): tie to even
  TEST_FD_OP2_HEX(18, fmul.d, 0, 0x0008000000000000, 0x3cd0000000000000, 0x0320000000000000)  # exact subnormal 2^-1023

  # ---- rounding modes ----
  TEST_FD_OP2_RM(19, fdiv.d, rne, FFLAG_NX, 0x3fd5555555555555, 1.0, 3.0)
  TEST_FD_OP2_RM(20, fdiv.d, rtz, FFLAG_NX, 0x3fd5555555555555, 1.0, 3.0)
  TEST_FD_OP2_RM(21, fdiv.d, rup, FFLAG_NX, 0x3fd5555555555556, 1.0, 3.0)
  TEST_FD_OP2_RM(22, fdiv.d, rdn, FFLAG_NX, 0xbfd5555555555556, -1.0, 3.0)
  TEST_FD_OP2_RM(23, fdiv.d, rup, FFLAG_NX, 0xbfd5555555555555, -1.0, 3.0)
  TEST_FD_OP2_RM(24, fdiv.d, rne, FFLAG_NX, 0x3fe5555555555555, 2.0, 3.0)
  TEST_FD_OP2_RM(25, fdiv.d, rup, FFLAG_NX, 0x3fe5555555555556, 2.0, 3.0)
  TEST_FD_OP2_RM(26, fsub.d, rdn, 0, DNZERO, 2.0, 2.0)
  TEST_FD_OP2_RM(27, fmul.d, rdn, FFLAG_OF | FFLAG_NX, DMAX, 1.0e300, 1.0e300)
  TEST_FD_OP2_RM(28, fmul.d, rup, FFLAG_OF | FFLAG_NX, DPINF, 1.0e300, 1.0e300)
  TEST_FD_OP2_RM(29, fmul.d, rup, FFLAG_OF | FFLAG_NX, 0xffefffffffffffff, -1.0e300, 1.0e300)
  # tie: 1 + 2^-53 -> rne 1.0, rmm 1 + 2^-52
  TEST_FP_CORE(30, FFLAG_NX, fld, .dword, DONE, 0x3ca0000000000000, 0, .dword, ld, DONE, fadd.d fa4, fa0, fa1, rne; fmv.x.d a4, fa4)
  TEST_FP_CORE(31, FFLAG_NX, fld, .dword, DONE, 0x3ca0000000000000, 0, .dword, ld, 0x3ff0000000000001, fadd.d fa4, fa0, fa1, rmm; fmv.x.d a4, fa4)

  # ---- fused multiply-add ----
  TEST_FD_OP3(32, fmadd.d,  0, 7.0, 2.0, 2.0, 3.0)
  TEST_FD_OP3(33, fmsub.d,  0, 1.0, 2.0, 2.0, 3.0)
  TEST_FD_OP3(34, fnmadd.d, 0, -7.0, 2.0, 2.0, 3.0)
  TEST_FD_OP3(35, fnmsub.d, 0, -1.0, 2.0, 2.0, 3.0)
  # single rounding: (1 + 2^-27)^2 - 1 = 2^-26 + 2^-54 exactly
  TEST_FD_OP3_HEX(36, fmadd.d, 0, 0x3e50000001000000, 0x3ff0000002000000, 0x3ff0000002000000, DMONE)
  TEST_FD_OP3_HEX(37, fmadd.d, FFLAG_NV, DQNAN, 0, DNINF, DQNAN)
  # exact zero result of fmadd with opposite signs is +0 (rne) / -0 (rdn)
  TEST_FD_OP3(38, fmadd.d, 0, 0.0, 1.0, 2.0, -2.0)
  TEST_FD_OP3_RM(39, fmadd.d, rdn, 0, DNZERO, 1.0, 2.0, -2.0)

  # ---- min / max ----
  TEST_FD_OP2_HEX(40, fmin.d, 0, DNZERO, 0, DNZERO)
  TEST_FD_OP2_HEX(41, fmax.d, 0, 0, DNZERO, 0)
  TEST_FD_OP2_HEX(42, fmin.d, 0, DMONE, DQNAN, DMONE)
  TEST_FD_OP2_HEX(43, fmax.d, FFLAG_NV, DTWO, DTWO, DSNAN)
  TEST_FD_OP2_HEX(44, fmax.d, 0, DQNAN, 0x7ff8000000000005, DQNAN)
  TEST_FD_OP2_HEX(45, fmin.d, FFLAG_NV, DQNAN, DSNAN, DSNAN)
  TEST_FD_OP2(46, fmin.d, 0, -3.0, -3.0, 2.5)

  # ---- compares ----
  TEST_FD_CMP_HEX(47, feq.d, 0, 0, DQNAN, DQNAN)
  TEST_FD_CMP_HEX(48, feq.d, FFLAG_NV, 0, DONE, DSNAN)
  TEST_FD_CMP_HEX(49, flt.d, FFLAG_NV, 0, DQNAN, DONE)
  TEST_FD_CMP_HEX(50, fle.d, FFLAG_NV, 0, DQNAN, DQNAN)
  TEST_FD_CMP_HEX(51, feq.d, 0, 1, 0, DNZERO)
  TEST_FD_CMP_HEX(52, fle.d, 0, 1, 0, DNZERO)
  TEST_FD_CMP(53, flt.d, 0, 1, -1.0e300, 1.0e-300)
  TEST_FD_CMP(54, flt.d, 0, 0, 2.0, 2.0)

  # ---- double -> integer ----
  TEST_FD_INT1_HEX(55, fcvt.w.d, FFLAG_NV, 0x7fffffff, 0x41e0000000000000)              # 2^31
  TEST_FD_INT1_HEX(56, fcvt.w.d, 0, 0xffffffff80000000, 0xc1e0000000000000)             # -2^31
  TEST_FD_INT1_RM(57, fcvt.w.d, rtz, FFLAG_NX, 0xffffffff80000000, -2147483648.5)
  TEST_FD_INT1_RM(58, fcvt.w.d, rtz, FFLAG_NX, 0x7fffffff, 2147483647.5)
  TEST_FD_INT1_RM(59, fcvt.w.d, rne, FFLAG_NV, 0x7fffffff, 2147483647.5)                # rounds out of range
  TEST_FD_INT1_RM(60, fcvt.w.d, rmm, FFLAG_NX, -4, -3.5)
  TEST_FD_INT1_RM(61, fcvt.w.d, rne, FFLAG_NX, -4, -3.5)
  TEST_FD_INT1_RM(62, fcvt.w.d, rne, FFLAG_NX, 2, 2.5)
  TEST_FD_INT1_HEX(63, fcvt.w.d, FFLAG_NV, 0x7fffffff, DSNAN)
  TEST_FD_INT1(64, fcvt.wu.d, 0, 0xffffffffffffffff, 4294967295.0)                      # sign-extended
  TEST_FD_INT1_HEX(65, fcvt.wu.d, 0, 0, DNZERO)
  TEST_FD_INT1_RM(66, fcvt.wu.d, rtz, FFLAG_NV, 0, -1.0)
  TEST_FD_INT1_HEX(67, fcvt.l.d, FFLAG_NV, 0x7fffffffffffffff, 0x43e0000000000000)      # 2^63
  TEST_FD_INT1_HEX(68, fcvt.l.d, 0, 0x8000000000000000, 0xc3e0000000000000)             # -2^63
  TEST_FD_INT1_HEX(69, fcvt.l.d, FFLAG_NV, 0x8000000000000000, DNINF)
  TEST_FD_INT1_RM(70, fcvt.l.d, rdn, FFLAG_NX, -2, -1.25)
  TEST_FD_INT1(71, fcvt.lu.d, 0, 0xf9ccd8a1c5080000, 1.8e19)
  TEST_FD_INT1_HEX(72, fcvt.lu.d, FFLAG_NV, 0xffffffffffffffff, 0x43f0000000000000)     # 2^64
  TEST_FD_INT1_HEX(73, fcvt.lu.d, FFLAG_NV, 0xffffffffffffffff, DQNAN)
  TEST_FD_INT1_RM(74, fcvt.lu.d, rup, FFLAG_NX, 1, 0.1)

  # ---- integer -> double ----
  TEST_INT_FP(75, fcvt.d.w, 0, DMONE, -1, fmv.x.d)
  TEST_INT_FP(76, fcvt.d.w, 0, 0xc1e0000000000000, 0x5555555580000000, fmv.x.d)   # low word only
  TEST_INT_FP(77, fcvt.d.wu, 0, 0x41efffffffe00000, 0xffffffffffffffff, fmv.x.d)
  TEST_INT_FP(78, fcvt.d.l, FFLAG_NX, 0x4340000000000000, 0x0020000000000001, fmv.x.d)  # 2^53+1
  TEST_INT_FP_RM(79, fcvt.d.l, rup, FFLAG_NX, 0x4340000000000001, 0x0020000000000001, fmv.x.d)
  TEST_INT_FP(80, fcvt.d.l, 0, 0xc3e0000000000000, 0x8000000000000000, fmv.x.d)
  TEST_INT_FP(81, fcvt.d.lu, FFLAG_NX, 0x43f0000000000000, 0xffffffffffffffff, fmv.x.d)
  TEST_INT_FP(82, fcvt.d.lu, 0, 0, 0, fmv.x.d)

  # ---- single <-> double ----
  TEST_FP_CORE(83, FFLAG_NX, fld, .dword, 0x3fd5555555555555, 0, 0, .word, lw, 0x3eaaaaab, fcvt.s.d fa4, fa0; fmv.x.w a4, fa4)
  TEST_FP_CORE(84, FFLAG_NX, fld, .dword, 0x3fd5555555555555, 0, 0, .word, lw, 0x3eaaaaaa, fcvt.s.d fa4, fa0, rtz; fmv.x.w a4, fa4)
  TEST_FP_CORE(85, FFLAG_OF | FFLAG_NX, fld, .double, 1.0e300, 0, 0, .word, lw, 0x7f800000, fcvt.s.d fa4, fa0; fmv.x.w a4, fa4)
  TEST_FP_CORE(86, FFLAG_UF | FFLAG_NX, fld, .double, 1.0e-50, 0, 0, .word, lw, 0, fcvt.s.d fa4, fa0; fmv.x.w a4, fa4)
  TEST_FP_CORE(87, 0, fld, .dword, 0x3730000000000000, 0, 0, .word, lw, 0x00000200, fcvt.s.d fa4, fa0; fmv.x.w a4, fa4)  # 2^-140 exact
  TEST_FP_CORE(88, 0, fld, .dword, 0x7ff8000123456789, 0, 0, .word, lw, 0x7fc00000, fcvt.s.d fa4, fa0; fmv.x.w a4, fa4)
  TEST_FP_CORE(89, FFLAG_NV, fld, .dword, DSNAN, 0, 0, .word, lw, 0x7fc00000, fcvt.s.d fa4, fa0; fmv.x.w a4, fa4)
  TEST_FP_CORE(90, 0, flw, .float, 1.5, 0, 0, .dword, ld, 0x3ff8000000000000, fcvt.d.s fa4, fa0; fmv.x.d a4, fa4)
  TEST_FP_CORE(91, FFLAG_NV, flw, .word, 0x7f800001, 0, 0, .dword, ld, DQNAN, fcvt.d.s fa4, fa0; fmv.x.d a4, fa4)
  TEST_FP_CORE(92, 0, flw, .word, 0x00000001, 0, 0, .dword, ld, 0x36a0000000000000, fcvt.d.s fa4, fa0; fmv.x.d a4, fa4)  # subnormal -> normal
  # fcvt.s.d result is NaN-boxed
  TEST_FP_CORE(93, 0, fld, .double, 2.0, 0, 0, .dword, ld, 0xffffffff40000000, fcvt.s.d fa4, fa0; fmv.x.d a4, fa4)
  # fcvt.d.s of an improperly boxed single reads the canonical NaN (no NV)
  TEST_CASE(94, a4, DQNAN, \
      li a1, 0x000000003fc00000; fmv.d.x fa1, a1; fsflags zero; fcvt.d.s fa4, fa1; \
      frflags a5; bnez a5, xlate_fail; fmv.x.d a4, fa4)
  # single-precision compare of improperly boxed inputs: canonical NaN -> 0
  TEST_CASE(95, a4, 0, \
      li a1, 0x000000003f800000; fmv.d.x fa1, a1; feq.s a4, fa1, fa1)

  # ---- sign injection (bit operations, NaN payloads preserved) ----
  TEST_FD_OP2(96, fsgnj.d,  0, -2.5, 2.5, -1.0)
  TEST_FD_OP2(97, fsgnjn.d, 0, 2.5, 2.5, -1.0)
  TEST_FD_OP2(98, fsgnjx.d, 0, 2.5, -2.5, -1.0)
  TEST_FD_OP2_HEX(99, fsgnj.d, 0, 0xfff0000000000001, DSNAN, DMONE)
  TEST_FD_OP2_HEX(100, fsgnjx.d, 0, 0x7ff8000000000123, 0xfff8000000000123, DNINF)

  # ---- fclass.d ----
  TEST_FD_INT1_HEX(101, fclass.d, 0, 1 << 0, DNINF)
  TEST_FD_INT1_HEX(102, fclass.d, 0, 1 << 1, DMONE)
  TEST_FD_INT1_HEX(103, fclass.d, 0, 1 << 2, 0x800fffffffffffff)
  TEST_FD_INT1_HEX(104, fclass.d, 0, 1 << 3, DNZERO)
  TEST_FD_INT1_HEX(105, fclass.d, 0, 1 << 4, 0)
  TEST_FD_INT1_HEX(106, fclass.d, 0, 1 << 5, 0x0000000000000001)
  TEST_FD_INT1_HEX(107, fclass.d, 0, 1 << 6, DMAX)
  TEST_FD_INT1_HEX(108, fclass.d, 0, 1 << 7, DPINF)
  TEST_FD_INT1_HEX(109, fclass.d, 0, 1 << 8, DSNAN)
  TEST_FD_INT1_HEX(110, fclass.d, 0, 1 << 9, 0xfff8000000000000)

  # ---- moves, loads, stores keep NaN payloads bit-exact ----
  TEST_CASE(111, a4, 0x7ff0000000000001, li a1, 0x7ff0000000000001; fmv.d.x fa1, a1; fmv.x.d a4, fa1)
  TEST_CASE(112, a4, 0xfff4000000abcdef, \
      la a1, dbuf; li a2, 0xfff4000000abcdef; sd a2, 0(a1); fld fa3, 0(a1); fsd fa3, 8(a1); ld a4, 8(a1))
  TEST_CASE(113, a4, 0x12345678, \
      li a2, 0x12345678; fmv.d.x fa3, a2; fmv.x.d a4, fa3)
  # flw into a register then fld overwrites the whole register
  TEST_CASE(114, a4, 0x4000000000000000, \
      la a1, dbuf; li a2, DTWO; sd a2, 0(a1); flw fa3, 0(a1); fld fa3, 0(a1); fmv.x.d a4, fa3)

  # ---- dynamic rounding ----
  TEST_CASE(115, a4, 0x3fd5555555555556, \
      li a1, 3; fsrm a1; li a1, DONE; fmv.d.x fa1, a1; li a1, DTHREE; fmv.d.x fa2, a1; \
      fdiv.d fa4, fa1, fa2; fmv.x.d a4, fa4)
  TEST_CASE(116, a4, 0x3fd5555555555555, \
      li a1, 2; fsrm a1; fdiv.d fa4, fa1, fa2; fmv.x.d a4, fa4)
  # fcsr write sets both frm and fflags
  TEST_CASE(117, a4, (1 << 5) | FFLAG_NX, \
      li a1, (1 << 5) | FFLAG_UF; fscsr a1; fdiv.d fa4, fa1, fa2; frcsr a4; \
      li t6, (1 << 5) | FFLAG_UF | FFLAG_NX; bne a4, t6, xlate_fail; \
      fsflags zero; fdiv.d fa4, fa1, fa2; frcsr a4)
  fscsr zero
  li TESTNUM, 118
  li a1, 6
  fsrm a1
  TRY(fsqrt.d fa4, fa1)
  CHECK_CAUSE(CAUSE_ILLEGAL_INSN)
  fsrm zero
  # reserved static rm 6 on fmul.d
  li TESTNUM, 119
  TRY(.insn r 0x53, 6, 0x09, fa4, fa1, fa2)
  CHECK_CAUSE(CAUSE_ILLEGAL_INSN)

  TEST_PASS

TEST_DATA
  .balign 16
dbuf: .dword 0, 0
