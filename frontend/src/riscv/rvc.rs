//! RVC ("C" extension) expander: maps a 16-bit compressed instruction to the
//! equivalent 32-bit base encoding.
//!
//! Reserved and illegal encodings yield `None`. Encodings the specification
//! labels as HINTs (for example `c.addi x0, 5`, `c.li x0, 1`, `c.slli` with a
//! zero shift amount, `c.mv x0, a0`) expand to their harmless base
//! equivalents, which write `x0` or do nothing.

// Major opcodes of the 32-bit base encodings produced here.
const LOAD: u32 = 0x03;
const LOAD_FP: u32 = 0x07;
const OP_IMM: u32 = 0x13;
const OP_IMM_32: u32 = 0x1b;
const STORE: u32 = 0x23;
const STORE_FP: u32 = 0x27;
const OP: u32 = 0x33;
const LUI: u32 = 0x37;
const OP_32: u32 = 0x3b;
const BRANCH: u32 = 0x63;
const JALR: u32 = 0x67;
const JAL: u32 = 0x6f;
const SYSTEM: u32 = 0x73;

const RA: u32 = 1;
const SP: u32 = 2;

/// Expands the compressed instruction `c` for a hart with the given `xlen`
/// (32 or 64) into its 32-bit equivalent, or `None` if `c` is reserved,
/// illegal, or not a compressed encoding at all (low two bits `11`).
pub fn expand(c: u16, xlen: u32) -> Option<u32> {
    let c = u32::from(c);
    let rv64 = xlen == 64;
    // Full-width register fields (rd/rs1 in c[11:7], rs2 in c[6:2]) and the
    // 3-bit "prime" fields naming x8..x15: rd'/rs2' in c[4:2], rs1'/rd' in c[9:7].
    let rd = field(c, 11, 7);
    let rs2 = field(c, 6, 2);
    let rd_p = field(c, 4, 2) + 8;
    let rs1_p = field(c, 9, 7) + 8;

    // The 6-bit immediate of the CI/CB formats: imm[5] = c[12], imm[4:0] = c[6:2].
    let shamt = scatter(c, 12, &[5]) | field(c, 6, 2);
    let imm6 = sext(shamt, 6);

    let insn = match (c & 3, field(c, 15, 13)) {
        // ---- Quadrant 0 ----
        (0, 0b000) => {
            // c.addi4spn: nzuimm[5:4|9:6|2|3] in c[12:5]; zero (incl. all-zero) is illegal.
            let imm = scatter(c, 12, &[5, 4, 9, 8, 7, 6, 2, 3]);
            if imm == 0 {
                return None;
            }
            i_type(OP_IMM, rd_p, 0, SP, imm)
        }
        (0, 0b001) => i_type(LOAD_FP, rd_p, 3, rs1_p, cl_d_off(c)), // c.fld
        (0, 0b010) => i_type(LOAD, rd_p, 2, rs1_p, cl_w_off(c)),    // c.lw
        (0, 0b011) if rv64 => i_type(LOAD, rd_p, 3, rs1_p, cl_d_off(c)), // c.ld
        (0, 0b011) => i_type(LOAD_FP, rd_p, 2, rs1_p, cl_w_off(c)), // c.flw
        (0, 0b101) => s_type(STORE_FP, 3, rs1_p, rd_p, cl_d_off(c)), // c.fsd
        (0, 0b110) => s_type(STORE, 2, rs1_p, rd_p, cl_w_off(c)),   // c.sw
        (0, 0b111) if rv64 => s_type(STORE, 3, rs1_p, rd_p, cl_d_off(c)), // c.sd
        (0, 0b111) => s_type(STORE_FP, 2, rs1_p, rd_p, cl_w_off(c)), // c.fsw

        // ---- Quadrant 1 ----
        (1, 0b000) => i_type(OP_IMM, rd, 0, rd, imm6), // c.addi / c.nop (HINTs included)
        (1, 0b001) if rv64 => {
            // c.addiw; rd = 0 is reserved.
            if rd == 0 {
                return None;
            }
            i_type(OP_IMM_32, rd, 0, rd, imm6)
        }
        (1, 0b001) => j_type(RA, cj_off(c)),          // c.jal (RV32 only)
        (1, 0b010) => i_type(OP_IMM, rd, 0, 0, imm6), // c.li
        (1, 0b011) if rd == SP => {
            // c.addi16sp: nzimm[9] = c[12], nzimm[4|6|8:7|5] = c[6:2]; zero is reserved.
            let imm = scatter(c, 12, &[9]) | scatter(c, 6, &[4, 6, 8, 7, 5]);
            if imm == 0 {
                return None;
            }
            i_type(OP_IMM, SP, 0, SP, sext(imm, 10))
        }
        (1, 0b011) => {
            // c.lui: nzimm[17:12]; a zero immediate is reserved.
            if imm6 == 0 {
                return None;
            }
            LUI | rd << 7 | (imm6 & 0xfffff) << 12
        }
        (1, 0b100) => misc_alu(c, rs1_p, rd_p, imm6, shamt, rv64)?,
        (1, 0b101) => j_type(0, cj_off(c)),           // c.j
        (1, 0b110) => b_type(0, rs1_p, 0, cb_off(c)), // c.beqz
        (1, 0b111) => b_type(1, rs1_p, 0, cb_off(c)), // c.bnez

        // ---- Quadrant 2 ----
        (2, 0b000) => {
            // c.slli (rd = 0 or shamt = 0 are HINTs); shamt[5] = 1 is reserved on RV32.
            if !rv64 && shamt >= 32 {
                return None;
            }
            i_type(OP_IMM, rd, 1, rd, shamt)
        }
        (2, 0b001) => i_type(LOAD_FP, rd, 3, SP, ci_d_off(c)), // c.fldsp
        (2, 0b010) => {
            // c.lwsp; rd = 0 is reserved.
            if rd == 0 {
                return None;
            }
            i_type(LOAD, rd, 2, SP, ci_w_off(c))
        }
        (2, 0b011) if rv64 => {
            // c.ldsp; rd = 0 is reserved.
            if rd == 0 {
                return None;
            }
            i_type(LOAD, rd, 3, SP, ci_d_off(c))
        }
        (2, 0b011) => i_type(LOAD_FP, rd, 2, SP, ci_w_off(c)), // c.flwsp
        (2, 0b100) => match (field(c, 12, 12), rd, rs2) {
            (0, 0, 0) => return None,                  // c.jr with rs1 = 0 is reserved
            (0, _, 0) => i_type(JALR, 0, 0, rd, 0),    // c.jr
            (0, _, _) => r_type(OP, rd, 0, 0, rs2, 0), // c.mv (rd = 0 is a HINT)
            (_, 0, 0) => SYSTEM | 1 << 20,             // c.ebreak
            (_, _, 0) => i_type(JALR, RA, 0, rd, 0),   // c.jalr
            _ => r_type(OP, rd, 0, rd, rs2, 0),        // c.add (rd = 0 is a HINT)
        },
        (2, 0b101) => s_type(STORE_FP, 3, SP, rs2, css_d_off(c)), // c.fsdsp
        (2, 0b110) => s_type(STORE, 2, SP, rs2, css_w_off(c)),    // c.swsp
        (2, 0b111) if rv64 => s_type(STORE, 3, SP, rs2, css_d_off(c)), // c.sdsp
        (2, 0b111) => s_type(STORE_FP, 2, SP, rs2, css_w_off(c)), // c.fswsp

        // Quadrant 0 funct3 = 100 is reserved; quadrant 3 is not compressed.
        _ => return None,
    };
    Some(insn)
}

