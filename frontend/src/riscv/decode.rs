//! Table-driven decoder: one line per encoding (mask, match, operand format,
//! flags, semantics). Compressed instructions are expanded to their 32-bit
//! equivalents first (see [`super::rvc`]).

use super::insn::{a, base, d, f, m, system, zb};
use super::Cpu;
use crate::{Emitter, Stop};

/// How operands are laid out in the instruction word.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fmt {
    R,
    I,
    S,
    B,
    U,
    J,
    /// Shift by a 6-bit immediate.
    Sh,
    /// Fused multiply-add: rs3 in bits 27..31.
    R4,
    /// CSR number in the immediate.
    Csr,
    None,
}

/// Instruction flags.
pub const END: u8 = 1; // ends the block (control flow, system)
pub const FP: u8 = 2; // needs mstatus.FS != Off

/// Encoding masks for the common formats.
const fn r(op: u32, f3: u32, f7: u32) -> (u32, u32) {
    (0xfe00_707f, op | f3 << 12 | f7 << 25)
}
const fn i(op: u32, f3: u32) -> (u32, u32) {
    (0x707f, op | f3 << 12)
}
const fn sh(op: u32, f3: u32, f6: u32) -> (u32, u32) {
    (0xfc00_707f, op | f3 << 12 | f6 << 26)
}
const fn op(op: u32) -> (u32, u32) {
    (0x7f, op)
}
const fn exact(raw: u32) -> (u32, u32) {
    (0xffff_ffff, raw)
}
/// R-type with a fixed rs2 field (unary ops).
const fn r2(op: u32, f3: u32, f7: u32, rs2: u32) -> (u32, u32) {
    (0xfff0_707f, op | f3 << 12 | rs2 << 20 | f7 << 25)
}
/// Atomics: funct5 in bits 27..31, width in funct3.
const fn amo(f3: u32, f5: u32) -> (u32, u32) {
    (0xf800_707f, 0x2f | f3 << 12 | f5 << 27)
}
/// FP op with rounding mode in funct3.
const fn fp(f7: u32) -> (u32, u32) {
    (0xfe00_007f, 0x53 | f7 << 25)
}
/// FP op with rounding mode and a fixed rs2.
const fn fp2(f7: u32, rs2: u32) -> (u32, u32) {
    (0xfff0_007f, 0x53 | rs2 << 20 | f7 << 25)
}
/// FP fused op: opcode and 2-bit format.
const fn r4(op: u32, fmt: u32) -> (u32, u32) {
    (0x0600_007f, op | fmt << 25)
}

pub struct Entry {
    pub mask: u32,
    pub bits: u32,
    pub op: Op,
    pub fmt: Fmt,
    pub flags: u8,
}

macro_rules! instructions {
    ($( $name:ident $enc:expr, $fmt:ident, $flags:expr => $handler:path; )*) => {
        /// Every instruction xlate implements.
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub enum Op { $($name,)* }

        pub static TABLE: &[Entry] = &[
            $( Entry { mask: $enc.0, bits: $enc.1, op: Op::$name, fmt: Fmt::$fmt, flags: $flags }, )*
        ];

        /// The semantics of `i`, emitted into `e`.
        pub fn exec<E: Emitter<Cpu = Cpu>>(i: &Insn, e: &mut E) -> Result<(), Stop> {
            if i.flags & FP != 0 && super::Mode(e.mode()).fs() == 0 {
                return system::illegal(e, i);
            }
            match i.op { $( Op::$name => $handler(e, i), )* }
        }
    };
}

