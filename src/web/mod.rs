//! Cross-cutting web pieces: application state, request context
//! extractors, CSRF, flash messages, form errors and rendering.

pub mod chrome;
pub mod context;
pub mod csrf;
pub mod escape;
pub mod flash;
pub mod forms;
pub mod nul;
pub mod render;
pub mod request_span;
pub mod session_cache;
pub mod session_store;
pub mod state;
pub mod upload;

pub use chrome::{Chrome, Nav};
pub use context::{ClientInfo, Ctx, CurrentMember, DayAndTime, Visitor};
pub use csrf::CsrfForm;
pub use flash::{Flash, FlashKind};
pub use forms::{EmptyForm, FormErrors, parse_id, query_problem};
pub use render::{redirect, render, render_status};
pub use state::AppState;
