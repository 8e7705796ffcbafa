//! Official documents made from the data, laid out per the administrative document rules
//! (Nghị định 30/2020/NĐ-CP), for officers to print, sign and file.

pub mod scoreboard;