instructions! {
    // RV64I
    Lui      op(0x37), U, 0 => base::lui;
    Auipc    op(0x17), U, 0 => base::auipc;
    Jal      op(0x6f), J, END => base::jal;
    Jalr     i(0x67, 0), I, END => base::jalr;
    Beq      i(0x63, 0), B, END => base::beq;
    Bne      i(0x63, 1), B, END => base::bne;
    Blt      i(0x63, 4), B, END => base::blt;
    Bge      i(0x63, 5), B, END => base::bge;
    Bltu     i(0x63, 6), B, END => base::bltu;
    Bgeu     i(0x63, 7), B, END => base::bgeu;
    Lb       i(0x03, 0), I, 0 => base::lb;
    Lh       i(0x03, 1), I, 0 => base::lh;
    Lw       i(0x03, 2), I, 0 => base::lw;
    Ld       i(0x03, 3), I, 0 => base::ld;
    Lbu      i(0x03, 4), I, 0 => base::lbu;
    Lhu      i(0x03, 5), I, 0 => base::lhu;
    Lwu      i(0x03, 6), I, 0 => base::lwu;
    Sb       i(0x23, 0), S, 0 => base::sb;
    Sh       i(0x23, 1), S, 0 => base::sh;
    Sw       i(0x23, 2), S, 0 => base::sw;
    Sd       i(0x23, 3), S, 0 => base::sd;
    Addi     i(0x13, 0), I, 0 => base::addi;
    Slti     i(0x13, 2), I, 0 => base::slti;
    Sltiu    i(0x13, 3), I, 0 => base::sltiu;
    Xori     i(0x13, 4), I, 0 => base::xori;
    Ori      i(0x13, 6), I, 0 => base::ori;
    Andi     i(0x13, 7), I, 0 => base::andi;
    Slli     sh(0x13, 1, 0x00), Sh, 0 => base::slli;
    Srli     sh(0x13, 5, 0x00), Sh, 0 => base::srli;
    Srai     sh(0x13, 5, 0x10), Sh, 0 => base::srai;
    Add      r(0x33, 0, 0x00), R, 0 => base::add;
    Sub      r(0x33, 0, 0x20), R, 0 => base::sub;
    Sll      r(0x33, 1, 0x00), R, 0 => base::sll;
    Slt      r(0x33, 2, 0x00), R, 0 => base::slt;
    Sltu     r(0x33, 3, 0x00), R, 0 => base::sltu;
    Xor      r(0x33, 4, 0x00), R, 0 => base::xor;
    Srl      r(0x33, 5, 0x00), R, 0 => base::srl;
    Sra      r(0x33, 5, 0x20), R, 0 => base::sra;
    Or       r(0x33, 6, 0x00), R, 0 => base::or;
    And      r(0x33, 7, 0x00), R, 0 => base::and;
    Addiw    i(0x1b, 0), I, 0 => base::addiw;
    Slliw    r(0x1b, 1, 0x00), Sh, 0 => base::slliw;
    Srliw    r(0x1b, 5, 0x00), Sh, 0 => base::srliw;
    Sraiw    r(0x1b, 5, 0x20), Sh, 0 => base::sraiw;
    Addw     r(0x3b, 0, 0x00), R, 0 => base::addw;
    Subw     r(0x3b, 0, 0x20), R, 0 => base::subw;
    Sllw     r(0x3b, 1, 0x00), R, 0 => base::sllw;
    Srlw     r(0x3b, 5, 0x00), R, 0 => base::srlw;
    Sraw     r(0x3b, 5, 0x20), R, 0 => base::sraw;
    Fence    i(0x0f, 0), None, 0 => base::fence;
    FenceI   i(0x0f, 1), None, END => system::fence_i;
    Ecall    exact(0x0000_0073), None, END => system::ecall;
    Ebreak   exact(0x0010_0073), None, END => system::ebreak;
    // Privileged
    Mret     exact(0x3020_0073), None, END => system::mret;
    Sret     exact(0x1020_0073), None, END => system::sret;
    Wfi      exact(0x1050_0073), None, END => system::wfi;
    SfenceVma (0xfe00_7fffu32, 0x1200_0073u32), R, END => system::sfence_vma;
    // Zicsr
    Csrrw    i(0x73, 1), Csr, END => system::csrrw;
    Csrrs    i(0x73, 2), Csr, END => system::csrrs;
    Csrrc    i(0x73, 3), Csr, END => system::csrrc;
    Csrrwi   i(0x73, 5), Csr, END => system::csrrwi;
    Csrrsi   i(0x73, 6), Csr, END => system::csrrsi;
    Csrrci   i(0x73, 7), Csr, END => system::csrrci;
    // M
    Mul      r(0x33, 0, 0x01), R, 0 => m::mul;
    Mulh     r(0x33, 1, 0x01), R, 0 => m::mulh;
    Mulhsu   r(0x33, 2, 0x01), R, 0 => m::mulhsu;
    Mulhu    r(0x33, 3, 0x01), R, 0 => m::mulhu;
    Div      r(0x33, 4, 0x01), R, 0 => m::div;
    Divu     r(0x33, 5, 0x01), R, 0 => m::divu;
    Rem      r(0x33, 6, 0x01), R, 0 => m::rem;
    Remu     r(0x33, 7, 0x01), R, 0 => m::remu;
    Mulw     r(0x3b, 0, 0x01), R, 0 => m::mulw;
    Divw     r(0x3b, 4, 0x01), R, 0 => m::divw;
    Divuw    r(0x3b, 5, 0x01), R, 0 => m::divuw;
    Remw     r(0x3b, 6, 0x01), R, 0 => m::remw;
    Remuw    r(0x3b, 7, 0x01), R, 0 => m::remuw;
    // A
    LrW      (0xf9f0_707fu32, 0x1000_202fu32), R, 0 => a::lr;
    ScW      amo(2, 0x03), R, 0 => a::sc;
    AmoswapW amo(2, 0x01), R, 0 => a::amo;
    AmoaddW  amo(2, 0x00), R, 0 => a::amo;
    AmoxorW  amo(2, 0x04), R, 0 => a::amo;
    AmoandW  amo(2, 0x0c), R, 0 => a::amo;
    AmoorW   amo(2, 0x08), R, 0 => a::amo;
    AmominW  amo(2, 0x10), R, 0 => a::amo;
    AmomaxW  amo(2, 0x14), R, 0 => a::amo;
    AmominuW amo(2, 0x18), R, 0 => a::amo;
    AmomaxuW amo(2, 0x1c), R, 0 => a::amo;
    LrD      (0xf9f0_707fu32, 0x1000_302fu32), R, 0 => a::lr;
    ScD      amo(3, 0x03), R, 0 => a::sc;
    AmoswapD amo(3, 0x01), R, 0 => a::amo;
    AmoaddD  amo(3, 0x00), R, 0 => a::amo;
    AmoxorD  amo(3, 0x04), R, 0 => a::amo;
    AmoandD  amo(3, 0x0c), R, 0 => a::amo;
    AmoorD   amo(3, 0x08), R, 0 => a::amo;
    AmominD  amo(3, 0x10), R, 0 => a::amo;
    AmomaxD  amo(3, 0x14), R, 0 => a::amo;
    AmominuD amo(3, 0x18), R, 0 => a::amo;
    AmomaxuD amo(3, 0x1c), R, 0 => a::amo;
    // F
    Flw      i(0x07, 2), I, FP => f::flw;
    Fsw      i(0x27, 2), S, FP => f::fsw;
    FmaddS   r4(0x43, 0), R4, FP => f::fmadd_s;
    FmsubS   r4(0x47, 0), R4, FP => f::fmsub_s;
    FnmsubS  r4(0x4b, 0), R4, FP => f::fnmsub_s;
    FnmaddS  r4(0x4f, 0), R4, FP => f::fnmadd_s;
    FaddS    fp(0x00), R, FP => f::fadd_s;
    FsubS    fp(0x04), R, FP => f::fsub_s;
    FmulS    fp(0x08), R, FP => f::fmul_s;
    FdivS    fp(0x0c), R, FP => f::fdiv_s;
    FsqrtS   fp2(0x2c, 0), R, FP => f::fsqrt_s;
    FsgnjS   r(0x53, 0, 0x10), R, FP => f::fsgnj_s;
    FsgnjnS  r(0x53, 1, 0x10), R, FP => f::fsgnjn_s;
    FsgnjxS  r(0x53, 2, 0x10), R, FP => f::fsgnjx_s;
    FminS    r(0x53, 0, 0x14), R, FP => f::fmin_s;
    FmaxS    r(0x53, 1, 0x14), R, FP => f::fmax_s;
    FcvtWS   fp2(0x60, 0), R, FP => f::fcvt_w_s;
    FcvtWuS  fp2(0x60, 1), R, FP => f::fcvt_wu_s;
    FcvtLS   fp2(0x60, 2), R, FP => f::fcvt_l_s;
    FcvtLuS  fp2(0x60, 3), R, FP => f::fcvt_lu_s;
    FmvXW    r2(0x53, 0, 0x70, 0), R, FP => f::fmv_x_w;
    FclassS  r2(0x53, 1, 0x70, 0), R, FP => f::fclass_s;
    FeqS     r(0x53, 2, 0x50), R, FP => f::feq_s;
    FltS     r(0x53, 1, 0x50), R, FP => f::flt_s;
    FleS     r(0x53, 0, 0x50), R, FP => f::fle_s;
    FcvtSW   fp2(0x68, 0), R, FP => f::fcvt_s_w;
    FcvtSWu  fp2(0x68, 1), R, FP => f::fcvt_s_wu;
    FcvtSL   fp2(0x68, 2), R, FP => f::fcvt_s_l;
    FcvtSLu  fp2(0x68, 3), R, FP => f::fcvt_s_lu;
    FmvWX    r2(0x53, 0, 0x78, 0), R, FP => f::fmv_w_x;
    // D
    Fld      i(0x07, 3), I, FP => d::fld;
    Fsd      i(0x27, 3), S, FP => d::fsd;
    FmaddD   r4(0x43, 1), R4, FP => d::fmadd_d;
    FmsubD   r4(0x47, 1), R4, FP => d::fmsub_d;
    FnmsubD  r4(0x4b, 1), R4, FP => d::fnmsub_d;
    FnmaddD  r4(0x4f, 1), R4, FP => d::fnmadd_d;
    FaddD    fp(0x01), R, FP => d::fadd_d;
    FsubD    fp(0x05), R, FP => d::fsub_d;
    FmulD    fp(0x09), R, FP => d::fmul_d;
    FdivD    fp(0x0d), R, FP => d::fdiv_d;
    FsqrtD   fp2(0x2d, 0), R, FP => d::fsqrt_d;
    FsgnjD   r(0x53, 0, 0x11), R, FP => d::fsgnj_d;
    FsgnjnD  r(0x53, 1, 0x11), R, FP => d::fsgnjn_d;
    FsgnjxD  r(0x53, 2, 0x11), R, FP => d::fsgnjx_d;
    FminD    r(0x53, 0, 0x15), R, FP => d::fmin_d;
    FmaxD    r(0x53, 1, 0x15), R, FP => d::fmax_d;
    FcvtSD   fp2(0x20, 1), R, FP => d::fcvt_s_d;
    FcvtDS   fp2(0x21, 0), R, FP => d::fcvt_d_s;
    FeqD     r(0x53, 2, 0x51), R, FP => d::feq_d;
    FltD     r(0x53, 1, 0x51), R, FP => d::flt_d;
    FleD     r(0x53, 0, 0x51), R, FP => d::fle_d;
    FclassD  r2(0x53, 1, 0x71, 0), R, FP => d::fclass_d;
    FcvtWD   fp2(0x61, 0), R, FP => d::fcvt_w_d;
    FcvtWuD  fp2(0x61, 1), R, FP => d::fcvt_wu_d;
    FcvtLD   fp2(0x61, 2), R, FP => d::fcvt_l_d;
    FcvtLuD  fp2(0x61, 3), R, FP => d::fcvt_lu_d;
    FcvtDW   fp2(0x69, 0), R, FP => d::fcvt_d_w;
    FcvtDWu  fp2(0x69, 1), R, FP => d::fcvt_d_wu;
    FcvtDL   fp2(0x69, 2), R, FP => d::fcvt_d_l;
    FcvtDLu  fp2(0x69, 3), R, FP => d::fcvt_d_lu;
    FmvXD    r2(0x53, 0, 0x71, 0), R, FP => d::fmv_x_d;
    FmvDX    r2(0x53, 0, 0x79, 0), R, FP => d::fmv_d_x;
    // Zba
    Sh1add   r(0x33, 2, 0x10), R, 0 => zb::sh1add;
    Sh2add   r(0x33, 4, 0x10), R, 0 => zb::sh2add;
    Sh3add   r(0x33, 6, 0x10), R, 0 => zb::sh3add;
    AddUw    r(0x3b, 0, 0x04), R, 0 => zb::add_uw;
    Sh1addUw r(0x3b, 2, 0x10), R, 0 => zb::sh1add_uw;
    Sh2addUw r(0x3b, 4, 0x10), R, 0 => zb::sh2add_uw;
    Sh3addUw r(0x3b, 6, 0x10), R, 0 => zb::sh3add_uw;
    SlliUw   sh(0x1b, 1, 0x02), Sh, 0 => zb::slli_uw;
    // Zbb
    Andn     r(0x33, 7, 0x20), R, 0 => zb::andn;
    Orn      r(0x33, 6, 0x20), R, 0 => zb::orn;
    Xnor     r(0x33, 4, 0x20), R, 0 => zb::xnor;
    Clz      r2(0x13, 1, 0x30, 0), R, 0 => zb::clz;
    Ctz      r2(0x13, 1, 0x30, 1), R, 0 => zb::ctz;
    Cpop     r2(0x13, 1, 0x30, 2), R, 0 => zb::cpop;
    Clzw     r2(0x1b, 1, 0x30, 0), R, 0 => zb::clzw;
    Ctzw     r2(0x1b, 1, 0x30, 1), R, 0 => zb::ctzw;
    Cpopw    r2(0x1b, 1, 0x30, 2), R, 0 => zb::cpopw;
    Max      r(0x33, 6, 0x05), R, 0 => zb::max;
    Maxu     r(0x33, 7, 0x05), R, 0 => zb::maxu;
    Min      r(0x33, 4, 0x05), R, 0 => zb::min;
    Minu     r(0x33, 5, 0x05), R, 0 => zb::minu;
    SextB    r2(0x13, 1, 0x30, 4), R, 0 => zb::sext_b;
    SextH    r2(0x13, 1, 0x30, 5), R, 0 => zb::sext_h;
    ZextH    r2(0x3b, 4, 0x04, 0), R, 0 => zb::zext_h;
    Rol      r(0x33, 1, 0x30), R, 0 => zb::rol;
    Ror      r(0x33, 5, 0x30), R, 0 => zb::ror;
    Rolw     r(0x3b, 1, 0x30), R, 0 => zb::rolw;
    Rorw     r(0x3b, 5, 0x30), R, 0 => zb::rorw;
    Rori     sh(0x13, 5, 0x18), Sh, 0 => zb::rori;
    Roriw    r(0x1b, 5, 0x30), Sh, 0 => zb::roriw;
    OrcB     r2(0x13, 5, 0x14, 7), R, 0 => zb::orc_b;
    Rev8     r2(0x13, 5, 0x35, 0x18), R, 0 => zb::rev8;
    // Zbs
    Bclr     r(0x33, 1, 0x24), R, 0 => zb::bclr;
    Bclri    sh(0x13, 1, 0x12), Sh, 0 => zb::bclri;
    Bext     r(0x33, 5, 0x24), R, 0 => zb::bext;
    Bexti    sh(0x13, 5, 0x12), Sh, 0 => zb::bexti;
    Binv     r(0x33, 1, 0x34), R, 0 => zb::binv;
    Binvi    sh(0x13, 1, 0x1a), Sh, 0 => zb::binvi;
    Bset     r(0x33, 1, 0x14), R, 0 => zb::bset;
    Bseti    sh(0x13, 1, 0x0a), Sh, 0 => zb::bseti;
    // Zicond
    CzeroEqz r(0x33, 5, 0x07), R, 0 => zb::czero_eqz;
    CzeroNez r(0x33, 7, 0x07), R, 0 => zb::czero_nez;
}

