//! riscv64 Linux user-mode threads, signals and futexes.
//!
//! Every guest thread runs on its own host thread with its own [`Cpu`] and
//! [`Engine`]; they share the bus (guest RAM) and one [`Shared`] process
//! state. The system calls that need a thread's identity or registers
//! (clone, fork, exit, futex, signals) or that block (poll, epoll, waits,
//! reads) are handled here, blocking ones without the process lock; the
//! rest go to the ISA-neutral [`Process`] under its lock.
//!
//! Blocking waits poll in short slices so a guest signal can interrupt them
//! (-EINTR; read/wait4/futex restart instead when the handler has
//! SA_RESTART). Host signals meant for the guest (kill from another process,
//! SIGCHLD, Ctrl-C) are caught into a bitmask and posted like guest kills.
//! fork is a host fork: the child keeps only the forking host thread, which
//! carries on with a fresh [`Shared`] and engine and ends with `_exit`.
//!
//! Signal frames use the Linux riscv64 `struct rt_sigframe` layout (siginfo,
//! then a ucontext whose uc_mcontext is sc_regs + the D-extension FP state);
//! handlers return through a `li a7, 139; ecall` trampoline in a guest page
//! the emulator owns (riscv64 Linux returns through the vDSO, which we lack).

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use parking_lot::{Condvar, Mutex, MutexGuard};
use xlate_frontend::riscv::{
    Cpu, InstretClock, Riscv, SyscallHandler, F0, PRV_U, REMOTE_FENCE_I, REMOTE_FLUSH_TLB, STOP_TRAP,
};
use xlate_softmmu::Bus;
use xlate_translator::{Engine, EngineKind, Exit};

use super::syscall::{fd_io, Abi, Ending, Mem, Process, Sys};
use super::{fdwait, host, net, procs};

const NSIG: usize = 64;
/// Host signals passed on to the guest (another process's kill, Ctrl-C, a
/// child's exit): SIGHUP, SIGINT, SIGQUIT, SIGUSR1, SIGUSR2, SIGTERM,
/// SIGCHLD, SIGWINCH.
pub const HOST_SIGNALS: [i32; 8] = [1, 2, 3, 10, 12, 15, 17, 28];
const SIGKILL: i32 = 9;
const SIGSTOP: i32 = 19;
const SIGPIPE: i32 = 13;
const SIGALRM: i32 = 14;
/// Calls that write to an fd (a pipe with no reader gives SIGPIPE).
const WRITES: [Sys; 8] =
    [Sys::Write, Sys::Writev, Sys::Pwrite64, Sys::Pwritev, Sys::Sendfile, Sys::Splice, Sys::Sendto, Sys::Sendmsg];
const UNBLOCKABLE: u64 = (1 << (SIGKILL - 1)) | (1 << (SIGSTOP - 1));

const SA_RESTART: u64 = 0x1000_0000;
const SA_ONSTACK: u64 = 0x0800_0000;
const SA_NODEFER: u64 = 0x4000_0000;
const SA_RESETHAND: u64 = 0x8000_0000;
const SS_ONSTACK: u32 = 1;
const SS_DISABLE: u32 = 2;

const SI_USER: i32 = 0;
const SI_TKILL: i32 = -6;

const CLONE_VM: u64 = 0x100;
const CLONE_SETTLS: u64 = 0x80000;
const CLONE_PARENT_SETTID: u64 = 0x100000;
const CLONE_CHILD_CLEARTID: u64 = 0x200000;
const CLONE_CHILD_SETTID: u64 = 0x1000000;
const CLONE_THREAD: u64 = 0x10000;
const CLONE_VFORK: u64 = 0x4000;

/// Robust futex words (see Linux's Documentation/locking/robust-futex-ABI).
const FUTEX_WAITERS: u32 = 0x8000_0000;
const FUTEX_OWNER_DIED: u32 = 0x4000_0000;
const FUTEX_TID_MASK: u32 = 0x3fff_ffff;

/// `struct rt_sigframe`: siginfo (128) + ucontext (960).
const FRAME_SIZE: u64 = 1088;
const UC: u64 = 128;
const UC_STACK: u64 = UC + 16;
const UC_SIGMASK: u64 = UC + 40;
/// uc_mcontext: 16-aligned after the 128-byte sigset area.
const MCTX: u64 = UC + 176;
const MCTX_FP: u64 = MCTX + 256;
const MCTX_FCSR: u64 = MCTX_FP + 256;

/// Slice of instructions between checks for asynchronous signals.
const SLICE: u64 = 1 << 20;

#[derive(Clone, Copy, Default)]
struct SigAction {
    handler: u64,
    flags: u64,
    mask: u64,
}

#[derive(Clone, Copy)]
struct SigInfo {
    code: i32,
    /// si_addr for faults, si_pid for kill.
    value: u64,
}

struct Waiter {
    id: u64,
    addr: u64,
    bitset: u32,
    woken: bool,
}

/// State shared by every thread of the process.
pub struct Shared {
    pub proc: Mutex<Process>,
    pub bus: Arc<Bus>,
    actions: Mutex<[SigAction; NSIG + 1]>,
    futex: Mutex<Vec<Waiter>>,
    futex_cv: Condvar,
    next_waiter: AtomicU64,
    threads: Mutex<HashMap<i32, Arc<Thread>>>,
    next_tid: AtomicU32,
    /// The process ended (exit_group or a fatal signal): every thread stops.
    pub dead: AtomicBool,
    /// A fatal signal's message was already printed.
    pub reported: AtomicBool,
    pub pid: i32,
    trampoline: u64,
    engine: EngineKind,
    threshold: u32,
    alarm_gen: AtomicU64,
    strace: bool,
    /// The guest ABI (the process's, kept here so a system call need not
    /// take the process lock to find its number).
    abi: &'static Abi,
    /// This host process is a fork child: it ends with `_exit` (or the
    /// guest's fatal signal) once the guest process ends.
    fork_child: AtomicBool,
}

impl Shared {
    pub fn new(proc: Process, bus: Arc<Bus>, trampoline: u64, engine: EngineKind, threshold: u32) -> Arc<Shared> {
        let pid = std::process::id() as i32;
        let (strace, abi) = (proc.strace, proc.abi);
        Arc::new(Shared {
            proc: Mutex::new(proc),
            bus,
            actions: Mutex::new([SigAction::default(); NSIG + 1]),
            futex: Mutex::new(Vec::new()),
            futex_cv: Condvar::new(),
            next_waiter: AtomicU64::new(1),
            threads: Mutex::new(HashMap::new()),
            next_tid: AtomicU32::new(pid as u32 + 1),
            dead: AtomicBool::new(false),
            reported: AtomicBool::new(false),
            pid,
            trampoline,
            engine,
            threshold,
            alarm_gen: AtomicU64::new(0),
            strace,
            abi,
            fork_child: AtomicBool::new(false),
        })
    }

