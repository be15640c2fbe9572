//! Verification flows: versioned templates of steps.

pub mod definition;
