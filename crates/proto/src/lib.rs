#![doc = include_str!("../README.md")]

/// Package `thidua.v1`: messages, service clients and servers.
#[allow(clippy::all, missing_docs)]
pub mod v1 {
    tonic::include_proto!("thidua.v1");
}

/// The encoded `FileDescriptorSet` of every thidua proto file, for server reflection.
pub const FILE_DESCRIPTOR_SET: &[u8] =
    include_bytes!(concat!(env!("OUT_DIR"), "/thidua_descriptor.bin"));

/// Client side of authentication: every call carries `authorization: Bearer <API key>`, and the
/// language the caller reads error messages in (`grpc-accept-language`), if it chose one.
pub mod auth {
    use tonic::{
        Request, Status,
        metadata::{Ascii, MetadataValue},
        service::{Interceptor, interceptor::InterceptedService},
        transport::Channel,
    };

    /// Adds the bearer header (and the language) to every request.
    #[derive(Clone, Debug)]
    pub struct Bearer {
        authorization: Option<MetadataValue<Ascii>>,
        language: Option<MetadataValue<Ascii>>,
    }

    impl Bearer {
        /// A bearer of `token`; `None` sends no header (the server then answers
        /// UNAUTHENTICATED, except for the health check). Fails when the token cannot be a
        /// header value.
        pub fn new(token: Option<&str>) -> Result<Self, String> {
            token
                .map(|t| {
                    format!("Bearer {}", t.trim())
                        .parse::<MetadataValue<Ascii>>()
                        .map_err(|_| {
                            "the API key contains characters a header cannot carry".to_owned()
                        })
                })
                .transpose()
                .map(|authorization| Self {
                    authorization,
                    language: None,
                })
        }

        /// Asks for error messages in `tag` (`vi`, `en`) on every call.
        #[must_use]
        pub fn language(mut self, tag: &str) -> Self {
            self.language = tag.parse().ok();
            self
        }
    }

    impl Interceptor for Bearer {
        fn call(&mut self, mut request: Request<()>) -> Result<Request<()>, Status> {
            if let Some(value) = &self.authorization {
                request
                    .metadata_mut()
                    .insert("authorization", value.clone());
            }
            if let Some(value) = &self.language {
                request
                    .metadata_mut()
                    .insert("grpc-accept-language", value.clone());
            }
            Ok(request)
        }
    }

    /// A channel whose calls carry the bearer header.
    pub type AuthChannel = InterceptedService<Channel, Bearer>;
}