    /// The main thread (tid == pid), with the ignored signals and mask the
    /// process inherited (see [`host::inherited_signals`]).
    pub fn main_thread_with(self: &Arc<Shared>, inherited: host::ExecSignals) -> Arc<Thread> {
        let mut acts = self.actions.lock();
        for (sig, act) in acts.iter_mut().enumerate().skip(1).take(64) {
            if inherited.ignored & bit(sig as i32) != 0 {
                act.handler = 1; // SIG_IGN
            }
        }
        drop(acts);
        let t = Arc::new(Thread::new(self.clone(), self.pid, inherited.blocked & !UNBLOCKABLE));
        self.threads.lock().insert(self.pid, t.clone());
        t
    }

    fn end(&self, e: Ending) {
        {
            let mut p = self.proc.lock();
            if p.ending.is_none() {
                p.ending = Some(e);
            }
        }
        self.dead.store(true, Ordering::SeqCst);
        self.bus.request_halt(0);
        self.futex_cv.notify_all();
    }

    /// Atomic view of a guest u32 (futex word).
    fn word(&self, addr: u64) -> Option<&AtomicU32> {
        host::guest_word(&self.bus, addr)
    }

    /// FUTEX_WAIT(_BITSET); `intr` lets a guest signal end the wait (EINTR).
    fn futex_wait(
        &self,
        addr: u64,
        val: u32,
        bitset: u32,
        deadline: Option<Instant>,
        intr: &dyn Fn() -> bool,
    ) -> Result<u64, i32> {
        if bitset == 0 {
            return Err(libc::EINVAL);
        }
        let w = self.word(addr).ok_or(libc::EFAULT)?;
        let mut q = self.futex.lock();
        if w.load(Ordering::SeqCst) != val {
            return Err(libc::EAGAIN);
        }
        let id = self.next_waiter.fetch_add(1, Ordering::Relaxed);
        q.push(Waiter { id, addr, bitset, woken: false });
        loop {
            let step = Duration::from_millis(50);
            let wait = match deadline {
                Some(d) => d.saturating_duration_since(Instant::now()).min(step),
                None => step,
            };
            self.futex_cv.wait_for(&mut q, wait);
            let pos = q.iter().position(|x| x.id == id).expect("futex waiter vanished");
            if q[pos].woken {
                q.swap_remove(pos);
                return Ok(0);
            }
            if self.dead.load(Ordering::Relaxed) {
                q.swap_remove(pos);
                return Err(libc::EINTR);
            }
            if MutexGuard::unlocked(&mut q, intr) {
                let pos = q.iter().position(|x| x.id == id).expect("futex waiter vanished");
                if !q[pos].woken {
                    q.swap_remove(pos);
                    return Err(libc::EINTR);
                }
            }
            if deadline.is_some_and(|d| Instant::now() >= d) {
                q.swap_remove(pos);
                return Err(libc::ETIMEDOUT);
            }
        }
    }

    fn futex_wake(&self, addr: u64, n: u64, bitset: u32) -> u64 {
        let mut q = self.futex.lock();
        let mut woken = 0;
        for w in q.iter_mut() {
            if woken >= n {
                break;
            }
            if w.addr == addr && !w.woken && w.bitset & bitset != 0 {
                w.woken = true;
                woken += 1;
            }
        }
        if woken > 0 {
            self.futex_cv.notify_all();
        }
        woken
    }

    fn futex_requeue(&self, addr: u64, n: u64, n2: u64, addr2: u64, cmp: Option<u32>) -> Result<u64, i32> {
        let w = self.word(addr).ok_or(libc::EFAULT)?;
        let mut q = self.futex.lock();
        if cmp.is_some_and(|v| w.load(Ordering::SeqCst) != v) {
            return Err(libc::EAGAIN);
        }
        let (mut woken, mut moved) = (0, 0);
        for w in q.iter_mut().filter(|w| w.addr == addr && !w.woken) {
            if woken < n {
                w.woken = true;
                woken += 1;
            } else if moved < n2 {
                w.addr = addr2;
                moved += 1;
            }
        }
        self.futex_cv.notify_all();
        Ok(woken + moved)
    }

    /// FUTEX_WAKE_OP: update `*addr2` by the encoded op, wake `n` on `addr`
    /// and, if the old `*addr2` passes the encoded comparison, `n2` on `addr2`.
    fn futex_wake_op(&self, addr: u64, n: u64, addr2: u64, n2: u64, enc: u32) -> Result<u64, i32> {
        let w2 = self.word(addr2).ok_or(libc::EFAULT)?;
        let sext12 = |v: u32| ((v << 20) as i32 >> 20) as u32;
        let (op, cmp) = ((enc >> 28) & 7, (enc >> 24) & 15);
        let mut oparg = sext12((enc >> 12) & 0xfff);
        let cmparg = sext12(enc & 0xfff);
        if enc & (8 << 28) != 0 {
            // FUTEX_OP_OPARG_SHIFT
            oparg = 1u32.checked_shl(oparg).unwrap_or(0);
        }
        let apply = |old: u32| match op {
            0 => Some(oparg),
            1 => Some(old.wrapping_add(oparg)),
            2 => Some(old | oparg),
            3 => Some(old & !oparg),
            4 => Some(old ^ oparg),
            _ => None,
        };
        if op > 4 || cmp > 5 {
            return Err(libc::ENOSYS);
        }
        let _q = self.futex.lock();
        let old = w2.fetch_update(Ordering::SeqCst, Ordering::SeqCst, apply).map_err(|_| libc::ENOSYS)?;
        drop(_q);
        let (o, c) = (old as i32, cmparg as i32);
        let hit = match cmp {
            0 => o == c,
            1 => o != c,
            2 => o < c,
            3 => o <= c,
            4 => o > c,
            _ => o >= c,
        };
        let mut woken = self.futex_wake(addr, n, u32::MAX);
        if hit {
            woken += self.futex_wake(addr2, n2, u32::MAX);
        }
        Ok(woken)
    }

    /// Hands host signals caught for the guest (see [`HOST_SIGNALS`]) to the
    /// main thread, or any thread once it is gone.
    fn take_host_signals(&self) {
        let caught = host::take_caught();
        if caught == 0 {
            return;
        }
        let threads = self.threads.lock();
        let Some(t) = threads.get(&self.pid).or_else(|| threads.values().next()) else { return };
        for sig in 1..=NSIG as i32 {
            if caught & bit(sig) != 0 {
                t.post(sig, SigInfo { code: SI_USER, value: 0 });
            }
        }
    }

    fn post(&self, tid: i32, sig: i32, info: SigInfo) -> Result<u64, i32> {
        let t = self.threads.lock().get(&tid).cloned().ok_or(libc::ESRCH)?;
        t.post(sig, info);
        Ok(0)
    }
}

/// Per-thread signal state.
struct ThreadState {
    mask: u64,
    alt_sp: u64,
    alt_size: u64,
    alt_disabled: bool,
    clear_tid: u64,
    info: HashMap<i32, SigInfo>,
    /// The mask to restore after a handler (rt_sigsuspend, ppoll, ...).
    saved_mask: Option<u64>,
    /// set_robust_list head and length.
    robust: (u64, u64),
}