/// Quadrant 1, funct3 = 100: shifts, `c.andi` and the register-register ALU ops.
fn misc_alu(c: u32, rd: u32, rs2: u32, imm6: u32, shamt: u32, rv64: bool) -> Option<u32> {
    Some(match (field(c, 11, 10), field(c, 12, 12), field(c, 6, 5)) {
        (0b00, ..) if !rv64 && shamt >= 32 => return None,
        (0b00, ..) => i_type(OP_IMM, rd, 5, rd, shamt), // c.srli (shamt = 0 is a HINT)
        (0b01, ..) if !rv64 && shamt >= 32 => return None,
        (0b01, ..) => i_type(OP_IMM, rd, 5, rd, shamt | 0x400), // c.srai
        (0b10, ..) => i_type(OP_IMM, rd, 7, rd, imm6),          // c.andi
        (_, 0, 0b00) => r_type(OP, rd, 0, rd, rs2, 0x20),       // c.sub
        (_, 0, 0b01) => r_type(OP, rd, 4, rd, rs2, 0),          // c.xor
        (_, 0, 0b10) => r_type(OP, rd, 6, rd, rs2, 0),          // c.or
        (_, 0, _) => r_type(OP, rd, 7, rd, rs2, 0),             // c.and
        (_, _, 0b00) if rv64 => r_type(OP_32, rd, 0, rd, rs2, 0x20), // c.subw
        (_, _, 0b01) if rv64 => r_type(OP_32, rd, 0, rd, rs2, 0), // c.addw
        _ => return None,                                       // reserved
    })
}

