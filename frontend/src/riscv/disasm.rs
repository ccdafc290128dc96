//! Spike-style disassembler for RV64IMAFDC, Zicsr, Zifencei, Zba, Zbb, Zbs,
//! Zicond and the privileged instructions.
//!
//! Output is the mnemonic padded with spaces to eight columns (at least one
//! space), then the operands joined by `", "`, e.g. `addi    a0, a0, 1`,
//! `ld      a0, 8(sp)`, `beq     a0, a1, pc + 12`, `c.addi  a0, 1`.
//! Base mnemonics are printed as such (no pseudo-instructions). Compressed
//! encodings are decoded as RV64 (`c.ld`, `c.addiw`, ... rather than `c.flw`,
//! `c.jal`). Anything unrecognised prints as `unknown`.
//!
//! Immediates and shift amounts are decimal, except U-type immediates
//! (`lui     a0, 0x12`). CSRs are named, or shown as hex (`0x7c0`). A
//! floating-point rounding mode is appended (`, rtz`) unless it is dynamic;
//! the reserved modes 5 and 6 print as `rm5`/`rm6`. Fences print Spike's
//! way, `fence   iorw,iorw`; AMOs carry `.aq`/`.rl`/`.aqrl` suffixes.

use super::rvc;

/// Disassembles one instruction. `len` is its length in bytes: 2 for a
/// compressed instruction (its 16 bits in the low half of `raw`), 4 otherwise.
pub fn disasm(raw: u32, len: u8) -> String {
    let found = match len {
        2 => rvc::expand(raw as u16, 64).and_then(|insn| {
            let c = raw & 0xffff;
            let (name, fmt) = lookup(RVC, c)?;
            Some((name, fmt, insn))
        }),
        4 if raw & 3 == 3 => lookup(BASE, raw).map(|(name, fmt)| (name, fmt, raw)),
        _ => None,
    };
    match found {
        Some((name, fmt, insn)) => render(name, fmt, insn),
        None => "unknown".to_string(),
    }
}

fn lookup(table: &[Entry], insn: u32) -> Option<(&'static str, &'static str)> {
    table.iter().find(|e| insn & e.1 == e.2).map(|e| (e.0, e.3))
}

/// One instruction pattern: mnemonic, mask, match, operand format.
///
/// Operand format letters (each an operand, in order):
/// `d s t` integer rd/rs1/rs2, `D S T R` float rd/rs1/rs2/rs3,
/// `i` I-immediate, `o` `imm(rs1)` load address, `q` `imm(rs1)` store address,
/// `a` `(rs1)` AMO address, `b` branch target, `j` jal target, `u` U-immediate
/// (hex), `>` 6-bit shift amount, `<` 5-bit shift amount, `c` CSR, `z` 5-bit
/// CSR immediate, `m` rounding mode (omitted when dynamic), `f` fence sets.
/// `A` is not an operand: it appends the `.aq`/`.rl`/`.aqrl` suffix.
///
/// For compressed entries the operands are read from the expanded 32-bit
/// encoding, so the same letters apply.
type Entry = (&'static str, u32, u32, &'static str);

// Major opcodes.
const LOAD: u32 = 0x03;
const LOAD_FP: u32 = 0x07;
const MISC_MEM: u32 = 0x0f;
const OP_IMM: u32 = 0x13;
const AUIPC: u32 = 0x17;
const OP_IMM_32: u32 = 0x1b;
const STORE: u32 = 0x23;
const STORE_FP: u32 = 0x27;
const AMO: u32 = 0x2f;
const OP: u32 = 0x33;
const LUI: u32 = 0x37;
const OP_32: u32 = 0x3b;
const MADD: u32 = 0x43;
const MSUB: u32 = 0x47;
const NMSUB: u32 = 0x4b;
const NMADD: u32 = 0x4f;
const OP_FP: u32 = 0x53;
const BRANCH: u32 = 0x63;
const JALR: u32 = 0x67;
const JAL: u32 = 0x6f;
const SYSTEM: u32 = 0x73;

// Masks.
/// Opcode only (U/J types).
const M_OPC: u32 = 0x0000_007f;
/// Opcode + funct3 (I/S/B types).
const M_F3: u32 = 0x0000_707f;
/// Opcode + funct3 + funct7 (R type).
const M_F7: u32 = 0xfe00_707f;
/// Opcode + funct3 + funct6 (RV64 immediate shifts).
const M_F6: u32 = 0xfc00_707f;
/// Opcode + funct3 + imm[11:0] fixed (unary ops selected by rs2 field).
const M_F12: u32 = 0xfff0_707f;
/// Opcode + funct7, rounding mode free.
const M_FP: u32 = 0xfe00_007f;
/// Opcode + funct7 + rs2, rounding mode free.
const M_FP1: u32 = 0xfff0_007f;
/// Opcode + fmt (R4 type, rounding mode free).
const M_R4: u32 = 0x0600_007f;
/// Opcode + funct3 + funct5 (AMOs, aq/rl free).
const M_AMO: u32 = 0xf800_707f;
/// As `M_AMO` with rs2 fixed (LR).
const M_LR: u32 = 0xf9f0_707f;
/// Every bit.
const M_ALL: u32 = 0xffff_ffff;

const fn i(opcode: u32, funct3: u32) -> u32 {
    opcode | funct3 << 12
}
const fn r(opcode: u32, funct3: u32, funct7: u32) -> u32 {
    i(opcode, funct3) | funct7 << 25
}
/// Unary op selected by the 12-bit immediate field (funct7 + rs2).
const fn u(opcode: u32, funct3: u32, imm12: u32) -> u32 {
    i(opcode, funct3) | imm12 << 20
}
const fn amo(funct3: u32, funct5: u32) -> u32 {
    r(AMO, funct3, funct5 << 2)
}

