//! HTTP beside gRPC: the JSON API (Connect), gRPC-Web, the health routes, the OpenAPI
//! document, share links and the live scoreboard page, in a real browser and from Python.

mod browser;
mod client;
mod json_api;
mod python;
mod share;

pub use browser::{expired_link_in_a_browser, live_page_in_a_browser, page_with_an_api_key};
pub use json_api::{json_api, openapi_document};
pub use python::json_api_from_python;
pub use share::share_links;