// Offsets of the loads/stores/jumps. Each list gives, for the source bits
// starting at the named bit and going down, the offset bit they hold,
// exactly as the specification's `offset[...]` diagrams read.

/// CL/CS word offset: offset[5:3] = c[12:10], offset[2|6] = c[6:5].
fn cl_w_off(c: u32) -> u32 {
    scatter(c, 12, &[5, 4, 3]) | scatter(c, 6, &[2, 6])
}
/// CL/CS doubleword offset: offset[5:3] = c[12:10], offset[7:6] = c[6:5].
fn cl_d_off(c: u32) -> u32 {
    scatter(c, 12, &[5, 4, 3]) | scatter(c, 6, &[7, 6])
}
/// CI word offset (c.lwsp): offset[5] = c[12], offset[4:2|7:6] = c[6:2].
fn ci_w_off(c: u32) -> u32 {
    scatter(c, 12, &[5]) | scatter(c, 6, &[4, 3, 2, 7, 6])
}
/// CI doubleword offset (c.ldsp): offset[5] = c[12], offset[4:3|8:6] = c[6:2].
fn ci_d_off(c: u32) -> u32 {
    scatter(c, 12, &[5]) | scatter(c, 6, &[4, 3, 8, 7, 6])
}
/// CSS word offset (c.swsp): offset[5:2|7:6] = c[12:7].
fn css_w_off(c: u32) -> u32 {
    scatter(c, 12, &[5, 4, 3, 2, 7, 6])
}
/// CSS doubleword offset (c.sdsp): offset[5:3|8:6] = c[12:7].
fn css_d_off(c: u32) -> u32 {
    scatter(c, 12, &[5, 4, 3, 8, 7, 6])
}
/// CJ jump offset: offset[11|4|9:8|10|6|7|3:1|5] = c[12:2], sign-extended.
fn cj_off(c: u32) -> u32 {
    sext(scatter(c, 12, &[11, 4, 9, 8, 10, 6, 7, 3, 2, 1, 5]), 12)
}
/// CB branch offset: offset[8|4:3] = c[12:10], offset[7:6|2:1|5] = c[6:2], sign-extended.
fn cb_off(c: u32) -> u32 {
    sext(scatter(c, 12, &[8, 4, 3]) | scatter(c, 6, &[7, 6, 2, 1, 5]), 9)
}

/// Bits `hi..=lo` of `x`, right-aligned.
fn field(x: u32, hi: u32, lo: u32) -> u32 {
    (x >> lo) & ((1 << (hi - lo + 1)) - 1)
}

/// Moves bit `top - k` of `c` to bit `dest[k]` of the result.
fn scatter(c: u32, top: u32, dest: &[u32]) -> u32 {
    dest.iter().zip((0..=top).rev()).fold(0, |acc, (&d, s)| acc | ((c >> s) & 1) << d)
}

/// Sign-extends the low `bits` bits of `x` to 32 bits.
fn sext(x: u32, bits: u32) -> u32 {
    let shift = 32 - bits;
    (((x << shift) as i32) >> shift) as u32
}

fn r_type(opcode: u32, rd: u32, funct3: u32, rs1: u32, rs2: u32, funct7: u32) -> u32 {
    opcode | rd << 7 | funct3 << 12 | rs1 << 15 | rs2 << 20 | funct7 << 25
}

