//! Translated blocks and the cache that finds them.
//!
//! A block is a run of decoded guest instructions that never crosses a guest
//! page (but for a lone instruction that does, see [`Block::paddr2`]) and
//! ends at a control transfer, a system instruction or a length limit. Its
//! key is (virtual pc, physical pc, mode): the virtual pc because
//! pc-relative semantics are baked in, the physical pc so that a write to the
//! page drops it, the mode because decoding and translation depend on it.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicPtr, AtomicU32, Ordering};
use std::sync::Arc;

use xlate_frontend::Isa;
use xlate_softmmu::PAGE_MASK;

/// Longest block, in instructions.
pub const MAX_BLOCK_INSNS: usize = 64;

pub struct Block<I: Isa> {
    pub vpc: u64,
    pub paddr: u64,
    pub mode: u32,
    pub insns: Vec<I::Insn>,
    /// Virtual address of each instruction.
    pub pcs: Vec<u64>,
    /// Virtual address after the last instruction.
    pub end_pc: u64,
    /// Times run by the interpreter (for tiering).
    pub hits: AtomicU32,
    pub compile_requested: AtomicBool,
    /// Compiled code (`jit::BlockFn`), or null while interpreted.
    pub code: AtomicPtr<u8>,
    /// For a lone instruction that crosses into the next page: that page
    /// (physical). A write to either page drops the block; no compiled exit
    /// links to its code.
    pub paddr2: Option<u64>,
}

impl<I: Isa> Block<I> {
    pub fn new(vpc: u64, paddr: u64, mode: u32, insns: Vec<I::Insn>) -> Block<I> {
        let mut pcs = Vec::with_capacity(insns.len());
        let mut pc = vpc;
        for i in &insns {
            pcs.push(pc);
            pc = pc.wrapping_add(I::insn_len(i));
        }
        Block {
            vpc,
            paddr,
            mode,
            insns,
            pcs,
            end_pc: pc,
            hits: AtomicU32::new(0),
            compile_requested: AtomicBool::new(false),
            code: AtomicPtr::new(std::ptr::null_mut()),
            paddr2: None,
        }
    }
    pub fn compiled(&self) -> *mut u8 {
        self.code.load(Ordering::Acquire)
    }

    /// Where the block may go next when that is known at translation time:
    /// the direct targets of its last instruction, or the next address if it
    /// ended without a control transfer (length limit, page end).
    pub fn direct_successors(&self) -> Vec<u64> {
        let (Some(last), Some(&pc)) = (self.insns.last(), self.pcs.last()) else { return Vec::new() };
        if !I::ends_block(last) {
            return vec![self.end_pc];
        }
        I::direct_targets(last, pc).into_iter().flatten().collect()
    }
}

type Key = (u64, u64, u32);
const JUMP_CACHE_BITS: u32 = 12;

pub struct BlockCache<I: Isa> {
    blocks: HashMap<Key, Arc<Block<I>>>,
    by_page: HashMap<u64, Vec<Key>>,
    /// Direct-mapped by virtual pc: the last block found there.
    jump_cache: Vec<Option<Arc<Block<I>>>>,
}

impl<I: Isa> Default for BlockCache<I> {
    fn default() -> Self {
        BlockCache { blocks: HashMap::new(), by_page: HashMap::new(), jump_cache: vec![None; 1 << JUMP_CACHE_BITS] }
    }
}

impl<I: Isa> BlockCache<I> {
    fn slot(vpc: u64) -> usize {
        ((vpc >> 1) as usize) & ((1 << JUMP_CACHE_BITS) - 1)
    }

    /// Fast lookup by virtual pc and mode only (valid until the next
    /// [`BlockCache::flush_jump_cache`]).
    #[inline]
    pub fn lookup_virtual(&self, vpc: u64, mode: u32) -> Option<&Arc<Block<I>>> {
        self.jump_cache[Self::slot(vpc)].as_ref().filter(|b| b.vpc == vpc && b.mode == mode)
    }

    pub fn lookup(&mut self, vpc: u64, paddr: u64, mode: u32) -> Option<Arc<Block<I>>> {
        let b = self.blocks.get(&(vpc, paddr, mode))?.clone();
        self.jump_cache[Self::slot(vpc)] = Some(b.clone());
        Some(b)
    }

    pub fn insert(&mut self, b: Arc<Block<I>>) {
        let key = (b.vpc, b.paddr, b.mode);
        self.by_page.entry(b.paddr & PAGE_MASK).or_default().push(key);
        if let Some(p2) = b.paddr2 {
            self.by_page.entry(p2 & PAGE_MASK).or_default().push(key);
        }
        self.jump_cache[Self::slot(b.vpc)] = Some(b.clone());
        self.blocks.insert(key, b);
    }

    /// Drops every block built from physical page `page`.
    pub fn invalidate_page(&mut self, page: u64) {
        if let Some(keys) = self.by_page.remove(&page) {
            for k in keys {
                self.blocks.remove(&k);
            }
            self.flush_jump_cache();
        }
    }

    pub fn flush_jump_cache(&mut self) {
        self.jump_cache.iter_mut().for_each(|s| *s = None);
    }

    pub fn flush(&mut self) {
        self.blocks.clear();
        self.by_page.clear();
        self.flush_jump_cache();
    }

    pub fn len(&self) -> usize {
        self.blocks.len()
    }
    pub fn is_empty(&self) -> bool {
        self.blocks.is_empty()
    }
}
