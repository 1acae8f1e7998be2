//! What validation reports, and what it checks a scenario against.

use crate::model::fields::CustomField;
use crate::model::ids::StepId;
use crate::webhook::config::WebhookStepConfig;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

/// One reason a scenario cannot be activated yet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[error("{field}: {message}")]
pub struct Problem {
    /// The step it belongs to; `None` for the scenario itself or its trigger.
    pub step: Option<StepId>,
    /// The input to fix: `name`, `trigger.form_id`, `steps[2].config.url`, `steps[1].yes`, …
    pub field: String,
    /// What is wrong, in words a marketer understands.
    pub message: String,
    pub code: ProblemCode,
}

macro_rules! problem_codes {
    ($($(#[$doc:meta])* $name:ident = $text:literal,)*) => {
        /// A stable machine-readable name for a kind of problem (its JSON is the
        /// snake_case text, e.g. `"unreachable_step"`).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
        pub enum ProblemCode { $($(#[$doc])* #[serde(rename = $text)] #[cfg_attr(feature = "openapi", schema(rename = $text))] $name,)* }

        impl ProblemCode {
            pub fn as_str(self) -> &'static str {
                match self { $(ProblemCode::$name => $text,)* }
            }
        }
    };
}

problem_codes! {
    NameRequired = "name_required",
    NameTooLong = "name_too_long",
    EmptyScenario = "empty_scenario",
    TooManySteps = "too_many_steps",
    MissingStart = "missing_start",
    /// A link (or the start) names a step that does not exist.
    UnknownStep = "unknown_step",
    InvalidStepId = "invalid_step_id",
    DuplicateStepId = "duplicate_step_id",
    UnreachableStep = "unreachable_step",
    /// A link leads back to an earlier step: contacts would loop forever.
    Cycle = "cycle",
    InvalidWebhook = "invalid_webhook",
    UnknownGroup = "unknown_group",
    UnknownForm = "unknown_form",
    /// The form exists but is not of the kind the trigger needs.
    WrongFormKind = "wrong_form_kind",
    UnknownMailing = "unknown_mailing",
    UnknownField = "unknown_field",
    /// The field exists but its kind does not fit (e.g. not a date field).
    WrongFieldKind = "wrong_field_kind",
    /// Email, groups and statistics cannot be set by an Update a field step.
    FieldNotUpdatable = "field_not_updatable",
    /// The comparison does not apply to the field's kind.
    InvalidOperator = "invalid_operator",
    ValueRequired = "value_required",
    InvalidValue = "invalid_value",
    /// An AND/OR group without any condition.
    EmptyCondition = "empty_condition",
    CriteriaTooDeep = "criteria_too_deep",
}

impl fmt::Display for ProblemCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl PartialEq<str> for ProblemCode {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for ProblemCode {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

/// The three kinds of form. Each trigger that names a form needs one kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FormKind {
    Subscription,
    Survey,
    Profile,
}

impl FormKind {
    /// "a subscription form", "a survey", "an update-profile form".
    pub fn with_article(self) -> &'static str {
        match self {
            FormKind::Subscription => "a subscription form",
            FormKind::Survey => "a survey",
            FormKind::Profile => "an update-profile form",
        }
    }
}

/// What exists in the account, for checking what a scenario refers to. Built by the
/// server; also safe to send to the browser (it holds no secret values).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct References {
    pub custom_fields: Vec<CustomField>,
    pub group_ids: BTreeSet<i64>,
    pub subscription_form_ids: BTreeSet<i64>,
    pub survey_form_ids: BTreeSet<i64>,
    pub profile_form_ids: BTreeSet<i64>,
    pub mailing_ids: BTreeSet<i64>,
    /// Per saved Send a Webhook step, the names of its headers whose secret value is
    /// saved. A header row sent back without its value keeps that secret, so it is
    /// not reported as missing. Names only: secret values never leave the server.
    pub saved_secret_headers: BTreeMap<StepId, BTreeSet<String>>,
}

impl References {
    /// Remembers which secret headers a saved step has (see `saved_secret_headers`).
    pub fn keep_secrets_of(&mut self, step: StepId, saved: &WebhookStepConfig) {
        let names = saved
            .headers()
            .iter()
            .filter(|h| h.is_secret())
            .map(|h| h.name().as_str().to_string());
        self.saved_secret_headers
            .entry(step)
            .or_default()
            .extend(names);
    }

    pub fn forms(&self, kind: FormKind) -> &BTreeSet<i64> {
        match kind {
            FormKind::Subscription => &self.subscription_form_ids,
            FormKind::Survey => &self.survey_form_ids,
            FormKind::Profile => &self.profile_form_ids,
        }
    }

    /// The kind of form `id` is, if it exists.
    pub fn form_kind(&self, id: i64) -> Option<FormKind> {
        [FormKind::Subscription, FormKind::Survey, FormKind::Profile]
            .into_iter()
            .find(|&kind| self.forms(kind).contains(&id))
    }
}

/// Collects problems as validation finds them.
#[derive(Default)]
pub(crate) struct Problems(Vec<Problem>);

impl Problems {
    pub(crate) fn add(
        &mut self,
        step: Option<&StepId>,
        field: impl Into<String>,
        code: ProblemCode,
        message: impl Into<String>,
    ) {
        self.0.push(Problem {
            step: step.cloned(),
            field: field.into(),
            message: message.into(),
            code,
        });
    }

    pub(crate) fn into_vec(self) -> Vec<Problem> {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_problem_code_reads_as_its_stable_name() {
        assert_eq!(ProblemCode::UnreachableStep.as_str(), "unreachable_step");
        assert_eq!(
            serde_json::to_string(&ProblemCode::DuplicateStepId).unwrap(),
            r#""duplicate_step_id""#
        );
        assert!(ProblemCode::Cycle == "cycle");
        let problem = Problem {
            step: Some(StepId("check".into())),
            field: "steps[1].yes".into(),
            message: "this leads back to an earlier step".into(),
            code: ProblemCode::Cycle,
        };
        assert_eq!(
            serde_json::to_string(&problem).unwrap(),
            r#"{"step":"check","field":"steps[1].yes","message":"this leads back to an earlier step","code":"cycle"}"#
        );
        assert_eq!(
            problem.to_string(),
            "steps[1].yes: this leads back to an earlier step"
        );
    }

    #[test]
    fn a_form_id_has_one_kind() {
        let refs = References {
            subscription_form_ids: [1].into(),
            survey_form_ids: [2].into(),
            ..References::default()
        };
        assert_eq!(refs.form_kind(1), Some(FormKind::Subscription));
        assert_eq!(refs.form_kind(2), Some(FormKind::Survey));
        assert_eq!(refs.form_kind(3), None);
    }
}