pub struct Thread {
    pub shared: Arc<Shared>,
    pub tid: i32,
    pending: AtomicU64,
    st: Mutex<ThreadState>,
    /// The thread called exit (not exit_group).
    pub exited: AtomicBool,
    /// In a fork child: the thread that carries on (with a fresh engine).
    forked: Mutex<Option<Arc<Thread>>>,
    /// Its CPU's request word (`Cpu::remote`), for TLB and code flushes
    /// other threads ask for.
    remote: std::sync::OnceLock<Arc<AtomicU64>>,
}

fn bit(sig: i32) -> u64 {
    1u64 << (sig - 1)
}

fn default_ignored(sig: i32) -> bool {
    matches!(sig, 17 | 18 | 23 | 28) // SIGCHLD, SIGCONT, SIGURG, SIGWINCH
}

fn timespec_dur(mem: &Mem, addr: u64) -> Result<Duration, i32> {
    let sec = mem.u64(addr)? as i64;
    let nsec = mem.u64(addr + 8)? as i64;
    if sec < 0 || !(0..1_000_000_000).contains(&nsec) {
        return Err(libc::EINVAL);
    }
    Ok(Duration::new((sec as u64).min(1 << 40), nsec as u32))
}

/// What one of this module's system calls did.
enum Outcome {
    /// Not ours: hand it to [`Process`].
    NotMine,
    Ret(Result<u64, i32>),
    /// Registers and pc were replaced (rt_sigreturn); a0 stays as restored.
    Replaced,
    /// The thread is gone.
    Exited,
}

impl Thread {
    fn new(shared: Arc<Shared>, tid: i32, mask: u64) -> Thread {
        Thread {
            shared,
            tid,
            pending: AtomicU64::new(0),
            st: Mutex::new(ThreadState {
                mask,
                alt_sp: 0,
                alt_size: 0,
                alt_disabled: true,
                clear_tid: 0,
                info: HashMap::new(),
                saved_mask: None,
                robust: (0, 0),
            }),
            exited: AtomicBool::new(false),
            remote: std::sync::OnceLock::new(),
            forked: Mutex::new(None),
        }
    }

    fn post(&self, sig: i32, info: SigInfo) {
        self.st.lock().info.insert(sig, info);
        self.pending.fetch_or(bit(sig), Ordering::SeqCst);
    }

    fn kill_process(&self, sig: i32) {
        self.shared.end(Ending::Signaled(sig));
    }

    /// Delivers one pending, unblocked signal (if any) with `cpu.pc` as the
    /// resume point. Returns true if the hart was redirected to a handler.
    fn deliver_pending(&self, cpu: &mut Cpu) -> bool {
        loop {
            let pending = self.pending.load(Ordering::SeqCst);
            if pending == 0 {
                return false;
            }
            let mask = self.st.lock().mask;
            let ready = pending & !(mask & !UNBLOCKABLE);
            if ready == 0 {
                return false;
            }
            let sig = ready.trailing_zeros() as i32 + 1;
            self.pending.fetch_and(!bit(sig), Ordering::SeqCst);
            let info = self.st.lock().info.remove(&sig).unwrap_or(SigInfo { code: SI_USER, value: 0 });
            let act = self.shared.actions.lock()[sig as usize];
            match act.handler {
                0 if default_ignored(sig) => continue,
                0 => {
                    self.kill_process(sig);
                    return false;
                }
                1 => continue,
                _ => {
                    let pc = cpu.pc;
                    return self.setup_frame(cpu, sig, info, pc);
                }
            }
        }
    }

    /// A synchronous fault: runs the guest's handler, or kills the process.
    fn deliver_fault(&self, cpu: &mut Cpu, sig: i32, code: i32, addr: u64, pc: u64) -> bool {
        let act = self.shared.actions.lock()[sig as usize];
        let blocked = self.st.lock().mask & bit(sig) != 0;
        if act.handler <= 1 || blocked {
            return false;
        }
        self.setup_frame(cpu, sig, SigInfo { code, value: addr }, pc)
    }

    /// Pushes an rt_sigframe and points the hart at the handler.
    fn setup_frame(&self, cpu: &mut Cpu, sig: i32, info: SigInfo, resume: u64) -> bool {
        let sh = &self.shared;
        let act = sh.actions.lock()[sig as usize];
        let mut st = self.st.lock();
        let mut sp = cpu.x(2);
        let on_alt = st.alt_size != 0 && sp > st.alt_sp && sp <= st.alt_sp + st.alt_size;
        if act.flags & SA_ONSTACK != 0 && !st.alt_disabled && st.alt_size != 0 && !on_alt {
            sp = st.alt_sp + st.alt_size;
        }
        let frame = (sp.wrapping_sub(FRAME_SIZE)) & !15;
        let mut b = vec![0u8; FRAME_SIZE as usize];
        let mut put = |off: u64, v: &[u8]| b[off as usize..off as usize + v.len()].copy_from_slice(v);
        put(0, &sig.to_le_bytes());
        put(8, &info.code.to_le_bytes());
        if info.code == SI_USER || info.code == SI_TKILL {
            put(16, &(info.value as u32).to_le_bytes());
            put(20, &host::ids().0.to_le_bytes());
        } else {
            put(16, &info.value.to_le_bytes());
        }
        put(UC_STACK, &st.alt_sp.to_le_bytes());
        let ss_flags = if st.alt_disabled || st.alt_size == 0 {
            SS_DISABLE
        } else if on_alt {
            SS_ONSTACK
        } else {
            0
        };
        put(UC_STACK + 8, &ss_flags.to_le_bytes());
        put(UC_STACK + 16, &st.alt_size.to_le_bytes());
        let saved = st.saved_mask.take().unwrap_or(st.mask);
        put(UC_SIGMASK, &saved.to_le_bytes());
        put(MCTX, &resume.to_le_bytes());
        for r in 1..32 {
            put(MCTX + 8 * r as u64, &cpu.regs[r].to_le_bytes());
        }
        for r in 0..32 {
            put(MCTX_FP + 8 * r as u64, &cpu.regs[F0 + r].to_le_bytes());
        }
        let fcsr = cpu.csr.fcsr as u32;
        put(MCTX_FCSR, &fcsr.to_le_bytes());
        let mut mem = Mem::new(&sh.bus);
        if mem.write(frame, &b).is_err() {
            drop(st);
            self.kill_process(11);
            return false;
        }
        cpu.ctl.dirty_code.extend(mem.dirty_code);
        st.mask |= act.mask;
        if act.flags & SA_NODEFER == 0 {
            st.mask |= bit(sig);
        }
        st.mask &= !UNBLOCKABLE;
        drop(st);
        if act.flags & SA_RESETHAND != 0 {
            sh.actions.lock()[sig as usize] = SigAction::default();
        }
        cpu.set_x(10, sig as u64);
        cpu.set_x(11, frame);
        cpu.set_x(12, frame + UC);
        cpu.set_x(1, sh.trampoline);
        cpu.set_x(2, frame);
        cpu.pc = act.handler;
        true
    }

