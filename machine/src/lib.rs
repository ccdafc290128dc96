//! Boards, loaders and the drivers that run them: the bare HTIF machine for
//! test ROMs and the RISC-V `virt`-style board.

pub mod console;
pub mod elf;
pub mod linux_user;
pub mod riscv_board;
pub mod testrom;
pub mod virt;

pub use elf::{load_image, LoadedImage};
pub use riscv_board::{BoardOptions, RiscvBoard, RunOutcome};