#[rustfmt::skip]
const BASE: &[Entry] = &[
    // RV32I / RV64I
    ("lui",       M_OPC, LUI,                 "du"),
    ("auipc",     M_OPC, AUIPC,               "du"),
    ("jal",       M_OPC, JAL,                 "dj"),
    ("jalr",      M_F3,  i(JALR, 0),          "do"),
    ("beq",       M_F3,  i(BRANCH, 0),        "stb"),
    ("bne",       M_F3,  i(BRANCH, 1),        "stb"),
    ("blt",       M_F3,  i(BRANCH, 4),        "stb"),
    ("bge",       M_F3,  i(BRANCH, 5),        "stb"),
    ("bltu",      M_F3,  i(BRANCH, 6),        "stb"),
    ("bgeu",      M_F3,  i(BRANCH, 7),        "stb"),
    ("lb",        M_F3,  i(LOAD, 0),          "do"),
    ("lh",        M_F3,  i(LOAD, 1),          "do"),
    ("lw",        M_F3,  i(LOAD, 2),          "do"),
    ("ld",        M_F3,  i(LOAD, 3),          "do"),
    ("lbu",       M_F3,  i(LOAD, 4),          "do"),
    ("lhu",       M_F3,  i(LOAD, 5),          "do"),
    ("lwu",       M_F3,  i(LOAD, 6),          "do"),
    ("sb",        M_F3,  i(STORE, 0),         "tq"),
    ("sh",        M_F3,  i(STORE, 1),         "tq"),
    ("sw",        M_F3,  i(STORE, 2),         "tq"),
    ("sd",        M_F3,  i(STORE, 3),         "tq"),
    ("addi",      M_F3,  i(OP_IMM, 0),        "dsi"),
    ("slti",      M_F3,  i(OP_IMM, 2),        "dsi"),
    ("sltiu",     M_F3,  i(OP_IMM, 3),        "dsi"),
    ("xori",      M_F3,  i(OP_IMM, 4),        "dsi"),
    ("ori",       M_F3,  i(OP_IMM, 6),        "dsi"),
    ("andi",      M_F3,  i(OP_IMM, 7),        "dsi"),
    ("slli",      M_F6,  r(OP_IMM, 1, 0x00),  "ds>"),
    ("srli",      M_F6,  r(OP_IMM, 5, 0x00),  "ds>"),
    ("srai",      M_F6,  r(OP_IMM, 5, 0x20),  "ds>"),
    ("add",       M_F7,  r(OP, 0, 0x00),      "dst"),
    ("sub",       M_F7,  r(OP, 0, 0x20),      "dst"),
    ("sll",       M_F7,  r(OP, 1, 0x00),      "dst"),
    ("slt",       M_F7,  r(OP, 2, 0x00),      "dst"),
    ("sltu",      M_F7,  r(OP, 3, 0x00),      "dst"),
    ("xor",       M_F7,  r(OP, 4, 0x00),      "dst"),
    ("srl",       M_F7,  r(OP, 5, 0x00),      "dst"),
    ("sra",       M_F7,  r(OP, 5, 0x20),      "dst"),
    ("or",        M_F7,  r(OP, 6, 0x00),      "dst"),
    ("and",       M_F7,  r(OP, 7, 0x00),      "dst"),
    ("addiw",     M_F3,  i(OP_IMM_32, 0),     "dsi"),
    ("slliw",     M_F7,  r(OP_IMM_32, 1, 0),  "ds<"),
    ("srliw",     M_F7,  r(OP_IMM_32, 5, 0),  "ds<"),
    ("sraiw",     M_F7,  r(OP_IMM_32, 5, 0x20), "ds<"),
    ("addw",      M_F7,  r(OP_32, 0, 0x00),   "dst"),
    ("subw",      M_F7,  r(OP_32, 0, 0x20),   "dst"),
    ("sllw",      M_F7,  r(OP_32, 1, 0x00),   "dst"),
    ("srlw",      M_F7,  r(OP_32, 5, 0x00),   "dst"),
    ("sraw",      M_F7,  r(OP_32, 5, 0x20),   "dst"),
    ("fence.tso", M_F12, u(MISC_MEM, 0, 0x833), ""),
    ("pause",     M_ALL, u(MISC_MEM, 0, 0x010), ""),
    ("fence",     M_F3,  i(MISC_MEM, 0),      "f"),
    ("fence.i",   M_F3,  i(MISC_MEM, 1),      ""),
    // Privileged
    ("ecall",     M_ALL, SYSTEM,              ""),
    ("ebreak",    M_ALL, u(SYSTEM, 0, 0x001), ""),
    ("sret",      M_ALL, u(SYSTEM, 0, 0x102), ""),
    ("mret",      M_ALL, u(SYSTEM, 0, 0x302), ""),
    ("dret",      M_ALL, u(SYSTEM, 0, 0x7b2), ""),
    ("wfi",       M_ALL, u(SYSTEM, 0, 0x105), ""),
    ("sfence.vma", 0xfe00_7fff, r(SYSTEM, 0, 0x09), "st"),
    // Zicsr
    ("csrrw",     M_F3,  i(SYSTEM, 1),        "dcs"),
    ("csrrs",     M_F3,  i(SYSTEM, 2),        "dcs"),
    ("csrrc",     M_F3,  i(SYSTEM, 3),        "dcs"),
    ("csrrwi",    M_F3,  i(SYSTEM, 5),        "dcz"),
    ("csrrsi",    M_F3,  i(SYSTEM, 6),        "dcz"),
    ("csrrci",    M_F3,  i(SYSTEM, 7),        "dcz"),
    // M
    ("mul",       M_F7,  r(OP, 0, 0x01),      "dst"),
    ("mulh",      M_F7,  r(OP, 1, 0x01),      "dst"),
    ("mulhsu",    M_F7,  r(OP, 2, 0x01),      "dst"),
    ("mulhu",     M_F7,  r(OP, 3, 0x01),      "dst"),
    ("div",       M_F7,  r(OP, 4, 0x01),      "dst"),
    ("divu",      M_F7,  r(OP, 5, 0x01),      "dst"),
    ("rem",       M_F7,  r(OP, 6, 0x01),      "dst"),
    ("remu",      M_F7,  r(OP, 7, 0x01),      "dst"),
    ("mulw",      M_F7,  r(OP_32, 0, 0x01),   "dst"),
    ("divw",      M_F7,  r(OP_32, 4, 0x01),   "dst"),
    ("divuw",     M_F7,  r(OP_32, 5, 0x01),   "dst"),
    ("remw",      M_F7,  r(OP_32, 6, 0x01),   "dst"),
    ("remuw",     M_F7,  r(OP_32, 7, 0x01),   "dst"),
    // A
    ("lr.w",      M_LR,  amo(2, 0x02),        "Ada"),
    ("sc.w",      M_AMO, amo(2, 0x03),        "Adta"),
    ("amoswap.w", M_AMO, amo(2, 0x01),        "Adta"),
    ("amoadd.w",  M_AMO, amo(2, 0x00),        "Adta"),
    ("amoxor.w",  M_AMO, amo(2, 0x04),        "Adta"),
    ("amoand.w",  M_AMO, amo(2, 0x0c),        "Adta"),
    ("amoor.w",   M_AMO, amo(2, 0x08),        "Adta"),
    ("amomin.w",  M_AMO, amo(2, 0x10),        "Adta"),
    ("amomax.w",  M_AMO, amo(2, 0x14),        "Adta"),
    ("amominu.w", M_AMO, amo(2, 0x18),        "Adta"),
    ("amomaxu.w", M_AMO, amo(2, 0x1c),        "Adta"),
    ("lr.d",      M_LR,  amo(3, 0x02),        "Ada"),
    ("sc.d",      M_AMO, amo(3, 0x03),        "Adta"),
    ("amoswap.d", M_AMO, amo(3, 0x01),        "Adta"),
    ("amoadd.d",  M_AMO, amo(3, 0x00),        "Adta"),
    ("amoxor.d",  M_AMO, amo(3, 0x04),        "Adta"),
    ("amoand.d",  M_AMO, amo(3, 0x0c),        "Adta"),
    ("amoor.d",   M_AMO, amo(3, 0x08),        "Adta"),
    ("amomin.d",  M_AMO, amo(3, 0x10),        "Adta"),
    ("amomax.d",  M_AMO, amo(3, 0x14),        "Adta"),
    ("amominu.d", M_AMO, amo(3, 0x18),        "Adta"),
    ("amomaxu.d", M_AMO, amo(3, 0x1c),        "Adta"),
    // F
    ("flw",       M_F3,  i(LOAD_FP, 2),       "Do"),
    ("fsw",       M_F3,  i(STORE_FP, 2),      "Tq"),
    ("fmadd.s",   M_R4,  MADD,                "DSTRm"),
    ("fmsub.s",   M_R4,  MSUB,                "DSTRm"),
    ("fnmsub.s",  M_R4,  NMSUB,               "DSTRm"),
    ("fnmadd.s",  M_R4,  NMADD,               "DSTRm"),
    ("fadd.s",    M_FP,  r(OP_FP, 0, 0x00),   "DSTm"),
    ("fsub.s",    M_FP,  r(OP_FP, 0, 0x04),   "DSTm"),
    ("fmul.s",    M_FP,  r(OP_FP, 0, 0x08),   "DSTm"),
    ("fdiv.s",    M_FP,  r(OP_FP, 0, 0x0c),   "DSTm"),
    ("fsqrt.s",   M_FP1, u(OP_FP, 0, 0x580),  "DSm"),
    ("fsgnj.s",   M_F7,  r(OP_FP, 0, 0x10),   "DST"),
    ("fsgnjn.s",  M_F7,  r(OP_FP, 1, 0x10),   "DST"),
    ("fsgnjx.s",  M_F7,  r(OP_FP, 2, 0x10),   "DST"),
    ("fmin.s",    M_F7,  r(OP_FP, 0, 0x14),   "DST"),
    ("fmax.s",    M_F7,  r(OP_FP, 1, 0x14),   "DST"),
    ("fcvt.w.s",  M_FP1, u(OP_FP, 0, 0xc00),  "dSm"),
    ("fcvt.wu.s", M_FP1, u(OP_FP, 0, 0xc01),  "dSm"),
    ("fcvt.l.s",  M_FP1, u(OP_FP, 0, 0xc02),  "dSm"),
    ("fcvt.lu.s", M_FP1, u(OP_FP, 0, 0xc03),  "dSm"),
    ("fmv.x.w",   M_F12, u(OP_FP, 0, 0xe00),  "dS"),
    ("fclass.s",  M_F12, u(OP_FP, 1, 0xe00),  "dS"),
    ("feq.s",     M_F7,  r(OP_FP, 2, 0x50),   "dST"),
    ("flt.s",     M_F7,  r(OP_FP, 1, 0x50),   "dST"),
    ("fle.s",     M_F7,  r(OP_FP, 0, 0x50),   "dST"),
    ("fcvt.s.w",  M_FP1, u(OP_FP, 0, 0xd00),  "Dsm"),
    ("fcvt.s.wu", M_FP1, u(OP_FP, 0, 0xd01),  "Dsm"),
    ("fcvt.s.l",  M_FP1, u(OP_FP, 0, 0xd02),  "Dsm"),
    ("fcvt.s.lu", M_FP1, u(OP_FP, 0, 0xd03),  "Dsm"),
    ("fmv.w.x",   M_F12, u(OP_FP, 0, 0xf00),  "Ds"),
    // D
    ("fld",       M_F3,  i(LOAD_FP, 3),       "Do"),
    ("fsd",       M_F3,  i(STORE_FP, 3),      "Tq"),
    ("fmadd.d",   M_R4,  MADD | 1 << 25,      "DSTRm"),
    ("fmsub.d",   M_R4,  MSUB | 1 << 25,      "DSTRm"),
    ("fnmsub.d",  M_R4,  NMSUB | 1 << 25,     "DSTRm"),
    ("fnmadd.d",  M_R4,  NMADD | 1 << 25,     "DSTRm"),
    ("fadd.d",    M_FP,  r(OP_FP, 0, 0x01),   "DSTm"),
    ("fsub.d",    M_FP,  r(OP_FP, 0, 0x05),   "DSTm"),
    ("fmul.d",    M_FP,  r(OP_FP, 0, 0x09),   "DSTm"),
    ("fdiv.d",    M_FP,  r(OP_FP, 0, 0x0d),   "DSTm"),
    ("fsqrt.d",   M_FP1, u(OP_FP, 0, 0x5a0),  "DSm"),
    ("fsgnj.d",   M_F7,  r(OP_FP, 0, 0x11),   "DST"),
    ("fsgnjn.d",  M_F7,  r(OP_FP, 1, 0x11),   "DST"),
    ("fsgnjx.d",  M_F7,  r(OP_FP, 2, 0x11),   "DST"),
    ("fmin.d",    M_F7,  r(OP_FP, 0, 0x15),   "DST"),
    ("fmax.d",    M_F7,  r(OP_FP, 1, 0x15),   "DST"),
    ("fcvt.s.d",  M_FP1, u(OP_FP, 0, 0x401),  "DSm"),
    ("fcvt.d.s",  M_FP1, u(OP_FP, 0, 0x420),  "DS"),
    ("feq.d",     M_F7,  r(OP_FP, 2, 0x51),   "dST"),
    ("flt.d",     M_F7,  r(OP_FP, 1, 0x51),   "dST"),
    ("fle.d",     M_F7,  r(OP_FP, 0, 0x51),   "dST"),
    ("fclass.d",  M_F12, u(OP_FP, 1, 0xe20),  "dS"),
    ("fcvt.w.d",  M_FP1, u(OP_FP, 0, 0xc20),  "dSm"),
    ("fcvt.wu.d", M_FP1, u(OP_FP, 0, 0xc21),  "dSm"),
    ("fcvt.l.d",  M_FP1, u(OP_FP, 0, 0xc22),  "dSm"),
    ("fcvt.lu.d", M_FP1, u(OP_FP, 0, 0xc23),  "dSm"),
    ("fmv.x.d",   M_F12, u(OP_FP, 0, 0xe20),  "dS"),
    ("fcvt.d.w",  M_FP1, u(OP_FP, 0, 0xd20),  "Ds"),
    ("fcvt.d.wu", M_FP1, u(OP_FP, 0, 0xd21),  "Ds"),
    ("fcvt.d.l",  M_FP1, u(OP_FP, 0, 0xd22),  "Dsm"),
    ("fcvt.d.lu", M_FP1, u(OP_FP, 0, 0xd23),  "Dsm"),
    ("fmv.d.x",   M_F12, u(OP_FP, 0, 0xf20),  "Ds"),
    // Zba
    ("sh1add",    M_F7,  r(OP, 2, 0x10),      "dst"),
    ("sh2add",    M_F7,  r(OP, 4, 0x10),      "dst"),
    ("sh3add",    M_F7,  r(OP, 6, 0x10),      "dst"),
    ("add.uw",    M_F7,  r(OP_32, 0, 0x04),   "dst"),
    ("sh1add.uw", M_F7,  r(OP_32, 2, 0x10),   "dst"),
    ("sh2add.uw", M_F7,  r(OP_32, 4, 0x10),   "dst"),
    ("sh3add.uw", M_F7,  r(OP_32, 6, 0x10),   "dst"),
    ("slli.uw",   M_F6,  r(OP_IMM_32, 1, 0x04), "ds>"),
    // Zbb
    ("andn",      M_F7,  r(OP, 7, 0x20),      "dst"),
    ("orn",       M_F7,  r(OP, 6, 0x20),      "dst"),
    ("xnor",      M_F7,  r(OP, 4, 0x20),      "dst"),
    ("clz",       M_F12, u(OP_IMM, 1, 0x600), "ds"),
    ("ctz",       M_F12, u(OP_IMM, 1, 0x601), "ds"),
    ("cpop",      M_F12, u(OP_IMM, 1, 0x602), "ds"),
    ("sext.b",    M_F12, u(OP_IMM, 1, 0x604), "ds"),
    ("sext.h",    M_F12, u(OP_IMM, 1, 0x605), "ds"),
    ("clzw",      M_F12, u(OP_IMM_32, 1, 0x600), "ds"),
    ("ctzw",      M_F12, u(OP_IMM_32, 1, 0x601), "ds"),
    ("cpopw",     M_F12, u(OP_IMM_32, 1, 0x602), "ds"),
    ("zext.h",    M_F12, u(OP_32, 4, 0x080),  "ds"),
    ("orc.b",     M_F12, u(OP_IMM, 5, 0x287), "ds"),
    ("rev8",      M_F12, u(OP_IMM, 5, 0x6b8), "ds"),
    ("max",       M_F7,  r(OP, 6, 0x05),      "dst"),
    ("maxu",      M_F7,  r(OP, 7, 0x05),      "dst"),
    ("min",       M_F7,  r(OP, 4, 0x05),      "dst"),
    ("minu",      M_F7,  r(OP, 5, 0x05),      "dst"),
    ("rol",       M_F7,  r(OP, 1, 0x30),      "dst"),
    ("ror",       M_F7,  r(OP, 5, 0x30),      "dst"),
    ("rori",      M_F6,  r(OP_IMM, 5, 0x30),  "ds>"),
    ("rolw",      M_F7,  r(OP_32, 1, 0x30),   "dst"),
    ("rorw",      M_F7,  r(OP_32, 5, 0x30),   "dst"),
    ("roriw",     M_F7,  r(OP_IMM_32, 5, 0x30), "ds<"),
    // Zbs
    ("bclr",      M_F7,  r(OP, 1, 0x24),      "dst"),
    ("bext",      M_F7,  r(OP, 5, 0x24),      "dst"),
    ("binv",      M_F7,  r(OP, 1, 0x34),      "dst"),
    ("bset",      M_F7,  r(OP, 1, 0x14),      "dst"),
    ("bclri",     M_F6,  r(OP_IMM, 1, 0x24),  "ds>"),
    ("bexti",     M_F6,  r(OP_IMM, 5, 0x24),  "ds>"),
    ("binvi",     M_F6,  r(OP_IMM, 1, 0x34),  "ds>"),
    ("bseti",     M_F6,  r(OP_IMM, 1, 0x14),  "ds>"),
    // Zicond
    ("czero.eqz", M_F7,  r(OP, 5, 0x07),      "dst"),
    ("czero.nez", M_F7,  r(OP, 7, 0x07),      "dst"),
];

