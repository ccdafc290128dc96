# The reset stub of the bare test board, at 0x1000: the same instructions
# Spike runs before a test ROM, so commit logs line up with Spike's.
#   a0 = hart id, a1 = device tree (none), jump to the entry at offset 24.

    .section .text
    .option norvc               # full-size instructions, as the reference does
    .globl _start
_start:
    auipc   t0, 0
    addi    a1, t0, 32
    csrr    a0, mhartid
    ld      t0, 24(t0)
    jr      t0
    .org 24
entry:  .dword 0                # offset 24: the ROM's entry point