    fn sigreturn(&self, cpu: &mut Cpu) -> bool {
        let mem = Mem::new(&self.shared.bus);
        let frame = cpu.x(2);
        let Ok(b) = mem.read(frame, FRAME_SIZE as usize) else {
            self.kill_process(11);
            return false;
        };
        let get = |off: u64| u64::from_le_bytes(b[off as usize..off as usize + 8].try_into().unwrap_or([0; 8]));
        for r in 1..32 {
            cpu.regs[r] = get(MCTX + 8 * r as u64);
        }
        for r in 0..32 {
            cpu.regs[F0 + r] = get(MCTX_FP + 8 * r as u64);
        }
        cpu.csr.set_fcsr(get(MCTX_FCSR));
        cpu.pc = get(MCTX);
        self.st.lock().mask = get(UC_SIGMASK) & !UNBLOCKABLE;
        true
    }

    /// Thread exit: robust futexes, clear_child_tid and wake its joiner.
    fn exit_thread(&self) {
        self.release_robust();
        let clear = self.st.lock().clear_tid;
        if clear != 0 {
            if let Some(w) = self.shared.word(clear) {
                w.store(0, Ordering::SeqCst);
                self.shared.futex_wake(clear, 1, u32::MAX);
            }
        }
        self.shared.threads.lock().remove(&self.tid);
        self.exited.store(true, Ordering::SeqCst);
    }

    /// Marks the robust futexes this thread still holds FUTEX_OWNER_DIED and
    /// wakes one waiter of each, as Linux does when a thread exits.
    fn release_robust(&self) {
        let (head, _) = self.st.lock().robust;
        if head == 0 {
            return;
        }
        let mem = Mem::new(&self.shared.bus);
        let (Ok(first), Ok(offset), Ok(pending)) = (mem.u64(head), mem.u64(head + 8), mem.u64(head + 16)) else {
            return;
        };
        // Bit 0 of an entry flags a PI futex; the list is bounded as in Linux.
        let mut entry = first;
        for _ in 0..2048 {
            if entry == head || entry == 0 {
                break;
            }
            let next = mem.u64(entry & !1);
            self.owner_died((entry & !1).wrapping_add(offset));
            match next {
                Ok(n) => entry = n,
                Err(_) => break,
            }
        }
        if pending != 0 {
            self.owner_died((pending & !1).wrapping_add(offset));
        }
    }

    fn owner_died(&self, addr: u64) {
        let sh = &self.shared;
        let Some(w) = sh.word(addr) else { return };
        let mut cur = w.load(Ordering::SeqCst);
        loop {
            if cur & FUTEX_TID_MASK != self.tid as u32 {
                return;
            }
            let new = (cur & FUTEX_WAITERS) | FUTEX_OWNER_DIED;
            match w.compare_exchange(cur, new, Ordering::SeqCst, Ordering::SeqCst) {
                Ok(_) => break,
                Err(v) => cur = v,
            }
        }
        if cur & FUTEX_WAITERS != 0 {
            sh.futex_wake(addr, 1, u32::MAX);
        }
    }

    /// A pending, unblocked signal would run a handler or end the process (or
    /// the process is ending). Pending signals that are ignored are dropped.
    fn interrupting(&self) -> bool {
        self.shared.take_host_signals();
        if self.shared.dead.load(Ordering::SeqCst) {
            return true;
        }
        let mask = self.st.lock().mask & !UNBLOCKABLE;
        let ready = self.pending.load(Ordering::SeqCst) & !mask;
        let acts = self.shared.actions.lock();
        for sig in 1..=NSIG as i32 {
            if ready & bit(sig) == 0 {
                continue;
            }
            let h = acts[sig as usize].handler;
            if h == 1 || (h == 0 && default_ignored(sig)) {
                self.pending.fetch_and(!bit(sig), Ordering::SeqCst);
            } else {
                return true;
            }
        }
        false
    }

    /// The signal deliver_pending would take next, if any.
    fn next_signal(&self) -> Option<i32> {
        let ready = self.pending.load(Ordering::SeqCst) & !(self.st.lock().mask & !UNBLOCKABLE);
        (ready != 0).then(|| ready.trailing_zeros() as i32 + 1)
    }

    /// Runs `f` with the guest sigset at `set` (if non-null) as the signal
    /// mask; when `f` is interrupted the old mask comes back after the handler.
    fn with_sigmask(&self, mem: &Mem, set: u64, f: impl FnOnce() -> Result<u64, i32>) -> Result<u64, i32> {
        if set == 0 {
            return f();
        }
        let new = mem.u64(set)? & !UNBLOCKABLE;
        let old = std::mem::replace(&mut self.st.lock().mask, new);
        let r = f();
        let mut st = self.st.lock();
        if r == Err(libc::EINTR) {
            st.saved_mask = Some(old);
        } else {
            st.mask = old;
        }
        r
    }

    /// rt_sigtimedwait(set*, info*, timeout*, size).
    fn sigtimedwait(&self, mem: &mut Mem, a: [u64; 6]) -> Result<u64, i32> {
        let set = mem.u64(a[0])? & !UNBLOCKABLE;
        let deadline = if a[2] != 0 { Some(Instant::now() + timespec_dur(mem, a[2])?) } else { None };
        loop {
            let hit = self.pending.load(Ordering::SeqCst) & set;
            if hit != 0 {
                let sig = hit.trailing_zeros() as i32 + 1;
                self.pending.fetch_and(!bit(sig), Ordering::SeqCst);
                let info = self.st.lock().info.remove(&sig).unwrap_or(SigInfo { code: SI_USER, value: 0 });
                if a[1] != 0 {
                    let mut b = [0u8; 128];
                    b[0..4].copy_from_slice(&sig.to_le_bytes());
                    b[8..12].copy_from_slice(&info.code.to_le_bytes());
                    b[16..20].copy_from_slice(&(info.value as u32).to_le_bytes());
                    mem.write(a[1], &b)?;
                }
                return Ok(sig as u64);
            }
            if deadline.is_some_and(|d| Instant::now() >= d) {
                return Err(libc::EAGAIN);
            }
            if self.interrupting() {
                return Err(libc::EINTR);
            }
            std::thread::sleep(Duration::from_millis(2));
        }
    }