fn i_type(opcode: u32, rd: u32, funct3: u32, rs1: u32, imm: u32) -> u32 {
    opcode | rd << 7 | funct3 << 12 | rs1 << 15 | (imm & 0xfff) << 20
}

fn s_type(opcode: u32, funct3: u32, rs1: u32, rs2: u32, imm: u32) -> u32 {
    opcode | (imm & 0x1f) << 7 | funct3 << 12 | rs1 << 15 | rs2 << 20 | field(imm, 11, 5) << 25
}

fn b_type(funct3: u32, rs1: u32, rs2: u32, imm: u32) -> u32 {
    BRANCH
        | field(imm, 11, 11) << 7
        | field(imm, 4, 1) << 8
        | funct3 << 12
        | rs1 << 15
        | rs2 << 20
        | field(imm, 10, 5) << 25
        | field(imm, 12, 12) << 31
}

fn j_type(rd: u32, imm: u32) -> u32 {
    JAL | rd << 7
        | field(imm, 19, 12) << 12
        | field(imm, 11, 11) << 20
        | field(imm, 10, 1) << 21
        | field(imm, 20, 20) << 31
}

#[cfg(test)]
mod tests {
    use super::expand;

    /// (compressed, expansion) pairs for RV64, cross-checked against GNU
    /// binutils 2.40 (`objdump -M no-aliases` of the 16-bit form and of the
    /// 32-bit expansion). The comment is objdump's text; jump and branch
    /// targets there are offsets from the instruction.
    #[rustfmt::skip]
    const RV64: &[(u16, u32)] = &[
        (0x9212, 0x00420233), // c.add tp,tp
        (0x97de, 0x017787b3), // c.add a5,s7
        (0x9a22, 0x008a0a33), // c.add s4,s0
        (0x9a6a, 0x01aa0a33), // c.add s4,s10
        (0x0115, 0x00510113), // c.addi sp,5
        (0x0d05, 0x001d0d13), // c.addi s10,1
        (0x1131, 0xfec10113), // c.addi sp,-20
        (0x19d9, 0xff698993), // c.addi s3,-10
        (0x7125, 0xe6010113), // c.addi16sp sp,-416
        (0x7139, 0xfc010113), // c.addi16sp sp,-64
        (0x7151, 0xf1010113), // c.addi16sp sp,-240
        (0x716d, 0xef010113), // c.addi16sp sp,-272
        (0x0690, 0x34010613), // c.addi4spn a2,sp,832
        (0x1678, 0x32c10713), // c.addi4spn a4,sp,812
        (0x1894, 0x07010693), // c.addi4spn a3,sp,112
        (0x19d0, 0x0f410613), // c.addi4spn a2,sp,244
        (0x2535, 0x00d5051b), // c.addiw a0,13
        (0x35e5, 0xff95859b), // c.addiw a1,-7
        (0x39e5, 0xff99899b), // c.addiw s3,-7
        (0x3b39, 0xfeeb0b1b), // c.addiw s6,-18
        (0x9ca9, 0x00a484bb), // c.addw s1,a0
        (0x9da5, 0x009585bb), // c.addw a1,s1
        (0x9f35, 0x00d7073b), // c.addw a4,a3
        (0x9fa1, 0x008787bb), // c.addw a5,s0
        (0x8c61, 0x00847433), // c.and s0,s0
        (0x8c6d, 0x00b47433), // c.and s0,a1
        (0x8ce9, 0x00a4f4b3), // c.and s1,a0
        (0x8f6d, 0x00b77733), // c.and a4,a1
        (0x88b9, 0x00e4f493), // c.andi s1,14
        (0x8905, 0x00157513), // c.andi a0,1
        (0x89ad, 0x00b5f593), // c.andi a1,11
        (0x8ac9, 0x0126f693), // c.andi a3,18
        (0xc5ad, 0x06058563), // c.beqz a1,106
        (0xcc95, 0x02048e63), // c.beqz s1,60
        (0xce09, 0x00060d63), // c.beqz a2,26
        (0xd0e5, 0xfe0480e3), // c.beqz s1,-32
        (0xe1e5, 0x0e059063), // c.bnez a1,224
        (0xedad, 0x06059d63), // c.bnez a1,122
        (0xf969, 0xfc0519e3), // c.bnez a0,-46
        (0xfd55, 0xfa051ee3), // c.bnez a0,-68
        (0x9002, 0x00100073), // c.ebreak
        (0x28c8, 0x0904b507), // c.fld fa0,144(s1)
        (0x33a4, 0x0607b487), // c.fld fs1,96(a5)
        (0x36f4, 0x0e86b687), // c.fld fa3,232(a3)
        (0x3b50, 0x0b073607), // c.fld fa2,176(a4)
        (0x2336, 0x14813307), // c.fldsp ft6,328(sp)
        (0x2b76, 0x15813b07), // c.fldsp fs6,344(sp)
        (0x374e, 0x0f013707), // c.fldsp fa4,240(sp)
        (0x3f26, 0x06813f07), // c.fldsp ft10,104(sp)
        (0xa018, 0x00e43027), // c.fsd fa4,0(s0)
        (0xaa4c, 0x08b63827), // c.fsd fa1,144(a2)
        (0xaec8, 0x08a6bc27), // c.fsd fa0,152(a3)
        (0xbdc8, 0x0aa5bc27), // c.fsd fa0,184(a1)
        (0xa396, 0x1c513027), // c.fsdsp ft5,448(sp)
        (0xadaa, 0x0ca13c27), // c.fsdsp fa0,216(sp)
        (0xae0e, 0x10313c27), // c.fsdsp ft3,280(sp)
        (0xb1f6, 0x0fd13027), // c.fsdsp ft9,224(sp)
        (0xa1e1, 0x4c80006f), // c.j 1224
        (0xade5, 0x6f80006f), // c.j 1784
        (0xafb1, 0x75c0006f), // c.j 1884
        (0xb365, 0xda9ff06f), // c.j -600
        (0x9202, 0x000200e7), // c.jalr tp
        (0x9302, 0x000300e7), // c.jalr t1
        (0x9e02, 0x000e00e7), // c.jalr t3
        (0x9e82, 0x000e80e7), // c.jalr t4
        (0x8402, 0x00040067), // c.jr s0
        (0x8502, 0x00050067), // c.jr a0
        (0x8a82, 0x000a8067), // c.jr s5
        (0x8e02, 0x000e0067), // c.jr t3
        (0x6980, 0x0105b403), // c.ld s0,16(a1)
        (0x6f2c, 0x05873583), // c.ld a1,88(a4)
        (0x6f8c, 0x0187b583), // c.ld a1,24(a5)
        (0x7080, 0x0204b403), // c.ld s0,32(s1)
        (0x6a1e, 0x1c013a03), // c.ldsp s4,448(sp)
        (0x6e12, 0x10013e03), // c.ldsp t3,256(sp)
        (0x6ebe, 0x1c813e83), // c.ldsp t4,456(sp)
        (0x7e7a, 0x1b813e03), // c.ldsp t3,440(sp)
        (0x49f1, 0x01c00993), // c.li s3,28
        (0x4ae9, 0x01a00a93), // c.li s5,26
        (0x5185, 0xfe100193), // c.li gp,-31
        (0x57d9, 0xff600793), // c.li a5,-10
        (0x61f9, 0x0001e1b7), // c.lui gp,0x1e
        (0x666d, 0x0001b637), // c.lui a2,0x1b
        (0x6a59, 0x00016a37), // c.lui s4,0x16
        (0x7bf1, 0xffffcbb7), // c.lui s7,0xffffc
        (0x4364, 0x04472483), // c.lw s1,68(a4)
        (0x4718, 0x00872703), // c.lw a4,8(a4)
        (0x47ac, 0x0487a583), // c.lw a1,72(a5)
        (0x4820, 0x05042403), // c.lw s0,80(s0)
        (0x424e, 0x0d012203), // c.lwsp tp,208(sp)
        (0x5152, 0x03412103), // c.lwsp sp,52(sp)
        (0x5bc6, 0x07012b83), // c.lwsp s7,112(sp)
        (0x5e6a, 0x0b812e03), // c.lwsp t3,184(sp)
        (0x82ce, 0x013002b3), // c.mv t0,s3
        (0x8586, 0x001005b3), // c.mv a1,ra
        (0x8e92, 0x00400eb3), // c.mv t4,tp
        (0x8fe2, 0x01800fb3), // c.mv t6,s8
        (0x8c55, 0x00d46433), // c.or s0,a3
        (0x8e41, 0x00866633), // c.or a2,s0
        (0x8f59, 0x00e76733), // c.or a4,a4
        (0x8fd1, 0x00c7e7b3), // c.or a5,a2
        (0xe264, 0x0c963023), // c.sd s1,192(a2)
        (0xe36c, 0x0cb73023), // c.sd a1,192(a4)
        (0xf454, 0x0ad43423), // c.sd a3,168(s0)
        (0xff84, 0x0297bc23), // c.sd s1,56(a5)
        (0xe6fe, 0x15f13423), // c.sdsp t6,328(sp)
        (0xe91e, 0x08713823), // c.sdsp t2,144(sp)
        (0xf406, 0x02113423), // c.sdsp ra,40(sp)
        (0xf502, 0x0a013423), // c.sdsp zero,168(sp)
        (0x043e, 0x00f41413), // c.slli s0,0xf
        (0x0a2a, 0x00aa1a13), // c.slli s4,0xa
        (0x10aa, 0x02a09093), // c.slli ra,0x2a
        (0x1472, 0x03c41413), // c.slli s0,0x3c
        (0x0402, 0x00041413), // c.slli64 s0
        (0x0b82, 0x000b9b93), // c.slli64 s7
        (0x0c02, 0x000c1c13), // c.slli64 s8
        (0x0c82, 0x000c9c93), // c.slli64 s9
        (0x8415, 0x40545413), // c.srai s0,0x5
        (0x86b1, 0x40c6d693), // c.srai a3,0xc
        (0x8771, 0x41c75713), // c.srai a4,0x1c
        (0x958d, 0x4235d593), // c.srai a1,0x23
        (0x8401, 0x40045413), // c.srai64 s0
        (0x8501, 0x40055513), // c.srai64 a0
        (0x8601, 0x40065613), // c.srai64 a2
        (0x8681, 0x4006d693), // c.srai64 a3
        (0x8169, 0x01a55513), // c.srli a0,0x1a
        (0x8329, 0x00a75713), // c.srli a4,0xa
        (0x9245, 0x03165613), // c.srli a2,0x31
        (0x93fd, 0x03f7d793), // c.srli a5,0x3f
        (0x8081, 0x0004d493), // c.srli64 s1
        (0x8101, 0x00055513), // c.srli64 a0
        (0x8201, 0x00065613), // c.srli64 a2
        (0x8301, 0x00075713), // c.srli64 a4
        (0x8c89, 0x40a484b3), // c.sub s1,a0
        (0x8e0d, 0x40b60633), // c.sub a2,a1
        (0x8f85, 0x409787b3), // c.sub a5,s1
        (0x8f91, 0x40c787b3), // c.sub a5,a2
        (0x9c0d, 0x40b4043b), // c.subw s0,a1
        (0x9e01, 0x4086063b), // c.subw a2,s0
        (0x9e19, 0x40e6063b), // c.subw a2,a4
        (0x9e81, 0x408686bb), // c.subw a3,s0
        (0xc6b0, 0x04c6a423), // c.sw a2,72(a3)
        (0xc7e8, 0x04a7a623), // c.sw a0,76(a5)
        (0xd724, 0x06972423), // c.sw s1,104(a4)
        (0xdb30, 0x06c72823), // c.sw a2,112(a4)
        (0xc62e, 0x00b12623), // c.swsp a1,12(sp)
        (0xd70e, 0x0a312623), // c.swsp gp,172(sp)
        (0xde1a, 0x02612e23), // c.swsp t1,60(sp)
        (0xdf3e, 0x0af12e23), // c.swsp a5,188(sp)
        (0x8c29, 0x00a44433), // c.xor s0,a0
        (0x8c35, 0x00d44433), // c.xor s0,a3
        (0x8cad, 0x00b4c4b3), // c.xor s1,a1
        (0x8cbd, 0x00f4c4b3), // c.xor s1,a5
    ];

