# Reset vector of xlate's riscv-virt board, at 0x1000, run by every hart
# (the hand-off QEMU's virt board makes, so firmware built for it works):
#   a0 = hart id, a1 = device tree, a2 = fw_dynamic_info, jump to the entry.
# The board fills the words after the code before starting the harts.

    .section .text
    .option norvc               # full-size instructions, as the reference does
    .globl _start
_start:
    auipc   t0, 0
    addi    a2, t0, 40              # fw_dynamic_info
    csrr    a0, mhartid
    ld      a1, 32(t0)              # fdt_addr
    ld      t0, 24(t0)              # entry
    jr      t0

    .org 24                     # the offsets above depend on this layout
entry:      .dword 0            # offset 24: first code to run (firmware or kernel)
fdt_addr:   .dword 0            # offset 32: device tree
fw_dynamic_info:                # offset 40: OpenSBI's struct fw_dynamic_info
            .dword 0x4942534f   #   magic "OSBI"
            .dword 2            #   version
            .dword 0            #   next_addr: the kernel
            .dword 1            #   next_mode: S-mode
            .dword 0            #   options
            .dword 0            #   boot_hart
