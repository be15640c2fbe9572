//! The integration test binary: every test runs the real server against
//! its own PostgreSQL database and a real SMTP server on loopback.

mod helpers;

mod applicants;
mod auth;
mod browser;
mod cli;
mod crawl;
mod email_templates;
mod flows;
mod outbox;
mod permissions;
mod processes;
mod profile;
mod questionnaires;
mod roles;
pub mod sessions;
pub mod settings;
mod team;