/// One decoded instruction.
#[derive(Clone, Copy, Debug)]
pub struct Insn {
    pub op: Op,
    /// The instruction as fetched (16 bits for compressed ones).
    pub raw: u32,
    /// The 32-bit form that was decoded (the expansion for compressed ones).
    pub bits: u32,
    pub len: u8,
    pub flags: u8,
    pub rd: u8,
    pub rs1: u8,
    pub rs2: u8,
    pub rs3: u8,
    pub imm: i64,
}

impl Insn {
    /// funct3, which holds the rounding mode of FP operations.
    pub fn rm(&self) -> u32 {
        (self.bits >> 12) & 7
    }
    pub fn csr(&self) -> u16 {
        (self.bits >> 20) as u16
    }
    /// A Zicsr instruction.
    pub fn is_csr(&self) -> bool {
        matches!(self.op, Op::Csrrw | Op::Csrrs | Op::Csrrc | Op::Csrrwi | Op::Csrrsi | Op::Csrrci)
    }
}

fn sext(v: u32, bits: u32) -> i64 {
    ((v as i64) << (64 - bits)) >> (64 - bits)
}

fn immediate(fmt: Fmt, b: u32) -> i64 {
    match fmt {
        Fmt::I | Fmt::Csr => sext(b >> 20, 12),
        Fmt::S => sext(((b >> 25) << 5) | ((b >> 7) & 0x1f), 12),
        Fmt::B => {
            sext(((b >> 31) << 12) | (((b >> 7) & 1) << 11) | (((b >> 25) & 0x3f) << 5) | (((b >> 8) & 0xf) << 1), 13)
        }
        Fmt::U => sext(b & 0xffff_f000, 32),
        Fmt::J => sext(
            ((b >> 31) << 20) | (((b >> 12) & 0xff) << 12) | (((b >> 20) & 1) << 11) | (((b >> 21) & 0x3ff) << 1),
            21,
        ),
        Fmt::Sh => i64::from((b >> 20) & 0x3f),
        Fmt::R | Fmt::R4 | Fmt::None => 0,
    }
}

/// Decodes the instruction whose first (up to) 4 bytes are `raw`.
/// `None` means illegal: the caller raises an illegal-instruction exception.
pub fn decode(raw: u32) -> Option<Insn> {
    let (bits, len) = if raw & 3 != 3 { (super::rvc::expand(raw as u16, 64)?, 2) } else { (raw, 4) };
    let e = TABLE.iter().find(|e| bits & e.mask == e.bits)?;
    Some(Insn {
        op: e.op,
        raw: if len == 2 { raw & 0xffff } else { raw },
        bits,
        len,
        flags: e.flags,
        rd: ((bits >> 7) & 31) as u8,
        rs1: ((bits >> 15) & 31) as u8,
        rs2: ((bits >> 20) & 31) as u8,
        rs3: (bits >> 27) as u8,
        imm: immediate(e.fmt, bits),
    })
}
