//! Veridesk: a self-hosted identity-verification (KYC/KYB) back-office.
//!
//! Each feature owns a folder with the same shape (`mod.rs` routes,
//! `handlers.rs`, `queries.rs`, `forms.rs`, `pages.rs`); cross-cutting
//! pieces live in `web`, `db`, `domain` and `error`.

#![deny(clippy::unwrap_used, clippy::expect_used)]

pub mod account;
pub mod applicants;
pub mod assets;
pub mod audit;
pub mod auth;
pub mod clock;
pub mod config;
pub mod db;
pub mod demo;
pub mod domain;
pub mod email_templates;
pub mod error;
pub mod flows;
pub mod home;
pub mod outbox;
pub mod portal;
pub mod questionnaires;
pub mod roles;
pub mod settings;
pub mod startup;
pub mod team;
pub mod verifications;
pub mod web;
