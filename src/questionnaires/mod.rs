//! Questionnaires: versioned forms used by questionnaire steps.

pub mod definition;