    /// fork, vfork and clone without CLONE_THREAD: a host fork. In the child
    /// only this host thread lives on; it gets a fresh [`Shared`] and, back in
    /// [`run_thread`], a fresh engine (a JIT worker thread does not survive).
    fn fork(&self, cpu: &mut Cpu, mem: &mut Mem, a: [u64; 6]) -> Result<u64, i32> {
        let flags = a[0];
        let sh = &self.shared;
        // Hold the locks across fork so the child copies a consistent state.
        let proc = sh.proc.lock();
        let actions = sh.actions.lock();
        let pid = host::fork()?;
        if pid != 0 {
            drop((proc, actions));
            if flags & CLONE_PARENT_SETTID != 0 {
                mem.put_u32(a[2], pid as u32)?;
            }
            return Ok(pid);
        }
        host::take_caught(); // the parent's, not ours
        let mut p = proc.clone();
        p.ending = None;
        let child = Shared::new(p, sh.bus.clone(), sh.trampoline, sh.engine, sh.threshold);
        *child.actions.lock() = *actions;
        child.fork_child.store(true, Ordering::SeqCst);
        let st = self.st.lock();
        let th = Arc::new(Thread::new(child.clone(), child.pid, st.mask));
        {
            let mut cst = th.st.lock();
            (cst.alt_sp, cst.alt_size, cst.alt_disabled) = (st.alt_sp, st.alt_size, st.alt_disabled);
            if flags & CLONE_CHILD_CLEARTID != 0 {
                cst.clear_tid = a[4];
            }
        }
        child.threads.lock().insert(child.pid, th.clone());
        if flags & CLONE_CHILD_SETTID != 0 {
            mem.put_u32(a[4], child.pid as u32)?;
        }
        *self.forked.lock() = Some(th);
        // The parent's locks live on in this copy: leave them held (this
        // process never uses the parent's Shared again).
        std::mem::forget((proc, actions));
        if a[1] != 0 {
            cpu.set_x(2, a[1]);
        }
        if flags & CLONE_SETTLS != 0 {
            cpu.set_x(4, a[3]);
        }
        Ok(0)
    }

    /// Posts a request (`REMOTE_*`) to every other thread's CPU.
    fn ask_others(&self, req: u64) {
        for th in self.shared.threads.lock().values() {
            if th.tid != self.tid {
                if let Some(r) = th.remote.get() {
                    r.fetch_or(req, Ordering::AcqRel);
                }
            }
        }
    }

    fn mine(&self, cpu: &mut Cpu, sys: Option<Sys>, a: [u64; 6]) -> Outcome {
        use Sys::*;
        let sh = &self.shared;
        let bus = sh.bus.clone();
        let mut mem = Mem::new(&bus);
        let Some(sys) = sys else { return Outcome::NotMine };
        if net::is_net(sys) {
            // Sockets may block: no process lock, interruptible waits.
            let r = net::call(&mut mem, sys, a, &|| self.interrupting());
            cpu.ctl.dirty_code.extend(mem.dirty_code);
            return Outcome::Ret(r);
        }
        let r = match sys {
            Exit => {
                self.exit_thread();
                if sh.threads.lock().is_empty() {
                    sh.end(Ending::Exited(a[0] as i32 & 0xff));
                }
                return Outcome::Exited;
            }
            ExitGroup => {
                sh.end(Ending::Exited(a[0] as i32 & 0xff));
                return Outcome::Exited;
            }
            SetTidAddress => {
                self.st.lock().clear_tid = a[0];
                Ok(self.tid as u64)
            }
            Gettid => Ok(self.tid as u64),
            Getpid => Ok(sh.pid as u64),
            SchedYield => {
                std::thread::yield_now();
                Ok(0)
            }
            Nanosleep | ClockNanosleep => {
                let (req, rem) = if sys == Nanosleep { (a[0], a[1]) } else { (a[2], a[3]) };
                // TIMER_ABSTIME: the request is a time on the clock to wait for.
                let absolute = sys == ClockNanosleep && a[1] & 1 != 0;
                let d = timespec_dur(&mem, req).and_then(|d| match absolute {
                    true => host::clock(a[0] as i32, false)
                        .map(|(s, ns)| d.saturating_sub(Duration::new(s as u64, ns as u32))),
                    false => Ok(d),
                });
                match d {
                    Ok(d) => {
                        let end = Instant::now() + d;
                        loop {
                            let now = Instant::now();
                            if now >= end || sh.dead.load(Ordering::Relaxed) {
                                break Ok(0);
                            }
                            sh.take_host_signals();
                            if self.pending.load(Ordering::SeqCst) & !self.st.lock().mask != 0 {
                                // A relative sleep tells how much was left.
                                if !absolute && rem != 0 {
                                    let left = end - now;
                                    let _ = mem.put_u64(rem, left.as_secs());
                                    let _ = mem.put_u64(rem + 8, u64::from(left.subsec_nanos()));
                                }
                                break Err(libc::EINTR);
                            }
                            std::thread::sleep((end - now).min(Duration::from_millis(10)));
                        }
                    }
                    Err(e) => Err(e),
                }
            }
            Futex => self.futex(&mem, a),
            SetRobustList if a[1] != 24 => Err(libc::EINVAL), // sizeof(struct robust_list_head)
            SetRobustList => {
                self.st.lock().robust = (a[0], a[1]);
                Ok(0)
            }
            GetRobustList => {
                let (head, len) = self.st.lock().robust;
                if a[0] != 0 && a[0] as i32 != self.tid {
                    Err(libc::ESRCH)
                } else {
                    mem.put_u64(a[1], head).and_then(|_| mem.put_u64(a[2], len)).map(|_| 0)
                }
            }
            RtSigsuspend => {
                // rt_sigsuspend: wait under the given mask for a signal that acts.
                self.with_sigmask(&mem, a[0], || {
                    while !self.interrupting() {
                        std::thread::sleep(Duration::from_millis(2));
                    }
                    Err(libc::EINTR)
                })
            }
            RtSigtimedwait => self.sigtimedwait(&mut mem, a),
            // I/O runs without the process lock; reads that may block wait
            // interruptibly first (see fdwait).
            Read | Readv => {
                fdwait::wait_readable(a[0] as i32, &|| self.interrupting()).and_then(|()| fd_io(&mut mem, sys, a))
            }
            Write | Writev | Pread64 | Pwrite64 => fd_io(&mut mem, sys, a),
            EpollCreate1 => fdwait::epoll_create1(a[0]),
            EpollCtl => fdwait::epoll_ctl(&mem, a),
            EpollPwait | EpollPwait2 => {
                let mut m = Mem::new(&bus);
                let r = self.with_sigmask(&mem, a[4], || {
                    fdwait::epoll_pwait(&mut m, a, sys == EpollPwait2, &|| self.interrupting())
                });
                mem.dirty_code.extend(m.dirty_code);
                r
            }
            Ppoll => {
                let mut m = Mem::new(&bus);
                let r = self.with_sigmask(&mem, a[3], || fdwait::poll(&mut m, a, true, &|| self.interrupting()));
                mem.dirty_code.extend(m.dirty_code);
                r
            }
            Pselect6 => {
                // The sixth argument points at {const sigset_t *ss; size_t len}.
                let set = if a[5] != 0 { mem.u64(a[5]) } else { Ok(0) };
                match set {
                    Ok(set) => {
                        let mut m = Mem::new(&bus);
                        let r = self.with_sigmask(&mem, set, || fdwait::pselect6(&mut m, a, &|| self.interrupting()));
                        mem.dirty_code.extend(m.dirty_code);
                        r
                    }
                    Err(e) => Err(e),
                }
            }
            Wait4 => procs::wait4(&mut mem, a, &|| self.interrupting()),
            Waitid => procs::waitid(&mut mem, a, &|| self.interrupting()),
            Execve => {
                // Ignored signals stay ignored in the new program; the mask stays.
                let acts = sh.actions.lock();
                let ignored = (1..acts.len()).filter(|&s| acts[s].handler == 1).fold(0, |m, s| m | bit(s as i32));
                drop(acts);
                let sigs = host::ExecSignals { ignored, blocked: self.st.lock().mask };
                let e = procs::execve(&sh.proc.lock(), &mem, a, sh.engine, sh.threshold, sigs);
                Err(e)
            }
            Clone if a[0] & CLONE_THREAD == 0 && (a[0] & CLONE_VM == 0 || a[0] & CLONE_VFORK != 0) => {
                self.fork(cpu, &mut mem, a)
            }
            Clone => self.clone_thread(cpu, &mut mem, a),
            Clone3 => Err(libc::ENOSYS), // clone3: glibc falls back to clone
            RtSigaction => self.sigaction(&mut mem, a),
            RtSigprocmask => {
                let r = (|| {
                    let mut st = self.st.lock();
                    let old = st.mask;
                    if a[1] != 0 {
                        let set = mem.u64(a[1])?;
                        st.mask = match a[0] {
                            0 => old | set,
                            1 => old & !set,
                            2 => set,
                            _ => return Err(libc::EINVAL),
                        } & !UNBLOCKABLE;
                    }
                    if a[2] != 0 {
                        mem.put_u64(a[2], old)?;
                    }
                    Ok(0)
                })();
                r
            }
            RtSigpending => {
                let p = self.pending.load(Ordering::SeqCst);
                mem.put_u64(a[0], p).map(|_| 0)
            }
            Sigaltstack => self.sigaltstack(cpu, &mut mem, a),
            RtSigreturn => {
                return if self.sigreturn(cpu) { Outcome::Replaced } else { Outcome::Exited };
            }
            Kill => {
                let (pid, sig) = (a[0] as i32, a[1] as i32);
                if !(0..=NSIG as i32).contains(&sig) {
                    Err(libc::EINVAL)
                } else if pid != sh.pid && pid != 0 && pid != -1 {
                    // Another process (a child runs under its own xlate): the
                    // host delivers it, so only default actions take effect there.
                    host::kill(pid, sig)
                } else if sig == 0 {
                    Ok(0)
                } else {
                    self.post(sig, SigInfo { code: SI_USER, value: sh.pid as u64 });
                    Ok(0)
                }
            }
            Tkill | Tgkill => {
                let (tgid, tid, sig) = if sys == Tgkill {
                    (a[0] as i32, a[1] as i32, a[2] as i32)
                } else {
                    (sh.pid, a[0] as i32, a[1] as i32)
                };
                if !(0..=NSIG as i32).contains(&sig) {
                    Err(libc::EINVAL)
                } else if tgid != sh.pid {
                    Err(libc::ESRCH)
                } else if sig == 0 {
                    sh.threads.lock().get(&tid).map(|_| 0).ok_or(libc::ESRCH)
                } else {
                    sh.post(tid, sig, SigInfo { code: SI_TKILL, value: sh.pid as u64 })
                }
            }
            // A waiting record lock: tried without waiting, in slices, so
            // that it neither holds the process lock nor outlives a signal.
            Fcntl if matches!(a[1], 7 | 38) => match mem.array::<32>(a[2]) {
                Ok(fl) => loop {
                    let mut try_fl = fl;
                    match host::fcntl_lock(a[0] as i32, a[1] as i32 - 1, &mut try_fl) {
                        Err(libc::EAGAIN | libc::EACCES) if self.interrupting() => break Err(libc::EINTR),
                        Err(libc::EAGAIN | libc::EACCES) => std::thread::sleep(Duration::from_millis(2)),
                        r => break r,
                    }
                },
                Err(e) => Err(e),
            },
            FlushIcache => {
                // riscv_flush_icache: what fence.i does, on every thread.
                cpu.ctl.flush_code = true;
                self.ask_others(REMOTE_FENCE_I);
                Ok(0)
            }
            Getitimer => {
                if a[1] != 0 {
                    mem.write(a[1], &[0u8; 32]).map(|_| 0)
                } else {
                    Ok(0)
                }
            }
            Setitimer => self.setitimer(&mut mem, a),
            _ => return Outcome::NotMine,
        };
        cpu.ctl.dirty_code.extend(mem.dirty_code);
        Outcome::Ret(r)
    }