    /// As `RV64`, for the RV32-only encodings (and a few shared ones).
    #[rustfmt::skip]
    const RV32: &[(u16, u32)] = &[
        (0x64f4, 0x04c4a687), // c.flw fa3,76(s1)
        (0x6940, 0x01452407), // c.flw fs0,20(a0)
        (0x6da8, 0x0585a507), // c.flw fa0,88(a1)
        (0x7364, 0x06472487), // c.flw fs1,100(a4)
        (0x618e, 0x0c012187), // c.flwsp ft3,192(sp)
        (0x6276, 0x05c12207), // c.flwsp ft4,92(sp)
        (0x6f3a, 0x08c12f07), // c.flwsp ft10,140(sp)
        (0x7fc2, 0x03012f87), // c.flwsp ft11,48(sp)
        (0xe3a4, 0x0497a027), // c.fsw fs1,64(a5)
        (0xe668, 0x04a62627), // c.fsw fa0,76(a2)
        (0xf4c8, 0x02a4a627), // c.fsw fa0,44(s1)
        (0xf524, 0x06952427), // c.fsw fs1,104(a0)
        (0xe00e, 0x00312027), // c.fswsp ft3,0(sp)
        (0xe816, 0x00512827), // c.fswsp ft5,16(sp)
        (0xf7be, 0x0ef12627), // c.fswsp fa5,236(sp)
        (0xfe02, 0x02012e27), // c.fswsp ft0,60(sp)
        (0x2099, 0x046000ef), // c.jal 70
        (0x2cfd, 0x2fe000ef), // c.jal 766
        (0x3269, 0x98bff0ef), // c.jal -1654
        (0x3f11, 0xf15ff0ef), // c.jal -236
        (0x4534, 0x04852683), // c.lw a3,72(a0)
        (0x4ce8, 0x05c4a503), // c.lw a0,92(s1)
        (0x5560, 0x06c52403), // c.lw s0,108(a0)
        (0x5c8c, 0x0384a583), // c.lw a1,56(s1)
        (0x8429, 0x40a45413), // c.srai s0,0xa
        (0x8475, 0x41d45413), // c.srai s0,0x1d
        (0x847d, 0x41f45413), // c.srai s0,0x1f
        (0x862d, 0x40b65613), // c.srai a2,0xb
    ];

