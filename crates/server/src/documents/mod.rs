//! Official documents made from the data, laid out per the administrative document rules
//! (Nghị định 30/2020/NĐ-CP), for officers to print, sign and file: the summary table (XLSX),
//! the ballot minutes, the submission for awards and the covenant (DOCX, which officers edit
//! before signing). `layout` holds what the DOCX documents share.

pub mod ballot_minutes;
pub mod covenant;
mod layout;
pub mod scoreboard;
pub mod submission;

pub use layout::text;
