/* Calls and indirect branches: a small stack-bytecode interpreter dispatched through
 * a function-pointer table and a switch, plus recursive fib and ackermann.
 * Usage: interp [scale]. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

enum { PUSH, LOAD, STORE, ADD, SUB, MUL, XOR, SHR, LT, JNZ, JMP, DUP, POP, HALT };

typedef struct { int64_t stack[64]; int64_t vars[8]; int sp, pc; } vm_t;
typedef struct { uint8_t op; int32_t arg; } insn_t;

/* Program: v0 = n; v1 = 0; v2 = 1; while (v0) { v1 = (v1*31 ^ v2) + (v2>>3); v2 += v0; v0 -= 1; } */
static const insn_t prog[] = {
    {LOAD, 0}, {JNZ, 3}, {JMP, 24},
    {LOAD, 1}, {PUSH, 31}, {MUL, 0}, {LOAD, 2}, {XOR, 0},
    {LOAD, 2}, {PUSH, 3}, {SHR, 0}, {ADD, 0}, {STORE, 1},
    {LOAD, 2}, {LOAD, 0}, {ADD, 0}, {STORE, 2},
    {LOAD, 0}, {PUSH, 1}, {SUB, 0}, {STORE, 0},
    {PUSH, 1}, {JNZ, 0}, {HALT, 0}, {HALT, 0},
};

/* switch-dispatched interpreter */
static int64_t run_switch(int64_t n) {
    vm_t vm = {.sp = 0, .pc = 0};
    vm.vars[0] = n; vm.vars[1] = 0; vm.vars[2] = 1;
    for (;;) {
        const insn_t *i = &prog[vm.pc++];
        switch (i->op) {
        case PUSH: vm.stack[vm.sp++] = i->arg; break;
        case LOAD: vm.stack[vm.sp++] = vm.vars[i->arg]; break;
        case STORE: vm.vars[i->arg] = vm.stack[--vm.sp]; break;
        case ADD: vm.sp--; vm.stack[vm.sp - 1] += vm.stack[vm.sp]; break;
        case SUB: vm.sp--; vm.stack[vm.sp - 1] -= vm.stack[vm.sp]; break;
        case MUL: vm.sp--; vm.stack[vm.sp - 1] *= vm.stack[vm.sp]; break;
        case XOR: vm.sp--; vm.stack[vm.sp - 1] ^= vm.stack[vm.sp]; break;
        case SHR: vm.sp--; vm.stack[vm.sp - 1] = (uint64_t)vm.stack[vm.sp - 1] >> vm.stack[vm.sp]; break;
        case LT: vm.sp--; vm.stack[vm.sp - 1] = vm.stack[vm.sp - 1] < vm.stack[vm.sp]; break;
        case JNZ: if (vm.stack[--vm.sp]) vm.pc = i->arg; break;
        case JMP: vm.pc = i->arg; break;
        case DUP: vm.stack[vm.sp] = vm.stack[vm.sp - 1]; vm.sp++; break;
        case POP: vm.sp--; break;
        case HALT: return vm.vars[1];
        }
    }
}

/* function-pointer-dispatched interpreter */
typedef int (*handler_t)(vm_t *, int32_t);
static int h_push(vm_t *v, int32_t a) { v->stack[v->sp++] = a; return 1; }
static int h_load(vm_t *v, int32_t a) { v->stack[v->sp++] = v->vars[a]; return 1; }
static int h_store(vm_t *v, int32_t a) { v->vars[a] = v->stack[--v->sp]; return 1; }
static int h_add(vm_t *v, int32_t a) { (void)a; v->sp--; v->stack[v->sp - 1] += v->stack[v->sp]; return 1; }
static int h_sub(vm_t *v, int32_t a) { (void)a; v->sp--; v->stack[v->sp - 1] -= v->stack[v->sp]; return 1; }
static int h_mul(vm_t *v, int32_t a) { (void)a; v->sp--; v->stack[v->sp - 1] *= v->stack[v->sp]; return 1; }
static int h_xor(vm_t *v, int32_t a) { (void)a; v->sp--; v->stack[v->sp - 1] ^= v->stack[v->sp]; return 1; }
static int h_shr(vm_t *v, int32_t a) { (void)a; v->sp--; v->stack[v->sp - 1] = (uint64_t)v->stack[v->sp - 1] >> v->stack[v->sp]; return 1; }
static int h_lt(vm_t *v, int32_t a) { (void)a; v->sp--; v->stack[v->sp - 1] = v->stack[v->sp - 1] < v->stack[v->sp]; return 1; }
static int h_jnz(vm_t *v, int32_t a) { if (v->stack[--v->sp]) v->pc = a; return 1; }
static int h_jmp(vm_t *v, int32_t a) { v->pc = a; return 1; }
static int h_dup(vm_t *v, int32_t a) { (void)a; v->stack[v->sp] = v->stack[v->sp - 1]; v->sp++; return 1; }
static int h_pop(vm_t *v, int32_t a) { (void)a; v->sp--; return 1; }
static int h_halt(vm_t *v, int32_t a) { (void)v; (void)a; return 0; }
static handler_t const table[] = {h_push, h_load, h_store, h_add, h_sub, h_mul, h_xor,
                                  h_shr, h_lt, h_jnz, h_jmp, h_dup, h_pop, h_halt};
handler_t dispatch[14]; /* filled at run time so calls stay indirect */

static int64_t run_table(int64_t n) {
    vm_t vm = {.sp = 0, .pc = 0};
    vm.vars[0] = n; vm.vars[1] = 0; vm.vars[2] = 1;
    for (;;) {
        const insn_t *i = &prog[vm.pc++];
        if (!dispatch[i->op](&vm, i->arg)) return vm.vars[1];
    }
}

static int64_t fib(int n) { return n < 2 ? n : fib(n - 1) + fib(n - 2); }

static int64_t ack(int64_t m, int64_t n) {
    if (m == 0) return n + 1;
    if (n == 0) return ack(m - 1, 1);
    return ack(m - 1, ack(m, n - 1));
}

int main(int argc, char **argv) {
    int scale = argc > 1 ? atoi(argv[1]) : 1;
    for (int i = 0; i < 14; i++) dispatch[i] = table[i];
    int64_t a = run_switch(400000 * scale);
    int64_t b = run_table(400000 * scale);
    int64_t f = 0;
    for (int s = 0; s < scale; s++) f += fib(27);
    int64_t k = 0;
    for (int s = 0; s < scale; s++) k += ack(2, 2000);
    printf("switch %lld table %lld fib %lld ack %lld\n", (long long)a, (long long)b,
           (long long)f, (long long)k);
    printf("checksum %016llx\n", (unsigned long long)(a * 3 + b * 5 + f * 7 + k));
    return a == b ? 0 : 1;
}