/// Compressed mnemonics (RV64C). Matched against the 16-bit encoding after
/// `rvc::expand` has rejected reserved ones; operands come from the expansion.
#[rustfmt::skip]
const RVC: &[Entry] = &[
    ("c.addi4spn", 0xe003, 0x0000, "dsi"),
    ("c.fld",      0xe003, 0x2000, "Do"),
    ("c.lw",       0xe003, 0x4000, "do"),
    ("c.ld",       0xe003, 0x6000, "do"),
    ("c.fsd",      0xe003, 0xa000, "Tq"),
    ("c.sw",       0xe003, 0xc000, "tq"),
    ("c.sd",       0xe003, 0xe000, "tq"),
    ("c.nop",      0xffff, 0x0001, ""),
    ("c.addi",     0xe003, 0x0001, "di"),
    ("c.addiw",    0xe003, 0x2001, "di"),
    ("c.li",       0xe003, 0x4001, "di"),
    ("c.addi16sp", 0xef83, 0x6101, "di"),
    ("c.lui",      0xe003, 0x6001, "du"),
    ("c.srli",     0xec03, 0x8001, "d>"),
    ("c.srai",     0xec03, 0x8401, "d>"),
    ("c.andi",     0xec03, 0x8801, "di"),
    ("c.sub",      0xfc63, 0x8c01, "dt"),
    ("c.xor",      0xfc63, 0x8c21, "dt"),
    ("c.or",       0xfc63, 0x8c41, "dt"),
    ("c.and",      0xfc63, 0x8c61, "dt"),
    ("c.subw",     0xfc63, 0x9c01, "dt"),
    ("c.addw",     0xfc63, 0x9c21, "dt"),
    ("c.j",        0xe003, 0xa001, "j"),
    ("c.beqz",     0xe003, 0xc001, "sb"),
    ("c.bnez",     0xe003, 0xe001, "sb"),
    ("c.slli",     0xe003, 0x0002, "d>"),
    ("c.fldsp",    0xe003, 0x2002, "Do"),
    ("c.lwsp",     0xe003, 0x4002, "do"),
    ("c.ldsp",     0xe003, 0x6002, "do"),
    ("c.jr",       0xf07f, 0x8002, "s"),
    ("c.mv",       0xf003, 0x8002, "dt"),
    ("c.ebreak",   0xffff, 0x9002, ""),
    ("c.jalr",     0xf07f, 0x9002, "s"),
    ("c.add",      0xf003, 0x9002, "dt"),
    ("c.fsdsp",    0xe003, 0xa002, "Tq"),
    ("c.swsp",     0xe003, 0xc002, "tq"),
    ("c.sdsp",     0xe003, 0xe002, "tq"),
];

