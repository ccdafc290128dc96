# xlate's embedded demo guest for the riscv-virt board: prints a greeting on
# the 16550 UART, computes a checksum loop to exercise the engines, and powers
# off through the SiFive test finisher. Rebuild with firmware/build.sh.

    .equ UART, 0x10000000
    .equ FINISHER, 0x100000

    .section .text
    .globl _start
_start:
    la      a0, greeting
    call    puts

    # Sum 1..100000 (= 5000050000) in a hot loop, then print it in decimal.
    li      t0, 100000
    li      t1, 0
1:  add     t1, t1, t0
    addi    t0, t0, -1
    bnez    t0, 1b

    la      a0, sum_msg
    call    puts
    mv      a0, t1
    call    putdec
    li      a0, '\n'
    call    putc

    la      a0, bye
    call    puts
    li      t0, FINISHER
    li      t1, 0x5555
    sw      t1, 0(t0)
2:  j       2b

# putc(a0): waits for the transmitter, writes one byte.
putc:
    li      t2, UART
3:  lbu     t3, 5(t2)
    andi    t3, t3, 0x20
    beqz    t3, 3b
    sb      a0, 0(t2)
    ret

# puts(a0): writes a NUL-terminated string.
puts:
    mv      t4, a0
    mv      t5, ra
4:  lbu     a0, 0(t4)
    beqz    a0, 5f
    call    putc
    addi    t4, t4, 1
    j       4b
5:  mv      ra, t5
    ret

# putdec(a0): writes an unsigned number in decimal.
putdec:
    mv      s1, ra
    la      t4, digits_end
    li      t6, 10
6:  remu    t3, a0, t6
    addi    t3, t3, '0'
    addi    t4, t4, -1
    sb      t3, 0(t4)
    divu    a0, a0, t6
    bnez    a0, 6b
    mv      a0, t4
    call    puts
    mv      ra, s1
    ret

    .section .data
greeting: .asciz "Hello from xlate: a RISC-V guest is running on the riscv-virt board.\n"
sum_msg:  .asciz "sum of 1..100000 = "
bye:      .asciz "Powering off.\n"
digits:   .space 24
digits_end: .byte 0
