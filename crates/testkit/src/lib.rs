#![doc = include_str!("../README.md")]

mod postgres;
mod scratch;
mod server;

pub use postgres::{Durability, Postgres, newest_bin};
pub use scratch::{Scratch, reap_abandoned};
pub use server::{ServerProcess, beside_this_executable, bootstrap_admin};