const XREG: [&str; 32] = [
    "zero", "ra", "sp", "gp", "tp", "t0", "t1", "t2", "s0", "s1", "a0", "a1", "a2", "a3", "a4", "a5", "a6", "a7", "s2",
    "s3", "s4", "s5", "s6", "s7", "s8", "s9", "s10", "s11", "t3", "t4", "t5", "t6",
];

const FREG: [&str; 32] = [
    "ft0", "ft1", "ft2", "ft3", "ft4", "ft5", "ft6", "ft7", "fs0", "fs1", "fa0", "fa1", "fa2", "fa3", "fa4", "fa5",
    "fa6", "fa7", "fs2", "fs3", "fs4", "fs5", "fs6", "fs7", "fs8", "fs9", "fs10", "fs11", "ft8", "ft9", "ft10", "ft11",
];

const ROUNDING: [&str; 8] = ["rne", "rtz", "rdn", "rup", "rmm", "rm5", "rm6", "dyn"];

fn render(name: &str, fmt: &str, insn: u32) -> String {
    let field = |hi: u32, lo: u32| (insn >> lo) & ((1u32 << (hi - lo + 1)) - 1);
    let (rd, rs1, rs2) = (field(11, 7), field(19, 15), field(24, 20));
    let i_imm = (insn as i32) >> 20;
    let s_imm = ((insn as i32) >> 25 << 5) | field(11, 7) as i32;
    let b_imm = ((insn as i32) >> 31 << 12) | (field(7, 7) << 11 | field(30, 25) << 5 | field(11, 8) << 1) as i32;
    let j_imm = ((insn as i32) >> 31 << 20) | (field(19, 12) << 12 | field(20, 20) << 11 | field(30, 21) << 1) as i32;

    let mut mnemonic = name.to_string();
    let mut ops: Vec<String> = Vec::new();
    for letter in fmt.chars() {
        let op = match letter {
            'A' => {
                mnemonic += ["", ".rl", ".aq", ".aqrl"][field(26, 25) as usize];
                continue;
            }
            'd' => XREG[rd as usize].to_string(),
            's' => XREG[rs1 as usize].to_string(),
            't' => XREG[rs2 as usize].to_string(),
            'D' => FREG[rd as usize].to_string(),
            'S' => FREG[rs1 as usize].to_string(),
            'T' => FREG[rs2 as usize].to_string(),
            'R' => FREG[field(31, 27) as usize].to_string(),
            'i' => i_imm.to_string(),
            'o' => format!("{}({})", i_imm, XREG[rs1 as usize]),
            'q' => format!("{}({})", s_imm, XREG[rs1 as usize]),
            'a' => format!("({})", XREG[rs1 as usize]),
            'b' => pc_relative(b_imm),
            'j' => pc_relative(j_imm),
            'u' => format!("0x{:x}", insn >> 12),
            '>' => field(25, 20).to_string(),
            '<' => field(24, 20).to_string(),
            'c' => csr_name(field(31, 20)),
            'z' => rs1.to_string(),
            'm' if field(14, 12) == 7 => continue,
            'm' => ROUNDING[field(14, 12) as usize].to_string(),
            'f' => format!("{},{}", fence_set(field(27, 24)), fence_set(field(23, 20))),
            _ => unreachable!("bad operand format letter {letter:?}"),
        };
        ops.push(op);
    }
    if ops.is_empty() {
        return mnemonic;
    }
    let pad = 8usize.saturating_sub(mnemonic.len()).max(1);
    format!("{mnemonic}{}{}", " ".repeat(pad), ops.join(", "))
}