    fn sigaction(&self, mem: &mut Mem, a: [u64; 6]) -> Result<u64, i32> {
        let sig = a[0] as i32;
        if !(1..=NSIG as i32).contains(&sig) {
            return Err(libc::EINVAL);
        }
        let new = if a[1] != 0 {
            if sig == SIGKILL || sig == SIGSTOP {
                return Err(libc::EINVAL);
            }
            Some(SigAction { handler: mem.u64(a[1])?, flags: mem.u64(a[1] + 8)?, mask: mem.u64(a[1] + 16)? })
        } else {
            None
        };
        let mut acts = self.shared.actions.lock();
        let old = acts[sig as usize];
        if a[2] != 0 {
            mem.put_u64(a[2], old.handler)?;
            mem.put_u64(a[2] + 8, old.flags)?;
            mem.put_u64(a[2] + 16, old.mask)?;
        }
        if let Some(n) = new {
            acts[sig as usize] = n;
        }
        Ok(0)
    }

    fn sigaltstack(&self, cpu: &Cpu, mem: &mut Mem, a: [u64; 6]) -> Result<u64, i32> {
        let mut st = self.st.lock();
        let sp = cpu.x(2);
        let on_alt = !st.alt_disabled && st.alt_size != 0 && sp > st.alt_sp && sp <= st.alt_sp + st.alt_size;
        if a[1] != 0 {
            let flags = if on_alt {
                SS_ONSTACK
            } else if st.alt_disabled {
                SS_DISABLE
            } else {
                0
            };
            mem.put_u64(a[1], st.alt_sp)?;
            mem.put_u64(a[1] + 8, u64::from(flags))?;
            mem.put_u64(a[1] + 16, st.alt_size)?;
        }
        if a[0] != 0 {
            if on_alt {
                return Err(libc::EPERM);
            }
            let ss_sp = mem.u64(a[0])?;
            let flags = mem.u64(a[0] + 8)? as u32;
            let size = mem.u64(a[0] + 16)?;
            if flags & SS_DISABLE != 0 {
                st.alt_disabled = true;
                st.alt_sp = 0;
                st.alt_size = 0;
            } else if flags & !SS_ONSTACK & !(1u32 << 31) != 0 {
                return Err(libc::EINVAL);
            } else {
                if size < 2048 {
                    return Err(libc::ENOMEM);
                }
                st.alt_disabled = false;
                st.alt_sp = ss_sp;
                st.alt_size = size;
            }
        }
        Ok(0)
    }

