//! Stand-in for the `c99` crate: the `<stdint.h>` "fast" integer types whose
//! widths softfloat-sys's C code was compiled with. The upstream crate runs
//! CMake at build time just to print these.
#![allow(non_camel_case_types)]

pub type uint_fast8_t = u8;
pub type int_fast64_t = i64;
pub type uint_fast64_t = u64;

// glibc on 64-bit targets widens the 16/32-bit fast types to `long`;
// musl and Apple keep them at their nominal width.
#[cfg(all(target_env = "gnu", target_pointer_width = "64"))]
mod fast32 {
    pub type int_fast32_t = i64;
    pub type uint_fast32_t = u64;
}
#[cfg(not(all(target_env = "gnu", target_pointer_width = "64")))]
mod fast32 {
    pub type int_fast32_t = i32;
    pub type uint_fast32_t = u32;
}
pub use fast32::*;