fn pc_relative(offset: i32) -> String {
    let sign = if offset < 0 { '-' } else { '+' };
    format!("pc {sign} {}", offset.unsigned_abs())
}

/// A fence predecessor/successor set such as `iorw` (`0` when empty).
fn fence_set(bits: u32) -> String {
    let set: String = "iorw".chars().enumerate().filter(|&(k, _)| bits & (8 >> k) != 0).map(|(_, ch)| ch).collect();
    if set.is_empty() {
        "0".to_string()
    } else {
        set
    }
}

/// Standard CSRs with a single name.
#[rustfmt::skip]
const CSRS: &[(u32, &str)] = &[
    // Unprivileged
    (0x001, "fflags"), (0x002, "frm"), (0x003, "fcsr"),
    (0x008, "vstart"), (0x009, "vxsat"), (0x00a, "vxrm"), (0x00f, "vcsr"),
    (0x015, "seed"), (0x017, "jvt"),
    (0xc00, "cycle"), (0xc01, "time"), (0xc02, "instret"),
    (0xc20, "vl"), (0xc21, "vtype"), (0xc22, "vlenb"),
    (0xc80, "cycleh"), (0xc81, "timeh"), (0xc82, "instreth"),
    // Supervisor
    (0x100, "sstatus"), (0x104, "sie"), (0x105, "stvec"), (0x106, "scounteren"),
    (0x10a, "senvcfg"), (0x140, "sscratch"), (0x141, "sepc"), (0x142, "scause"),
    (0x143, "stval"), (0x144, "sip"), (0x14d, "stimecmp"), (0x15d, "stimecmph"),
    (0x180, "satp"), (0x5a8, "scontext"), (0xda0, "scountovf"),
    // Hypervisor
    (0x600, "hstatus"), (0x602, "hedeleg"), (0x603, "hideleg"), (0x604, "hie"),
    (0x605, "htimedelta"), (0x606, "hcounteren"), (0x607, "hgeie"), (0x60a, "henvcfg"),
    (0x612, "hedelegh"), (0x615, "htimedeltah"), (0x61a, "henvcfgh"),
    (0x643, "htval"), (0x644, "hip"), (0x645, "hvip"), (0x64a, "htinst"),
    (0x680, "hgatp"), (0x6a8, "hcontext"), (0xe12, "hgeip"),
    (0x200, "vsstatus"), (0x204, "vsie"), (0x205, "vstvec"), (0x240, "vsscratch"),
    (0x241, "vsepc"), (0x242, "vscause"), (0x243, "vstval"), (0x244, "vsip"),
    (0x24d, "vstimecmp"), (0x25d, "vstimecmph"), (0x280, "vsatp"),
    // Machine
    (0xf11, "mvendorid"), (0xf12, "marchid"), (0xf13, "mimpid"), (0xf14, "mhartid"),
    (0xf15, "mconfigptr"),
    (0x300, "mstatus"), (0x301, "misa"), (0x302, "medeleg"), (0x303, "mideleg"),
    (0x304, "mie"), (0x305, "mtvec"), (0x306, "mcounteren"), (0x30a, "menvcfg"),
    (0x310, "mstatush"), (0x312, "medelegh"), (0x31a, "menvcfgh"),
    (0x320, "mcountinhibit"),
    (0x340, "mscratch"), (0x341, "mepc"), (0x342, "mcause"), (0x343, "mtval"),
    (0x344, "mip"), (0x34a, "mtinst"), (0x34b, "mtval2"),
    (0x747, "mseccfg"), (0x757, "mseccfgh"),
    (0xb00, "mcycle"), (0xb02, "minstret"), (0xb80, "mcycleh"), (0xb82, "minstreth"),
    // Debug / trigger
    (0x7a0, "tselect"), (0x7a1, "tdata1"), (0x7a2, "tdata2"), (0x7a3, "tdata3"),
    (0x7a4, "tinfo"), (0x7a5, "tcontrol"), (0x7a8, "mcontext"),
    (0x7aa, "mscontext"),
    (0x7b0, "dcsr"), (0x7b1, "dpc"), (0x7b2, "dscratch0"), (0x7b3, "dscratch1"),
    // Advanced interrupt architecture (Smaia / Ssaia)
    (0x308, "mvien"), (0x309, "mvip"), (0x313, "midelegh"), (0x314, "mieh"),
    (0x318, "mvienh"), (0x319, "mviph"), (0x350, "miselect"), (0x351, "mireg"),
    (0x354, "miph"), (0x35c, "mtopei"), (0xfb0, "mtopi"),
    (0x114, "sieh"), (0x150, "siselect"), (0x151, "sireg"), (0x154, "siph"),
    (0x15c, "stopei"), (0xdb0, "stopi"),
    (0x214, "vsieh"), (0x250, "vsiselect"), (0x251, "vsireg"), (0x254, "vsiph"),
    (0x25c, "vstopei"), (0xeb0, "vstopi"),
    (0x608, "hvien"), (0x609, "hvictl"), (0x613, "hidelegh"), (0x618, "hvienh"),
    (0x646, "hviprio1"), (0x647, "hviprio2"), (0x655, "hviph"), (0x656, "hviprio1h"),
    (0x657, "hviprio2h"),
];

/// Numbered CSR families: (first CSR, first index, count, prefix, suffix).
#[rustfmt::skip]
const CSR_FAMILIES: &[(u32, u32, u32, &str, &str)] = &[
    (0xc03, 3, 29, "hpmcounter", ""),
    (0xc83, 3, 29, "hpmcounter", "h"),
    (0x10c, 0, 4, "sstateen", ""),
    (0x60c, 0, 4, "hstateen", ""),
    (0x61c, 0, 4, "hstateen", "h"),
    (0x30c, 0, 4, "mstateen", ""),
    (0x31c, 0, 4, "mstateen", "h"),
    (0x323, 3, 29, "mhpmevent", ""),
    (0x723, 3, 29, "mhpmevent", "h"),
    (0x3a0, 0, 16, "pmpcfg", ""),
    (0x3b0, 0, 64, "pmpaddr", ""),
    (0xb03, 3, 29, "mhpmcounter", ""),
    (0xb83, 3, 29, "mhpmcounter", "h"),
];