    #[test]
    fn rv64_expansions_match_binutils() {
        for &(c, want) in RV64 {
            assert_eq!(expand(c, 64), Some(want), "c = {c:#06x}");
        }
    }

    #[test]
    fn rv32_expansions_match_binutils() {
        for &(c, want) in RV32 {
            assert_eq!(expand(c, 32), Some(want), "c = {c:#06x}");
        }
    }

    #[test]
    fn xlen_dependent_encodings() {
        // c.ld a0,8(a1) on RV64 is c.flw fa0,8(a1) on RV32.
        assert_eq!(expand(0x6588, 64), Some(0x0085b503));
        assert_eq!(expand(0x6588, 32), Some(0x0085a507));
        // c.sd / c.fsw a0,8(a1)
        assert_eq!(expand(0xe588, 64), Some(0x00a5b423));
        assert_eq!(expand(0xe588, 32), Some(0x00a5a427));
        // c.addiw a3,2 on RV64 is c.jal pc + 0x342 on RV32.
        assert_eq!(expand(0x2689, 64), Some(0x0026869b));
        assert_eq!(expand(0x2689, 32), Some(0x342000ef));
        // c.ldsp a0,8(sp) / c.flwsp fa0,8(sp)
        assert_eq!(expand(0x6522, 64), Some(0x00813503));
        assert_eq!(expand(0x6522, 32), Some(0x00812507));
        // c.sdsp a0,8(sp) / c.fswsp fa0,8(sp)
        assert_eq!(expand(0xe42a, 64), Some(0x00a13423));
        assert_eq!(expand(0xe42a, 32), Some(0x00a12427));
        // c.slli a0,32 is legal on RV64 only.
        assert_eq!(expand(0x1502, 64), Some(0x02051513));
        assert_eq!(expand(0x1502, 32), None);
        // c.srli s0,63 / c.srai s0,33
        assert_eq!(expand(0x907d, 64), Some(0x03f45413));
        assert_eq!(expand(0x907d, 32), None);
        assert_eq!(expand(0x9405, 64), Some(0x42145413));
        assert_eq!(expand(0x9405, 32), None);
        // c.subw / c.addw s0,s1 are RV64 only.
        assert_eq!(expand(0x9c05, 64), Some(0x4094043b));
        assert_eq!(expand(0x9c05, 32), None);
        assert_eq!(expand(0x9c25, 64), Some(0x0094043b));
        assert_eq!(expand(0x9c25, 32), None);
    }