    fn setitimer(&self, mem: &mut Mem, a: [u64; 6]) -> Result<u64, i32> {
        if a[0] != 0 {
            return Err(libc::EINVAL); // only ITIMER_REAL
        }
        if a[2] != 0 {
            mem.write(a[2], &[0u8; 32])?;
        }
        let sh = self.shared.clone();
        let gen = sh.alarm_gen.fetch_add(1, Ordering::SeqCst) + 1;
        if a[1] == 0 {
            return Ok(0);
        }
        let us = |addr: u64| -> Result<Duration, i32> {
            Ok(Duration::from_secs(mem.u64(addr)?) + Duration::from_micros(mem.u64(addr + 8)?))
        };
        let interval = us(a[1])?;
        let value = us(a[1] + 16)?;
        if value.is_zero() {
            return Ok(0);
        }
        std::thread::spawn(move || {
            let mut wait = value;
            loop {
                std::thread::sleep(wait);
                if sh.alarm_gen.load(Ordering::SeqCst) != gen || sh.dead.load(Ordering::SeqCst) {
                    return;
                }
                let _ = sh.post(sh.pid, SIGALRM, SigInfo { code: 0x80, value: 0 }); // SI_KERNEL
                if interval.is_zero() {
                    return;
                }
                wait = interval;
            }
        });
        Ok(0)
    }

    fn futex(&self, mem: &Mem, a: [u64; 6]) -> Result<u64, i32> {
        const FUTEX_CLOCK_REALTIME: u64 = 256;
        let sh = &self.shared;
        let (addr, op, val) = (a[0], a[1], a[2] as u32);
        let cmd = op & 0x7f;
        let deadline = |abs: bool| -> Result<Option<Instant>, i32> {
            if a[3] == 0 {
                return Ok(None);
            }
            let d = timespec_dur(mem, a[3])?;
            if !abs {
                return Ok(Some(Instant::now() + d));
            }
            let clock = if op & FUTEX_CLOCK_REALTIME != 0 { libc::CLOCK_REALTIME } else { libc::CLOCK_MONOTONIC };
            let (sec, nsec) = host::clock(clock, false)?;
            let now = Duration::new(sec as u64, nsec as u32);
            Ok(Some(Instant::now() + d.saturating_sub(now)))
        };
        match cmd {
            0 => sh.futex_wait(addr, val, u32::MAX, deadline(false)?, &|| self.interrupting()),
            9 => sh.futex_wait(addr, val, a[5] as u32, deadline(true)?, &|| self.interrupting()),
            1 => Ok(sh.futex_wake(addr, u64::from(val), u32::MAX)),
            10 => Ok(sh.futex_wake(addr, u64::from(val), a[5] as u32)),
            3 => sh.futex_requeue(addr, u64::from(val), a[3], a[4], None),
            4 => sh.futex_requeue(addr, u64::from(val), a[3], a[4], Some(a[5] as u32)),
            5 => sh.futex_wake_op(addr, u64::from(val), a[4], a[3], a[5] as u32),
            _ => Err(libc::ENOSYS),
        }
    }

    fn clone_thread(&self, cpu: &Cpu, mem: &mut Mem, a: [u64; 6]) -> Result<u64, i32> {
        let flags = a[0];
        if flags & (CLONE_VM | CLONE_THREAD) != (CLONE_VM | CLONE_THREAD) {
            return Err(libc::ENOSYS); // fork-like clones are not emulated
        }
        let sh = &self.shared;
        let tid = sh.next_tid.fetch_add(1, Ordering::SeqCst) as i32;
        if flags & CLONE_PARENT_SETTID != 0 {
            mem.put_u32(a[2], tid as u32)?;
        }
        if flags & CLONE_CHILD_SETTID != 0 {
            mem.put_u32(a[4], tid as u32)?;
        }
        let child = Arc::new(Thread::new(sh.clone(), tid, self.st.lock().mask));
        if flags & CLONE_CHILD_CLEARTID != 0 {
            child.st.lock().clear_tid = a[4];
        }
        let mut regs = cpu.regs;
        regs[10] = 0;
        if a[1] != 0 {
            regs[2] = a[1];
        }
        if flags & CLONE_SETTLS != 0 {
            regs[4] = a[3];
        }
        let pc = cpu.pc + 4;
        let fcsr = cpu.csr.fcsr;
        sh.threads.lock().insert(tid, child.clone());
        let spawned = std::thread::Builder::new().stack_size(16 << 20).name(format!("guest-{tid}")).spawn(move || {
            let sh = child.shared.clone();
            let mut cpu = Cpu::new(sh.bus.clone(), 0, Arc::new(InstretClock(100)));
            super::enter_user(&mut cpu, pc, 0);
            cpu.regs = regs;
            cpu.csr.fcsr = fcsr;
            cpu.syscall = Some(child.clone());
            match super::new_engine(&sh.bus, sh.engine, sh.threshold) {
                Ok(mut engine) => run_thread(&child, &mut cpu, &mut engine),
                Err(e) => {
                    eprintln!("xlate: cannot start a guest thread: {e}");
                    sh.end(Ending::Exited(1));
                }
            }
        });
        if spawned.is_err() {
            sh.threads.lock().remove(&tid);
            return Err(libc::EAGAIN);
        }
        Ok(tid as u64)
    }
}