/// The standard name of a CSR, or its number in hex.
pub fn csr_name(csr: u32) -> String {
    if let Some(&(_, name)) = CSRS.iter().find(|&&(n, _)| n == csr) {
        return name.to_string();
    }
    for &(first, index, count, prefix, suffix) in CSR_FAMILIES {
        if (first..first + count).contains(&csr) {
            return format!("{prefix}{}{suffix}", csr - first + index);
        }
    }
    format!("0x{csr:x}")
}

#[cfg(test)]
mod tests {
    use super::disasm;

    /// (encoding, length, text). Generated once with GNU binutils 2.40
    /// (`as -march=rv64gc_zba_zbb_zbs_zihintpause`, `objdump -M no-aliases`),
    /// with objdump's text rewritten into Spike's layout: hex shift amounts as
    /// decimal, branch and jump targets as `pc + N`, `c.addi zero,0` as `c.nop`.
    /// The Zicond rows are hand-encoded (that binutils predates Zicond).
    #[rustfmt::skip]
    const VECTORS: &[(u32, u8, &str)] = &[
        (0x0534ed37, 4, "lui     s10, 0x534e"),
        (0xbca07997, 4, "auipc   s3, 0xbca07"),
        (0xc83ff66f, 4, "jal     a2, pc - 894"),
        (0xfff38de7, 4, "jalr    s11, -1(t2)"),
        (0xb30d84e3, 4, "beq     s11, a6, pc - 1240"),
        (0xdd659b63, 4, "bne     a1, s6, pc - 2602"),
        (0x96ad4de3, 4, "blt     s10, a0, pc - 1670"),
        (0xc246d4e3, 4, "bge     a3, tp, pc - 984"),
        (0x994ae063, 4, "bltu    s5, s4, pc - 3712"),
        (0x9b5efc63, 4, "bgeu    t4, s5, pc - 3656"),
        (0x00050d03, 4, "lb      s10, 0(a0)"),
        (0x000d1583, 4, "lh      a1, 0(s10)"),
        (0xdd0c2303, 4, "lw      t1, -560(s8)"),
        (0x00073703, 4, "ld      a4, 0(a4)"),
        (0x0015c383, 4, "lbu     t2, 1(a1)"),
        (0x80045803, 4, "lhu     a6, -2048(s0)"),
        (0xfff06103, 4, "lwu     sp, -1(zero)"),
        (0xfffaa487, 4, "flw     fs1, -1(s5)"),
        (0xfff03507, 4, "fld     fa0, -1(zero)"),
        (0x9e3e0923, 4, "sb      gp, -1550(t3)"),
        (0x005010a3, 4, "sh      t0, 1(zero)"),
        (0xef73a223, 4, "sw      s7, -284(t2)"),
        (0x01efb023, 4, "sd      t5, 0(t6)"),
        (0x81462027, 4, "fsw     fs4, -2048(a2)"),
        (0x8174b027, 4, "fsd     fs7, -2048(s1)"),
        (0xffff8293, 4, "addi    t0, t6, -1"),
        (0x0016a713, 4, "slti    a4, a3, 1"),
        (0x8004b913, 4, "sltiu   s2, s1, -2048"),
        (0x81a4c013, 4, "xori    zero, s1, -2022"),
        (0xfff5ef93, 4, "ori     t6, a1, -1"),
        (0x7ff27c93, 4, "andi    s9, tp, 2047"),
        (0x0007859b, 4, "addiw   a1, a5, 0"),
        (0x016a9b93, 4, "slli    s7, s5, 22"),
        (0x0165dc93, 4, "srli    s9, a1, 22"),
        (0x435d5793, 4, "srai    a5, s10, 53"),
        (0x6083da13, 4, "rori    s4, t2, 8"),
        (0x09961e9b, 4, "slli.uw t4, a2, 25"),
        (0x4aa71413, 4, "bclri   s0, a4, 42"),
        (0x48745913, 4, "bexti   s2, s0, 7"),
        (0x685d9813, 4, "binvi   a6, s11, 5"),
        (0x28831b93, 4, "bseti   s7, t1, 8"),
        (0x002b949b, 4, "slliw   s1, s7, 2"),
        (0x017e589b, 4, "srliw   a7, t3, 23"),
        (0x41c9dc9b, 4, "sraiw   s9, s3, 28"),
        (0x61f9d81b, 4, "roriw   a6, s3, 31"),
        (0x01018f33, 4, "add     t5, gp, a6"),
        (0x40e08e33, 4, "sub     t3, ra, a4"),
        (0x00041b33, 4, "sll     s6, s0, zero"),
        (0x0070a2b3, 4, "slt     t0, ra, t2"),
        (0x01fcb633, 4, "sltu    a2, s9, t6"),
        (0x0168c5b3, 4, "xor     a1, a7, s6"),
        (0x0149d6b3, 4, "srl     a3, s3, s4"),
        (0x41325c33, 4, "sra     s8, tp, s3"),
        (0x01a16bb3, 4, "or      s7, sp, s10"),
        (0x00557633, 4, "and     a2, a0, t0"),
        (0x00e984bb, 4, "addw    s1, s3, a4"),
        (0x40cd8abb, 4, "subw    s5, s11, a2"),
        (0x0074903b, 4, "sllw    zero, s1, t2"),
        (0x019ad13b, 4, "srlw    sp, s5, s9"),
        (0x40f15a3b, 4, "sraw    s4, sp, a5"),
        (0x029f8333, 4, "mul     t1, t6, s1"),
        (0x036816b3, 4, "mulh    a3, a6, s6"),
        (0x02292533, 4, "mulhsu  a0, s2, sp"),
        (0x02d332b3, 4, "mulhu   t0, t1, a3"),
        (0x02904d33, 4, "div     s10, zero, s1"),
        (0x03d55a33, 4, "divu    s4, a0, t4"),
        (0x021e6d33, 4, "rem     s10, t3, ra"),
        (0x0380fbb3, 4, "remu    s7, ra, s8"),
        (0x03408b3b, 4, "mulw    s6, ra, s4"),
        (0x022e4f3b, 4, "divw    t5, t3, sp"),
        (0x038a5a3b, 4, "divuw   s4, s4, s8"),
        (0x038469bb, 4, "remw    s3, s0, s8"),
        (0x03f3f1bb, 4, "remuw   gp, t2, t6"),
        (0x20b323b3, 4, "sh1add  t2, t1, a1"),
        (0x2131c133, 4, "sh2add  sp, gp, s3"),
        (0x21d366b3, 4, "sh3add  a3, t1, t4"),
        (0x083f0fbb, 4, "add.uw  t6, t5, gp"),
        (0x20e72dbb, 4, "sh1add.uw s11, a4, a4"),
        (0x21854abb, 4, "sh2add.uw s5, a0, s8"),
        (0x20bf67bb, 4, "sh3add.uw a5, t5, a1"),
        (0x40a6f6b3, 4, "andn    a3, a3, a0"),
        (0x40c06eb3, 4, "orn     t4, zero, a2"),
        (0x40724233, 4, "xnor    tp, tp, t2"),
        (0x0af86333, 4, "max     t1, a6, a5"),
        (0x0ae8f6b3, 4, "maxu    a3, a7, a4"),
        (0x0bcbcfb3, 4, "min     t6, s7, t3"),
        (0x0bc7dcb3, 4, "minu    s9, a5, t3"),
        (0x61709333, 4, "rol     t1, ra, s7"),
        (0x61fcd7b3, 4, "ror     a5, s9, t6"),
        (0x61dd12bb, 4, "rolw    t0, s10, t4"),
        (0x60fa53bb, 4, "rorw    t2, s4, a5"),
        (0x49b99e33, 4, "bclr    t3, s3, s11"),
        (0x48d553b3, 4, "bext    t2, a0, a3"),
        (0x68b81c33, 4, "binv    s8, a6, a1"),
        (0x28189033, 4, "bset    zero, a7, ra"),
        (0x600a9f13, 4, "clz     t5, s5"),
        (0x60199613, 4, "ctz     a2, s3"),
        (0x602c9093, 4, "cpop    ra, s9"),
        (0x60069b9b, 4, "clzw    s7, a3"),
        (0x6017181b, 4, "ctzw    a6, a4"),
        (0x6026929b, 4, "cpopw   t0, a3"),
        (0x60401813, 4, "sext.b  a6, zero"),
        (0x60549093, 4, "sext.h  ra, s1"),
        (0x080ac43b, 4, "zext.h  s0, s5"),
        (0x28745693, 4, "orc.b   a3, s0"),
        (0x6b895993, 4, "rev8    s3, s2"),
        (0x341d90f3, 4, "csrrw   ra, mepc, s11"),
        (0x5c3cacf3, 4, "csrrs   s9, 0x5c3, s9"),
        (0xc838be73, 4, "csrrc   t3, hpmcounter3h, a7"),
        (0x30525973, 4, "csrrwi  s2, mtvec, 4"),
        (0x3a2f6f73, 4, "csrrsi  t5, pmpcfg2, 30"),
        (0x8001f573, 4, "csrrci  a0, 0x800, 3"),
        (0x1008a3af, 4, "lr.w    t2, (a7)"),
        (0x1b9f2d2f, 4, "sc.w.rl s10, s9, (t5)"),
        (0x087dac2f, 4, "amoswap.w s8, t2, (s11)"),
        (0x05d4a02f, 4, "amoadd.w.aq zero, t4, (s1)"),
        (0x20a8ab2f, 4, "amoxor.w s6, a0, (a7)"),
        (0x64a9ac2f, 4, "amoand.w.aq s8, a0, (s3)"),
        (0x43b12a2f, 4, "amoor.w.rl s4, s11, (sp)"),
        (0x83d0a7af, 4, "amomin.w.rl a5, t4, (ra)"),
        (0xa3f42caf, 4, "amomax.w.rl s9, t6, (s0)"),
        (0xc28fa9af, 4, "amominu.w.rl s3, s0, (t6)"),
        (0xe7dba02f, 4, "amomaxu.w.aqrl zero, t4, (s7)"),
        (0x140f3d2f, 4, "lr.d.aq s10, (t5)"),
        (0x1df93aaf, 4, "sc.d.aq s5, t6, (s2)"),
        (0x0d433d2f, 4, "amoswap.d.aq s10, s4, (t1)"),
        (0x0423b5af, 4, "amoadd.d.aq a1, sp, (t2)"),
        (0x2772342f, 4, "amoxor.d.aqrl s0, s7, (tp)"),
        (0x640336af, 4, "amoand.d.aq a3, zero, (t1)"),
        (0x42f8b82f, 4, "amoor.d.rl a6, a5, (a7)"),
        (0x834cbb2f, 4, "amomin.d.rl s6, s4, (s9)"),
        (0xa1ce33af, 4, "amomax.d t2, t3, (t3)"),
        (0xc30337af, 4, "amominu.d.rl a5, a6, (t1)"),
        (0xe434392f, 4, "amomaxu.d.aq s2, gp, (s0)"),
        (0x691674c3, 4, "fmadd.s fs1, fa2, fa7, fa3"),
        (0x283b4847, 4, "fmsub.s fa6, fs6, ft3, ft5, rmm"),
        (0x402774cb, 4, "fnmsub.s fs1, fa4, ft2, fs0"),
        (0xd984b14f, 4, "fnmadd.s ft2, fs1, fs8, fs11, rup"),
        (0x00b08d53, 4, "fadd.s  fs10, ft1, fa1, rne"),
        (0x086f94d3, 4, "fsub.s  fs1, ft11, ft6, rtz"),
        (0x1014f253, 4, "fmul.s  ft4, fs1, ft1"),
        (0x19741b53, 4, "fdiv.s  fs6, fs0, fs7, rtz"),
        (0x580906d3, 4, "fsqrt.s fa3, fs2, rne"),
        (0x204c8ad3, 4, "fsgnj.s fs5, fs9, ft4"),
        (0x21051ad3, 4, "fsgnjn.s fs5, fa0, fa6"),
        (0x20852f53, 4, "fsgnjx.s ft10, fa0, fs0"),
        (0x29c08c53, 4, "fmin.s  fs8, ft1, ft8"),
        (0x288814d3, 4, "fmax.s  fs1, fa6, fs0"),
        (0xa10824d3, 4, "feq.s   s1, fa6, fa6"),
        (0xa1701953, 4, "flt.s   s2, ft0, fs7"),
        (0xa1860cd3, 4, "fle.s   s9, fa2, fs8"),
        (0xe0031353, 4, "fclass.s t1, ft6"),
        (0xc00ef553, 4, "fcvt.w.s a0, ft9"),
        (0xd00245d3, 4, "fcvt.s.w fa1, tp, rmm"),
        (0xc0132353, 4, "fcvt.wu.s t1, ft6, rdn"),
        (0xd01124d3, 4, "fcvt.s.wu fs1, sp, rdn"),
        (0xc02c93d3, 4, "fcvt.l.s t2, fs9, rtz"),
        (0xd0243953, 4, "fcvt.s.l fs2, s0, rup"),
        (0xc035c753, 4, "fcvt.lu.s a4, fa1, rmm"),
        (0xd03d8353, 4, "fcvt.s.lu ft6, s11, rne"),
        (0xa277c8c3, 4, "fmadd.d fa7, fa5, ft7, fs4, rmm"),
        (0xbad82cc7, 4, "fmsub.d fs9, fa6, fa3, fs7, rdn"),
        (0xdb2029cb, 4, "fnmsub.d fs3, ft0, fs2, fs11, rdn"),
        (0xf26fad4f, 4, "fnmadd.d fs10, ft11, ft6, ft10, rdn"),
        (0x03610753, 4, "fadd.d  fa4, ft2, fs6, rne"),
        (0x0a477653, 4, "fsub.d  fa2, fa4, ft4"),
        (0x128586d3, 4, "fmul.d  fa3, fa1, fs0, rne"),
        (0x1a837053, 4, "fdiv.d  ft0, ft6, fs0"),
        (0x5a0871d3, 4, "fsqrt.d ft3, fa6"),
        (0x23e009d3, 4, "fsgnj.d fs3, ft0, ft10"),
        (0x225a9753, 4, "fsgnjn.d fa4, fs5, ft5"),
        (0x23a020d3, 4, "fsgnjx.d ft1, ft0, fs10"),
        (0x2bc98353, 4, "fmin.d  ft6, fs3, ft8"),
        (0x2b821253, 4, "fmax.d  ft4, ft4, fs8"),
        (0xa34e24d3, 4, "feq.d   s1, ft8, fs4"),
        (0xa3849f53, 4, "flt.d   t5, fs1, fs8"),
        (0xa29d07d3, 4, "fle.d   a5, fs10, fs1"),
        (0xe20b1dd3, 4, "fclass.d s11, fs6"),
        (0xc20c7753, 4, "fcvt.w.d a4, fs8"),
        (0xd20b0ed3, 4, "fcvt.d.w ft9, s6"),
        (0xc21f73d3, 4, "fcvt.wu.d t2, ft10"),
        (0xd2138bd3, 4, "fcvt.d.wu fs7, t2"),
        (0xc22238d3, 4, "fcvt.l.d a7, ft4, rup"),
        (0xd220f653, 4, "fcvt.d.l fa2, ra"),
        (0xc23a3cd3, 4, "fcvt.lu.d s9, fs4, rup"),
        (0xd2358fd3, 4, "fcvt.d.lu ft11, a1, rne"),
        (0xe00d88d3, 4, "fmv.x.w a7, fs11"),
        (0xf00480d3, 4, "fmv.w.x ft1, s1"),
        (0xe20503d3, 4, "fmv.x.d t2, fa0"),
        (0xf2070c53, 4, "fmv.d.x fs8, a4"),
        (0x40164353, 4, "fcvt.s.d ft6, fa2, rmm"),
        (0x42000d53, 4, "fcvt.d.s fs10, ft0"),
        (0x13c60073, 4, "sfence.vma a2, t3"),
        (0x0458, 2, "c.addi4spn a4, sp, 516"),
        (0x5334, 2, "c.lw    a3, 96(a4)"),
        (0x6870, 2, "c.ld    a2, 208(s0)"),
        (0xce88, 2, "c.sw    a0, 24(a3)"),
        (0xe21c, 2, "c.sd    a5, 0(a2)"),
        (0x34e0, 2, "c.fld   fs0, 232(s1)"),
        (0xad7c, 2, "c.fsd   fa5, 216(a0)"),
        (0x0e85, 2, "c.addi  t4, 1"),
        (0x334d, 2, "c.addiw t1, -13"),
        (0x47e1, 2, "c.li    a5, 24"),
        (0x6141, 2, "c.addi16sp sp, 16"),
        (0x7e81, 2, "c.lui   t4, 0xfffe0"),
        (0x92d9, 2, "c.srli  a3, 54"),
        (0x86ed, 2, "c.srai  a3, 27"),
        (0x8b85, 2, "c.andi  a5, 1"),
        (0x8e99, 2, "c.sub   a3, a4"),
        (0x8ca9, 2, "c.xor   s1, a0"),
        (0x8ddd, 2, "c.or    a1, a5"),
        (0x8fe5, 2, "c.and   a5, s1"),
        (0x9e91, 2, "c.subw  a3, a2"),
        (0x9ebd, 2, "c.addw  a3, a5"),
        (0xae19, 2, "c.j     pc + 790"),
        (0xc625, 2, "c.beqz  a2, pc + 104"),
        (0xed29, 2, "c.bnez  a0, pc + 90"),
        (0x019e, 2, "c.slli  gp, 7"),
        (0x3efa, 2, "c.fldsp ft9, 440(sp)"),
        (0x579e, 2, "c.lwsp  a5, 228(sp)"),
        (0x6c4e, 2, "c.ldsp  s8, 208(sp)"),
        (0x8702, 2, "c.jr    a4"),
        (0x9402, 2, "c.jalr  s0"),
        (0x8b66, 2, "c.mv    s6, s9"),
        (0x946e, 2, "c.add   s0, s11"),
        (0xabda, 2, "c.fsdsp fs6, 464(sp)"),
        (0xcfd2, 2, "c.swsp  s4, 220(sp)"),
        (0xf0ea, 2, "c.sdsp  s10, 96(sp)"),
        (0x0ff0000f, 4, "fence   iorw,iorw"),
        (0x0310000f, 4, "fence   rw,w"),
        (0x0840000f, 4, "fence   i,o"),
        (0x0000100f, 4, "fence.i"),
        (0x8330000f, 4, "fence.tso"),
        (0x0100000f, 4, "pause"),
        (0x00000073, 4, "ecall"),
        (0x00100073, 4, "ebreak"),
        (0x30200073, 4, "mret"),
        (0x10200073, 4, "sret"),
        (0x10500073, 4, "wfi"),
        (0x0001, 2, "c.nop"),
        (0x9002, 2, "c.ebreak"),
        (0x0ec5d533, 4, "czero.eqz a0, a1, a2"),
        (0x0ec5f533, 4, "czero.nez a0, a1, a2"),
        (0x0e7f7e33, 4, "czero.nez t3, t5, t2"),
    ];