    #[test]
    fn reserved_and_illegal_encodings() {
        for (c, what) in [
            (0x0000, "all zero (c.unimp)"),
            (0x0004, "c.addi4spn with nzuimm = 0"),
            (0x8000, "quadrant 0, funct3 = 100"),
            (0x8408, "quadrant 0, funct3 = 100 (non-zero)"),
            (0x6101, "c.addi16sp with nzimm = 0"),
            (0x6081, "c.lui ra, 0"),
            (0x6001, "c.lui zero, 0"),
            (0x4002, "c.lwsp zero"),
            (0x5002, "c.lwsp zero, 32(sp)"),
            (0x6002, "c.ldsp zero"),
            (0x8002, "c.jr zero"),
            (0x2001, "c.addiw zero"),
            (0x2005, "c.addiw zero, 1"),
            (0x9c41, "reserved CA op (bit 12 = 1, op = 10)"),
            (0x9c61, "reserved CA op (bit 12 = 1, op = 11)"),
            (0x0003, "32-bit instruction"),
            (0xffff, "32-bit instruction"),
        ] {
            assert_eq!(expand(c, 64), None, "{what} ({c:#06x})");
        }
        assert_eq!(expand(0x0000, 32), None);
        assert_eq!(expand(0x9c41, 32), None);
    }

