#![doc = include_str!("../README.md")]

/// Package `thidua.v1`: messages, service clients and servers.
#[allow(clippy::all, missing_docs)]
pub mod v1 {
    tonic::include_proto!("thidua.v1");
}

/// The encoded `FileDescriptorSet` of every thidua proto file, for server reflection.
pub const FILE_DESCRIPTOR_SET: &[u8] =
    include_bytes!(concat!(env!("OUT_DIR"), "/thidua_descriptor.bin"));