    #[test]
    fn matches_binutils_vectors() {
        for &(raw, len, want) in VECTORS {
            assert_eq!(disasm(raw, len), want, "raw = {raw:#010x}");
        }
    }

    #[test]
    fn spike_layout() {
        assert_eq!(disasm(0x00150513, 4), "addi    a0, a0, 1");
        assert_eq!(disasm(0x00813503, 4), "ld      a0, 8(sp)");
        assert_eq!(disasm(0x00b50663, 4), "beq     a0, a1, pc + 12");
        assert_eq!(disasm(0xfeb51ee3, 4), "bne     a0, a1, pc - 4");
        assert_eq!(disasm(0x00012537, 4), "lui     a0, 0x12");
        assert_eq!(disasm(0x30051073, 4), "csrrw   zero, mstatus, a0");
        assert_eq!(disasm(0x7c051073, 4), "csrrw   zero, 0x7c0, a0");
        assert_eq!(disasm(0x0505, 2), "c.addi  a0, 1");
        assert_eq!(disasm(0x00000073, 4), "ecall");
        assert_eq!(disasm(0x10500073, 4), "wfi");
        assert_eq!(disasm(0x0ff0000f, 4), "fence   iorw,iorw");
        assert_eq!(disasm(0x0000000f, 4), "fence   0,0");
        assert_eq!(disasm(0x12000073, 4), "sfence.vma zero, zero");
        // Rounding mode: omitted when dynamic, named otherwise.
        assert_eq!(disasm(0x00b57553, 4), "fadd.s  fa0, fa0, fa1");
        assert_eq!(disasm(0x00b51553, 4), "fadd.s  fa0, fa0, fa1, rtz");
        // Only the low 16 bits count for a compressed instruction.
        assert_eq!(disasm(0xdead_0505, 2), "c.addi  a0, 1");
    }