    #[test]
    fn hints_expand_to_harmless_base_instructions() {
        for (c, want, what) in [
            (0x0001, 0x00000013, "c.nop -> addi zero,zero,0"),
            (0x0005, 0x00100013, "c.addi zero,1 -> addi zero,zero,1"),
            (0x0501, 0x00050513, "c.addi a0,0 -> addi a0,a0,0"),
            (0x4005, 0x00100013, "c.li zero,1 -> addi zero,zero,1"),
            (0x6005, 0x00001037, "c.lui zero,1 -> lui zero,0x1"),
            (0x0502, 0x00051513, "c.slli a0,0 -> slli a0,a0,0"),
            (0x0006, 0x00101013, "c.slli zero,1 -> slli zero,zero,1"),
            (0x8001, 0x00045413, "c.srli s0,0 -> srli s0,s0,0"),
            (0x8401, 0x40045413, "c.srai s0,0 -> srai s0,s0,0"),
            (0x802a, 0x00a00033, "c.mv zero,a0 -> add zero,zero,a0"),
            (0x902a, 0x00a00033, "c.add zero,a0 -> add zero,zero,a0"),
        ] {
            assert_eq!(expand(c, 64), Some(want), "{what}");
            assert_eq!(expand(c, 32), Some(want), "{what} (RV32)");
        }
    }

    #[test]
    fn special_forms() {
        assert_eq!(expand(0x9002, 64), Some(0x00100073)); // c.ebreak -> ebreak
        assert_eq!(expand(0x8082, 64), Some(0x00008067)); // c.jr ra -> jalr zero,0(ra)
        assert_eq!(expand(0x9502, 64), Some(0x000500e7)); // c.jalr a0 -> jalr ra,0(a0)
        assert_eq!(expand(0x7131, 64), Some(0xf4010113)); // c.addi16sp sp,-192
        assert_eq!(expand(0x1fe8, 64), Some(0x3fc10513)); // c.addi4spn a0,sp,1020
        assert_eq!(expand(0x77fd, 64), Some(0xfffff7b7)); // c.lui a5,0xfffff
        assert_eq!(expand(0xbffd, 64), Some(0xfffff06f)); // c.j pc - 2
        assert_eq!(expand(0xfffd, 64), Some(0xfe079fe3)); // c.bnez a5,pc - 2
    }

    #[test]
    fn every_encoding_is_handled_without_panicking() {
        for c in 0..=u16::MAX {
            for xlen in [32, 64] {
                if let Some(insn) = expand(c, xlen) {
                    assert_eq!(insn & 3, 3, "{c:#06x} expanded to a compressed form");
                }
            }
        }
    }
}
