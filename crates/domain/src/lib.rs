#![doc = include_str!("../README.md")]

pub mod access;
pub mod audit;
pub mod award;
pub mod carry_forward;
pub mod cluster;
pub mod covenant;
pub mod criteria;
pub mod decimal;
pub mod error;
#[cfg(test)]
mod fixtures;
pub mod import;
pub mod lineage;
pub mod membership;
pub mod names;
pub mod periods;
pub mod policy;
pub mod reporting;
pub mod results;
pub mod scoring;
pub mod stage;
pub mod succession;
pub mod target;
pub mod term;
pub mod text;
pub mod time;
pub mod unit;
pub mod words;

pub use error::{Error, FieldViolation, Reason, Result};
pub use words::{Language, Words};
