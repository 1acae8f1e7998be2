//! Secret header values of Send a Webhook steps are write-only: a scenario read
//! back carries no secret value, and a save that sends a secret row back without
//! a value (or with the mask) keeps the value saved under that header name.

use super::{ScenarioDefinition, StepKind};
use crate::webhook::headers::SECRET_MASK;

impl ScenarioDefinition {
    /// The definition as it may be shown: every secret header value removed.
    pub fn redacted(&self) -> ScenarioDefinition {
        let mut out = self.clone();
        for step in &mut out.graph.steps {
            if let StepKind::SendWebhook { config, .. } = &mut step.kind {
                for header in config.headers.iter_mut().filter(|h| h.secret) {
                    header.value = None;
                }
            }
        }
        out
    }

    /// Fills the secret header rows sent back without a value from `saved`
    /// (matched by step id and header name, case-insensitively).
    pub fn keep_saved_secrets(&mut self, saved: &ScenarioDefinition) {
        for step in &mut self.graph.steps {
            let StepKind::SendWebhook { config, .. } = &mut step.kind else {
                continue;
            };
            let Some(saved_step) = saved.graph.step(&step.id) else {
                continue;
            };
            let StepKind::SendWebhook {
                config: saved_config,
                ..
            } = &saved_step.kind
            else {
                continue;
            };
            for header in config.headers.iter_mut().filter(|h| h.secret) {
                let keep = header.value.as_deref().is_none_or(|v| v == SECRET_MASK);
                if !keep {
                    continue;
                }
                header.value = saved_config
                    .headers
                    .iter()
                    .find(|s| s.secret && s.name.eq_ignore_ascii_case(&header.name))
                    .and_then(|s| s.value.clone());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::model::scenario::ScenarioDefinition;
    use serde_json::json;

    fn scenario(value: Option<&str>) -> ScenarioDefinition {
        serde_json::from_value(json!({
            "name": "S", "trigger": {"type": "form_submitted", "form_id": 1},
            "graph": {"start": "hook", "steps": [{"id": "hook", "type": "send_webhook", "config": {
                "url": "https://example.org/in", "fields": ["email"], "additional": [],
                "headers": [{"name": "X-Api-Key", "value": value, "secret": true},
                            {"name": "User-Agent", "value": "Acme", "secret": false}]}}]}
        }))
        .unwrap()
    }

    #[test]
    fn a_scenario_read_back_carries_no_secret_value() {
        let shown = serde_json::to_string(&scenario(Some("k-123")).redacted()).unwrap();
        assert!(!shown.contains("k-123"), "{shown}");
        assert!(shown.contains("Acme"));
    }

    #[test]
    fn a_secret_sent_back_empty_or_masked_keeps_the_saved_one_and_a_new_one_replaces_it() {
        let saved = scenario(Some("k-123"));
        for sent in [None, Some(crate::webhook::headers::SECRET_MASK)] {
            let mut edited = scenario(sent);
            edited.keep_saved_secrets(&saved);
            assert_eq!(edited, saved);
        }
        let mut replaced = scenario(Some("k-456"));
        replaced.keep_saved_secrets(&saved);
        assert_eq!(replaced, scenario(Some("k-456")));
    }
}