    #[test]
    fn unknown_encodings() {
        for (raw, len) in [
            (0x0000_0000, 4), // low bits 00 is not a 32-bit instruction
            (0x0000_0505, 4),
            (0xffff_ffff, 4),              // no such 32-bit instruction
            (0x0000_0053 | 0x7f << 25, 4), // OP-FP funct7 0x7f
            (0x0000_0000, 2),              // c.unimp
            (0x0000_6101, 2),              // c.addi16sp sp, 0 (reserved)
            (0x0000_8002, 2),              // c.jr zero (reserved)
            (0x0000_0003, 2),              // not compressed
            (0x0015_0513, 3),              // bad length
            (0x0015_0513, 0),
        ] {
            assert_eq!(disasm(raw, len), "unknown", "raw = {raw:#x}, len = {len}");
        }
    }

    #[test]
    fn never_panics() {
        for c in 0..=u32::from(u16::MAX) {
            assert!(!disasm(c, 2).is_empty());
            assert!(!disasm(c, 4).is_empty());
        }
        // xorshift32: a few million pseudo-random words.
        let mut x: u32 = 0x1234_5678;
        for _ in 0..3_000_000 {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            assert!(!disasm(x, 4).is_empty());
            assert!(!disasm(x | 3, 4).is_empty());
        }
    }
}