impl SyscallHandler for Thread {
    fn syscall(&self, cpu: &mut Cpu) -> bool {
        let nr = cpu.x(17);
        let a = [cpu.x(10), cpu.x(11), cpu.x(12), cpu.x(13), cpu.x(14), cpu.x(15)];
        let pc = cpu.pc;
        let sh = &self.shared;
        let strace = sh.strace;
        let mut resume = pc + 4;
        let abi = sh.abi;
        let sys = (abi.sysno)(nr);
        let name = || sys.map_or_else(|| format!("syscall_{nr}"), Sys::name);
        match self.mine(cpu, sys, a) {
            Outcome::NotMine => {
                let bus = sh.bus.clone();
                let mut mem = Mem::new(&bus);
                let r = sh.proc.lock().syscall(&mut mem, nr, a, pc);
                cpu.set_x(10, r);
                // TLBs may hold write entries for pages that are now
                // write-protected: this thread's now, the others' before
                // their next block.
                if mem.protections_changed {
                    cpu.flush_tlbs();
                    self.ask_others(REMOTE_FLUSH_TLB);
                }
                cpu.ctl.dirty_code.extend(mem.dirty_code);
            }
            Outcome::Ret(r) => {
                let mut v = match r {
                    Ok(v) => v,
                    Err(e) => (-i64::from((abi.errno)(e))) as u64,
                };
                // A blocking call a handler interrupted: with SA_RESTART it
                // runs again after the handler (resume at the ecall, a0 as it was).
                if r == Err(libc::EINTR)
                    && matches!(sys, Some(Sys::Read | Sys::Readv | Sys::Waitid | Sys::Futex | Sys::Wait4))
                {
                    let acts = sh.actions.lock();
                    if self
                        .next_signal()
                        .is_some_and(|s| acts[s as usize].handler > 1 && acts[s as usize].flags & SA_RESTART != 0)
                    {
                        v = a[0];
                        resume = pc;
                    }
                }
                if strace {
                    eprintln!(
                        "[strace] {}({:#x}, {:#x}, {:#x}, {:#x}, {:#x}, {:#x}) = {:#x}",
                        name(),
                        a[0],
                        a[1],
                        a[2],
                        a[3],
                        a[4],
                        a[5],
                        v
                    );
                }
                cpu.set_x(10, v);
            }
            Outcome::Replaced => {
                // Resume where the frame says; then maybe another signal.
                self.deliver_pending(cpu);
                cpu.stop = STOP_TRAP;
                return true;
            }
            Outcome::Exited => {
                if strace {
                    eprintln!("[strace] {}({:#x})", name(), a[0]);
                }
                // Park the hart: the engine returns (WFI with nothing to wake it).
                cpu.ctl.wfi = true;
                cpu.stop = STOP_TRAP;
                return true;
            }
        }
        // Writing to a pipe nobody reads: the kernel sends SIGPIPE with
        // EPIPE (xlate itself ignores SIGPIPE, as Rust programs do).
        if sys.is_some_and(|s| WRITES.contains(&s)) && cpu.x(10) == (-i64::from((abi.errno)(libc::EPIPE))) as u64 {
            self.post(SIGPIPE, SigInfo { code: SI_USER, value: 0 });
        }
        if self.forked.lock().is_some() {
            // Fork child: leave this engine (parked as for exit); run_thread
            // switches to a fresh one.
            cpu.pc = pc + 4;
            cpu.ctl.wfi = true;
            cpu.stop = STOP_TRAP;
            return true;
        }
        if sh.dead.load(Ordering::Relaxed) {
            sh.bus.request_halt(0);
            return true;
        }
        sh.take_host_signals();
        if self.pending.load(Ordering::SeqCst) != 0 {
            cpu.pc = resume;
            if self.deliver_pending(cpu) || sh.dead.load(Ordering::Relaxed) {
                cpu.stop = STOP_TRAP;
            } else {
                if resume == pc {
                    cpu.set_x(10, (-i64::from(libc::EINTR)) as u64);
                }
                cpu.pc = pc;
            }
        } else if resume == pc {
            cpu.set_x(10, (-i64::from(libc::EINTR)) as u64);
        }
        // No handler ran: the mask a p-variant or sigsuspend replaced comes back now.
        let mut st = self.st.lock();
        if let Some(m) = st.saved_mask.take() {
            st.mask = m;
        }
        true
    }
}

fn signal_of_trap(cause: u64) -> (i32, i32) {
    match cause {
        2 => (4, 2),         // SIGILL, ILL_ILLOPN
        3 => (5, 1),         // SIGTRAP, TRAP_BRKPT
        0 | 4 | 6 => (7, 1), // SIGBUS, BUS_ADRALN
        _ => (11, 1),        // SIGSEGV, SEGV_MAPERR
    }
}

/// A fresh engine for a new guest thread or a fork child.
fn new_engine(sh: &Shared) -> Result<Engine<Riscv>, String> {
    super::new_engine(&sh.bus, sh.engine, sh.threshold)
}

/// Runs one guest thread until it exits or the process ends. In a fork
/// child it carries on as the child's only thread, and never returns.
pub fn run_thread(th: &Arc<Thread>, cpu: &mut Cpu, engine: &mut Engine<Riscv>) {
    let mut th = th.clone();
    loop {
        let _ = th.remote.set(cpu.remote.clone());
        run_slices(&th, cpu, engine);
        let Some(child) = th.forked.lock().take() else { break };
        cpu.syscall = Some(child.clone());
        cpu.ctl.wfi = false;
        cpu.stop = 0;
        match new_engine(&child.shared) {
            // The old engine may own a JIT worker thread that fork did not
            // copy: dropping it would wait for that thread forever.
            Ok(e) => std::mem::forget(std::mem::replace(engine, e)),
            Err(e) => {
                eprintln!("xlate: cannot restart the engine after fork: {e}");
                host::die(Some(1), None);
            }
        }
        th = child;
    }
    let sh = &th.shared;
    if sh.fork_child.load(Ordering::SeqCst) {
        wait_for_end(sh);
        match sh.proc.lock().ending {
            Some(Ending::Signaled(sig)) => host::die(None, Some(sig)),
            Some(Ending::Exited(code)) => host::die(Some(code), None),
            None => host::die(Some(1), None),
        }
    }
}

fn run_slices(th: &Arc<Thread>, cpu: &mut Cpu, engine: &mut Engine<Riscv>) {
    let sh = &th.shared;
    loop {
        let exit = engine.run(cpu, SLICE);
        if th.forked.lock().is_some() || sh.dead.load(Ordering::SeqCst) || th.exited.load(Ordering::SeqCst) {
            return;
        }
        if cpu.prv != PRV_U {
            let (cause, epc, tval) = (cpu.csr.mcause, cpu.csr.mepc, cpu.csr.mtval);
            let (sig, code) = signal_of_trap(cause);
            cpu.set_prv(PRV_U);
            cpu.ctl.wfi = false;
            cpu.stop = 0;
            cpu.pc = epc;
            let addr = if sig == 4 || sig == 5 { epc } else { tval };
            if !th.deliver_fault(cpu, sig, code, addr, epc) {
                if !sh.dead.load(Ordering::SeqCst) {
                    sh.reported.store(true, Ordering::SeqCst);
                    eprintln!(
                        "xlate: guest killed by {} at pc {epc:#x} (cause {cause}, tval {tval:#x})",
                        super::signal_name(sig)
                    );
                    th.kill_process(sig);
                }
                return;
            }
            continue;
        }
        sh.take_host_signals();
        th.deliver_pending(cpu);
        if sh.dead.load(Ordering::SeqCst) {
            return;
        }
        match exit {
            Exit::Halted(_) => {
                eprintln!("xlate: guest stopped unexpectedly");
                sh.end(Ending::Exited(1));
                return;
            }
            Exit::Wfi => {
                // wfi in U-mode with nothing to wake it: just continue.
                cpu.ctl.wfi = false;
            }
            Exit::Budget => {}
        }
    }
}

/// Waits for the process to end after the main thread exited alone.
pub fn wait_for_end(sh: &Shared) {
    while !sh.dead.load(Ordering::SeqCst) {
        std::thread::sleep(Duration::from_millis(5));
    }
}
